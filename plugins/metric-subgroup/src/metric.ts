import type { ConfidenceInterval, MetricOptions } from "@standin/core"
import { MetricError, type MetricShape } from "@standin/core"
import {
  type DivergenceValues,
  divergenceFigures,
  itemGroupDivergences,
  pooledJsDistance,
  pooledJsNoncentral,
  pooledJsSquared,
} from "@standin/metric-divergence"
import {
  type BootstrappedFigures,
  biasCorrectedInterval,
  bootstrapFigures,
  type ComputeContext,
  correctedDistance,
  type Figure,
  type Grouping,
  groupingByAttribute,
  meanOf,
  noncentralDistanceInterval,
  noncentralInterval,
  type Panel,
  preparePanel,
  scoreWithHumans,
  toHeadline,
  toMeasures,
} from "@standin/metric-kit"
import { noncentralChiSquareCdf, percentileInterval } from "@standin/stats"
import { Effect } from "effect"
import { descriptor } from "./descriptor.js"

export interface SubgroupPlan {
  readonly attributes: ReadonlyArray<{
    readonly id: string
    readonly grouping: Grouping
    /** Humans per level on the full sample. */
    readonly sizes: ReadonlyArray<number>
    /** Whether each level is ranked (at least `minCellSize` humans). */
    readonly ranked: ReadonlyArray<boolean>
    /** Per level, its position among the ranked levels of all attributes (−1 when not ranked). */
    readonly rankedIndex: ReadonlyArray<number>
  }>
  readonly missing: ReadonlyArray<string>
  /** Number of ranked levels over all attributes (m). */
  readonly rankedCount: number
  /**
   * The m × m correlations ρ of ranked levels' answer shares: ρ = n_LM / √(n_L n_M), n_LM the humans in both levels
   * (levels of different attributes share people; a multi-select respondent is in several levels of one attribute).
   * 0 for disjoint levels, 1 on the diagonal.
   */
  readonly shared: Float64Array
}

/** Groupings and the ranked cells, fixed on the full sample so every resample ranks the same levels. */
export const planSubgroups = (panel: Panel, minCellSize: number): SubgroupPlan => {
  const attributes: Array<SubgroupPlan["attributes"][number]> = []
  const missing: Array<string> = []
  let rankedCount = 0
  for (const id of panel.study.subgroups) {
    const grouping = groupingByAttribute(panel, id)
    if (!grouping) {
      missing.push(id)
      continue
    }
    const sizes = grouping.labels.map(() => 0)
    for (const level of grouping.members) sizes[level]! += 1
    const ranked = sizes.map((size) => size >= minCellSize)
    const rankedIndex = ranked.map((isRanked) => (isRanked ? rankedCount++ : -1))
    attributes.push({ id, grouping, sizes, ranked, rankedIndex })
  }
  const overlap = new Float64Array(rankedCount * rankedCount)
  const levelsOf: Array<number> = []
  for (let twin = 0; twin < panel.twins; twin++) {
    levelsOf.length = 0
    for (const attribute of attributes) {
      const { start, members } = attribute.grouping
      for (let at = start[twin]!; at < start[twin + 1]!; at++) {
        const index = attribute.rankedIndex[members[at]!]!
        if (index >= 0) levelsOf.push(index)
      }
    }
    for (const a of levelsOf) for (const b of levelsOf) overlap[a * rankedCount + b]! += 1
  }
  const shared = new Float64Array(rankedCount * rankedCount)
  for (let a = 0; a < rankedCount; a++)
    for (let b = 0; b < rankedCount; b++) {
      const product = overlap[a * rankedCount + a]! * overlap[b * rankedCount + b]!
      shared[a * rankedCount + b] = product > 0 ? overlap[a * rankedCount + b]! / Math.sqrt(product) : 0
    }
  return { attributes, missing, rankedCount, shared }
}

const fullSample: ComputeContext = { resample: false }

const squaredOf = (values: Parameters<typeof pooledJsSquared>[0]) => {
  const squared = pooledJsSquared(values)
  const noncentral = pooledJsNoncentral(values)
  return {
    ...(squared ? { squared } : {}),
    ...(noncentral ? { noncentral, interval: noncentralInterval } : { interval: biasCorrectedInterval }),
  }
}

