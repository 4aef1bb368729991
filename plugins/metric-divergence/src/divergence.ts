import {
  biasCorrectedInterval,
  type ComputeContext,
  correctedDistance,
  type Figure,
  type Grouping,
  type NoncentralModel,
  noncentralInterval,
  noncentralModel,
  type Panel,
  type Qualifiers,
  squaredScale,
  type Tally,
  tallyItems,
} from "@standin/metric-kit"
import { compareDistributions, jsDivergenceBias, squaredNullExpectations } from "@standin/stats"

export interface DivergenceValues {
  /** The bias-corrected distances (see correctedDistance in @standin/metric-kit). */
  readonly jsDistance: number
  readonly totalVariation: number
  /** NaN for unordered items. */
  readonly wasserstein: number
  /** The plug-in (uncorrected) JS distance, for reference. */
  readonly plugInJsDistance: number
  /** Squared scale: the plug-in JS divergence (bits) and its first-order bias. */
  readonly jsDivergence: number
  readonly jsBias: number
  /**
   * The sampling variance of the JS divergence along the observed difference (one degree of freedom):
   * (1/nH + 1/nS)/(8 ln 2); the bias is about (k − 1) of these. TV and W1 take their bias / (k − 1).
   */
  readonly jsRadial: number
  readonly k: number
  /**
   * Degrees of freedom of the plug-in divergence's noise: the options seen on either side, minus 1 (an option
   * neither side uses adds no noise). The divergence over jsRadial is about χ²_df(JSD/jsRadial).
   */
  readonly df: number
  /**
   * The scale of that chi-square: jsRadial times Williams' (1976) small-sample correction q ≥ 1 of the G test of
   * homogeneity (which the divergence over jsRadial is, for equal sample sizes): q = 1 + (N·Σ 1/rowᵢ − 1)(N·Σ 1/colⱼ
   * − 1)/(6N·df) for the 2 × k table of human and (effective) synthetic counts. It makes the chi-square tails right
   * for cells of a few dozen people, where rare options make the uncorrected statistic's tail too heavy.
   */
  readonly jsNoiseScale: number
  /** Squared scale: plug-in TV² and W1²/(k−1)², and their expectations under no difference. */
  readonly totalVariationSquared: number
  readonly totalVariationBias: number
  readonly wassersteinSquared: number
  readonly wassersteinBias: number
  readonly humanN: number
  readonly syntheticN: number
  /** Why the comparison is unscored, if it is. */
  readonly unscored?: string
}

const fullSample: ComputeContext = { resample: false }

const designEffectCache = new WeakMap<Panel, Map<number, number>>()

/**
 * The synthetic side's design effect for one item, on the full sample: the variance of the synthetic answer shares
 * computed from twin totals (a twin's replicates and elicited distributions together, the unit the bootstrap
 * resamples) over the multinomial variance q(1 − q)/N that the bias formulas assume, summed over options. 1 for
 * one sampled answer per twin; above 1 when a twin's replicates agree with each other; below 1 for elicited
 * distributions (a mean of probabilities varies less than sampled answers). The synthetic sample size in the bias
 * formulas is N / design effect.
 */
export const syntheticDesignEffect = (panel: Panel, item: number): number => {
  let cache = designEffectCache.get(panel)
  if (!cache) {
    cache = new Map()
    designEffectCache.set(panel, cache)
  }
  const cached = cache.get(item)
  if (cached !== undefined) return cached
  const k = panel.items[item]!.k
  const distribution = panel.distributions[item]
  const has = panel.hasDistribution[item]!
  const answers = panel.synthetic[item]!
  // Per twin: its contribution to each option and its number of valid rows.
  const contribution = new Float64Array(panel.twins * k)
  const size = new Float64Array(panel.twins)
  const totals = new Float64Array(k)
  let total = 0
  for (let twin = 0; twin < panel.twins; twin++) {
    for (let row = panel.rowStart[twin]!; row < panel.rowStart[twin + 1]!; row++) {
      if (distribution && has[row] === 1) {
        for (let option = 0; option < k; option++)
          contribution[twin * k + option]! += distribution[row * k + option]!
        size[twin]! += 1
      } else if (answers[row]! >= 0) {
        contribution[twin * k + answers[row]!]! += 1
        size[twin]! += 1
      }
    }
    for (let option = 0; option < k; option++) totals[option]! += contribution[twin * k + option]!
    total += size[twin]!
  }
  let effect = 1
  if (total > 0) {
    let clustered = 0
    let multinomial = 0
    for (let option = 0; option < k; option++) {
      const share = totals[option]! / total
      multinomial += (share * (1 - share)) / total
      let squares = 0
      for (let twin = 0; twin < panel.twins; twin++)
        squares += (contribution[twin * k + option]! - share * size[twin]!) ** 2
      clustered += squares / (total * total)
    }
    if (multinomial > 0) effect = clustered / multinomial
  }
  cache.set(item, effect)
  return effect
}

