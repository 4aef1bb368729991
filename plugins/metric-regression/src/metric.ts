import {
  type AnalysisError,
  type AnalysisFit,
  type AnalysisRow,
  effectCoefficients,
  fitPrepared,
  levelCounts,
  type PreparedAnalysis,
  prepareAnalysis,
  termColumn,
} from "@standin/analysis"
import type { AnalysisSpec, MetricInput, MetricShape, SyntheticRespondent } from "@standin/core"
import {
  bootstrapFigures,
  type Figure,
  meanOf,
  scoreWithHumans,
  toHeadline,
  toMeasures,
} from "@standin/metric-kit"
import type { Coefficient } from "@standin/stats"
import { Effect } from "effect"
import { type Comparison, compareCoefficients, signOf } from "./compare.js"
import { descriptor } from "./descriptor.js"
import { prevalenceDetails, prevalenceFigures, prevalenceTargets } from "./prevalence.js"

/** Human rows (one per twin) and synthetic rows (each linked replicate), with the twin of every row. */
export const analysisRows = (input: MetricInput) => {
  const position = new Map<string, number>()
  input.human.forEach((respondent, index) => {
    position.set(respondent.id, index)
  })
  const human: Array<AnalysisRow> = input.human.map((respondent) => respondent)
  const synthetic: Array<AnalysisRow> = []
  const syntheticTwin: Array<number> = []
  const answersOf = (respondent: SyntheticRespondent) => {
    if (respondent.failure) return Object.fromEntries(input.study.items.map((item) => [item.id, null]))
    const answers = { ...respondent.answers }
    for (const item of respondent.invalidItems) answers[item] = null
    return answers
  }
  for (const respondent of input.synthetic) {
    const twin = position.get(respondent.twinId)
    if (twin === undefined) continue
    const twinHuman = input.human[twin]!
    synthetic.push({ arm: twinHuman.arm, persona: twinHuman.persona, answers: answersOf(respondent) })
    syntheticTwin.push(twin)
  }
  return { human, synthetic, syntheticTwin: Int32Array.from(syntheticTwin) }
}

const describeError = (error: AnalysisError): string => error.message

/**
 * Terms of the treatment predictor: the indicator/numeric column, or each dummy of a categorical one (in a
 * multinomial analysis, those columns in every outcome level's equation).
 */
export const treatmentTerms = (spec: AnalysisSpec, terms: ReadonlyArray<string>): Array<string> =>
  spec.treatment === undefined
    ? []
    : terms.filter((term) => {
        const column = termColumn(term)
        return column === spec.treatment || (column.startsWith(`${spec.treatment}[`) && !column.includes(":"))
      })

interface PreparedPair {
  readonly spec: AnalysisSpec
  /** The human side's bootstrap refits by resample number, shared by every entry scored on the same humans. */
  readonly humanRefits: Map<number, AnalysisFit | AnalysisError>
  /** Rare levels left out of both fits (fewer than minCellSize humans). */
  readonly excludeLevels: Readonly<Record<string, ReadonlyArray<string>>>
  readonly human: PreparedAnalysis | AnalysisError
  readonly synthetic: PreparedAnalysis | AnalysisError
  /** Twin of each design row. */
  readonly humanTwin: Int32Array
  readonly syntheticTwin: Int32Array
  readonly humanFit: AnalysisFit | AnalysisError
  readonly syntheticFit: AnalysisFit | AnalysisError
  /** The terms every resample reports, fixed on the full sample. */
  readonly terms: ReadonlyArray<string>
  readonly treatment: ReadonlyArray<string>
}

const isError = (value: object): value is AnalysisError => "_tag" in value && "message" in value

/**
 * Levels of categorical predictors that fewer than `minCellSize` humans hold (never the reference): too rare to
 * estimate in a holdout (a level held by one respondent separates the outcome), so both fits leave them out.
 */
