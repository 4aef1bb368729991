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