/** The headline's interval label. */
const headlineInterval: NonNullable<Figure["interval"]> = {
  method: "bias-corrected",
  description:
    "root mean square over ranked levels (each level weighted equally) of the bias-corrected level JS distances; interval by test inversion of the level-weighted mean divergence D̂: each level × item plug-in divergence is s·χ²_{k−1}(T/s) (s its per-direction sampling variance times Williams' correction, T its true squared distance); at a true headline D (every level at D) D̂ has mean Σw·s·df + D and variance Σww′·2·df·s·s′·ρ² + 4D·Σww′·√(ss′)·ρ (ρ = n_LM/√(n_L n_M), the share of people two levels have in common; the same item only), matched by a scaled chi-square (Patnaik), and the bounds are the D at which the observed D̂ is its 97.5% and 2.5% quantile, square-rooted (0 when no difference is detectable); not a bootstrap interval",
}

/**
 * The moments of the headline's level-weighted mean divergence D̂ = Σ w·JSD (see levelRms): `nullMean` and
 * `nullVariance` when every level matches the humans, and `slope`, the growth of its variance per unit of true
 * squared headline D: at D, mean = nullMean + D and variance = nullVariance + 4·slope·D.
 */
export interface LevelRmsMoments {
  readonly observed: number
  readonly nullMean: number
  readonly nullVariance: number
  readonly slope: number
}

/**
 * The headline: the root mean square over ranked levels of the levels' bias-corrected JS distances, each level
 * weighted equally whatever its size, worked on the squared scale — √max(0, mean over levels of (mean over the
 * level's items of JSD − bias)) — so the bias correction, unbiased on that scale, is averaged before the clamp at 0
 * (a mean of clamped level distances would stay above 0 for a perfect model). Each level × item divergence gets
 * weight w = 1/(L · items of its level).
 *
 * Its noise model (for levelRmsInterval): each divergence is s·χ²_df(T/s) (see the divergence metric; T its true
 * squared distance). The same item's divergences in levels L and M that share people (`shared` gives ρ = n_LM /
 * √(n_L n_M); levels of different attributes overlap) covary: 2·df·s_L·s_M·ρ² from the noise, plus
 * 4·ρ·√(s_L s_M T_L T_M) from the true differences when they point the same way. Items are treated as independent,
 * as in the divergence metric's headline. At a true headline D with every level at D (the reference the equal
 * weighting implies) and the differences aligned (an upper bound on their covariance, Cauchy–Schwarz), D̂ has
 * mean Σw·s·df + D and variance Σww′·2·df·s·s′·ρ² + 4D·Σww′·√(ss′)·ρ. Ignoring the sharing understates the null
 * variance by 13% (n = 1,000) to 30% (n = 200) on the bench's personas. Returns NaN when no level is scored. On
 * a resample only the value is computed (the interval uses the full sample's moments).
 */
export const levelRms = (
  levels: ReadonlyArray<{ readonly values: ReadonlyArray<DivergenceValues>; readonly index: number }>,
  shared: (a: number, b: number) => number,
  context: ComputeContext,
): { value: number; moments?: LevelRmsMoments } => {
  const usable = (value: DivergenceValues) =>
    Number.isFinite(value.jsDivergence) &&
    Number.isFinite(value.jsBias) &&
    value.df > 0 &&
    value.jsNoiseScale > 0 &&
    Number.isFinite(value.jsNoiseScale)
  const scored = levels.filter(({ values }) => values.some(usable))
  if (scored.length === 0) return { value: Number.NaN }
  const weights = scored.map(({ values }) => 1 / (scored.length * values.filter(usable).length))
  let divergence = 0
  let bias = 0
  let nullMean = 0
  let nullVariance = 0
  let slope = 0
  for (const [a, level] of scored.entries()) {
    const weight = weights[a]!
    level.values.forEach((value, item) => {
      if (!usable(value)) return
      divergence += weight * value.jsDivergence
      bias += weight * value.jsBias
      nullMean += weight * value.jsNoiseScale * value.df
      if (context.resample) return
      for (const [b, other] of scored.entries()) {
        const peer = other.values[item]
        if (peer === undefined || !usable(peer)) continue
        const correlation = a === b ? 1 : shared(level.index, other.index)
        if (!(correlation > 0)) continue
        const pair = weight * weights[b]!
        nullVariance +=
          2 * Math.min(value.df, peer.df) * pair * value.jsNoiseScale * peer.jsNoiseScale * correlation ** 2
        slope += pair * Math.sqrt(value.jsNoiseScale * peer.jsNoiseScale) * correlation
      }
    })
  }
  const value = correctedDistance(divergence, bias, context)
  if (context.resample || !(nullMean > 0) || !(nullVariance > 0)) return { value }
  return { value, moments: { observed: divergence, nullMean, nullVariance, slope } }
}

