/**
 * Coverage of the regression metric's coefficient-distance interval, by simulation through the real plugin. Each
 * replication draws n humans (personas and arms of the simulated Berke-shaped study) and answers from two known
 * logistic models, and n twins (the same personas and arms) whose answers come from the same models with every
 * effect coefficient moved by t·direction. The truth of the metric's estimand is computed from the models' expected
 * Fisher information per respondent over a large persona sample: for each analysis, with Σ = I⁻¹ for the human and
 * the synthetic coefficients and δ the true difference of the effect coefficients, D_a² = δ′((Σ_h + Σ_s)/2)⁻¹δ/df_a
 * (what s·λ estimates when n_h = n_s); the headline's truth is √(mean_a D_a²). t is chosen (bisection) so that the
 * headline's truth is the cell's distance. For a true distance of 0 the check is that the interval includes 0.
 */
import type {
  AnalysisSpec,
  MetricShape,
  Respondent,
  StudyDefinition,
  SyntheticRespondent,
} from "@standin/core"
import { cholesky, choleskyInverse, choleskySolve, makeRandom, type Random } from "@standin/stats"
import { berkeLikeStudy, simulateHumans } from "@standin/testkit/metric-fixture"
import { Effect } from "effect"

const olderAges = ["45 - 54 years", "55 - 64 years", "65 or older"]

const showdata: AnalysisSpec["predictors"][number] = {
  id: "showdata",
  source: { _tag: "Arm" },
  coding: { _tag: "Indicator", levels: ["shown"] },
}
const female: AnalysisSpec["predictors"][number] = {
  id: "female",
  source: { _tag: "Persona", attribute: "gender" },
  coding: { _tag: "Indicator", levels: ["Female"] },
}
const older: AnalysisSpec["predictors"][number] = {
  id: "older",
  source: { _tag: "Persona", attribute: "age" },
  coding: { _tag: "Indicator", levels: olderAges },
}

/** One simulated analysis: its spec, its design row, the human coefficients and the direction of the shift. */
interface SimulatedAnalysis {
  readonly spec: AnalysisSpec
  /** The item it models and the answers coded 1 and 0. */
  readonly item: "share" | "understand"
  readonly yes: string
  readonly no: string
  /** Design row (intercept first) of a persona in an arm, in the order of `human` and `direction`. */
  readonly row: (persona: Respondent["persona"], arm: string) => ReadonlyArray<number>
  readonly human: ReadonlyArray<number>
  /** The shift of the synthetic coefficients per unit of t (0 for the intercept). */
  readonly direction: ReadonlyArray<number>
}

const isFemale = (persona: Respondent["persona"]) => (persona.gender === "Female" ? 1 : 0)
const isOlder = (persona: Respondent["persona"]) => (olderAges.includes(persona.age as string) ? 1 : 0)
const isShown = (arm: string) => (arm === "shown" ? 1 : 0)

export const simulatedAnalyses: ReadonlyArray<SimulatedAnalysis> = [
  {
    spec: {
      id: "share-model",
      label: "Consent to share ~ shown × female + older",
      family: "binomial",
      outcome: {
        id: "share",
        source: { _tag: "Item", item: "share" },
        coding: { _tag: "Indicator", levels: ["Consent to share"] },
      },
      predictors: [showdata, female, older],
      interactions: [["showdata", "female"]],
      treatment: "showdata",
    },
    item: "share",
    yes: "Consent to share",
    no: "Decline",
    row: (persona, arm) => [
      1,
      isShown(arm),
      isFemale(persona),
      isOlder(persona),
      isShown(arm) * isFemale(persona),
    ],
    human: [0.8, -0.15, -0.1, -0.3, 0.2],
    direction: [0, 1, -0.6, 0.8, -1],
  },
  {
    spec: {
      id: "understand-model",
      label: "Understands ~ shown + older + female",
      family: "binomial",
      outcome: {
        id: "understand",
        source: { _tag: "Item", item: "understand" },
        coding: { _tag: "Indicator", levels: ["Somewhat agree", "Strongly agree"] },
      },
      predictors: [showdata, older, female],
      interactions: [],
    },
    item: "understand",
    yes: "Strongly agree",
    no: "Strongly disagree",
    row: (persona, arm) => [1, isShown(arm), isOlder(persona), isFemale(persona)],
    human: [-0.2, 0.4, -0.35, 0.1],
    direction: [0, -0.7, 0.5, 0.6],
  },
]

