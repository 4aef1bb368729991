import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { noncentralChiSquareCdf, noncentralityInterval } from "../src/index.js"

// Reference values from scipy.stats.ncx2 (test/golden/make_noncentral.py writes noncentral.json).
interface Golden {
  readonly cdf: ReadonlyArray<{ x: number; df: number; lambda: number; cdf: number }>
  readonly intervals: ReadonlyArray<{ x: number; df: number; alpha: number; lower: number; upper: number }>
}
const golden: Golden = JSON.parse(
  readFileSync(new URL("./golden/noncentral.json", import.meta.url), "utf8"),
) as Golden

describe("non-central chi-square", () => {
  it("CDF agrees with scipy.stats.ncx2.cdf across df, non-centrality and tails", () => {
    expect(golden.cdf.length).toBeGreaterThan(150)
    for (const { x, df, lambda, cdf } of golden.cdf) {
      expect(Math.abs(noncentralChiSquareCdf(x, df, lambda) - cdf)).toBeLessThan(1e-9)
    }
  })

  it("non-centrality intervals agree with inverting scipy's CDF (both bounds, both levels)", () => {
    for (const { x, df, alpha, lower, upper } of golden.intervals) {
      const interval = noncentralityInterval(x, df, alpha)!
      // Relative 1e-7: both solve the same equation to ~1e-10; the CDFs agree to ~1e-12.
      expect(Math.abs(interval.lower - lower)).toBeLessThanOrEqual(1e-7 * Math.max(1, lower))
      expect(Math.abs(interval.upper - upper)).toBeLessThanOrEqual(1e-7 * Math.max(1, upper))
    }
  })

  it("a value below the null's 1 − α/2 quantile gets lower bound 0; invalid arguments give null or NaN", () => {
    expect(noncentralityInterval(3, 4, 0.05)!.lower).toBe(0)
    expect(noncentralityInterval(3, 0, 0.05)).toBeNull()
    expect(noncentralityInterval(3, 4, 0)).toBeNull()
    expect(noncentralChiSquareCdf(1, 2, -1)).toBeNaN()
    expect(noncentralChiSquareCdf(0, 2, 3)).toBe(0)
  })
})
