import type { AnalysisSpec, AnalysisVariable, StandardErrors, StudyDefinition } from "@standin/core"
import {
  buildDesign,
  type CellValue,
  type Coefficient,
  type Design,
  type DesignError,
  type DesignVariable,
  fail,
  fitLogit,
  fitMultinomialLogit,
  fitOls,
  fitOrderedLogit,
  fitProbit,
  type LogitFit,
  type MultinomialLogitFit,
  type OlsFit,
  type OrderedLogitFit,
  type Outcome,
  type ProbitFit,
  type RobustError,
  succeed,
  withRobustCovariance,
} from "@standin/stats"
import { type AnalysisRow, holdsLevel, isMissing, readSource, type SourceReader } from "./variables.js"

export type { AnalysisRow } from "./variables.js"

export type AnalysisSpecError = {
  readonly _tag: "InvalidAnalysis"
  readonly analysis: string
  readonly variable: string
  readonly message: string
}

export type AnalysisError = AnalysisSpecError | DesignError | RobustError

/** The fit of one model family, as @standin/stats returns it. */
export type ModelFit = OlsFit | LogitFit | ProbitFit | MultinomialLogitFit | OrderedLogitFit

export interface AnalysisFit {
  readonly analysis: string
  readonly family: AnalysisSpec["family"]
  /** The design's columns (for an ordinal fit these include `(Intercept)`, which its thresholds replace). */
  readonly columns: ReadonlyArray<string>
  /**
   * Coefficients by term: the design column (`(Intercept)`, `showdata`, `gender[Female]`, `s1:s2`); for a
   * multinomial fit `<outcome level>::<column>`; for an ordinal fit the slopes by column and the thresholds
   * `<level>|<next level>`.
   */
  readonly coefficients: Readonly<Record<string, Coefficient>>
  readonly table: ReadonlyArray<Coefficient>
  /** Intercepts and thresholds: terms that place the outcome's scale rather than measure an effect. */
  readonly constantTerms: ReadonlyArray<string>
  /** The test statistic the table reports: t (OLS) or z. */
  readonly statistic: "t" | "z"
  readonly se: StandardErrors
  /** Multinomial and ordinal fits: the outcome's observed levels, in declared order (lowest first for ordinal). */
  readonly outcomeLevels?: ReadonlyArray<string>
  /** Multinomial fits: the baseline level, whose equation is fixed at 0. */
  readonly baseline?: string
  readonly n: number
  /** Rows of the analysed subset left out because a used variable was missing. */
  readonly dropped: number
  /** Rows outside the analysis's `subset`. */
  readonly outsideSubset: number
  /** Dummy columns (and outcome levels, as `outcome[level]`) left out because no kept row has that level. */
  readonly droppedLevels: ReadonlyArray<string>
  readonly logLikelihood: number
  /** Likelihood fits: the null model's log-likelihood and McFadden's pseudo-R². */
  readonly nullLogLikelihood?: number
  readonly pseudoR2?: number
  /** OLS fits. */
  readonly rSquared?: number
  readonly adjustedRSquared?: number
  readonly fit: ModelFit
}

/** A prepared analysis: the design built once, so bootstrap refits only reweight its rows. */
export interface PreparedAnalysis {
  readonly spec: AnalysisSpec
  readonly design: Design
  /** Rows outside the analysis's `subset` (they are in `design.dropped` too). */
  readonly outsideSubset: number
  /** Multinomial and ordinal analyses: the outcome level of each design row, and the levels in order. */
  readonly categories?: { readonly values: ReadonlyArray<string>; readonly levels: ReadonlyArray<string> }
}

/** The key of a multinomial coefficient: the outcome level's equation, then the design column. */
export const equationTerm = (level: string, column: string): string => `${level}::${column}`

/** The design column of a term (a multinomial term without its `<level>::` prefix). */
export const termColumn = (term: string): string => {
  const at = term.indexOf("::")
  return at < 0 ? term : term.slice(at + 2)
}

