import type { MetricShape } from "@standin/core"
import {
  bootstrapFigures,
  type Figure,
  type Grouping,
  groupingAll,
  groupingByAttribute,
  meanOf,
  metricRandom,
  type Panel,
  preparePanel,
  scoreWithHumans,
  type Tally,
  tallyItems,
  toHeadline,
  toMeasures,
} from "@standin/metric-kit"
import { entropy, type Random } from "@standin/stats"
import { Effect } from "effect"
import { descriptor } from "./descriptor.js"

/** Share above which one option counts as having taken over an item. */
export const modeCollapseThreshold = 0.9

export interface Patterns {
  /** Dense pattern id per twin (−1 when a belief answer is missing). */
  readonly human: Int32Array
  /** Dense pattern id per synthetic row (−1 when a belief answer is missing). */
  readonly synthetic: Int32Array
  readonly distinct: number
  readonly items: ReadonlyArray<string>
  /** How many patterns the belief items allow: the product of their numbers of options. */
  readonly possible: number
}

/** Code every complete combination of belief-item answers as one dense integer. */
export const codePatterns = (panel: Panel): Patterns => {
  const beliefs = panel.items
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => item.role === "belief" && item.scorable)
  const ids = new Map<string, number>()
  const code = (answers: ReadonlyArray<Int32Array>, position: number): number => {
    if (beliefs.length === 0) return -1
    const parts: Array<number> = []
    for (const { index } of beliefs) {
      const answer = answers[index]![position]!
      if (answer < 0) return -1
      parts.push(answer)
    }
    const key = parts.join(",")
    let id = ids.get(key)
    if (id === undefined) {
      id = ids.size
      ids.set(key, id)
    }
    return id
  }
  const human = Int32Array.from({ length: panel.twins }, (_, twin) => code(panel.human, twin))
  const synthetic = Int32Array.from({ length: panel.rows }, (_, row) => code(panel.synthetic, row))
  const possible = beliefs.reduce((product, { item }) => product * item.k, beliefs.length > 0 ? 1 : 0)
  return { human, synthetic, distinct: ids.size, items: beliefs.map(({ item }) => item.id), possible }
}

/** Reusable buffers for the pattern counts of many resamples. */
export interface PatternScratch {
  humanMultiplicity: Float64Array
  syntheticMultiplicity: Float64Array
  pool: Int32Array
  seen: Uint8Array
}

export const patternScratch = (panel: Panel, patterns: Patterns): PatternScratch => ({
  humanMultiplicity: new Float64Array(panel.twins),
  syntheticMultiplicity: new Float64Array(panel.rows),
  pool: new Int32Array(Math.max(panel.twins, panel.rows)),
  seen: new Uint8Array(patterns.distinct),
})

/** Distinct patterns among `size` draws without replacement from a weighted multiset (all of it when size ≥ total). */
const distinctPatterns = (
  codes: Int32Array,
  multiplicity: Float64Array,
  total: number,
  size: number,
  random: Random,
  scratch: PatternScratch,
): number => {
  const seen = scratch.seen
  seen.fill(0)
  let count = 0
  if (size >= total) {
    for (let index = 0; index < codes.length; index++) {
      const code = codes[index]!
      if (code >= 0 && multiplicity[index]! > 0 && !seen[code]) {
        seen[code] = 1
        count++
      }
    }
    return count
  }
  if (scratch.pool.length < total) scratch.pool = new Int32Array(total)
  const pool = scratch.pool
  let cursor = 0
  for (let index = 0; index < codes.length; index++) {
    const code = codes[index]!
    if (code < 0) continue
    for (let copy = 0; copy < multiplicity[index]!; copy++) pool[cursor++] = code
  }
  for (let draw = 0; draw < size; draw++) {
    const other = draw + random.nextInt(total - draw)
    const code = pool[other]!
    pool[other] = pool[draw]!
    pool[draw] = code
    if (!seen[code]) {
      seen[code] = 1
      count++
    }
  }
  return count
}

/** Unique patterns, human and synthetic, at equal n for one weighting of the twins. */
export const uniquePatterns = (
  panel: Panel,
  patterns: Patterns,
  weights: Float64Array,
  random: Random,
  scratch: PatternScratch = patternScratch(panel, patterns),
) => {
  const humanMultiplicity = scratch.humanMultiplicity
  const syntheticMultiplicity = scratch.syntheticMultiplicity
  humanMultiplicity.fill(0)
  syntheticMultiplicity.fill(0)
  let humanTotal = 0
  let syntheticTotal = 0
  for (let twin = 0; twin < panel.twins; twin++) {
    const weight = weights[twin]!
    if (weight === 0) continue
    if (patterns.human[twin]! >= 0) {
      humanMultiplicity[twin] = weight
      humanTotal += weight
    }
    for (let row = panel.rowStart[twin]!; row < panel.rowStart[twin + 1]!; row++) {
      if (patterns.synthetic[row]! >= 0) {
        syntheticMultiplicity[row] = weight
        syntheticTotal += weight
      }
    }
  }
  const n = Math.min(humanTotal, syntheticTotal)
  return {
    n,
    human: distinctPatterns(patterns.human, humanMultiplicity, humanTotal, n, random, scratch),
    synthetic: distinctPatterns(
      patterns.synthetic,
      syntheticMultiplicity,
      syntheticTotal,
      n,
      random,
      scratch,
    ),
  }
}