const unscoredValues = (humanN: number, syntheticN: number, unscored: string): DivergenceValues => ({
  jsDistance: Number.NaN,
  totalVariation: Number.NaN,
  wasserstein: Number.NaN,
  plugInJsDistance: Number.NaN,
  jsDivergence: Number.NaN,
  jsBias: Number.NaN,
  jsRadial: Number.NaN,
  k: Number.NaN,
  df: Number.NaN,
  jsNoiseScale: Number.NaN,
  totalVariationSquared: Number.NaN,
  totalVariationBias: Number.NaN,
  wassersteinSquared: Number.NaN,
  wassersteinBias: Number.NaN,
  humanN,
  syntheticN,
  unscored,
})

/**
 * Williams' correction q of the G test of homogeneity for a 2 × k table (rows: human counts, synthetic counts scaled
 * to the effective synthetic size); 1 when the table is degenerate or the synthetic side is known exactly.
 */
const williamsCorrection = (
  human: Float64Array,
  synthetic: Float64Array,
  humanN: number,
  syntheticN: number,
  effectiveN: number,
  df: number,
): number => {
  if (!(df > 0) || !Number.isFinite(effectiveN) || !(effectiveN > 0)) return 1
  const shrink = effectiveN / syntheticN
  const total = humanN + effectiveN
  let columns = 0
  for (let option = 0; option < human.length; option++) {
    const column = human[option]! + synthetic[option]! * shrink
    if (column > 0) columns += 1 / column
  }
  const rows = 1 / humanN + 1 / effectiveN
  return Math.max(1, 1 + ((total * rows - 1) * (total * columns - 1)) / (6 * total * df))
}

/**
 * The three bias-corrected divergences between two weighted count vectors over k options. Each is corrected on
 * the squared scale: JS divergence minus its delta-method bias (jsDivergenceBias), TV² and W1² minus their
 * expectation when both sides come from one distribution (squaredNullExpectations); see correctedDistance.
 */
export const divergences = (
  human: Float64Array,
  synthetic: Float64Array,
  humanN: number,
  syntheticN: number,
  ordered: boolean,
  context: ComputeContext = fullSample,
  syntheticEffect = 1,
): DivergenceValues => {
  const unscored =
    humanN <= 0 ? "no valid human answers" : syntheticN <= 0 ? "no valid synthetic answers" : undefined
  if (unscored) return unscoredValues(humanN, syntheticN, unscored)
  const figures = compareDistributions(human, synthetic, ordered)
  // The synthetic sample size the bias formulas see (infinite when the synthetic shares do not vary at all).
  const effectiveN = syntheticEffect > 0 ? syntheticN / syntheticEffect : Number.POSITIVE_INFINITY
  const jsBias = jsDivergenceBias(human, synthetic, humanN, effectiveN)
  const nulls = squaredNullExpectations(human, synthetic, humanN, effectiveN, ordered)
  if (!figures || jsBias === null || !nulls) return unscoredValues(humanN, syntheticN, "no valid answers")
  const jsDivergence = figures.jsDistance ** 2
  const totalVariationSquared = figures.totalVariation ** 2
  const wassersteinSquared = ordered ? figures.wasserstein ** 2 : Number.NaN
  const wassersteinBias = ordered ? nulls.wasserstein : Number.NaN
  const jsRadial = (1 / humanN + (Number.isFinite(effectiveN) ? 1 / effectiveN : 0)) / (8 * Math.LN2)
  let seen = 0
  for (let option = 0; option < human.length; option++) if (human[option]! + synthetic[option]! > 0) seen++
  const jsNoiseScale =
    jsRadial * williamsCorrection(human, synthetic, humanN, syntheticN, effectiveN, seen - 1)
  return {
    jsDistance: correctedDistance(jsDivergence, jsBias, context),
    totalVariation: correctedDistance(totalVariationSquared, nulls.totalVariation, context),
    wasserstein: ordered ? correctedDistance(wassersteinSquared, wassersteinBias, context) : Number.NaN,
    plugInJsDistance: figures.jsDistance,
    jsDivergence,
    jsBias,
    jsRadial,
    k: human.length,
    df: seen - 1,
    jsNoiseScale,
    totalVariationSquared,
    totalVariationBias: nulls.totalVariation,
    wassersteinSquared,
    wassersteinBias,
    humanN,
    syntheticN,
  }
}