/**
 * The 1 − alpha interval of the headline distance √D by inverting D̂'s model (see levelRms): at D, D̂ ≈ g·χ²_h
 * with mean m = nullMean + D and variance v = nullVariance + 4·slope·D matched (Patnaik 1949: g = v/(2m),
 * h = 2m²/v; at D = 0 this is the Welch–Satterthwaite null). The lower bound is the D at which the observed D̂ is
 * the 1 − alpha/2 quantile (0 when it is below the null's), the upper the D at which it is the alpha/2 quantile.
 */
export const levelRmsInterval = (
  moments: LevelRmsMoments,
  alpha: number,
): { readonly lower: number; readonly upper: number } | null => {
  const { observed, nullMean, nullVariance, slope } = moments
  if (!Number.isFinite(observed) || !(nullMean > 0) || !(nullVariance > 0) || !(alpha > 0 && alpha < 1))
    return null
  const x = Math.max(0, observed)
  const cdf = (truth: number) => {
    const mean = nullMean + truth
    const variance = nullVariance + 4 * slope * truth
    return noncentralChiSquareCdf((x * 2 * mean) / variance, (2 * mean * mean) / variance, 0)
  }
  const solve = (target: number): number => {
    if (cdf(0) <= target) return 0
    let low = 0
    let high = Math.max(x, nullMean)
    while (cdf(high) > target) {
      low = high
      high *= 2
    }
    for (let step = 0; step < 200 && high - low > 1e-12 * high; step++) {
      const middle = (low + high) / 2
      if (cdf(middle) > target) low = middle
      else high = middle
    }
    return (low + high) / 2
  }
  return { lower: Math.sqrt(solve(1 - alpha / 2)), upper: Math.sqrt(solve(alpha / 2)) }
}

/** How the intervals of the ranking figures are made. */
const rankingInterval = (what: string): NonNullable<Figure["interval"]> => ({
  method: "bias-corrected",
  description: `${what} of the bias-corrected level figures, recomputed on each resample (each level's distance re-centred as in the bias-corrected distances, the ranking redone); percentile interval`,
})