export const rareLevels = (
  input: MetricInput,
  spec: AnalysisSpec,
  humans: ReadonlyArray<AnalysisRow>,
): Record<string, Array<string>> => {
  const counts = levelCounts(input.study, spec, humans)
  if (!counts.ok) return {}
  const rare: Record<string, Array<string>> = {}
  for (const variable of spec.predictors) {
    if (variable.coding._tag !== "Categorical") continue
    const reference = variable.coding.reference
    const levels = Object.entries(counts.value[variable.id] ?? {})
      .filter(([level, count]) => level !== reference && count > 0 && count < input.options.minCellSize)
      .map(([level]) => level)
    if (levels.length > 0) rare[variable.id] = levels
  }
  return rare
}

/**
 * The human side of an analysis: its design, its full-sample fit and its bootstrap refits. It depends only on the
 * humans, the study, the seed and the options — never on the twins — so every entry scored against the same human
 * array (the holdout, or one ceiling half) shares it: it is computed once per run and kept, keyed by that array
 * (see humanSide), instead of once per entry.
 */
interface HumanSide {
  readonly excludeLevels: Readonly<Record<string, ReadonlyArray<string>>>
  readonly human: PreparedAnalysis | AnalysisError
  readonly humanTwin: Int32Array
  readonly humanFit: AnalysisFit | AnalysisError
  /** Bootstrap refits by resample number. */
  readonly refits: Map<number, AnalysisFit | AnalysisError>
}

const humanSides = new WeakMap<ReadonlyArray<unknown>, Map<string, HumanSide>>()

const humanSide = (
  input: MetricInput,
  spec: AnalysisSpec,
  rows: ReturnType<typeof analysisRows>,
): HumanSide => {
  let byKey = humanSides.get(input.human)
  if (byKey === undefined) {
    byKey = new Map()
    humanSides.set(input.human, byKey)
  }
  const { seed, alpha, minCellSize } = input.options
  const key = JSON.stringify([input.study.id, input.study.version, spec.id, seed, alpha, minCellSize])
  const kept = byKey.get(key)
  if (kept !== undefined) return kept
  const excludeLevels = rareLevels(input, spec, rows.human)
  const prepared = prepareAnalysis(input.study, spec, rows.human, { excludeLevels })
  const human = prepared.ok ? prepared.value : prepared.error
  const fitted = prepared.ok ? fitPrepared(prepared.value, { alpha }) : undefined
  const side: HumanSide = {
    excludeLevels,
    human,
    humanTwin: prepared.ok ? prepared.value.design.rows : new Int32Array(0),
    humanFit: fitted === undefined ? (human as AnalysisError) : fitted.ok ? fitted.value : fitted.error,
    refits: new Map(),
  }
  byKey.set(key, side)
  return side
}

const preparePair = (
  input: MetricInput,
  spec: AnalysisSpec,
  rows: ReturnType<typeof analysisRows>,
): PreparedPair => {
  const side = humanSide(input, spec, rows)
  const { excludeLevels, humanTwin, humanFit } = side
  const humanPrepared = side.human
  const synthetic = prepareAnalysis(input.study, spec, rows.synthetic, { excludeLevels })
  const syntheticPrepared = synthetic.ok ? synthetic.value : synthetic.error
  const syntheticTwin = synthetic.ok
    ? Int32Array.from(synthetic.value.design.rows, (row) => rows.syntheticTwin[row]!)
    : new Int32Array(0)
  const fit = (prepared: PreparedAnalysis | AnalysisError) => {
    if (isError(prepared)) return prepared
    const result = fitPrepared(prepared, { alpha: input.options.alpha })
    return result.ok ? result.value : result.error
  }
  const syntheticFit = fit(syntheticPrepared)
  const terms =
    !isError(humanFit) && !isError(syntheticFit)
      ? compareCoefficients(effectCoefficients(humanFit), effectCoefficients(syntheticFit)).terms.map(
          (term) => term.term,
        )
      : !isError(humanFit)
        ? Object.keys(effectCoefficients(humanFit))
        : []
  return {
    spec,
    humanRefits: side.refits,
    excludeLevels,
    human: humanPrepared,
    synthetic: syntheticPrepared,
    humanTwin,
    syntheticTwin,
    humanFit,
    syntheticFit,
    terms,
    treatment: treatmentTerms(spec, terms),
  }
}

