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
  type NoncentralModel,
  noncentralDistanceInterval,
  noncentralInterval,
  type Panel,
  preparePanel,
  scoreWithHumans,
  toHeadline,
  toMeasures,
} from "@standin/metric-kit"
import { percentileInterval } from "@standin/stats"
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
   * The m × m squared correlations ρ² of ranked levels' answer shares: ρ = n_LM / √(n_L n_M), n_LM the humans in
   * both levels (levels of different attributes share people; a multi-select respondent is in several levels of one
   * attribute). 0 for disjoint levels, 1 on the diagonal.
   */
  readonly sharedSquared: Float64Array
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
  const sharedSquared = new Float64Array(rankedCount * rankedCount)
  for (let a = 0; a < rankedCount; a++)
    for (let b = 0; b < rankedCount; b++) {
      const both = overlap[a * rankedCount + b]!
      const product = overlap[a * rankedCount + a]! * overlap[b * rankedCount + b]!
      sharedSquared[a * rankedCount + b] = product > 0 ? (both * both) / product : 0
    }
  return { attributes, missing, rankedCount, sharedSquared }
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

/** The headline's interval label: the same test inversion as a level's, over every ranked level × item. */
const headlineInterval: NonNullable<Figure["interval"]> = {
  method: "bias-corrected",
  description:
    "root mean square over ranked levels (each level weighted equally) of the bias-corrected level JS distances; interval by test inversion: each level × item plug-in divergence over its per-direction sampling variance (times Williams' correction) is non-central chi-square with k − 1 df, their level-weighted mean is matched by one scaled non-central chi-square (Welch–Satterthwaite), and the bounds are the non-centralities at which the observed value is its 97.5% and 2.5% quantile, square-rooted (0 when no difference is detectable); not a bootstrap interval",
}

/**
 * The headline: the root mean square over ranked levels of the levels' bias-corrected JS distances, each level
 * weighted equally whatever its size, worked on the squared scale — √max(0, mean over levels of (mean over the
 * level's items of JSD − bias)) — so the bias correction, unbiased on that scale, is averaged before the clamp at 0
 * (a mean of clamped level distances would stay above 0 for a perfect model). Each level × item divergence gets
 * weight w = 1/(L · items of its level).
 *
 * Its noise model: each divergence is s·χ²_df (see the divergence metric), and their weighted sum D̂ is matched in
 * mean and variance by c·χ²_df′(λ′) (Welch–Satterthwaite), with the variance including the covariance of levels that
 * share people: the same item's divergences in levels L and M have covariance 2·df·s_L·s_M·ρ², ρ = n_LM/√(n_L n_M)
 * (`shared`; levels of different attributes overlap, and ignoring it understates the variance of D̂: by 13% at
 * n = 1,000 and 30% at n = 200 on the bench's personas). Items are treated as independent, as in the divergence
 * metric's headline. Returns NaN when no level is scored.
 */
export const levelRms = (
  levels: ReadonlyArray<{ readonly values: ReadonlyArray<DivergenceValues>; readonly index: number }>,
  shared: (a: number, b: number) => number,
  context: ComputeContext,
): { value: number; noncentral?: NoncentralModel } => {
  const usable = (value: DivergenceValues) =>
    Number.isFinite(value.jsDivergence) &&
    Number.isFinite(value.jsBias) &&
    value.df > 0 &&
    value.jsNoiseScale > 0 &&
    Number.isFinite(value.jsNoiseScale)
  const scored = levels.filter(({ values }) => values.some(usable))
  if (scored.length === 0) return { value: Number.NaN }
  let divergence = 0
  let bias = 0
  let mean = 0
  let variance = 0
  for (const [a, level] of scored.entries()) {
    const weight = 1 / (scored.length * level.values.filter(usable).length)
    level.values.forEach((value, item) => {
      if (!usable(value)) return
      divergence += weight * value.jsDivergence
      bias += weight * value.jsBias
      mean += weight * value.jsNoiseScale * value.df
      for (const [b, other] of scored.entries()) {
        const peer = other.values[item]
        if (peer === undefined || !usable(peer)) continue
        const correlation = a === b ? 1 : shared(level.index, other.index)
        if (correlation === 0) continue
        const otherWeight = 1 / (scored.length * other.values.filter(usable).length)
        variance +=
          2 *
          Math.min(value.df, peer.df) *
          weight *
          otherWeight *
          value.jsNoiseScale *
          peer.jsNoiseScale *
          correlation
      }
    })
  }
  const value = correctedDistance(divergence, bias, context)
  if (!(mean > 0) || !(variance > 0)) return { value }
  const c = variance / (2 * mean)
  return { value, noncentral: { x: divergence / c, df: (2 * mean * mean) / variance, scale: c } }
}

/** How the intervals of the ranking figures are made. */
const rankingInterval = (what: string): NonNullable<Figure["interval"]> => ({
  method: "bias-corrected",
  description: `${what} of the bias-corrected level figures, recomputed on each resample (each level's distance re-centred as in the bias-corrected distances, the ranking redone); percentile interval`,
})

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
  const headline = levelRms(rankedLevels, (a, b) => plan.sharedSquared[a * plan.rankedCount + b]!, context)
  figures.push({
    measure: "level-rms",
    qualifiers: {},
    value: headline.value,
    n: rankedLevels.length,
    note: "no ranked level could be scored",
    headline: true,
    ...(headline.noncentral
      ? { noncentral: headline.noncentral, interval: headlineInterval }
      : { interval: biasCorrectedInterval }),
  })
  return figures
}

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
  const result = simultaneousRankingIntervals(
    bootstrapFigures(panel.twinIds, input.options, (weights, context) =>
      tidy(subgroupFigures(panel, plan, input.options.minCellSize, weights, context)),
    ),
    input.options,
  )
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
