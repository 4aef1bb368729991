import { type AnalysisFit, effectCoefficients, termCovariance } from "@standin/analysis"
import type { Figure } from "@standin/metric-kit"
import { type Coefficient, cholesky, choleskySolve, noncentralChiSquareCdf } from "@standin/stats"

/**
 * The coefficient distance of one analysis: the Wald statistic of equal coefficients in two independent samples,
 * W = (b_s − b_h)′ (V_s + V_h)⁻¹ (b_s − b_h) over the effect coefficients both fits hold (the multivariate form of
 * Paternoster et al.'s z; Chow 1960), put on a per-respondent scale. Given the design (the
 * synthetic rows are the twins of the human rows), the two fits are independent samples, so W is χ²_df when the
 * true coefficients are equal and non-central χ²_df(λ) otherwise, λ = δ′(V_s + V_h)⁻¹δ for the true difference δ.
 * Its expectation is df + λ, so W − df estimates λ without bias (clipped at 0).
 *
 * The scale: V_s + V_h ≈ Σ·(1/n_h + 1/n_s), with Σ the covariance of one respondent's contribution (the inverse
 * Fisher information per row), so s = (1/n_h + 1/n_s)/df turns λ into δ′Σ⁻¹δ/df, the mean squared difference per
 * coefficient in units of one respondent's standard deviation of that coefficient (√n × its SE): the distance
 * √(s·λ) is free of the sample sizes (√n_h times it reads in human standard errors). For small δ, δ′Σ⁻¹δ is twice
 * the Kullback–Leibler divergence between the two fitted models for one respondent (intercepts and thresholds free
 * to adjust).
 */
export interface WaldDistance {
  /** The terms compared (in both fits; intercepts and thresholds left out). */
  readonly terms: ReadonlyArray<string>
  /** The Wald statistic W. */
  readonly wald: number
  /** Its degrees of freedom: the rank of V_s + V_h over the compared terms. */
  readonly df: number
  /** s = (1/n_h + 1/n_s)/df: the plug-in squared distance is s·W, its expected sampling excess s·df. */
  readonly scale: number
  /**
   * "synthetic": the synthetic fit against the human fit. "null": the synthetic fit failed and the human fit is
   * compared with a model in which every compared coefficient is 0 (a model that recovered no effect), with the
   * human covariance alone and s = 1/(n_h·df).
   */
  readonly against: "synthetic" | "null"
}

/** The plug-in squared distance s·W of a Wald distance. */
export const plugInSquared = (distance: WaldDistance): number => distance.scale * distance.wald

/** The expected excess of the plug-in squared distance under equal coefficients: s·df. */
export const squaredBias = (distance: WaldDistance): number => distance.scale * distance.df

/** The p-value of the Wald test of equal coefficients (χ²_df). */
export const waldP = (distance: WaldDistance): number =>
  Math.min(1, Math.max(0, 1 - noncentralChiSquareCdf(distance.wald, distance.df, 0)))

/**
 * W = d′ V⁻¹ d over the directions in which V has full rank (a column of V linearly dependent on the ones before
 * it, e.g. a coefficient both fits pin to the same value, is left out and not counted in df). Undefined when no
 * direction is left.
 */
const quadraticForm = (
  difference: Float64Array,
  covariance: Float64Array,
): { readonly wald: number; readonly df: number } | undefined => {
  const p = difference.length
  const { dependent } = cholesky(covariance, p, 1e-10)
  const kept = Array.from({ length: p }, (_, index) => index).filter((index) => !dependent.includes(index))
  const k = kept.length
  if (k === 0) return undefined
  const d = Float64Array.from(kept, (index) => difference[index]!)
  const v = new Float64Array(k * k)
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) v[i * k + j] = covariance[kept[i]! * p + kept[j]!]!
  const { factor } = cholesky(v, k, 1e-10)
  const solved = choleskySolve(factor, k, d)
  let wald = 0
  for (let i = 0; i < k; i++) wald += d[i]! * solved[i]!
  return Number.isFinite(wald) ? { wald: Math.max(0, wald), df: k } : undefined
}

/**
 * The Wald coefficient distance between a human fit and a synthetic fit, over the effect terms both hold; or, when
 * `synthetic` is null (the synthetic fit failed), between the human fit and a model with every effect 0. Undefined
 * when no term can be compared.
 */
export const waldDistance = (human: AnalysisFit, synthetic: AnalysisFit | null): WaldDistance | undefined => {
  const humanTerms = Object.keys(effectCoefficients(human))
  if (synthetic === null) {
    if (humanTerms.length === 0 || !(human.n > 0)) return undefined
    const h = termCovariance(human, humanTerms)
    const form = quadraticForm(h.estimates, h.covariance)
    if (form === undefined) return undefined
    return { terms: humanTerms, ...form, scale: 1 / (human.n * form.df), against: "null" }
  }
  const syntheticTerms = new Set(Object.keys(effectCoefficients(synthetic)))
  const terms = humanTerms.filter((term) => syntheticTerms.has(term))
  if (terms.length === 0 || !(human.n > 0) || !(synthetic.n > 0)) return undefined
  const h = termCovariance(human, terms)
  const s = termCovariance(synthetic, terms)
  const p = terms.length
  const difference = new Float64Array(p)
  const covariance = new Float64Array(p * p)
  for (let i = 0; i < p; i++) difference[i] = s.estimates[i]! - h.estimates[i]!
  for (let i = 0; i < p * p; i++) covariance[i] = h.covariance[i]! + s.covariance[i]!
  const form = quadraticForm(difference, covariance)
  if (form === undefined) return undefined
  return {
    terms,
    ...form,
    scale: (1 / human.n + 1 / synthetic.n) / form.df,
    against: "synthetic",
  }
}

/**
 * The coefficient distance of one scalar estimate on each side (a protected item's prevalence): W = Δ²/(se_h² +
 * se_s²) with df 1 and s = 1/n_h + 1/n_s (n the people behind each estimate). Undefined when either SE is not
 * positive.
 */
export const scalarDistance = (
  human: Coefficient,
  synthetic: Coefficient,
  humanN: number,
  syntheticN: number,
  term: string,
): WaldDistance | undefined => {
  const variance = human.se ** 2 + synthetic.se ** 2
  if (!(variance > 0) || !(humanN > 0) || !(syntheticN > 0)) return undefined
  const wald = (synthetic.estimate - human.estimate) ** 2 / variance
  if (!Number.isFinite(wald)) return undefined
  return { terms: [term], wald, df: 1, scale: 1 / humanN + 1 / syntheticN, against: "synthetic" }
}

/** The interval label of the coefficient distance (per analysis and the headline). */
export const distanceInterval: NonNullable<Figure["interval"]> = {
  method: "bias-corrected",
  description:
    "bias-corrected coefficient distance √(s·max(0, W − df)); interval by test inversion: the Wald statistic W of equal coefficients is non-central chi-square with df degrees of freedom (several analyses: Welch–Satterthwaite), and the bounds are the non-centralities at which the observed W is its 97.5% and 2.5% quantile, times s, square-rooted (0 when no difference is detectable); not a bootstrap interval",
}
