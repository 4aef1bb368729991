import jStat from "jstat"
import { erfcx } from "./normal.js"

/** Standard normal cumulative distribution function. */
export const normalCdf = (x: number): number => jStat.normal.cdf(x, 0, 1)

/** Standard normal quantile function. */
export const normalQuantile = (p: number): number => jStat.normal.inv(p, 0, 1)

/**
 * Two-sided p-value of a z statistic, from the scaled complementary error function to keep small tails (jstat's
 * erfc is 1 − erf, which loses relative precision below p ≈ 1e-8 and returns 0 below 1e-16).
 */
export const normalTwoSidedP = (z: number): number =>
  // exp(−z²/2) from z itself: through (z/√2)² the rounding of √2 would cost digits far in the tail.
  Math.min(1, erfcx(Math.abs(z) / Math.SQRT2) * Math.exp(-0.5 * z * z))

/** Two-sided p-value of a t statistic with `df` degrees of freedom. */
export const studentTwoSidedP = (t: number, df: number): number =>
  Math.min(1, 2 * jStat.studentt.cdf(-Math.abs(t), df))

/** Quantile of Student's t distribution. */
export const studentQuantile = (p: number, df: number): number => jStat.studentt.inv(p, df)
