/**
 * The non-central chi-square distribution and confidence intervals for its non-centrality by test inversion.
 *
 * A plug-in squared distance between two empirical distributions (the Jensen–Shannon divergence, to second order a
 * scaled chi-square distance) is approximately `scale · χ²_df(λ)` with df = k − 1 and λ = (true squared distance) /
 * scale: a non-central chi-square. Its bias (the df) and its spread both depend on λ, so a bootstrap, whose world
 * has the plug-in's inflated non-centrality λ̂ ≈ λ + df, is too wide for small distances. Inverting the
 * distribution itself (the Neyman construction) gives intervals with their nominal coverage at every λ
 * (Kent & Hainsworth 1995; Saxena & Alam 1982).
 */
import jStat from "jstat"

/**
 * P(X ≤ x) for X ~ χ²_df(λ) (df > 0, λ ≥ 0): the Poisson(λ/2) mixture of central chi-squares with df + 2j degrees
 * of freedom, Σⱼ Pois(j; λ/2) · P(df/2 + j, x/2) with P the regularised lower incomplete gamma function. Summed
 * outward from the Poisson mode with the recurrences of both factors, so a large λ costs O(√λ) terms.
 * NaN for invalid arguments.
 */
export const noncentralChiSquareCdf = (x: number, df: number, lambda: number): number => {
  if (!(df > 0) || !(lambda >= 0) || Number.isNaN(x)) return Number.NaN
  if (x <= 0) return 0
  if (x === Number.POSITIVE_INFINITY) return 1
  const y = x / 2
  const a = df / 2
  const mu = lambda / 2
  if (mu === 0) return jStat.lowRegGamma(a, y)
  const mode = Math.floor(mu)
  // Poisson weight, gamma CDF and gamma "density" term g = y^(a+j) e^(−y) / Γ(a+j+1) at the mode.
  const weightMode = Math.exp(-mu + mode * Math.log(mu) - jStat.gammaln(mode + 1))
  const cdfMode = jStat.lowRegGamma(a + mode, y)
  const termMode = Math.exp((a + mode) * Math.log(y) - y - jStat.gammaln(a + mode + 1))
  const tiny = 1e-17
  let sum = weightMode * cdfMode
  // Upward: P(a+j+1) = P(a+j) − g(a+j); g(a+j+1) = g(a+j)·y/(a+j+1); w(j+1) = w(j)·μ/(j+1).
  let weight = weightMode
  let cdf = cdfMode
  let term = termMode
  for (let j = mode; j < mode + 100_000; j++) {
    cdf -= term
    term *= y / (a + j + 1)
    weight *= mu / (j + 1)
    if (cdf <= 0) break
    sum += weight * cdf
    if (weight * cdf < tiny * sum && j > mu) break
  }
  // Downward: P(a+j−1) = P(a+j) + g(a+j−1); g(a+j−1) = g(a+j)·(a+j)/y; w(j−1) = w(j)·j/μ.
  weight = weightMode
  cdf = cdfMode
  term = termMode
  for (let j = mode; j > 0; j--) {
    term *= (a + j) / y
    cdf = Math.min(1, cdf + term)
    weight *= j / mu
    sum += weight * cdf
    if (weight < tiny * sum) break
  }
  return Math.min(1, Math.max(0, sum))
}

/** The λ at which noncentralChiSquareCdf(x, df, λ) = target (the CDF falls as λ grows); 0 when it is already ≤ target at 0. */
const solveNoncentrality = (x: number, df: number, target: number): number => {
  if (noncentralChiSquareCdf(x, df, 0) <= target) return 0
  let low = 0
  let high = Math.max(1, x)
  while (noncentralChiSquareCdf(x, df, high) > target) {
    low = high
    high *= 2
    if (high > 1e12) return high
  }
  for (let step = 0; step < 200 && high - low > 1e-10 * Math.max(1, high); step++) {
    const middle = (low + high) / 2
    if (noncentralChiSquareCdf(x, df, middle) > target) low = middle
    else high = middle
  }
  return (low + high) / 2
}

export interface NoncentralityInterval {
  readonly lower: number
  readonly upper: number
}

/**
 * The equal-tailed 1 − alpha confidence interval for the non-centrality λ of an observed χ²_df(λ) value x, by
 * inverting the distribution: the lower bound is the λ at which x is the 1 − alpha/2 quantile (0 when x is below
 * the null's 1 − alpha/2 quantile: no detectable non-centrality), the upper bound the λ at which x is the alpha/2
 * quantile (0 when even λ = 0 puts x below its alpha/2 quantile). Null for invalid arguments.
 */
export const noncentralityInterval = (x: number, df: number, alpha: number): NoncentralityInterval | null => {
  if (!(df > 0) || !(alpha > 0 && alpha < 1) || !Number.isFinite(x)) return null
  const observed = Math.max(0, x)
  return {
    lower: solveNoncentrality(observed, df, 1 - alpha / 2),
    upper: solveNoncentrality(observed, df, alpha / 2),
  }
}
