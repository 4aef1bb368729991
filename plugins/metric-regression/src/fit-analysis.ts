import {
  type AnalysisSpec,
  type AnalysisVariable,
  type AnswerValue,
  type Persona,
  sourceValue as resolveSource,
  type StudyDefinition,
  scaleOptions,
  sourceLevels,
  sourceNumber,
} from "@standin/core"
import {
  buildDesign,
  type CellValue,
  type Coefficient,
  type Design,
  type DesignError,
  type DesignVariable,
  type FitError,
  fail,
  fitLogit,
  fitOls,
  type LogitFit,
  type OlsFit,
  type Outcome,
  succeed,
} from "@standin/stats"

/** One respondent as an analysis sees it (a human, or a synthetic twin with its human's arm and persona). */
export interface AnalysisRow {
  readonly arm: string
  readonly persona: Persona
  readonly answers: Readonly<Record<string, AnswerValue>>
}

export type AnalysisSpecError = {
  readonly _tag: "InvalidAnalysis"
  readonly analysis: string
  readonly variable: string
  readonly message: string
}

export type AnalysisError = AnalysisSpecError | DesignError | FitError

export interface AnalysisFit {
  readonly analysis: string
  readonly family: AnalysisSpec["family"]
  readonly columns: ReadonlyArray<string>
  /** Coefficients keyed by design column name (`(Intercept)`, `showdata`, `gender[Female]`, `s1:s2`). */
  readonly coefficients: Readonly<Record<string, Coefficient>>
  readonly table: ReadonlyArray<Coefficient>
  readonly n: number
  /** Rows left out because a used variable was missing. */
  readonly dropped: number
  /** Dummy columns left out because no kept row has that level. */
  readonly droppedLevels: ReadonlyArray<string>
  readonly logLikelihood: number
  /** Logistic fits: the intercept-only log-likelihood and McFadden's pseudo-R². */
  readonly nullLogLikelihood?: number
  readonly pseudoR2?: number
  /** OLS fits. */
  readonly rSquared?: number
  readonly adjustedRSquared?: number
  readonly fit: LogitFit | OlsFit
}

/** A prepared analysis: the design built once, so bootstrap refits only reweight its rows. */
export interface PreparedAnalysis {
  readonly spec: AnalysisSpec
  readonly design: Design
}

const invalid = (spec: AnalysisSpec, variable: string, message: string): Outcome<never, AnalysisSpecError> =>
  fail({ _tag: "InvalidAnalysis", analysis: spec.id, variable, message })

/** A respondent's value of a variable's source, resolved by core as for every analysis (derived, factors, numeric persona). */
const sourceValue = (
  study: StudyDefinition,
  variable: AnalysisVariable,
  row: AnalysisRow,
): AnswerValue | undefined => resolveSource(study, variable.source, row)

/** The declared levels of a variable's source, in order: the persona attribute's levels, the item's options or the arms. */
const declaredLevels = (study: StudyDefinition, variable: AnalysisVariable): ReadonlyArray<string> | null => {
  const source = variable.source
  switch (source._tag) {
    case "Arm":
      return study.arms.map((arm) => arm.id)
    case "Persona": {
      const attribute = source.attribute
      return study.persona.find((candidate) => candidate.id === attribute)?.levels ?? null
    }
    case "Item": {
      const id = source.item
      const item = study.items.find((candidate) => candidate.id === id)
      return item ? scaleOptions(item.scale) : null
    }
    case "Derived":
      // A numeric derived variable has no levels; an unknown one is null.
      return study.derived?.some((candidate) => candidate.id === source.variable)
        ? (sourceLevels(study, source) ?? [])
        : null
    case "Factor":
      return sourceLevels(study, source)
  }
}

const isMissing = (value: AnswerValue | undefined): boolean =>
  value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0)

interface CodedVariable {
  readonly design: DesignVariable
  readonly values: Array<CellValue>
}

