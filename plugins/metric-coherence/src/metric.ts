import type { BeliefActionPair, MetricShape } from "@standin/core"
import {
  biasCorrectedInterval,
  bootstrapFigures,
  type ComputeContext,
  correctedDistance,
  type Figure,
  itemIndex,
  type Panel,
  preparePanel,
  scoreWithHumans,
  squaredScale,
  toHeadline,
  toMeasures,
} from "@standin/metric-kit"
import { logOddsRatio, phi, phiVariance, type Table2x2 } from "@standin/stats"
import { Effect } from "effect"
import { descriptor } from "./descriptor.js"

/** Coherence figures of one side (human or synthetic) of one pair. */
export interface CoherenceSide {
  /** Weighted respondents with both answers valid. */
  readonly n: number
  readonly believers: number
  /** P(contrary | believer). */
  readonly gap: number
  /** P(believer ∧ contrary). */
  readonly joint: number
  readonly phi: number
  /** The large-sample variance of the plug-in phi (NaN when phi is undefined). */
  readonly phiVariance: number
  readonly logOddsRatio: number
  readonly logOddsRatioSe: number
  readonly corrected: boolean
  /** [[believer ∧ contrary, believer ∧ ¬contrary], [¬believer ∧ contrary, ¬believer ∧ ¬contrary]]. */
  readonly table: Table2x2
}

/** Figures of a 2×2 believer × contrary-action table. */
export const coherenceOf = (table: Table2x2): CoherenceSide => {
  const [[a, b], [c, d]] = table
  const n = a + b + c + d
  const believers = a + b
  const odds = logOddsRatio(table)
  return {
    n,
    believers,
    gap: believers > 0 ? a / believers : Number.NaN,
    joint: n > 0 ? a / n : Number.NaN,
    phi: phi(table) ?? Number.NaN,
    phiVariance: phiVariance(table) ?? Number.NaN,
    logOddsRatio: odds?.estimate ?? Number.NaN,
    logOddsRatioSe: odds?.se ?? Number.NaN,
    corrected: odds?.corrected ?? false,
    table,
  }
}

export interface ResolvedPair {
  readonly pair: BeliefActionPair
  readonly belief: number
  readonly action: number
  /** Per option code of the belief item: 1 for believer levels. */
  readonly believer: Uint8Array
  /** Per option code of the action item: 1 for contrary levels. */
  readonly contrary: Uint8Array
}

export const resolvePair = (panel: Panel, pair: BeliefActionPair): ResolvedPair | string => {
  const belief = itemIndex(panel, pair.belief)
  const action = itemIndex(panel, pair.action)
  if (belief < 0 || !panel.items[belief]!.scorable)
    return `belief item "${pair.belief}" is not a scorable item`
  if (action < 0 || !panel.items[action]!.scorable)
    return `action item "${pair.action}" is not a scorable item`
  const believer = Uint8Array.from(panel.items[belief]!.options, (option) =>
    pair.believerLevels.includes(option) ? 1 : 0,
  )
  const contrary = Uint8Array.from(panel.items[action]!.options, (option) =>
    pair.contraryLevels.includes(option) ? 1 : 0,
  )
  return { pair, belief, action, believer, contrary }
}

/** Human and synthetic 2×2 tables of one pair for one weighting of the twins. */
export const pairTables = (panel: Panel, resolved: ResolvedPair, weights: Float64Array) => {
  const human = [0, 0, 0, 0]
  const synthetic = [0, 0, 0, 0]
  const humanBelief = panel.human[resolved.belief]!
  const humanAction = panel.human[resolved.action]!
  const syntheticBelief = panel.synthetic[resolved.belief]!
  const syntheticAction = panel.synthetic[resolved.action]!
  for (let twin = 0; twin < panel.twins; twin++) {
    const weight = weights[twin]!
    if (weight === 0) continue
    const belief = humanBelief[twin]!
    const action = humanAction[twin]!
    if (belief >= 0 && action >= 0) {
      human[(resolved.believer[belief] ? 0 : 2) + (resolved.contrary[action] ? 0 : 1)]! += weight
    }
    for (let row = panel.rowStart[twin]!; row < panel.rowStart[twin + 1]!; row++) {
      const b = syntheticBelief[row]!
      const a = syntheticAction[row]!
      if (b >= 0 && a >= 0)
        synthetic[(resolved.believer[b] ? 0 : 2) + (resolved.contrary[a] ? 0 : 1)]! += weight
    }
  }
  const table = (cells: Array<number>): Table2x2 => [
    [cells[0]!, cells[1]!],
    [cells[2]!, cells[3]!],
  ]
  return { human: coherenceOf(table(human)), synthetic: coherenceOf(table(synthetic)) }
}

const describeMissing = (
  side: CoherenceSide,
  who: string,
  figure: "gap" | "joint" | "phi" | "logOddsRatio",
) => {
  if (side.n <= 0) return `no ${who} respondent answered both the belief and the action`
  if (figure === "gap" && side.believers <= 0) return `no ${who} believers`
  if (figure === "phi") return `phi is undefined for the ${who} answers (a margin of the 2×2 table is empty)`
  return `the ${who} figure is undefined`
}

const fullSample: ComputeContext = { resample: false }