/**
 * The root mean square of several comparisons' bias-corrected JS distances: √max(0, mean(JSD) − mean(bias)) on
 * the full sample (twice the bias on a resample, see correctedDistance). Unscored comparisons are left out; NaN
 * when none is scored.
 */
export const pooledJsDistance = (
  values: ReadonlyArray<DivergenceValues>,
  context: ComputeContext,
): number => {
  const pooled = pooledJs(values)
  return pooled === null ? Number.NaN : correctedDistance(pooled.divergence, pooled.bias, context)
}

const pooledJs = (values: ReadonlyArray<DivergenceValues>) => {
  let divergence = 0
  let bias = 0
  let radial = 0
  let count = 0
  for (const value of values) {
    if (!Number.isFinite(value.jsDivergence) || !Number.isFinite(value.jsBias)) continue
    divergence += value.jsDivergence
    bias += value.jsBias
    radial += value.jsRadial
    count++
  }
  // The mean of `count` divergences: one direction of the joint difference carries radial/count² of the bias.
  return count === 0
    ? null
    : { divergence: divergence / count, bias: bias / count, radial: radial / (count * count) }
}

/**
 * The noise model of pooledJsDistance's plug-in mean divergence (see noncentralModel in @standin/metric-kit), for its
 * interval by test inversion; undefined when nothing is scored.
 */
export const pooledJsNoncentral = (values: ReadonlyArray<DivergenceValues>): NoncentralModel | undefined =>
  noncentralModel(
    values
      .filter((value) => Number.isFinite(value.jsDivergence) && Number.isFinite(value.jsBias))
      .map((value) => ({ squared: value.jsDivergence, scale: value.jsNoiseScale, df: value.df })),
  )

/** The squared scale of pooledJsDistance (see squaredScale); undefined when nothing is scored. */
export const pooledJsSquared = (values: ReadonlyArray<DivergenceValues>): Figure["squared"] => {
  const pooled = pooledJs(values)
  return pooled === null ? undefined : squaredScale(pooled.divergence, pooled.bias, pooled.radial)
}

const tallyDivergences = (
  panel: Panel,
  item: number,
  counts: Tally,
  labels: number,
  context: ComputeContext,
): Array<DivergenceValues> => {
  const { k } = counts
  const ordered = panel.items[item]!.ordered && k >= 2
  const effect = syntheticDesignEffect(panel, item)
  return Array.from({ length: labels }, (_, group) =>
    divergences(
      counts.human.subarray(group * k, (group + 1) * k),
      counts.synthetic.subarray(group * k, (group + 1) * k),
      counts.humanN[group]!,
      counts.syntheticN[group]!,
      ordered,
      context,
      effect,
    ),
  )
}

/**
 * Divergences of several items within every group of a grouping (all twins, arms, or persona levels), from one
 * weighted pass over the twins: result[i][g] is item items[i] in group g.
 */
export const itemGroupDivergences = (
  panel: Panel,
  grouping: Grouping,
  items: ReadonlyArray<number>,
  weights: Float64Array,
  context: ComputeContext = fullSample,
): Array<Array<DivergenceValues>> =>
  tallyItems(panel, grouping, items, weights, true).map((counts, position) =>
    tallyDivergences(panel, items[position]!, counts, grouping.labels.length, context),
  )