/** A fit's effect coefficients: every term but its intercepts and thresholds (what sign and coefficient recovery compare). */
export const effectCoefficients = (fit: AnalysisFit): Record<string, Coefficient> => {
  const constant = new Set(fit.constantTerms)
  return Object.fromEntries(Object.entries(fit.coefficients).filter(([term]) => !constant.has(term)))
}

const invalid = (spec: AnalysisSpec, variable: string, message: string): Outcome<never, AnalysisSpecError> =>
  fail({ _tag: "InvalidAnalysis", analysis: spec.id, variable, message })

interface CodedVariable {
  readonly design: DesignVariable
  readonly values: Array<CellValue>
}

const reader = (
  study: StudyDefinition,
  spec: AnalysisSpec,
  variable: AnalysisVariable,
): Outcome<SourceReader, AnalysisSpecError> => {
  const found = readSource(study, variable.source)
  return found === null
    ? invalid(
        spec,
        variable.id,
        `"${variable.id}" refers to a persona attribute or item the study does not declare.`,
      )
    : succeed(found)
}

const codeVariable = (
  study: StudyDefinition,
  spec: AnalysisSpec,
  variable: AnalysisVariable,
  rows: ReadonlyArray<AnalysisRow>,
): Outcome<CodedVariable, AnalysisSpecError> => {
  const coding = variable.coding
  const source = reader(study, spec, variable)
  if (!source.ok) return source
  const read = source.value
  if (coding._tag === "Indicator") {
    const accepted = new Set(coding.levels)
    const values = rows.map((row): CellValue => {
      const value = read.value(row)
      return isMissing(value) ? null : holdsLevel(read, value, accepted) ? 1 : 0
    })
    return succeed({ design: { id: variable.id, type: "numeric" }, values })
  }
  if (coding._tag === "Numeric") {
    const values = rows.map((row): CellValue => {
      // Numbers, and Likert, binary and ordered persona levels as their scores (numeric code, else position).
      const number = read.number(row)
      if (number !== null) return number
      const value = read.value(row)
      return isMissing(value) ? null : typeof value === "string" ? value : null
    })
    return succeed({ design: { id: variable.id, type: "numeric" }, values })
  }
  const recode = (level: string): string => coding.recode?.[level] ?? level
  const ordered: Array<string> = []
  for (const level of read.levels) if (!ordered.includes(recode(level))) ordered.push(recode(level))
  if (coding.multiple !== undefined && !ordered.includes(coding.multiple)) ordered.push(coding.multiple)
  if (!ordered.includes(coding.reference)) {
    return invalid(
      spec,
      variable.id,
      `Reference level "${coding.reference}" of "${variable.id}" is not among its levels after recoding (${ordered.join(", ")}).`,
    )
  }
  const values: Array<CellValue> = []
  for (const row of rows) {
    const value = read.value(row)
    if (isMissing(value)) values.push(null)
    else if (Array.isArray(value)) {
      if (value.length === 1) values.push(recode(value[0]!))
      else if (coding.multiple !== undefined) values.push(coding.multiple)
      else {
        return invalid(
          spec,
          variable.id,
          `"${variable.id}" holds several levels (${value.join(", ")}) but its coding names no \`multiple\` level.`,
        )
      }
    } else values.push(recode(String(value)))
  }
  return succeed({
    design: { id: variable.id, type: "categorical", levels: ordered, reference: coding.reference },
    values,
  })
}