/**
 * Every figure of the coherence metric for one weighting of the twins; the last is the headline. The phi
 * difference is a distance (an absolute difference) and is bias-corrected on the squared scale: Δφ² minus the
 * sampling variance of Δφ (the two plug-in phis' large-sample variances), see correctedDistance.
 */
export const coherenceFigures = (
  panel: Panel,
  pairs: ReadonlyArray<ResolvedPair | { readonly id: string; readonly problem: string }>,
  weights: Float64Array,
  context: ComputeContext = fullSample,
): Array<Figure> => {
  const figures: Array<Figure> = []
  const squaredDifferences: Array<number> = []
  const variances: Array<number> = []
  for (const entry of pairs) {
    if ("problem" in entry) {
      for (const measure of [
        "gap-difference",
        "joint-difference",
        "phi-difference",
        "log-odds-ratio-difference",
      ]) {
        figures.push({
          measure,
          qualifiers: { pair: entry.id },
          value: Number.NaN,
          n: 0,
          note: entry.problem,
        })
      }
      continue
    }
    const { human, synthetic } = pairTables(panel, entry, weights)
    const qualifiers = { pair: entry.pair.id, item: entry.pair.belief }
    const compare = (measure: string, figure: "gap" | "joint" | "phi" | "logOddsRatio") => {
      const h = human[figure]
      const s = synthetic[figure]
      const variance = human.phiVariance + synthetic.phiVariance
      const value = figure === "phi" ? correctedDistance((s - h) ** 2, variance, context) : Math.abs(s - h)
      const corrected =
        figure === "logOddsRatio" && (human.corrected || synthetic.corrected)
          ? `0.5 added to every cell of the ${[human.corrected ? "human" : "", synthetic.corrected ? "synthetic" : ""].filter(Boolean).join(" and ")} table (a cell was 0)`
          : undefined
      const note = !Number.isFinite(h)
        ? describeMissing(human, "human", figure)
        : !Number.isFinite(s)
          ? describeMissing(synthetic, "synthetic", figure)
          : corrected
      figures.push({
        measure,
        qualifiers,
        value,
        n: human.n,
        human: h,
        synthetic: s,
        ...(note ? { note } : {}),
        ...(figure === "phi" ? { interval: biasCorrectedInterval } : {}),
        // A phi difference is one-dimensional: all of its bias lies along the difference (see squaredScale).
        ...(figure === "phi" && Number.isFinite(value)
          ? { squared: squaredScale((s - h) ** 2, variance, variance) }
          : {}),
      })
      if (figure === "phi" && Number.isFinite(value)) {
        squaredDifferences.push((s - h) ** 2)
        variances.push(variance)
      }
    }
    compare("gap-difference", "gap")
    compare("joint-difference", "joint")
    compare("phi-difference", "phi")
    compare("log-odds-ratio-difference", "logOddsRatio")
  }
  const mean = (values: ReadonlyArray<number>) =>
    values.reduce((sum, value) => sum + value, 0) / values.length
  figures.push({
    measure: "phi-difference",
    qualifiers: {},
    value:
      squaredDifferences.length === 0
        ? Number.NaN
        : correctedDistance(mean(squaredDifferences), mean(variances), context),
    n: panel.twins,
    note: pairs.length === 0 ? "the study declares no belief–action pairs" : "no pair could be scored",
    headline: true,
    interval: biasCorrectedInterval,
    ...(squaredDifferences.length === 0
      ? {}
      : {
          squared: squaredScale(
            mean(squaredDifferences),
            mean(variances),
            mean(variances) / squaredDifferences.length,
          ),
        }),
  })
  return figures
}

export const score = scoreWithHumans(descriptor.id, (input) => {
  const panel = preparePanel(input)
  const pairs = input.study.beliefActionPairs.map((pair) => {
    const resolved = resolvePair(panel, pair)
    return typeof resolved === "string" ? { id: pair.id, problem: resolved } : resolved
  })
  const result = bootstrapFigures(panel.twinIds, input.options, (weights, context) =>
    coherenceFigures(panel, pairs, weights, context),
  )
  const ones = new Float64Array(panel.twins).fill(1)
  const side = (value: CoherenceSide) => ({
    n: value.n,
    believers: value.believers,
    gap: Number.isFinite(value.gap) ? value.gap : null,
    joint: Number.isFinite(value.joint) ? value.joint : null,
    phi: Number.isFinite(value.phi) ? value.phi : null,
    logOddsRatio: Number.isFinite(value.logOddsRatio) ? value.logOddsRatio : null,
    logOddsRatioSe: Number.isFinite(value.logOddsRatioSe) ? value.logOddsRatioSe : null,
    corrected: value.corrected,
    table: value.table,
  })
  return Effect.succeed({
    metric: descriptor.id,
    version: descriptor.version,
    headline: toHeadline(result, descriptor.headline),
    headlineReplicates: result.headlineReplicates,
    measures: toMeasures(result),
    details: {
      pairs: pairs.map((entry) => {
        if ("problem" in entry) return { pair: entry.id, problem: entry.problem }
        const tables = pairTables(panel, entry, ones)
        return {
          pair: entry.pair.id,
          label: entry.pair.label,
          human: side(tables.human),
          synthetic: side(tables.synthetic),
        }
      }),
    },
  })
})

export const metric: MetricShape = { descriptor, score }
