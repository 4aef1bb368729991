import { MetricError, type MetricShape } from "@standin/core"
import { divergenceFigures, itemGroupDivergences, pooledJsDistance } from "@standin/metric-divergence"
import {
  biasCorrectedInterval,
  bootstrapFigures,
  type ComputeContext,
  type Figure,
  type Grouping,
  groupingByAttribute,
  meanOf,
  type Panel,
  preparePanel,
  scoreWithHumans,
  toHeadline,
  toMeasures,
} from "@standin/metric-kit"
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
  }>
  readonly missing: ReadonlyArray<string>
}

/** Groupings and the ranked cells, fixed on the full sample so every resample ranks the same levels. */
export const planSubgroups = (panel: Panel, minCellSize: number): SubgroupPlan => {
  const attributes: Array<SubgroupPlan["attributes"][number]> = []
  const missing: Array<string> = []
  for (const id of panel.study.subgroups) {
    const grouping = groupingByAttribute(panel, id)
    if (!grouping) {
      missing.push(id)
      continue
    }
    const sizes = grouping.labels.map(() => 0)
    for (const level of grouping.members) sizes[level]! += 1
    attributes.push({ id, grouping, sizes, ranked: sizes.map((size) => size >= minCellSize) })
  }
  return { attributes, missing }
}

const fullSample: ComputeContext = { resample: false }

/** How the intervals of the ranking figures are made. */
const rankingInterval = (what: string): NonNullable<Figure["interval"]> => ({
  method: "bias-corrected",
  description: `${what} of the bias-corrected level figures, recomputed on each resample (each level's distance re-centred as in the bias-corrected distances, the ranking redone); percentile interval`,
})

/**
 * Every figure of the subgroup metric for one weighting of the twins; the last is the headline. Each level's figure
 * is its bias-corrected root-mean-square JS distance over items, so a level is not ranked worse for being small.
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
        interval: biasCorrectedInterval,
      })
    })
    let worst = -1
    let best = -1
    levelMeans.forEach((value, level) => {
      if (!attribute.ranked[level] || !Number.isFinite(value)) return
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
    headline: true,
    interval: rankingInterval("the mean over attributes of the highest"),
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
  const result = bootstrapFigures(panel.twinIds, input.options, (weights, context) =>
    tidy(subgroupFigures(panel, plan, input.options.minCellSize, weights, context)),
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
