import { noncentralityInterval } from "@standin/stats"
import type { ComputeContext, Figure } from "./figures.js"

/**
 * A distance corrected for the upward bias of its plug-in estimate, worked on the squared scale (for the
 * Jensen–Shannon distance, the divergence): `squared` is the plug-in squared distance and `bias` its expected
 * excess from sampling noise. On the full sample the figure is √max(0, squared − bias). On a bootstrap resample it
 * is √max(0, squared* − 2·bias*): the resampled plug-in is biased like the estimate, and the bootstrap world's
 * truth is the (biased) plug-in estimate, so removing the bias twice centres the replicates on the corrected
 * estimate. The percentile interval of these replicates is the figure's interval (clamped at 0, so a model whose
 * distributions match the humans' has an interval that reaches 0: no detectable difference).
 */
export const correctedDistance = (squared: number, bias: number, context: ComputeContext): number => {
  if (!Number.isFinite(squared) || !Number.isFinite(bias)) return Number.NaN
  return Math.sqrt(Math.max(0, squared - (context.resample ? 2 : 1) * bias))
}

/**
 * The squared scale of a bias-corrected distance, for its interval: the once-corrected squared distance and the
 * shifts applied to its resampled quantiles. The lower bound removes the whole bias once more (re-centring the
 * bootstrap, whose truth is the biased plug-in, on the corrected estimate). The upper bound removes only the part of
 * the bias orthogonal to the observed difference: `radial` is the sampling variance along the difference itself
 * (one degree of freedom), which a percentile interval already treats correctly — for a one-dimensional difference
 * |x| the right upper bound is (|x| + z·σ)², the plain percentile.
 */
export const squaredScale = (
  squared: number,
  bias: number,
  radial: number,
): NonNullable<Figure["squared"]> => ({
  estimate: squared - bias,
  lowerShift: bias,
  upperShift: Math.max(0, bias - radial),
})

/** The interval label of a bias-corrected distance (see correctedDistance and squaredScale). */
export const biasCorrectedInterval: NonNullable<Figure["interval"]> = {
  method: "bias-corrected",
  description:
    "bias-corrected distance: on the squared scale the plug-in's expected sampling excess is subtracted from the estimate and from each resample's plug-in; the interval is the percentile interval of those resampled values shifted down once more by the excess (lower bound) or by its part orthogonal to the observed difference (upper bound), clamped at 0 and square-rooted",
}

/**
 * The noise model of a plug-in squared distance that is (to second order) a scaled chi-square distance, such as
 * the Jensen–Shannon divergence: `x` ~ χ²_df(λ) with the true squared distance equal to `scale · λ`. For one
 * comparison of k options x = JSD/s, df = k − 1, scale = s, where s = (1/nH + 1/nS)/(8 ln 2) is the JSD's sampling
 * variance along one direction; see `noncentralModel` for a mean of several.
 */
export interface NoncentralModel {
  readonly x: number
  readonly df: number
  readonly scale: number
}

/**
 * The model of the mean of several such squared distances (e.g. the mean JSD over items), each `squared` ≈
 * s·χ²_df(λ): their sum is matched in mean and variance by c·χ²_df′(λ′) (Welch–Satterthwaite), c = Σs²·df / Σs·df,
 * df′ = (Σs·df)² / Σs²·df, λ′ = Σ(true squared)/c. Exact when every scale is the same (a sum of non-central
 * chi-squares with one scale is one). Components with df ≤ 0 or a non-finite figure are left out; undefined when
 * none is left.
 */
export const noncentralModel = (
  components: ReadonlyArray<{ readonly squared: number; readonly scale: number; readonly df: number }>,
): NoncentralModel | undefined => {
  let sum = 0
  let first = 0
  let second = 0
  let count = 0
  for (const { squared, scale, df } of components) {
    if (!(df > 0) || !(scale > 0) || !Number.isFinite(squared) || !Number.isFinite(scale)) continue
    sum += squared
    first += scale * df
    second += scale * scale * df
    count++
  }
  if (count === 0) return undefined
  const c = second / first
  return { x: sum / c, df: (first * first) / second, scale: c / count }
}

/**
 * The 1 − alpha interval of the distance √(scale·λ) from inverting the model's non-central chi-square (see
 * noncentralityInterval in @standin/stats): it includes 0 exactly when x is below the null's 1 − alpha/2 quantile.
 */
export const noncentralDistanceInterval = (
  model: NoncentralModel,
  alpha: number,
): { readonly lower: number; readonly upper: number } | null => {
  const interval = noncentralityInterval(model.x, model.df, alpha)
  return interval === null
    ? null
    : { lower: Math.sqrt(model.scale * interval.lower), upper: Math.sqrt(model.scale * interval.upper) }
}

/** The interval label of a bias-corrected JS distance whose interval inverts its non-central chi-square model. */
export const noncentralInterval: NonNullable<Figure["interval"]> = {
  method: "bias-corrected",
  description:
    "bias-corrected JS distance (plug-in divergence minus its first-order bias, square-rooted); interval by test inversion: the plug-in divergence over its per-direction sampling variance s = (1/n_human + 1/n_synthetic_effective)/(8 ln 2), times Williams' small-sample correction of the G test, is modelled as non-central chi-square with k − 1 degrees of freedom (several items: Welch–Satterthwaite), and the bounds are the non-centralities at which the observed value is its 97.5% and 2.5% quantile, times s, square-rooted (0 when no difference is detectable); not a bootstrap interval",
}
