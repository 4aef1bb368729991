/**
 * Coverage of the metrics' intervals, measured by simulation through the real metric plugins. Each replication
 * draws a human panel from known answer distributions p and a synthetic panel of twins from distributions q at
 * a chosen true Jensen–Shannon distance from p (the same distance for every item), scores it with the plugin,
 * and checks whether the reported 95% interval contains the true value. For a true distance of 0 (a perfect
 * model) the check is that the interval includes 0: "no detectable difference".
 */
import type { MetricShape, Respondent, StudyDefinition, SyntheticRespondent } from "@standin/core"
import { jsDistance, makeRandom, type Random } from "@standin/stats"
import { berkeLikeStudy, simulateHumans } from "@standin/testkit/metric-fixture"
import { Effect } from "effect"

/** A lean study for the simulation: one arm, a 5-point item and a binary item (the Berke shape's k). */
export const coverageStudy: StudyDefinition = {
  ...berkeLikeStudy,
  id: "coverage-simulation",
  arms: [berkeLikeStudy.arms[0]!],
  items: berkeLikeStudy.items.filter((item) => item.id === "concern" || item.id === "share"),
  beliefActionPairs: [],
  analyses: [],
}

/** The human answer distributions per item (close to the Berke marginals). */
export const humanDistributions: Readonly<Record<string, ReadonlyArray<number>>> = {
  concern: [0.06, 0.1, 0.18, 0.36, 0.3],
  share: [0.33, 0.67],
}

/** Directions the synthetic distribution moves along (sum 0): more concern, more sharing. */
const directions: Readonly<Record<string, ReadonlyArray<number>>> = {
  concern: [-0.5, -0.5, 0, 0.25, 0.75],
  share: [-1, 1],
}

/** q = p + t·direction with t chosen (bisection) so that the JS distance (base 2) from p is `distance`. */
export const shifted = (p: ReadonlyArray<number>, direction: ReadonlyArray<number>, distance: number) => {
  if (distance <= 0) return [...p]
  const at = (t: number) => p.map((value, index) => value + t * direction[index]!)
  let low = 0
  let high = Math.min(...p.map((value, index) => (direction[index]! < 0 ? value / -direction[index]! : 1)))
  for (let step = 0; step < 80; step++) {
    const middle = (low + high) / 2
    if (jsDistance(p, at(middle))! < distance) low = middle
    else high = middle
  }
  return at(low)
}

const draw = (random: Random, probabilities: ReadonlyArray<number>): number => {
  let u = random.nextFloat()
  for (let index = 0; index < probabilities.length; index++) {
    u -= probabilities[index]!
    if (u < 0) return index
  }
  return probabilities.length - 1
}

const optionsOf = (item: string): ReadonlyArray<string> => {
  const scale = coverageStudy.items.find((candidate) => candidate.id === item)!.scale
  return scale._tag === "Numeric" ? [] : (scale.options as ReadonlyArray<string>)
}

/** One replication's panels: n humans from p, n twins from q. */
export const coveragePanels = (n: number, distance: number, seed: number) => {
  const random = makeRandom(seed)
  const personas = simulateHumans({ n, seed: seed ^ 0x5eed })
  const arm = coverageStudy.arms[0]!.id
  const synthetic = Object.fromEntries(
    coverageStudy.items.map((item) => [
      item.id,
      shifted(humanDistributions[item.id]!, directions[item.id]!, distance),
    ]),
  )
  const answers = (which: "human" | "synthetic") =>
    Object.fromEntries(
      coverageStudy.items.map((item) => {
        const probabilities = which === "human" ? humanDistributions[item.id]! : synthetic[item.id]!
        return [item.id, optionsOf(item.id)[draw(random, probabilities)]!]
      }),
    )
  const human: Array<Respondent> = personas.map((respondent) => ({
    ...respondent,
    arm,
    answers: answers("human"),
  }))
  const twins: Array<SyntheticRespondent> = human.map((respondent) => ({
    twinId: respondent.id,
    replicate: 0,
    arm,
    persona: respondent.persona,
    answers: answers("synthetic"),
    raw: "",
    valid: true,
    invalidItems: [],
    warnings: [],
    attempts: 1,
    modelVersion: "coverage-simulation",
    usage: { inputTokens: 0, outputTokens: 0 },
    elicitation: "sample",
  }))
  return { human, synthetic: twins }
}

/** Total variation distance between two distributions on the same options. */
export const totalVariation = (p: ReadonlyArray<number>, q: ReadonlyArray<number>): number =>
  p.reduce((sum, value, index) => sum + Math.abs(value - q[index]!), 0) / 2

/** Wasserstein-1 between two distributions on ordered options 0..k−1, divided by k − 1 (the metric's scale). */
export const normalisedWasserstein = (p: ReadonlyArray<number>, q: ReadonlyArray<number>): number => {
  let cumulative = 0
  let total = 0
  for (let index = 0; index < p.length - 1; index++) {
    cumulative += p[index]! - q[index]!
    total += Math.abs(cumulative)
  }
  return total / Math.max(1, p.length - 1)
}