const rowWeights = (twinOfRow: Int32Array, weights: Float64Array): Float64Array => {
  const out = new Float64Array(twinOfRow.length)
  for (let row = 0; row < twinOfRow.length; row++) out[row] = weights[twinOfRow[row]!]!
  return out
}

/**
 * Bootstrap refits (warm-started from the full-sample estimates) stop once the largest Newton step is below
 * 1e-3: with Newton's quadratic convergence the estimates are then within ~1e-6 of the exact refit and the
 * SEs within ~0.05% (measured on the simulated Berke design) — far below bootstrap noise. Full-sample fits use
 * the default 1e-10.
 */
export const bootstrapTolerance = 1e-3

/**
 * Refit both sides for one weighting of the twins (warm-started from the full-sample fits). The human side of
 * resample `round` is the same for every entry: refitted once and then reused.
 */
const refit = (pair: PreparedPair, weights: Float64Array, full: boolean, alpha: number, round?: number) => {
  if (full) return { human: pair.humanFit, synthetic: pair.syntheticFit }
  const side = (
    prepared: PreparedAnalysis | AnalysisError,
    fitted: AnalysisFit | AnalysisError,
    twinOfRow: Int32Array,
  ) => {
    if (isError(prepared)) return prepared
    const start = isError(fitted) ? undefined : fitted.fit.estimates
    const result = fitPrepared(prepared, {
      weights: rowWeights(twinOfRow, weights),
      ...(start ? { start } : {}),
      alpha,
      tolerance: bootstrapTolerance,
    })
    return result.ok ? result.value : result.error
  }
  const humanRefit = () => side(pair.human, pair.humanFit, pair.humanTwin)
  let human: AnalysisFit | AnalysisError
  if (round === undefined) human = humanRefit()
  else {
    const kept = pair.humanRefits.get(round)
    human = kept ?? humanRefit()
    if (kept === undefined) pair.humanRefits.set(round, human)
  }
  return { human, synthetic: side(pair.synthetic, pair.syntheticFit, pair.syntheticTwin) }
}

const allOnes = (weights: Float64Array): boolean => {
  for (const weight of weights) if (weight !== 1) return false
  return true
}

/** The flag a sign-recovery figure carries when the synthetic fit failed and counts as recovering nothing. */
export const failedFitFlag = "synthetic-fit-failed"

/** Whether the human fit calls any coefficient (other than the intercept) significant. */
const humanHasSignal = (fit: AnalysisFit): boolean =>
  Object.values(effectCoefficients(fit)).some((coefficient) => signOf(coefficient) !== 0)

/**
 * Figures of one analysis for one weighting of the twins. A synthetic fit that fails (separation, a constant
 * outcome, rank deficiency) while the human fit succeeds is not dropped: the model recovered none of the human
 * fit's signs, so its sign-recovery F1 is 0 (every significant human coefficient a false negative), flagged
 * `synthetic-fit-failed` with the reason, and it counts in the headline.
 */
