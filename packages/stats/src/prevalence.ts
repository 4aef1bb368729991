import { normalQuantile, normalTwoSidedP } from "./distribution.js"
import { fail, type Outcome, succeed } from "./outcome.js"
import type { Coefficient } from "./regression.js"

/**
 * Prevalence estimators of the designs that protect respondents, with their published standard errors. Each takes
 * the observed answers (and optional frequency weights, e.g. bootstrap weights: n is then their sum) and returns the
 * prevalence π̂ as a coefficient (term `prevalence`) with a normal-approximation interval and a z test of π = 0.
 *
 * Randomised-response designs observe λ̂, the share answering the positive option, whose expectation is linear in π;
 * π̂ inverts it, and the variance is the unbiased estimate λ̂(1 − λ̂) / ((n − 1) c²) of λ(1 − λ) / (n c²), c being the
 * slope dλ/dπ. (The n − 1 makes E[V̂] = Var(π̂) exactly; it is also an intercept-only OLS fit's SE on the corrected
 * variable, so the two agree.)
 */

export interface PrevalenceEstimate {
  readonly coefficient: Coefficient
  /** The observed share answering the positive option (λ̂), or for a list experiment the treatment mean. */
  readonly observed: number
  /** For a list experiment, the control mean (else null). */
  readonly control: number | null
  /** Observations (the sum of the weights): all of them, or treatment + control for a list experiment. */
  readonly n: number
}

const coefficient = (estimate: number, se: number, alpha: number): Coefficient => {
  const z = normalQuantile(1 - alpha / 2)
  const statistic = se > 0 ? estimate / se : Number.NaN
  return {
    term: "prevalence",
    estimate,
    se,
    statistic,
    p: se > 0 ? normalTwoSidedP(statistic) : Number.NaN,
    lower: estimate - z * se,
    upper: estimate + z * se,
  }
}

const weighted = (values: ReadonlyArray<number>, weights: ReadonlyArray<number> | undefined) => {
  let n = 0
  let sum = 0
  for (let i = 0; i < values.length; i++) {
    const w = weights === undefined ? 1 : weights[i]!
    n += w
    sum += w * values[i]!
  }
  const mean = n > 0 ? sum / n : Number.NaN
  let squares = 0
  for (let i = 0; i < values.length; i++) {
    const w = weights === undefined ? 1 : weights[i]!
    squares += w * (values[i]! - mean) ** 2
  }
  // The unbiased sample variance with frequency weights: Σw(y − ȳ)² / (Σw − 1).
  return { n, mean, variance: n > 1 ? squares / (n - 1) : Number.NaN }
}

/**
 * A randomised-response estimate from λ̂ = intercept + slope·π: π̂ = (λ̂ − intercept) / slope and
 * V̂ = λ̂(1 − λ̂) / ((n − 1) slope²).
 */
const invert = (
  answers: ReadonlyArray<number>,
  weights: ReadonlyArray<number> | undefined,
  intercept: number,
  slope: number,
  alpha: number,
): Outcome<PrevalenceEstimate, string> => {
  if (answers.some((answer) => answer !== 0 && answer !== 1))
    return fail("randomised-response answers must be 0 or 1")
  const { n, mean } = weighted(answers, weights)
  if (!(n > 1)) return fail(`a prevalence needs at least 2 answers (found ${n})`)
  const se = Math.sqrt((mean * (1 - mean)) / (n - 1)) / Math.abs(slope)
  return succeed({
    coefficient: coefficient((mean - intercept) / slope, se, alpha),
    observed: mean,
    control: null,
    n,
  })
}

const probability = (name: string, value: number): string | undefined =>
  Number.isFinite(value) && value >= 0 && value <= 1 ? undefined : `${name} must be in [0, 1] (got ${value})`

/**
 * Warner (1965): with probability p a respondent answers about the sensitive statement, else about its negation:
 * λ = pπ + (1 − p)(1 − π), so π̂ = (λ̂ − (1 − p)) / (2p − 1) (Warner's eq. 5) and
 * V̂ = λ̂(1 − λ̂) / ((n − 1)(2p − 1)²), the unbiased estimate of his variance (eq. 6). p ≠ 1/2.
 */