/** The true per-item distances of a cell, for the measures the divergence metric reports per item. */
export const trueDistances = (distance: number) =>
  Object.fromEntries(
    coverageStudy.items.map((item) => {
      const p = humanDistributions[item.id]!
      const q = shifted(p, directions[item.id]!, distance)
      return [
        item.id,
        {
          "js-distance": distance,
          "total-variation": totalVariation(p, q),
          wasserstein: normalisedWasserstein(p, q),
        },
      ]
    }),
  ) as Record<string, Record<"js-distance" | "total-variation" | "wasserstein", number>>

/** The per-item measures whose intervals the simulation checks besides the headline. */
export const itemMeasures = ["js-distance", "total-variation", "wasserstein"] as const
export type ItemMeasure = (typeof itemMeasures)[number]

export interface CoverageCell {
  readonly n: number
  /** The true JS distance of every item (and so of the headline, their root mean square). */
  readonly distance: number
  readonly replications: number
  readonly resamples: number
  readonly seed: number
}

export interface CoverageResult {
  readonly cell: CoverageCell
  /** Share of replications whose headline interval contains the true distance. */
  readonly coverage: number
  /** The same for each item's pooled JS distance (items the metric reports as `js-distance|item=…|arm=all`). */
  readonly itemCoverage: Readonly<Record<string, number>>
  /**
   * Per measure (JS distance, total variation, W1/(k − 1)) and item, the share of replications whose pooled interval
   * (`<measure>|item=…|arm=all`) contains that measure's true value (for a true distance of 0: includes 0).
   */
  readonly measureCoverage: Readonly<Record<ItemMeasure, Readonly<Record<string, number>>>>
  readonly meanEstimate: number
  readonly meanWidth: number
  /** Replications whose interval lies wholly above / below the truth. */
  readonly above: number
  readonly below: number
}

/** Run one cell of the coverage simulation through `metric` (the divergence plugin, or one with its figures). */
export const coverageCell = async (metric: MetricShape, cell: CoverageCell): Promise<CoverageResult> => {
  let covered = 0
  let above = 0
  let below = 0
  let estimates = 0
  let widths = 0
  const itemCovered: Record<string, number> = Object.fromEntries(
    coverageStudy.items.map((item) => [item.id, 0]),
  )
  const itemFound: Record<string, number> = Object.fromEntries(
    coverageStudy.items.map((item) => [item.id, 0]),
  )
  const truths = trueDistances(cell.distance)
  const measureCovered = Object.fromEntries(
    itemMeasures.map((measure) => [measure, {} as Record<string, number>]),
  ) as Record<ItemMeasure, Record<string, number>>
  for (let replication = 0; replication < cell.replications; replication++) {
    const seed = (cell.seed * 100_003 + replication * 7919) >>> 0
    const { human, synthetic } = coveragePanels(cell.n, cell.distance, seed)
    const score = await Effect.runPromise(
      metric.score({
        study: coverageStudy,
        human,
        synthetic,
        options: { seed, resamples: cell.resamples, alpha: 0.05, minCellSize: 30 },
      }),
    )
    const ci = score.headline.ci!
    if (ci.lower <= cell.distance && cell.distance <= ci.upper) covered++
    else if (ci.lower > cell.distance) above++
    else below++
    estimates += score.headline.value!
    widths += ci.upper - ci.lower
    for (const item of coverageStudy.items) {
      const measure = score.measures.find((m) => m.key === `js-distance|item=${item.id}|arm=all`)
      if (measure) itemFound[item.id]! += 1
      if (measure?.ci && measure.ci.lower <= cell.distance && cell.distance <= measure.ci.upper)
        itemCovered[item.id]! += 1
      for (const name of itemMeasures) {
        const found = score.measures.find((m) => m.key === `${name}|item=${item.id}|arm=all`)
        if (!found?.ci) continue
        const truth = truths[item.id]![name]
        const tally = measureCovered[name]
        tally[item.id] = (tally[item.id] ?? 0) + (found.ci.lower <= truth && truth <= found.ci.upper ? 1 : 0)
      }
    }
  }
  return {
    cell,
    coverage: covered / cell.replications,
    itemCoverage: Object.fromEntries(
      Object.entries(itemCovered)
        .filter(([item]) => itemFound[item]! > 0)
        .map(([item, count]) => [item, count / cell.replications]),
    ),
    measureCoverage: Object.fromEntries(
      itemMeasures.map((name) => [
        name,
        Object.fromEntries(
          Object.entries(measureCovered[name]).map(([item, count]) => [item, count / cell.replications]),
        ),
      ]),
    ) as Record<ItemMeasure, Record<string, number>>,
    meanEstimate: estimates / cell.replications,
    meanWidth: widths / cell.replications,
    above,
    below,
  }
}

/** The target: 0.93–0.97 when the true distance is above 0; at 0, the interval includes 0 at least 93% of the time. */
export const meetsTarget = (result: CoverageResult): boolean =>
  result.cell.distance > 0 ? result.coverage >= 0.93 && result.coverage <= 0.97 : result.coverage >= 0.93

/** The same target for one item measure's coverage (`covered` at the cell's true distance). */
export const coverageMeetsTarget = (distance: number, coverage: number): boolean =>
  distance > 0 ? coverage >= 0.93 && coverage <= 0.97 : coverage >= 0.93