/** subgroupFigures, with the headline's moments on the full sample (for its interval). */
const figuresAndMoments = (
  panel: Panel,
  plan: SubgroupPlan,
  minCellSize: number,
  weights: Float64Array,
  context: ComputeContext = fullSample,
) => {
  const figures: Array<Figure> = []
  const worstPerAttribute: Array<number> = []
  const rankedLevels: Array<{ values: Array<DivergenceValues>; index: number }> = []
  const scorable = panel.items.map((item, index) => ({ item, index })).filter(({ item }) => item.scorable)
  for (const attribute of plan.attributes) {
    const { labels } = attribute.grouping
    const perItem = itemGroupDivergences(
      panel,
      attribute.grouping,
      scorable.map(({ index }) => index),
      weights,
      context,
    )
    const levelMeans = labels.map((_, level) =>
      pooledJsDistance(
        perItem.map((values) => values[level]!),
        context,
      ),
    )
    labels.forEach((label, level) => {
      const flagged = attribute.ranked[level] ? undefined : "small-cell"
      const note = flagged
        ? `fewer than ${minCellSize} humans (${attribute.sizes[level]}): shown, not ranked`
        : undefined
      scorable.forEach(({ item }, position) => {
        figures.push(
          ...divergenceFigures(
            perItem[position]![level]!,
            { item: item.id, attribute: attribute.id, level: label },
            item.ordered && item.k >= 2,
            { ...(flagged ? { flagged } : {}), ...(note ? { note } : {}) },
          ),
        )
      })
      figures.push({
        measure: "level-js-distance",
        qualifiers: { attribute: attribute.id, level: label },
        value: levelMeans[level]!,
        n: attribute.sizes[level]!,
        note: note ?? "no item could be scored in this level",
        ...(flagged ? { flagged } : {}),
        ...squaredOf(perItem.map((values) => values[level]!)),
      })
    })
    let worst = -1
    let best = -1
    levelMeans.forEach((value, level) => {
      if (!attribute.ranked[level] || !Number.isFinite(value)) return
      rankedLevels.push({
        values: perItem.map((values) => values[level]!),
        index: attribute.rankedIndex[level]!,
      })
      if (worst < 0 || value > levelMeans[worst]!) worst = level
      if (best < 0 || value < levelMeans[best]!) best = level
    })
    const rankedCount = attribute.ranked.filter(Boolean).length
    const none = `no level has ${minCellSize} or more humans with scorable answers`
    const worstValue = worst >= 0 ? levelMeans[worst]! : Number.NaN
    const bestValue = best >= 0 ? levelMeans[best]! : Number.NaN
    figures.push(
      {
        measure: "worst-level",
        qualifiers: { attribute: attribute.id, ...(worst >= 0 ? { level: labels[worst]! } : {}) },
        value: worstValue,
        n: worst >= 0 ? attribute.sizes[worst]! : 0,
        note: none,
        interval: rankingInterval("the highest"),
      },
      {
        measure: "best-level",
        qualifiers: { attribute: attribute.id, ...(best >= 0 ? { level: labels[best]! } : {}) },
        value: bestValue,
        n: best >= 0 ? attribute.sizes[best]! : 0,
        note: none,
        interval: rankingInterval("the lowest"),
      },
      {
        measure: "level-gap",
        qualifiers: { attribute: attribute.id },
        value: worstValue - bestValue,
        n: rankedCount,
        note: none,
        interval: rankingInterval("the highest minus the lowest"),
      },
    )
    worstPerAttribute.push(worstValue)
  }
  figures.push({
    measure: "worst-level",
    qualifiers: {},
    value: meanOf(worstPerAttribute),
    n: panel.twins,
    note: "no attribute has a ranked level",
    interval: rankingInterval("the mean over attributes of the highest"),
  })
  const headline = levelRms(rankedLevels, (a, b) => plan.shared[a * plan.rankedCount + b]!, context)
  figures.push({
    measure: "level-rms",
    qualifiers: {},
    value: headline.value,
    n: rankedLevels.length,
    note: "no ranked level could be scored",
    headline: true,
    interval: headline.moments ? headlineInterval : biasCorrectedInterval,
  })
  return { figures, headlineMoments: headline.moments }
}

/**
 * Every figure of the subgroup metric for one weighting of the twins; the last is the headline (levelRms). Each
 * level's figure is its bias-corrected root-mean-square JS distance over items, so a level is not ranked worse for
 * being small.
 */
export const subgroupFigures = (
  panel: Panel,
  plan: SubgroupPlan,
  minCellSize: number,
  weights: Float64Array,
  context: ComputeContext = fullSample,
): Array<Figure> => figuresAndMoments(panel, plan, minCellSize, weights, context).figures

/** Figures carry a `note` for the unscored case; keep it only where the figure is unscored or flagged. */
const tidy = (figures: ReadonlyArray<Figure>): Array<Figure> =>
  figures.map((figure) => {
    if (!Number.isFinite(figure.value) || figure.flagged) return figure
    const { note: _note, ...rest } = figure
    return rest
  })

/**
 * Intervals for the ranking figures. A worst level is a maximum over levels, and a percentile interval of resampled
 * maxima does not cover: the maximum of noisy level figures sits above the largest true one (for a perfect model it
 * never reaches 0). Instead each ranked level's interval is computed at three levels (by inverting its non-central
 * chi-square model, see the divergence metric; a level without one uses the percentile of its replicates): marginal
 * (1 − α), one per attribute (1 − α/A, A attributes with a ranked level) and simultaneous (Bonferroni, 1 − α/m, m
 * ranked levels over all attributes). Then, with L and U the bounds:
 * - worst ∈ [max of simultaneous L, max of marginal U]: the lower bound fails only if some level's simultaneous
 *   lower bound exceeds its truth (≤ α/2 in all); the upper only if the truly worst level's own upper bound falls
 *   below it (≤ α/2), since the maximum of the uppers is at least that one;
 * - best ∈ [min of marginal L, min of simultaneous U], the mirror image;
 * - gap ∈ [max(0, max simultaneous L − min simultaneous U), max simultaneous U − min simultaneous L];
 * - mean over attributes of the worst ∈ [mean of the attributes' worst lowers, mean of max U at 1 − α/A]:
 *   the upper bound needs every attribute's truly worst level covered from above (α/2 split over A attributes).
 * Each covers with probability at least 1 − α, and less conservatively than simultaneous bounds on both sides.
 */