export const warnerPrevalence = (
  answers: ReadonlyArray<number>,
  p: number,
  options: { readonly weights?: ReadonlyArray<number>; readonly alpha?: number } = {},
): Outcome<PrevalenceEstimate, string> => {
  const problem = probability("p", p)
  if (problem !== undefined) return fail(problem)
  if (p === 0.5) return fail("p = 0.5 identifies nothing: 2p − 1 = 0")
  return invert(answers, options.weights, 1 - p, 2 * p - 1, options.alpha ?? 0.05)
}

/**
 * Forced response (Boruch 1971; Blair, Imai & Zhou 2015, §2.2): forced "yes" with probability p₁ (`pYes`), forced
 * "no" with p₀ (`pNo`), else the truth: λ = p₁ + (1 − p₀ − p₁)π, so π̂ = (λ̂ − p₁) / (1 − p₀ − p₁) and
 * V̂ = λ̂(1 − λ̂) / ((n − 1)(1 − p₀ − p₁)²). p₀ + p₁ < 1.
 */
export const forcedResponsePrevalence = (
  answers: ReadonlyArray<number>,
  pYes: number,
  pNo: number,
  options: { readonly weights?: ReadonlyArray<number>; readonly alpha?: number } = {},
): Outcome<PrevalenceEstimate, string> => {
  const problem = probability("pYes", pYes) ?? probability("pNo", pNo)
  if (problem !== undefined) return fail(problem)
  if (pYes + pNo >= 1) return fail("pYes + pNo must be below 1: nobody would answer truthfully")
  return invert(answers, options.weights, pYes, 1 - pYes - pNo, options.alpha ?? 0.05)
}

/**
 * Crosswise (Yu, Tian & Tang 2008): "Same" when the sensitive statement and an innocuous one (true with probability
 * p) are both true or both false: λ = πp + (1 − π)(1 − p), so π̂ = (λ̂ + p − 1) / (2p − 1) (their eq. 2.1) and
 * V̂ = λ̂(1 − λ̂) / ((n − 1)(2p − 1)²) (their unbiased variance estimate, eq. 2.3). p ≠ 1/2.
 */
export const crosswisePrevalence = (
  answers: ReadonlyArray<number>,
  p: number,
  options: { readonly weights?: ReadonlyArray<number>; readonly alpha?: number } = {},
): Outcome<PrevalenceEstimate, string> => {
  const problem = probability("p", p)
  if (problem !== undefined) return fail(problem)
  if (p === 0.5) return fail("p = 0.5 identifies nothing: 2p − 1 = 0")
  return invert(answers, options.weights, 1 - p, 2 * p - 1, options.alpha ?? 0.05)
}

/**
 * A list experiment's difference in means (Blair & Imai 2012, eq. 2): τ̂ = Ȳ(treatment) − Ȳ(control), the treatment
 * list holding the sensitive statement, with V̂ = s²(treatment)/n(treatment) + s²(control)/n(control) (sample
 * variances with n − 1).
 */
export const listPrevalence = (
  treatment: ReadonlyArray<number>,
  control: ReadonlyArray<number>,
  options: {
    readonly treatmentWeights?: ReadonlyArray<number>
    readonly controlWeights?: ReadonlyArray<number>
    readonly alpha?: number
  } = {},
): Outcome<PrevalenceEstimate, string> => {
  const treated = weighted(treatment, options.treatmentWeights)
  const controls = weighted(control, options.controlWeights)
  if (!(treated.n > 1) || !(controls.n > 1))
    return fail(
      `a list experiment needs at least 2 answers per list (treatment ${treated.n}, control ${controls.n})`,
    )
  const se = Math.sqrt(treated.variance / treated.n + controls.variance / controls.n)
  return succeed({
    coefficient: coefficient(treated.mean - controls.mean, se, options.alpha ?? 0.05),
    observed: treated.mean,
    control: controls.mean,
    n: treated.n + controls.n,
  })
}