/** The Berke-shaped study with the two simulated analyses. */
export const regressionCoverageStudy: StudyDefinition = {
  ...berkeLikeStudy,
  id: "regression-coverage-simulation",
  beliefActionPairs: [],
  analyses: simulatedAnalyses.map((analysis) => analysis.spec),
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x))

const coefficientsAt = (analysis: SimulatedAnalysis, t: number): Array<number> =>
  analysis.human.map((value, index) => value + t * analysis.direction[index]!)

const linear = (row: ReadonlyArray<number>, beta: ReadonlyArray<number>): number =>
  row.reduce((sum, value, index) => sum + value * beta[index]!, 0)

/**
 * The persona population the truth is computed over, reduced to its design cells (arm × female × older: every
 * simulated analysis's row depends on nothing else), each with its share of the population.
 */
export interface Population {
  readonly cells: ReadonlyArray<{
    readonly persona: Respondent["persona"]
    readonly arm: string
    readonly share: number
  }>
}

/** The population from `size` simulated respondents (the same generator as the replications). */
export const truthPopulation = (size = 200_000): Population => {
  const cells = new Map<string, { persona: Respondent["persona"]; arm: string; count: number }>()
  for (const respondent of simulateHumans({ n: size, seed: 0x7e57 })) {
    const key = `${isShown(respondent.arm)}${isFemale(respondent.persona)}${isOlder(respondent.persona)}`
    const cell = cells.get(key)
    if (cell) cell.count++
    else cells.set(key, { persona: respondent.persona, arm: respondent.arm, count: 1 })
  }
  return {
    cells: [...cells.values()].map((cell) => ({
      persona: cell.persona,
      arm: cell.arm,
      share: cell.count / size,
    })),
  }
}

/** Per-respondent covariance of the effect coefficients (the intercept's row and column left out of I⁻¹). */
const effectCovariance = (
  analysis: SimulatedAnalysis,
  beta: ReadonlyArray<number>,
  population: Population,
): Float64Array => {
  const p = beta.length
  const information = new Float64Array(p * p)
  for (const cell of population.cells) {
    const row = analysis.row(cell.persona, cell.arm)
    const mu = logistic(linear(row, beta))
    const weight = mu * (1 - mu) * cell.share
    for (let i = 0; i < p; i++)
      for (let j = 0; j < p; j++) information[i * p + j]! += weight * row[i]! * row[j]!
  }
  const inverse = choleskyInverse(cholesky(information, p).factor, p)
  const q = p - 1
  const effects = new Float64Array(q * q)
  for (let i = 0; i < q; i++) for (let j = 0; j < q; j++) effects[i * q + j] = inverse[(i + 1) * p + (j + 1)]!
  return effects
}

/** D_a² = δ′((Σ_h + Σ_s)/2)⁻¹δ/df of one analysis at shift t. */
const trueSquaredDistance = (analysis: SimulatedAnalysis, t: number, population: Population): number => {
  if (t === 0) return 0
  const human = effectCovariance(analysis, analysis.human, population)
  const synthetic = effectCovariance(analysis, coefficientsAt(analysis, t), population)
  const q = analysis.human.length - 1
  const pooled = Float64Array.from(human, (value, index) => (value + synthetic[index]!) / 2)
  const delta = analysis.direction.slice(1).map((value) => t * value)
  const solved = choleskySolve(cholesky(pooled, q).factor, q, delta)
  return delta.reduce((sum, value, index) => sum + value * solved[index]!, 0) / q
}

/** The headline's true value at shift t: the root mean square over analyses of their true distances. */
export const trueHeadline = (t: number, population: Population): number =>
  Math.sqrt(
    simulatedAnalyses.reduce((sum, analysis) => sum + trueSquaredDistance(analysis, t, population), 0) /
      simulatedAnalyses.length,
  )

/** The shift t at which the headline's truth is `distance` (bisection on [0, 4]). */
export const shiftFor = (distance: number, population: Population): number => {
  if (distance <= 0) return 0
  let low = 0
  let high = 4
  for (let step = 0; step < 60; step++) {
    const middle = (low + high) / 2
    if (trueHeadline(middle, population) < distance) low = middle
    else high = middle
  }
  return (low + high) / 2
}

const answersOf = (
  random: Random,
  persona: Respondent["persona"],
  arm: string,
  t: number,
): Record<string, string> => {
  const answers: Record<string, string> = { concern: "Neutral" }
  for (const analysis of simulatedAnalyses) {
    const mu = logistic(linear(analysis.row(persona, arm), coefficientsAt(analysis, t)))
    answers[analysis.item] = random.nextFloat() < mu ? analysis.yes : analysis.no
  }
  return answers
}