/** Pooled within-level variance of the option index (weighted) from one item's tally. */
const pooledVariance = (counts: Tally, values: Float64Array, totals: Float64Array): number => {
  let squares = 0
  let n = 0
  let levels = 0
  for (let group = 0; group < counts.groups; group++) {
    const total = totals[group]!
    if (total <= 0) continue
    let mean = 0
    for (let option = 0; option < counts.k; option++) mean += option * values[group * counts.k + option]!
    mean /= total
    for (let option = 0; option < counts.k; option++)
      squares += values[group * counts.k + option]! * (option - mean) ** 2
    n += total
    levels++
  }
  return n - levels > 0 ? squares / (n - levels) : Number.NaN
}

/** Pooled within-level variances of several items over a grouping, human and synthetic, in one pass. */
export const withinVariances = (
  panel: Panel,
  grouping: Grouping,
  items: ReadonlyArray<number>,
  weights: Float64Array,
) =>
  tallyItems(panel, grouping, items, weights, false).map((counts) => ({
    human: pooledVariance(counts, counts.human, counts.humanN),
    synthetic: pooledVariance(counts, counts.synthetic, counts.syntheticN),
  }))

const topShare = (counts: Float64Array): number => {
  let total = 0
  let top = 0
  for (const value of counts) {
    total += value
    top = Math.max(top, value)
  }
  return total > 0 ? top / total : Number.NaN
}

export interface HeterogeneityPlan {
  readonly patterns: Patterns
  readonly scratch: PatternScratch
  readonly attributes: ReadonlyArray<{ readonly id: string; readonly grouping: Grouping }>
}

/** Every figure of the heterogeneity metric for one weighting of the twins; the last is the headline. */
export const heterogeneityFigures = (
  panel: Panel,
  plan: HeterogeneityPlan,
  weights: Float64Array,
  random: Random,
): Array<Figure> => {
  const figures: Array<Figure> = []
  const unique = uniquePatterns(panel, plan.patterns, weights, random, plan.scratch)
  const patternsUnscored =
    plan.patterns.items.length === 0
      ? "the study has no belief items"
      : unique.n === 0
        ? "no respondent answered every belief item on both sides"
        : undefined
  const possible = plan.patterns.possible
  const saturated = !patternsUnscored && unique.human >= possible && unique.synthetic >= possible
  const oneSaturated =
    !patternsUnscored && !saturated && (unique.human >= possible || unique.synthetic >= possible)
  const saturation = saturated
    ? `saturated: both sides reach all ${possible} patterns the belief items allow (${plan.patterns.items.join(" × ")}), so the count cannot tell them apart at n = ${unique.n}; read the entropy and variance discrepancies instead`
    : oneSaturated
      ? `the ${unique.human >= possible ? "human" : "synthetic"} count reaches all ${possible} possible patterns (saturated): the ratio understates any difference`
      : undefined
  figures.push({
    measure: "pattern-discrepancy",
    qualifiers: {},
    value: patternsUnscored ? Number.NaN : Math.abs(Math.log(unique.synthetic / unique.human)),
    n: unique.n,
    human: unique.human,
    synthetic: unique.synthetic,
    ...(patternsUnscored ? { note: patternsUnscored } : saturation ? { note: saturation } : {}),
    ...(saturated ? { flagged: "saturated" } : {}),
  })
  const entropyDiscrepancies: Array<number> = []
  let collapsedSynthetic = 0
  let collapsedHuman = 0
  let scoredItems = 0
  const scorable = panel.items.flatMap((item, index) => (item.scorable ? [index] : []))
  const tallies = tallyItems(panel, groupingAll(panel), scorable, weights, false)
  scorable.forEach((index, position) => {
    const item = panel.items[index]!
    const counts = tallies[position]!
    const hHuman = counts.humanN[0]! > 0 ? (entropy(counts.human) ?? Number.NaN) : Number.NaN
    const hSynthetic = counts.syntheticN[0]! > 0 ? (entropy(counts.synthetic) ?? Number.NaN) : Number.NaN
    const unscored =
      counts.humanN[0]! <= 0
        ? "no valid human answers"
        : counts.syntheticN[0]! <= 0
          ? "no valid synthetic answers"
          : undefined
    const discrepancy =
      unscored || item.k < 2 ? Number.NaN : Math.abs(hSynthetic - hHuman) / Math.log2(item.k)
    entropyDiscrepancies.push(discrepancy)
    figures.push({
      measure: "entropy-discrepancy",
      qualifiers: { item: item.id },
      value: discrepancy,
      n: counts.humanN[0]!,
      human: hHuman,
      synthetic: hSynthetic,
      ...(unscored ? { note: unscored } : {}),
    })
    if (!unscored) {
      scoredItems++
      if (topShare(counts.synthetic) > modeCollapseThreshold) collapsedSynthetic++
      if (topShare(counts.human) > modeCollapseThreshold) collapsedHuman++
    }
  })
  figures.push({
    measure: "mode-collapse-share",
    qualifiers: {},
    value: scoredItems > 0 ? collapsedSynthetic / scoredItems : Number.NaN,
    n: scoredItems,
    human: scoredItems > 0 ? collapsedHuman / scoredItems : Number.NaN,
    synthetic: scoredItems > 0 ? collapsedSynthetic / scoredItems : Number.NaN,
    ...(scoredItems === 0 ? { note: "no item could be scored" } : {}),
  })
  const ordered = panel.items.flatMap((item, index) =>
    item.scorable && item.ordered && item.k >= 2 ? [index] : [],
  )
  for (const attribute of plan.attributes) {
    const variances = withinVariances(panel, attribute.grouping, ordered, weights)
    ordered.forEach((index, position) => {
      const item = panel.items[index]!
      const variance = variances[position]!
      const scale = (item.k - 1) / 2
      const unscored = !Number.isFinite(variance.human)
        ? "too few human answers for a within-level variance"
        : !Number.isFinite(variance.synthetic)
          ? "too few synthetic answers for a within-level variance"
          : undefined
      figures.push({
        measure: "variance-discrepancy",
        qualifiers: { item: item.id, attribute: attribute.id },
        value: unscored
          ? Number.NaN
          : Math.abs(Math.sqrt(variance.synthetic) - Math.sqrt(variance.human)) / scale,
        n: panel.twins,
        human: variance.human,
        synthetic: variance.synthetic,
        ...(unscored ? { note: unscored } : {}),
      })
    })
  }
  figures.push({
    measure: "entropy-discrepancy",
    qualifiers: {},
    value: meanOf(entropyDiscrepancies),
    n: panel.twins,
    note: "no item could be scored",
    headline: true,
  })
  return figures
}

