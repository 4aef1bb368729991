import type { MetricShape } from "@standin/core"
import {
  biasCorrectedInterval,
  bootstrapFigures,
  type ComputeContext,
  type Figure,
  groupingAll,
  groupingByArm,
  noncentralInterval,
  type Panel,
  preparePanel,
  scoreWithHumans,
  tally,
  toHeadline,
  toMeasures,
} from "@standin/metric-kit"
import { Effect } from "effect"
import { descriptor } from "./descriptor.js"
import {
  type DivergenceValues,
  divergenceFigures,
  itemGroupDivergences,
  pooledJsDistance,
  pooledJsNoncentral,
  pooledJsSquared,
  unscorableNote,
} from "./divergence.js"

const fullSample: ComputeContext = { resample: false }

/** Every figure of the divergence metric for one weighting of the twins; the last is the headline. */
export const divergenceMetricFigures = (
  panel: Panel,
  weights: Float64Array,
  context: ComputeContext = fullSample,
): Array<Figure> => {
  const arms = groupingByArm(panel)
  const scorable = panel.items.flatMap((item, index) => (item.scorable ? [index] : []))
  const pooledValues = itemGroupDivergences(panel, groupingAll(panel), scorable, weights, context)
  const armValues = itemGroupDivergences(panel, arms, scorable, weights, context)
  const figures: Array<Figure> = []
  const pooled: Array<DivergenceValues> = []
  panel.items.forEach((item, index) => {
    const position = scorable.indexOf(index)
    if (position < 0) {
      figures.push({
        measure: "js-distance",
        qualifiers: { item: item.id, arm: "all" },
        value: Number.NaN,
        n: 0,
        note: item.unscored ?? unscorableNote,
      })
      return
    }
    const ordered = item.ordered && item.k >= 2
    const overall = pooledValues[position]![0]!
    figures.push(...divergenceFigures(overall, { item: item.id, arm: "all" }, ordered))
    pooled.push(overall)
    armValues[position]!.forEach((values, arm) => {
      figures.push(...divergenceFigures(values, { item: item.id, arm: arms.labels[arm]! }, ordered))
    })
  })
  const squared = pooledJsSquared(pooled)
  const noncentral = pooledJsNoncentral(pooled)
  figures.push({
    measure: "js-distance",
    qualifiers: {},
    value: pooledJsDistance(pooled, context),
    n: panel.twins,
    note: "no item could be scored",
    headline: true,
    interval: noncentral ? noncentralInterval : biasCorrectedInterval,
    ...(squared ? { squared } : {}),
    ...(noncentral ? { noncentral } : {}),
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

/** The uncorrected (plug-in) pooled JS distance per item, for comparison with the corrected figures. */
const plugIn = (panel: Panel) => {
  const scorable = panel.items.flatMap((item, index) => (item.scorable ? [index] : []))
  const ones = new Float64Array(panel.twins).fill(1)
  const values = itemGroupDivergences(panel, groupingAll(panel), scorable, ones)
  return Object.fromEntries(
    scorable.map((index, position) => {
      const value = values[position]![0]!
      return [
        panel.items[index]!.id,
        {
          jsDistance: Number.isFinite(value.plugInJsDistance) ? value.plugInJsDistance : null,
          jsDivergenceBias: Number.isFinite(value.jsBias) ? value.jsBias : null,
        },
      ]
    }),
  )
}

export const score = scoreWithHumans(descriptor.id, (input) => {
  const panel = preparePanel(input)
  const result = bootstrapFigures(panel.twinIds, input.options, (weights, context) =>
    divergenceMetricFigures(panel, weights, context),
  )
  return Effect.succeed({
    metric: descriptor.id,
    version: descriptor.version,
    headline: toHeadline(result, descriptor.headline),
    measures: toMeasures(result),
    details: { counts: counts(panel), unlinkedSynthetic: panel.unlinked, plugIn: plugIn(panel) },
    headlineReplicates: result.headlineReplicates,
  })
})

export const metric: MetricShape = { descriptor, score }