const analysisFigures = (
  pair: PreparedPair,
  weights: Float64Array,
  alpha: number,
  round?: number,
): { figures: Array<Figure>; f1: number } => {
  const fits = refit(pair, weights, allOnes(weights), alpha, round)
  const analysis = pair.spec.id
  const problem = isError(fits.human)
    ? `the human fit failed: ${describeError(fits.human)}`
    : isError(fits.synthetic)
      ? `the synthetic fit failed: ${describeError(fits.synthetic)}`
      : undefined
  const comparison: Comparison | null =
    isError(fits.human) || isError(fits.synthetic)
      ? null
      : compareCoefficients(effectCoefficients(fits.human), effectCoefficients(fits.synthetic))
  const n = isError(fits.human) ? 0 : fits.human.n
  const syntheticFailed = !isError(fits.human) && isError(fits.synthetic)
  const summary = (measure: string, value: (c: Comparison) => number, emptyNote: string): Figure => {
    const computed = comparison ? value(comparison) : Number.NaN
    return {
      measure,
      qualifiers: { analysis },
      value: computed,
      n,
      ...(problem ? { note: problem } : Number.isFinite(computed) ? {} : { note: emptyNote }),
    }
  }
  const signF1 = (): Figure => {
    if (!syntheticFailed || isError(fits.human)) {
      return summary("sign-f1", (c) => c.f1, "neither fit has a coefficient significant at 0.05")
    }
    const counted = humanHasSignal(fits.human)
    return {
      measure: "sign-f1",
      qualifiers: { analysis },
      value: counted ? 0 : Number.NaN,
      n,
      flagged: failedFitFlag,
      note: counted
        ? `analysis "${analysis}": ${problem}; counted as recovering no coefficient's sign (F1 0) in this figure and the headline`
        : `analysis "${analysis}": ${problem}; the human fit has no significant coefficient, so F1 is undefined`,
    }
  }
  const figures: Array<Figure> = [
    signF1(),
    summary(
      "false-positive-rate",
      (c) => c.falsePositiveRate,
      "every coefficient is significant in the human fit, so no false positive is possible",
    ),
    summary("significant-difference-share", (c) => c.significantShare, "no coefficient is in both fits"),
    summary(
      "significant-difference-share-raw",
      (c) => c.significantShareRaw,
      "no coefficient is in both fits",
    ),
    summary("ci-overlap-share", (c) => c.overlapShare, "no coefficient is in both fits"),
  ]
  const byTerm = new Map(comparison?.terms.map((term) => [term.term, term]) ?? [])
  const termFigure = (measure: string, term: string): Figure => {
    const entry = byTerm.get(term)
    return {
      measure,
      qualifiers: { analysis, term },
      value: entry ? Math.abs(entry.difference) : Number.NaN,
      n,
      ...(entry ? { human: entry.human.estimate, synthetic: entry.synthetic.estimate } : {}),
      ...(entry ? {} : { note: problem ?? `"${term}" is not in both fits` }),
    }
  }
  for (const term of pair.treatment) figures.push(termFigure("treatment-effect-difference", term))
  if (pair.spec.treatment !== undefined && pair.treatment.length === 0) {
    figures.push({
      measure: "treatment-effect-difference",
      qualifiers: { analysis, term: pair.spec.treatment },
      value: Number.NaN,
      n,
      note: problem ?? `the treatment "${pair.spec.treatment}" has no column in both fits`,
    })
  }
  for (const term of pair.terms) figures.push(termFigure("coefficient-difference", term))
  return { figures, f1: figures[0]!.value }
}

const coefficientRow = (coefficient: Coefficient) => ({
  estimate: coefficient.estimate,
  se: coefficient.se,
  statistic: coefficient.statistic,
  p: coefficient.p,
  lower: coefficient.lower,
  upper: coefficient.upper,
})

const fitSummary = (fit: AnalysisFit | AnalysisError) =>
  isError(fit)
    ? { error: { tag: fit._tag, message: fit.message } }
    : {
        n: fit.n,
        dropped: fit.dropped,
        droppedLevels: fit.droppedLevels,
        logLikelihood: fit.logLikelihood,
        ...(fit.pseudoR2 !== undefined ? { pseudoR2: fit.pseudoR2 } : {}),
        ...(fit.rSquared !== undefined ? { rSquared: fit.rSquared } : {}),
        coefficients: fit.table.map((coefficient) => ({
          term: coefficient.term,
          ...coefficientRow(coefficient),
        })),
      }