const codeVariable = (
  study: StudyDefinition,
  spec: AnalysisSpec,
  variable: AnalysisVariable,
  rows: ReadonlyArray<AnalysisRow>,
): Outcome<CodedVariable, AnalysisSpecError> => {
  const coding = variable.coding
  const levels = declaredLevels(study, variable)
  if (levels === null) {
    return invalid(
      spec,
      variable.id,
      `"${variable.id}" refers to a persona attribute or item the study does not declare.`,
    )
  }
  if (coding._tag === "Indicator") {
    // Arms may be named by id or by their data value.
    const arms = variable.source._tag === "Arm"
    const accepted = new Set(coding.levels)
    const hit = (value: string) =>
      accepted.has(value) ||
      (arms && accepted.has(study.arms.find((arm) => arm.id === value)?.value ?? "\u0000"))
    const values = rows.map((row): CellValue => {
      const value = sourceValue(study, variable, row)
      if (isMissing(value)) return null
      if (Array.isArray(value)) return value.some(hit) ? 1 : 0
      return hit(String(value)) ? 1 : 0
    })
    return succeed({ design: { id: variable.id, type: "numeric" }, values })
  }
  if (coding._tag === "Numeric") {
    const values = rows.map((row): CellValue => {
      const value = sourceValue(study, variable, row)
      if (typeof value === "number") return value
      if (isMissing(value)) return null
      // Likert, binary and ordered persona levels read as their scores (numeric code, else position).
      return sourceNumber(study, variable.source, row) ?? (typeof value === "string" ? value : null)
    })
    return succeed({ design: { id: variable.id, type: "numeric" }, values })
  }
  const recode = (level: string): string => coding.recode?.[level] ?? level
  const ordered: Array<string> = []
  for (const level of levels) if (!ordered.includes(recode(level))) ordered.push(recode(level))
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
    const value = sourceValue(study, variable, row)
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

/** Build the design of an analysis over rows (levels nobody holds are dropped, rows with a missing value are dropped). */
export interface PrepareOptions {
  /**
   * Levels of categorical predictors to leave out, by variable id: rows holding them are dropped (and counted),
   * and their dummies disappear. The regression metric uses it for levels too rare to estimate.
   */
  readonly excludeLevels?: Readonly<Record<string, ReadonlyArray<string>>>
}

export const prepareAnalysis = (
  study: StudyDefinition,
  spec: AnalysisSpec,
  rows: ReadonlyArray<AnalysisRow>,
  options: PrepareOptions = {},
): Outcome<PreparedAnalysis, AnalysisError> => {
  if (spec.outcome.coding._tag === "Categorical") {
    return invalid(spec, spec.outcome.id, "The outcome must be coded as an indicator or as numeric.")
  }
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
  const outcomeColumn = `\u0000outcome:${spec.outcome.id}`
  frame[outcomeColumn] = outcome.value.values
  const design = buildDesign(
    frame,
    { variables, interactions: spec.interactions, dropUnobservedLevels: true },
    outcomeColumn,
  )
  if (!design.ok) return design
  return succeed({ spec, design: design.value })
}

export interface RefitOptions {
  readonly weights?: ArrayLike<number>
  readonly start?: ArrayLike<number>
  readonly alpha?: number
  /** IRLS convergence tolerance on the largest Newton step (default 1e-10). */
  readonly tolerance?: number
}

/** Fit a prepared analysis (optionally reweighted and warm-started, as inside a bootstrap). */
export const fitPrepared = (
  prepared: PreparedAnalysis,
  options: RefitOptions = {},
): Outcome<AnalysisFit, AnalysisError> => {
  const { spec, design } = prepared
  const fitOptions = {
    ...(options.weights ? { weights: options.weights } : {}),
    ...(options.start ? { start: options.start } : {}),
    ...(options.alpha !== undefined ? { alpha: options.alpha } : {}),
  }
  const fit =
    spec.family === "binomial"
      ? fitLogit(design, {
          ...fitOptions,
          ...(options.tolerance !== undefined ? { tolerance: options.tolerance } : {}),
        })
      : fitOls(design, fitOptions)
  if (!fit.ok) return fit
  const value = fit.value
  return succeed({
    analysis: spec.id,
    family: spec.family,
    columns: design.columns,
    coefficients: Object.fromEntries(
      value.coefficients.map((coefficient) => [coefficient.term, coefficient]),
    ),
    table: value.coefficients,
    n: value.n,
    dropped: design.dropped,
    droppedLevels: design.droppedLevels,
    logLikelihood: value.logLikelihood,
    ...(value.family === "binomial"
      ? { nullLogLikelihood: value.nullLogLikelihood, pseudoR2: value.pseudoR2 }
      : { rSquared: value.rSquared, adjustedRSquared: value.adjustedRSquared }),
    fit: value,
  })
}

/**
 * Fit a study's declared analysis on rows: the design is built from the AnalysisSpec (arm, persona and item
 * sources; indicator, categorical — reference, recode, `multiple` for multi-select — and numeric codings),
 * then fitted by logistic regression (binomial) or OLS (gaussian). Rows with a missing value in any used
 * variable are dropped and counted. Errors are typed: an inconsistent spec, an unknown level, separation,
 * rank deficiency, a constant outcome.
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
 * How many rows hold each level of each categorical predictor (after recoding; missing values not counted), by
 * variable id. Reference levels are included.
 */
export const levelCounts = (
  study: StudyDefinition,
  spec: AnalysisSpec,
  rows: ReadonlyArray<AnalysisRow>,
): Outcome<Record<string, Record<string, number>>, AnalysisSpecError> => {
  const counts: Record<string, Record<string, number>> = {}
  for (const variable of spec.predictors) {
    if (variable.coding._tag !== "Categorical") continue
    const coded = codeVariable(study, spec, variable, rows)
    if (!coded.ok) return coded
    const design = coded.value.design
    const tally: Record<string, number> = {}
    if (design.type === "categorical") for (const level of design.levels) tally[level] = 0
    for (const value of coded.value.values)
      if (typeof value === "string") tally[value] = (tally[value] ?? 0) + 1
    counts[variable.id] = tally
  }
  return succeed(counts)
}