export const simultaneousRankingIntervals = (
  result: BootstrappedFigures,
  options: MetricOptions,
): BootstrappedFigures => {
  if (result.replicates.length === 0) return result
  const ranked = result.figures.flatMap((figure, index) =>
    figure.measure === "level-js-distance" && figure.flagged === undefined && Number.isFinite(figure.value)
      ? [{ figure, index }]
      : [],
  )
  const m = Math.max(1, ranked.length)
  const attributeCount = Math.max(1, new Set(ranked.map(({ figure }) => figure.qualifiers.attribute)).size)
  const level = 1 - options.alpha
  interface Bounds {
    readonly lower: number
    readonly upper: number
  }
  const perAttribute = new Map<
    string,
    Array<{ simultaneous: Bounds; marginal: Bounds; perAttribute: Bounds }>
  >()
  let missing = false
  const boundsAt = (figure: Figure, index: number, alpha: number): Bounds | null => {
    const interval = figure.noncentral
      ? noncentralDistanceInterval(figure.noncentral, alpha)
      : percentileInterval(result.replicates[index]!, alpha)
    return interval
      ? {
          lower: Math.max(0, Math.min(interval.lower, figure.value)),
          upper: Math.max(interval.upper, figure.value),
        }
      : null
  }
  for (const { figure, index } of ranked) {
    const simultaneous = boundsAt(figure, index, options.alpha / m)
    const marginal = boundsAt(figure, index, options.alpha)
    const attributeLevel = boundsAt(figure, index, options.alpha / attributeCount)
    if (!simultaneous || !marginal || !attributeLevel) {
      missing = true
      continue
    }
    const attribute = figure.qualifiers.attribute!
    const list = perAttribute.get(attribute) ?? []
    list.push({ simultaneous, marginal, perAttribute: attributeLevel })
    perAttribute.set(attribute, list)
  }
  const how = ranked.some(({ figure }) => figure.noncentral)
    ? "by inverting each level's non-central chi-square model"
    : "as percentile intervals of the level's bootstrap replicates"
  const description = (what: string): string =>
    `${what}; level bounds ${how}: marginal (1 − α), per attribute (1 − α/${attributeCount}) and simultaneous (Bonferroni, 1 − α/${m}, ${m} ranked levels); covers with probability at least 1 − α`
  const make = (lower: number, upper: number, what: string): ConfidenceInterval => ({
    lower: Math.min(lower, upper),
    upper: Math.max(lower, upper),
    level,
    method: "bias-corrected",
    description: description(what),
  })
  const intervals = [...result.intervals]
  const notes = [...result.intervalNotes]
  const worstBounds: Array<{ lower: number; upper: number }> = []
  result.figures.forEach((figure, index) => {
    if (!Number.isFinite(figure.value)) return
    const attribute = figure.qualifiers.attribute
    const bounds = attribute === undefined ? undefined : perAttribute.get(attribute)
    if (attribute === undefined || !bounds || bounds.length === 0) return
    const max = (values: ReadonlyArray<number>) => Math.max(...values)
    const min = (values: ReadonlyArray<number>) => Math.min(...values)
    const simLower = bounds.map((bound) => bound.simultaneous.lower)
    const simUpper = bounds.map((bound) => bound.simultaneous.upper)
    const widen = (lower: number, upper: number) => [
      Math.min(lower, figure.value),
      Math.max(upper, figure.value),
    ]
    if (figure.measure === "worst-level") {
      const [lower, upper] = widen(max(simLower), max(bounds.map((bound) => bound.marginal.upper)))
      intervals[index] = make(
        lower!,
        upper!,
        "worst level: [max of the simultaneous level lowers, max of the marginal level uppers]",
      )
      const [, headlineUpper] = widen(max(simLower), max(bounds.map((bound) => bound.perAttribute.upper)))
      worstBounds.push({ lower: lower!, upper: headlineUpper! })
    } else if (figure.measure === "best-level") {
      const [lower, upper] = widen(min(bounds.map((bound) => bound.marginal.lower)), min(simUpper))
      intervals[index] = make(
        lower!,
        upper!,
        "best level: [min of the marginal level lowers, min of the simultaneous level uppers]",
      )
    } else if (figure.measure === "level-gap") {
      const [lower, upper] = widen(Math.max(0, max(simLower) - min(simUpper)), max(simUpper) - min(simLower))
      intervals[index] = make(
        lower!,
        upper!,
        "gap: [max(0, max lower − min upper), max upper − min lower] of the simultaneous level bounds",
      )
    } else return
    if (missing) notes[index] = "some ranked levels had no interval; they are left out of this one"
  })
  const meanWorst = result.figures.findIndex(
    (figure) => figure.measure === "worst-level" && figure.qualifiers.attribute === undefined,
  )
  if (meanWorst >= 0 && Number.isFinite(result.figures[meanWorst]!.value) && worstBounds.length > 0) {
    const mean = (values: ReadonlyArray<number>) =>
      values.reduce((sum, value) => sum + value, 0) / values.length
    const value = result.figures[meanWorst]!.value
    intervals[meanWorst] = make(
      Math.min(value, mean(worstBounds.map((bound) => bound.lower))),
      Math.max(value, mean(worstBounds.map((bound) => bound.upper))),
      "mean over attributes of the worst level: [mean of the attributes' worst-level lowers, mean over attributes of the max of the per-attribute level uppers]",
    )
  }
  return { ...result, intervals, intervalNotes: notes }
}