/** Divergences of one item within every group of a grouping. */
export const groupDivergences = (
  panel: Panel,
  grouping: Grouping,
  item: number,
  weights: Float64Array,
  context: ComputeContext = fullSample,
): Array<DivergenceValues> => itemGroupDivergences(panel, grouping, [item], weights, context)[0]!

/** The interval label of a binary item's total variation (and W1, which equals it): |Δp| by test inversion. */
export const binaryDifferenceInterval: NonNullable<Figure["interval"]> = {
  method: "bias-corrected",
  description:
    "binary item: total variation (and W1/(k − 1), the same number) is |Δp|, bias-corrected as √max(0, Δp² − E₀[Δp²]); interval by test inversion: Δp²/E₀[Δp²] is non-central chi-square with 1 degree of freedom (Δp is normal), and the bounds are the non-centralities at which the observed value is its 97.5% and 2.5% quantile, times E₀[Δp²], square-rooted (0 when no difference is detectable); not a bootstrap interval",
}

/**
 * A binary item's |Δp| as a non-central chi-square with 1 df over its null variance (the TV² bias, E₀[Δp²]): the
 * one-dimensional case, where a bootstrap of the bias-corrected distance is too wide near 0 (coverage 1.00 at
 * n 200 and a true TV of 0.04 in the coverage bench, against 0.95 from this inversion). Undefined for k > 2,
 * whose TV and W1 are L1 norms with no such model.
 */
const binaryModel = (values: DivergenceValues, squared: number, bias: number) =>
  values.k === 2 && values.df === 1 && bias > 0 && Number.isFinite(squared)
    ? noncentralModel([{ squared, scale: bias, df: 1 }])
    : undefined

/** The figures of one comparison: JS distance, total variation and (ordered items) W1/(k−1), bias-corrected. */
export const divergenceFigures = (
  values: DivergenceValues,
  qualifiers: Qualifiers,
  ordered: boolean,
  extra: { readonly flagged?: string; readonly note?: string } = {},
): Array<Figure> => {
  const base = {
    qualifiers,
    n: values.humanN,
    interval: biasCorrectedInterval,
    ...(values.unscored ? { note: values.unscored } : extra.note ? { note: extra.note } : {}),
    ...(extra.flagged ? { flagged: extra.flagged } : {}),
  }
  const scored = values.unscored === undefined
  const perDirection = (bias: number) => bias / Math.max(1, values.k - 1)
  const jsModel = scored
    ? noncentralModel([{ squared: values.jsDivergence, scale: values.jsNoiseScale, df: values.df }])
    : undefined
  const tvModel = scored
    ? binaryModel(values, values.totalVariationSquared, values.totalVariationBias)
    : undefined
  const w1Model = scored ? binaryModel(values, values.wassersteinSquared, values.wassersteinBias) : undefined
  const figures: Array<Figure> = [
    {
      ...base,
      measure: "js-distance",
      value: values.jsDistance,
      ...(scored ? { squared: squaredScale(values.jsDivergence, values.jsBias, values.jsRadial) } : {}),
      ...(jsModel ? { noncentral: jsModel, interval: noncentralInterval } : {}),
    },
    {
      ...base,
      measure: "total-variation",
      value: values.totalVariation,
      ...(scored
        ? {
            squared: squaredScale(
              values.totalVariationSquared,
              values.totalVariationBias,
              perDirection(values.totalVariationBias),
            ),
          }
        : {}),
      ...(tvModel ? { noncentral: tvModel, interval: binaryDifferenceInterval } : {}),
    },
  ]
  if (ordered)
    figures.push({
      ...base,
      measure: "wasserstein",
      value: values.wasserstein,
      ...(scored
        ? {
            squared: squaredScale(
              values.wassersteinSquared,
              values.wassersteinBias,
              perDirection(values.wassersteinBias),
            ),
          }
        : {}),
      ...(w1Model ? { noncentral: w1Model, interval: binaryDifferenceInterval } : {}),
    })
  return figures
}

export const unscorableNote = "numeric and multi-select items are not scored by distribution metrics"