/** The coefficient tables of every analysis, for the leaderboard's forest plot. */
const coefficientDetails = (pairs: ReadonlyArray<PreparedPair>) =>
  pairs.map((pair) => {
    const comparison =
      !isError(pair.humanFit) && !isError(pair.syntheticFit)
        ? compareCoefficients(effectCoefficients(pair.humanFit), effectCoefficients(pair.syntheticFit))
        : null
    return {
      analysis: pair.spec.id,
      label: pair.spec.label,
      family: pair.spec.family,
      treatment: pair.spec.treatment ?? null,
      excludedLevels: pair.excludeLevels,
      human: fitSummary(pair.humanFit),
      synthetic: fitSummary(pair.syntheticFit),
      comparison: comparison
        ? {
            truePositives: comparison.truePositives,
            falsePositives: comparison.falsePositives,
            falseNegatives: comparison.falseNegatives,
            trueNegatives: comparison.trueNegatives,
            unmatched: comparison.unmatched,
            terms: comparison.terms.map((term) => ({
              term: term.term,
              human: { ...coefficientRow(term.human), sign: term.humanSign },
              synthetic: { ...coefficientRow(term.synthetic), sign: term.syntheticSign },
              difference: term.difference,
              z: term.z,
              p: term.p,
              pHolm: term.pHolm,
              overlap: term.overlap,
            })),
          }
        : null,
    }
  })

/**
 * Every declared analysis whose fit failed on the full sample, with the side and the reason: a failed synthetic
 * fit counts in the headline as F1 0 (see analysisFigures); a failed human fit leaves the analysis unscored.
 */
const failedFits = (pairs: ReadonlyArray<PreparedPair>) =>
  pairs.flatMap((pair) => {
    const failures: Array<{
      analysis: string
      side: "human" | "synthetic"
      reason: string
      counted: string
    }> = []
    if (isError(pair.humanFit))
      failures.push({
        analysis: pair.spec.id,
        side: "human",
        reason: describeError(pair.humanFit),
        counted: "unscored: there is no human truth to recover",
      })
    else if (isError(pair.syntheticFit))
      failures.push({
        analysis: pair.spec.id,
        side: "synthetic",
        reason: describeError(pair.syntheticFit),
        counted: humanHasSignal(pair.humanFit)
          ? "sign-recovery F1 0 in the headline"
          : "unscored: the human fit has no significant coefficient",
      })
    return failures
  })

export const score = scoreWithHumans(descriptor.id, (input) => {
  const rows = analysisRows(input)
  const pairs = input.study.analyses.map((spec) => preparePair(input, spec, rows))
  const prevalences = prevalenceTargets(input)
  const result = bootstrapFigures(
    input.human.map((respondent) => respondent.id),
    input.options,
    (weights, context) => {
      const figures: Array<Figure> = []
      const f1s: Array<number> = []
      for (const pair of pairs) {
        const analysis = analysisFigures(pair, weights, input.options.alpha, context.round)
        figures.push(...analysis.figures)
        f1s.push(analysis.f1)
      }
      for (const target of prevalences) {
        const prevalence = prevalenceFigures(input, target, rows, weights)
        figures.push(...prevalence.figures)
        f1s.push(prevalence.f1)
      }
      figures.push({
        measure: "sign-f1",
        qualifiers: {},
        value: meanOf(f1s),
        n: input.human.length,
        note:
          pairs.length + prevalences.length === 0
            ? "the study declares no analyses"
            : "no analysis could be scored",
        headline: true,
      })
      return figures
    },
  )
  return Effect.succeed({
    metric: descriptor.id,
    version: descriptor.version,
    headline: toHeadline(result, descriptor.headline),
    headlineReplicates: result.headlineReplicates,
    measures: toMeasures(result),
    details: {
      analyses: coefficientDetails(pairs),
      failedFits: failedFits(pairs),
      ...(prevalences.length === 0 ? {} : { prevalences: prevalenceDetails(input, rows) }),
    },
  })
})

export const metric: MetricShape = { descriptor, score }