/** Which rows meet every `subset` condition of the analysis (all rows when it declares none). */
const subsetMask = (
  study: StudyDefinition,
  spec: AnalysisSpec,
  rows: ReadonlyArray<AnalysisRow>,
): Outcome<Uint8Array, AnalysisSpecError> => {
  const mask = new Uint8Array(rows.length).fill(1)
  for (const [index, condition] of (spec.subset ?? []).entries()) {
    const read = readSource(study, condition.source)
    if (read === null)
      return invalid(
        spec,
        `subset[${index}]`,
        "The subset refers to a persona attribute or item the study does not declare.",
      )
    const accepted = new Set(condition.levels)
    rows.forEach((row, i) => {
      if (!holdsLevel(read, read.value(row), accepted)) mask[i] = 0
    })
  }
  return succeed(mask)
}

/** Build the design of an analysis over rows (levels nobody holds are dropped, rows with a missing value are dropped). */
export interface PrepareOptions {
  /**
   * Levels of categorical predictors to leave out, by variable id: rows holding them are dropped (and counted),
   * and their dummies disappear. The regression metric uses it for levels too rare to estimate.
   */
  readonly excludeLevels?: Readonly<Record<string, ReadonlyArray<string>>>
}

const categoricalOutcome = (spec: AnalysisSpec): boolean =>
  spec.family === "multinomial" || spec.family === "ordinal"

export const prepareAnalysis = (
  study: StudyDefinition,
  spec: AnalysisSpec,
  rows: ReadonlyArray<AnalysisRow>,
  options: PrepareOptions = {},
): Outcome<PreparedAnalysis, AnalysisError> => {
  const outcomeCoding = spec.outcome.coding._tag
  if (spec.family === "multinomial" && outcomeCoding !== "Categorical") {
    return invalid(
      spec,
      spec.outcome.id,
      "A multinomial outcome must be coded as categorical (its reference is the baseline).",
    )
  }
  if (spec.family === "ordinal" && outcomeCoding === "Indicator") {
    return invalid(
      spec,
      spec.outcome.id,
      "An ordinal outcome must be coded as categorical (levels lowest first) or numeric.",
    )
  }
  if (!categoricalOutcome(spec) && outcomeCoding === "Categorical") {
    return invalid(spec, spec.outcome.id, "The outcome must be coded as an indicator or as numeric.")
  }
  const mask = subsetMask(study, spec, rows)
  if (!mask.ok) return mask
  let outsideSubset = 0
  for (const kept of mask.value) if (!kept) outsideSubset++
  const frame: Record<string, ReadonlyArray<CellValue>> = {}
  const variables: Array<DesignVariable> = []
  for (const variable of spec.predictors) {
    const coded = codeVariable(study, spec, variable, rows)
    if (!coded.ok) return coded
    const excluded = new Set(options.excludeLevels?.[variable.id] ?? [])
    frame[variable.id] =
      excluded.size === 0
        ? coded.value.values
        : coded.value.values.map((value) => (typeof value === "string" && excluded.has(value) ? null : value))
    variables.push(coded.value.design)
  }
  const outcome = codeVariable(study, spec, spec.outcome, rows)
  if (!outcome.ok) return outcome
  // Categorical outcomes enter the design as level codes, so the design drops rows missing them like any other.
  let outcomeLevels: ReadonlyArray<string> | null = null
  let outcomeValues: ReadonlyArray<CellValue> = outcome.value.values
  if (categoricalOutcome(spec)) {
    const coded = outcome.value
    if (coded.design.type === "categorical") {
      outcomeLevels = coded.design.levels
      if (spec.family === "ordinal" && coded.design.reference !== outcomeLevels[0]) {
        return invalid(
          spec,
          spec.outcome.id,
          `An ordinal outcome's reference must be its lowest level, "${outcomeLevels[0]}" (levels run lowest first: ${outcomeLevels.join(", ")}); "${coded.design.reference}" is not.`,
        )
      }
    } else {
      const numbers = new Set<number>()
      for (const value of coded.values) {
        if (value === null || value === undefined) continue
        const number = typeof value === "number" ? value : Number(value)
        if (!Number.isFinite(number))
          return invalid(
            spec,
            spec.outcome.id,
            `A numeric ordinal outcome holds "${String(value)}", which is not a number.`,
          )
        numbers.add(number)
      }
      outcomeLevels = [...numbers].sort((a, b) => a - b).map(String)
    }
    const code = new Map(outcomeLevels.map((level, index) => [level, index]))
    const key = (value: string | number | boolean) =>
      coded.design.type === "categorical" ? String(value) : String(Number(value))
    const codes: Array<CellValue> = []
    for (const [row, value] of coded.values.entries()) {
      if (value === null || value === undefined) codes.push(null)
      else {
        const level = code.get(key(value))
        if (level === undefined && mask.value[row]) {
          return invalid(
            spec,
            spec.outcome.id,
            `Row ${row} has outcome "${String(value)}", which is not one of its levels (${outcomeLevels.join(", ")}): recode it or declare it.`,
          )
        }
        codes.push(level ?? null)
      }
    }
    outcomeValues = codes
  }
  const outcomeColumn = `\u0000outcome:${spec.outcome.id}`
  frame[outcomeColumn] = outcomeValues.map((value, row) => (mask.value[row] ? value : null))
  const design = buildDesign(
    frame,
    { variables, interactions: spec.interactions, dropUnobservedLevels: true },
    outcomeColumn,
  )
  if (!design.ok) return design
  const base = { spec, design: design.value, outsideSubset }
  if (outcomeLevels === null) return succeed(base)
  const y = design.value.y!
  const seen = new Set<number>()
  for (const value of y) seen.add(value)
  const levels = outcomeLevels.filter((_, index) => seen.has(index))
  const values = Array.from(y, (value) => outcomeLevels[value]!)
  const droppedOutcome = outcomeLevels
    .filter((_, index) => !seen.has(index))
    .map((level) => `${spec.outcome.id}[${level}]`)
  return succeed({
    ...base,
    design: { ...design.value, droppedLevels: [...design.value.droppedLevels, ...droppedOutcome] },
    categories: { values, levels },
  })
}

