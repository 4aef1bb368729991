import jStat from "jstat"

/** Standard normal cumulative distribution function. */
export const normalCdf = (x: number): number => jStat.normal.cdf(x, 0, 1)

/** Standard normal quantile function. */
export const normalQuantile = (p: number): number => jStat.normal.inv(p, 0, 1)

/** Two-sided p-value of a z statistic, computed from the complementary error function to keep small tails. */
export const normalTwoSidedP = (z: number): number => Math.min(1, jStat.erfc(Math.abs(z) / Math.SQRT2))

/** Two-sided p-value of a t statistic with `df` degrees of freedom. */
export const studentTwoSidedP = (t: number, df: number): number =>
  Math.min(1, 2 * jStat.studentt.cdf(-Math.abs(t), df))

/** Quantile of Student's t distribution. */
export const studentQuantile = (p: number, df: number): number => jStat.studentt.inv(p, df)