const ratio = (synthetic: number | null | undefined, human: number | null | undefined) =>
  typeof synthetic === "number" && typeof human === "number" && human > 0 ? synthetic / human : null

export const score = scoreWithHumans(descriptor.id, (input) => {
  const panel = preparePanel(input)
  const attributes: Array<HeterogeneityPlan["attributes"][number]> = []
  for (const id of input.study.subgroups) {
    const grouping = groupingByAttribute(panel, id)
    if (grouping) attributes.push({ id, grouping })
  }
  const patterns = codePatterns(panel)
  const plan: HeterogeneityPlan = { patterns, scratch: patternScratch(panel, patterns), attributes }
  // One seeded stream for the equal-n subsamples, separate from the bootstrap's own stream.
  const random = metricRandom(input.options, 0x4e7e)
  const result = bootstrapFigures(panel.twinIds, input.options, (weights) =>
    heterogeneityFigures(panel, plan, weights, random).map((figure) =>
      Number.isFinite(figure.value) && !figure.headline && figure.measure !== "pattern-discrepancy"
        ? withoutNote(figure)
        : figure,
    ),
  )
  const measures = toMeasures(result)
  const patternMeasure = measures.find((m) => m.measure === "pattern-discrepancy")
  return Effect.succeed({
    metric: descriptor.id,
    version: descriptor.version,
    headline: toHeadline(result, descriptor.headline),
    headlineReplicates: result.headlineReplicates,
    measures,
    details: {
      patterns: {
        items: plan.patterns.items,
        n: patternMeasure?.n ?? 0,
        possible: plan.patterns.possible,
        saturated: patternMeasure?.flagged === "saturated",
        human: patternMeasure?.human ?? null,
        synthetic: patternMeasure?.synthetic ?? null,
        ratio: ratio(patternMeasure?.synthetic, patternMeasure?.human),
      },
      entropy: Object.fromEntries(
        measures
          .filter((m) => m.measure === "entropy-discrepancy")
          .map((m) => [
            m.item,
            { human: m.human, synthetic: m.synthetic, ratio: ratio(m.synthetic, m.human) },
          ]),
      ),
      variance: measures
        .filter((m) => m.measure === "variance-discrepancy")
        .map((m) => ({
          attribute: m.attribute,
          item: m.item,
          human: m.human,
          synthetic: m.synthetic,
          ratio: ratio(m.synthetic, m.human),
        })),
    },
  })
})

const withoutNote = (figure: Figure): Figure => {
  const { note: _note, ...rest } = figure
  return rest
}

export const metric: MetricShape = { descriptor, score }