/**
 * An analysis's variables as data-frame columns named by variable id (its outcome under `outcomeColumn`, null
 * outside its subset) and the design spec over them, for estimators that build their own designs (mediation).
 */
export const analysisFrame = (
  study: StudyDefinition,
  spec: AnalysisSpec,
  rows: ReadonlyArray<AnalysisRow>,
  outcomeColumn: string,
): Outcome<
  {
    readonly frame: Record<string, ReadonlyArray<CellValue>>
    readonly variables: ReadonlyArray<DesignVariable>
  },
  AnalysisError
> => {
  if (categoricalOutcome(spec) || spec.outcome.coding._tag === "Categorical")
    return invalid(spec, spec.outcome.id, "The outcome must be coded as an indicator or as numeric.")
  const mask = subsetMask(study, spec, rows)
  if (!mask.ok) return mask
  const frame: Record<string, ReadonlyArray<CellValue>> = {}
  const variables: Array<DesignVariable> = []
  for (const variable of spec.predictors) {
    const coded = codeVariable(study, spec, variable, rows)
    if (!coded.ok) return coded
    frame[variable.id] = coded.value.values
    variables.push(coded.value.design)
  }
  const outcome = codeVariable(study, spec, spec.outcome, rows)
  if (!outcome.ok) return outcome
  frame[outcomeColumn] = outcome.value.values.map((value, row) => (mask.value[row] ? value : null))
  return succeed({ frame, variables })
}

export interface RefitOptions {
  readonly weights?: ArrayLike<number>
  readonly start?: ArrayLike<number>
  readonly alpha?: number
  /** Newton convergence tolerance on the largest step (default 1e-10). */
  readonly tolerance?: number
}

const robustFamilies = new Set(["gaussian", "binomial", "probit"])