/** One replication's panels: n humans from the human models, their n twins from the models shifted by t. */
export const regressionPanels = (n: number, t: number, seed: number) => {
  const random = makeRandom(seed)
  const people = simulateHumans({ n, seed: seed ^ 0x5eed })
  const human: Array<Respondent> = people.map((person) => ({
    ...person,
    answers: answersOf(random, person.persona, person.arm, 0),
  }))
  const synthetic: Array<SyntheticRespondent> = human.map((person) => ({
    twinId: person.id,
    replicate: 0,
    arm: person.arm,
    persona: person.persona,
    answers: answersOf(random, person.persona, person.arm, t),
    raw: "",
    valid: true,
    invalidItems: [],
    warnings: [],
    attempts: 1,
    modelVersion: "regression-coverage-simulation",
    usage: { inputTokens: 0, outputTokens: 0 },
    elicitation: "sample",
  }))
  return { human, synthetic }
}

export interface RegressionCoverageCell {
  readonly n: number
  /** The headline's true coefficient distance. */
  readonly distance: number
  readonly replications: number
  /** Bootstrap resamples per replication (the interval inverts the Wald statistic's model and does not use them). */
  readonly resamples: number
  readonly seed: number
}

export interface RegressionCoverageResult {
  readonly cell: RegressionCoverageCell
  /** The shift of the synthetic coefficients that puts the headline's truth at the cell's distance. */
  readonly shift: number
  /** Share of replications whose headline interval contains the true distance (true 0: includes 0). */
  readonly coverage: number
  /** The same for each analysis's own interval at its own true distance. */
  readonly analysisCoverage: Readonly<Record<string, number>>
  readonly meanEstimate: number
  readonly meanWidth: number
  readonly above: number
  readonly below: number
  /** Replications whose headline could not be scored (a fit failed on both sides, or no interval). */
  readonly unscored: number
}

/** Run one cell of the simulation through `metric` (the regression plugin). */
export const regressionCoverageCell = async (
  metric: MetricShape,
  cell: RegressionCoverageCell,
  population: Population = truthPopulation(),
): Promise<RegressionCoverageResult> => {
  const shift = shiftFor(cell.distance, population)
  const analysisTruth = Object.fromEntries(
    simulatedAnalyses.map((analysis) => [
      analysis.spec.id,
      Math.sqrt(trueSquaredDistance(analysis, shift, population)),
    ]),
  )
  let covered = 0
  let above = 0
  let below = 0
  let unscored = 0
  let estimates = 0
  let widths = 0
  const analysisCovered: Record<string, number> = Object.fromEntries(
    simulatedAnalyses.map((analysis) => [analysis.spec.id, 0]),
  )
  for (let replication = 0; replication < cell.replications; replication++) {
    const seed = (cell.seed * 100_003 + replication * 7919) >>> 0
    const { human, synthetic } = regressionPanels(cell.n, shift, seed)
    const score = await Effect.runPromise(
      metric.score({
        study: regressionCoverageStudy,
        human,
        synthetic,
        options: { seed, resamples: cell.resamples, alpha: 0.05, minCellSize: 30 },
      }),
    )
    const ci = score.headline.ci
    if (ci === null || score.headline.value === null) {
      unscored++
      below++
      continue
    }
    if (ci.lower <= cell.distance && cell.distance <= ci.upper) covered++
    else if (ci.lower > cell.distance) above++
    else below++
    estimates += score.headline.value
    widths += ci.upper - ci.lower
    for (const analysis of simulatedAnalyses) {
      const measure = score.measures.find(
        (m) => m.key === `coefficient-distance|analysis=${analysis.spec.id}`,
      )
      const truth = analysisTruth[analysis.spec.id]!
      if (measure?.ci && measure.ci.lower <= truth && truth <= measure.ci.upper)
        analysisCovered[analysis.spec.id]! += 1
    }
  }
  const scored = cell.replications - unscored
  return {
    cell,
    shift,
    coverage: covered / cell.replications,
    analysisCoverage: Object.fromEntries(
      Object.entries(analysisCovered).map(([id, count]) => [id, count / cell.replications]),
    ),
    meanEstimate: scored > 0 ? estimates / scored : Number.NaN,
    meanWidth: scored > 0 ? widths / scored : Number.NaN,
    above,
    below,
    unscored,
  }
}

/** The target: 0.93–0.97 when the true distance is above 0; at 0, the interval includes 0 at least 93% of the time. */
export const regressionMeetsTarget = (result: RegressionCoverageResult): boolean =>
  result.cell.distance > 0 ? result.coverage >= 0.93 && result.coverage <= 0.97 : result.coverage >= 0.93