/** The headline's interval by inverting its model (levelRmsInterval), on the full sample's moments. */
const withHeadlineInterval = (
  result: BootstrappedFigures,
  moments: LevelRmsMoments | undefined,
  options: MetricOptions,
): BootstrappedFigures => {
  const index = result.figures.findIndex((figure) => figure.headline)
  const figure = result.figures[index]
  if (result.replicates.length === 0 || !moments || !figure || !Number.isFinite(figure.value)) return result
  const interval = levelRmsInterval(moments, options.alpha)
  if (!interval) return result
  const intervals = [...result.intervals]
  const notes = [...result.intervalNotes]
  intervals[index] = {
    lower: Math.min(interval.lower, figure.value),
    upper: Math.max(interval.upper, figure.value),
    level: 1 - options.alpha,
    method: headlineInterval.method,
    description: headlineInterval.description,
  }
  notes[index] =
    interval.lower > figure.value || interval.upper < figure.value
      ? "interval widened to include the estimate"
      : undefined
  return { ...result, intervals, intervalNotes: notes }
}

export const score = scoreWithHumans(descriptor.id, (input) => {
  const panel = preparePanel(input)
  const plan = planSubgroups(panel, input.options.minCellSize)
  if (plan.missing.length > 0) {
    return Effect.fail(
      new MetricError({
        metric: descriptor.id,
        message: `The study lists subgroups that are not persona attributes: ${plan.missing.join(", ")}.`,
      }),
    )
  }
  let moments: LevelRmsMoments | undefined
  const ranked = simultaneousRankingIntervals(
    bootstrapFigures(panel.twinIds, input.options, (weights, context) => {
      const computed = figuresAndMoments(panel, plan, input.options.minCellSize, weights, context)
      if (!context.resample) moments = computed.headlineMoments
      return tidy(computed.figures)
    }),
    input.options,
  )
  const result = withHeadlineInterval(ranked, moments, input.options)
  return Effect.succeed({
    metric: descriptor.id,
    version: descriptor.version,
    headline: toHeadline(result, descriptor.headline),
    headlineReplicates: result.headlineReplicates,
    measures: toMeasures(result),
    details: {
      cells: Object.fromEntries(
        plan.attributes.map((attribute) => [
          attribute.id,
          attribute.grouping.labels.map((level, index) => ({
            level,
            humans: attribute.sizes[index]!,
            ranked: attribute.ranked[index]!,
          })),
        ]),
      ),
    },
  })
})

export const metric: MetricShape = { descriptor, score }