/** Fit the model of a prepared analysis's family (optionally reweighted and warm-started, as in a bootstrap). */
const fitModel = (prepared: PreparedAnalysis, options: RefitOptions): Outcome<ModelFit, AnalysisError> => {
  const { spec, design } = prepared
  const se = spec.se ?? "classical"
  if (se !== "classical" && se !== "HC0" && se !== "HC1" && !robustFamilies.has(spec.family)) {
    return invalid(
      spec,
      spec.outcome.id,
      `${se} standard errors are not defined for ${spec.family === "ordinal" ? "an" : "a"} ${spec.family} analysis; use HC0 or HC1.`,
    )
  }
  const common = {
    ...(options.weights ? { weights: options.weights } : {}),
    ...(options.alpha !== undefined ? { alpha: options.alpha } : {}),
  }
  const start = options.start ? { start: options.start } : {}
  const tolerance = options.tolerance !== undefined ? { tolerance: options.tolerance } : {}
  const robust = <F extends OlsFit | LogitFit>(
    fit: Outcome<F, AnalysisError>,
  ): Outcome<ModelFit, AnalysisError> => {
    if (!fit.ok || se === "classical") return fit
    return withRobustCovariance(design, fit.value, se, options.weights ? { weights: options.weights } : {})
  }
  switch (spec.family) {
    case "gaussian":
      return robust(fitOls(design, common))
    case "binomial":
      return robust(fitLogit(design, { ...common, ...start, ...tolerance }))
    case "probit":
      return fitProbit(design, { ...common, ...start, ...tolerance, covariance: se })
    case "multinomial": {
      const reference = spec.outcome.coding._tag === "Categorical" ? spec.outcome.coding.reference : undefined
      const outcome = weightedOutcome(prepared.categories!, options.weights)
      return fitMultinomialLogit(design, {
        ...common,
        ...(outcome.complete ? start : {}),
        ...tolerance,
        outcome: outcome.values,
        levels: outcome.levels,
        ...(reference !== undefined ? { reference } : {}),
        covariance: se as "classical" | "HC0" | "HC1",
      })
    }
    case "ordinal": {
      const outcome = weightedOutcome(prepared.categories!, options.weights)
      return fitOrderedLogit(design, {
        ...common,
        ...(outcome.complete ? start : {}),
        ...tolerance,
        outcome: outcome.values,
        levels: outcome.levels,
        covariance: se as "classical" | "HC0" | "HC1",
      })
    }
  }
}

/**
 * The outcome levels a weighting keeps: a bootstrap resample can leave a rare level with no weight, and a level
 * nobody holds has no estimate. Such a refit fits the levels it has (its rows of weight 0 are given a kept level,
 * which they do not count toward); the full-sample warm start, sized for every level, is then not used.
 */
const weightedOutcome = (
  categories: NonNullable<PreparedAnalysis["categories"]>,
  weights: ArrayLike<number> | undefined,
): { values: ReadonlyArray<string>; levels: ReadonlyArray<string>; complete: boolean } => {
  if (weights === undefined) return { ...categories, complete: true }
  const held = new Set<string>()
  categories.values.forEach((value, row) => {
    if (weights[row]! > 0) held.add(value)
  })
  if (held.size === categories.levels.length || held.size === 0) return { ...categories, complete: true }
  const levels = categories.levels.filter((level) => held.has(level))
  const values = categories.values.map((value) => (held.has(value) ? value : levels[0]!))
  return { values, levels, complete: false }
}

/** The coefficient table of a fit, keyed as AnalysisFit.coefficients says, with its constant terms. */
const tableOf = (fit: ModelFit): { table: Array<Coefficient>; constantTerms: Array<string> } => {
  switch (fit.family) {
    case "multinomial": {
      const table = fit.equations.flatMap((equation) =>
        equation.coefficients.map((row) => ({ ...row, term: equationTerm(equation.category, row.term) })),
      )
      return {
        table,
        constantTerms: fit.equations.map((equation) => equationTerm(equation.category, "(Intercept)")),
      }
    }
    case "ordinal":
      return {
        table: [...fit.coefficients, ...fit.thresholds],
        constantTerms: fit.thresholds.map((threshold) => threshold.term),
      }
    default:
      return {
        table: [...fit.coefficients],
        constantTerms: fit.columns.includes("(Intercept)") ? ["(Intercept)"] : [],
      }
  }
}

