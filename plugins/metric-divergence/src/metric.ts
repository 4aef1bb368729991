import type { MetricShape } from "@standin/core"
import {
  bootstrapFigures,
  type Figure,
  groupingAll,
  groupingByArm,
  meanOf,
  type Panel,
  preparePanel,
  scoreWithHumans,
  tally,
  toHeadline,
  toMeasures,
} from "@standin/metric-kit"
import { Effect } from "effect"
import { descriptor } from "./descriptor.js"
import { divergenceFigures, itemGroupDivergences, unscorableNote } from "./divergence.js"

/** Every figure of the divergence metric for one weighting of the twins; the last is the headline. */
export const divergenceMetricFigures = (panel: Panel, weights: Float64Array): Array<Figure> => {
  const arms = groupingByArm(panel)
  const scorable = panel.items.flatMap((item, index) => (item.scorable ? [index] : []))
  const pooledValues = itemGroupDivergences(panel, groupingAll(panel), scorable, weights)
  const armValues = itemGroupDivergences(panel, arms, scorable, weights)
  const figures: Array<Figure> = []
  const pooled: Array<number> = []
  panel.items.forEach((item, index) => {
    const position = scorable.indexOf(index)
    if (position < 0) {
      figures.push({
        measure: "js-distance",
        qualifiers: { item: item.id, arm: "all" },
        value: Number.NaN,
        n: 0,
        note: unscorableNote,
      })
      return
    }
    const ordered = item.ordered && item.k >= 2
    const overall = pooledValues[position]![0]!
    figures.push(...divergenceFigures(overall, { item: item.id, arm: "all" }, ordered))
    pooled.push(overall.jsDistance)
    armValues[position]!.forEach((values, arm) => {
      figures.push(...divergenceFigures(values, { item: item.id, arm: arms.labels[arm]! }, ordered))
    })
  })
  figures.push({
    measure: "js-distance",
    qualifiers: {},
    value: meanOf(pooled),
    n: panel.twins,
    note: "no item could be scored",
    headline: true,
  })
  return figures
}

/** Valid answer counts per item, for the score's details. */
const counts = (panel: Panel) =>
  Object.fromEntries(
    panel.items
      .map((item, index) => ({ item, index }))
      .filter(({ item }) => item.scorable)
      .map(({ item, index }) => {
        const ones = new Float64Array(panel.twins).fill(1)
        const result = tally(panel, groupingAll(panel), index, ones, false)
        return [
          item.id,
          { human: result.humanN[0]!, synthetic: result.syntheticN[0]!, syntheticRows: panel.rows },
        ]
      }),
  )

export const score = scoreWithHumans(descriptor.id, (input) => {
  const panel = preparePanel(input)
  const result = bootstrapFigures(panel.twins, input.options, (weights) =>
    divergenceMetricFigures(panel, weights),
  )
  return Effect.succeed({
    metric: descriptor.id,
    version: descriptor.version,
    headline: toHeadline(result, descriptor.headline),
    measures: toMeasures(result),
    details: { counts: counts(panel), unlinkedSynthetic: panel.unlinked },
  })
})

export const metric: MetricShape = { descriptor, score }