/** Fit a prepared analysis (optionally reweighted and warm-started, as inside a bootstrap). */
export const fitPrepared = (
  prepared: PreparedAnalysis,
  options: RefitOptions = {},
): Outcome<AnalysisFit, AnalysisError> => {
  const { spec, design } = prepared
  const fit = fitModel(prepared, options)
  if (!fit.ok) return fit
  const value = fit.value
  const { table, constantTerms } = tableOf(value)
  return succeed({
    analysis: spec.id,
    family: spec.family,
    columns: design.columns,
    coefficients: Object.fromEntries(table.map((coefficient) => [coefficient.term, coefficient])),
    table,
    constantTerms,
    statistic: value.family === "gaussian" ? "t" : "z",
    se: spec.se ?? "classical",
    ...(value.family === "multinomial" ? { outcomeLevels: value.categories, baseline: value.reference } : {}),
    ...(value.family === "ordinal" ? { outcomeLevels: value.levels } : {}),
    n: value.n,
    dropped: design.dropped - prepared.outsideSubset,
    outsideSubset: prepared.outsideSubset,
    droppedLevels: design.droppedLevels,
    logLikelihood: value.logLikelihood,
    ...(value.family === "gaussian"
      ? { rSquared: value.rSquared, adjustedRSquared: value.adjustedRSquared }
      : { nullLogLikelihood: value.nullLogLikelihood, pseudoR2: value.pseudoR2 }),
    fit: value,
  })
}

/**
 * Fit a study's declared analysis on rows: the design is built from the AnalysisSpec (arm, persona and item
 * sources; indicator, categorical — reference, recode, `multiple` for multi-select — and numeric codings) over
 * the rows its `subset` keeps, then fitted as its family says (OLS, logit, probit, multinomial or ordered logit)
 * with classical or HC standard errors. Rows with a missing value in any used variable are dropped and counted.
 * Errors are typed: an inconsistent spec, an unknown level, separation, rank deficiency, a constant outcome.
 */
export const fitAnalysis = (
  study: StudyDefinition,
  spec: AnalysisSpec,
  rows: ReadonlyArray<AnalysisRow>,
  options: PrepareOptions & { readonly alpha?: number } = {},
): Outcome<AnalysisFit, AnalysisError> => {
  const prepared = prepareAnalysis(study, spec, rows, options)
  if (!prepared.ok) return prepared
  return fitPrepared(prepared.value, options)
}

/**
 * How many rows (within the analysis's subset) hold each level of each categorical predictor (after recoding;
 * missing values not counted), by variable id. Reference levels are included.
 */
export const levelCounts = (
  study: StudyDefinition,
  spec: AnalysisSpec,
  rows: ReadonlyArray<AnalysisRow>,
): Outcome<Record<string, Record<string, number>>, AnalysisSpecError> => {
  const mask = subsetMask(study, spec, rows)
  if (!mask.ok) return mask
  const counts: Record<string, Record<string, number>> = {}
  for (const variable of spec.predictors) {
    if (variable.coding._tag !== "Categorical") continue
    const coded = codeVariable(study, spec, variable, rows)
    if (!coded.ok) return coded
    const design = coded.value.design
    const tally: Record<string, number> = {}
    if (design.type === "categorical") for (const level of design.levels) tally[level] = 0
    coded.value.values.forEach((value, row) => {
      if (typeof value === "string" && mask.value[row]) tally[value] = (tally[value] ?? 0) + 1
    })
    counts[variable.id] = tally
  }
  return succeed(counts)
}
