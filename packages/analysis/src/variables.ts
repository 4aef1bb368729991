import {
  type AnswerValue,
  type Persona,
  type StudyDefinition,
  scaleOptions,
  sourceLevels,
  sourceNumber,
  sourceValue,
  type VariableSource,
} from "@standin/core"

/** One respondent as an analysis sees it (a human, or a synthetic twin with its human's arm and persona). */
export interface AnalysisRow {
  readonly arm: string
  readonly persona: Persona
  readonly answers: Readonly<Record<string, AnswerValue>>
}

/** How an analysis reads one variable source: its declared levels and each row's raw value. */
export interface SourceReader {
  /** How the source is named in messages: `arm`, or the persona attribute's or item's id. */
  readonly name: string
  /** The declared levels in order (persona levels, item options, arm ids); empty for a numeric item. */
  readonly levels: ReadonlyArray<string>
  /** The row's raw value (undefined or null when missing). */
  readonly value: (row: AnalysisRow) => AnswerValue | undefined
  /**
   * The row's value as a number, for a numeric coding (core's `sourceNumber`): numbers as they are, Likert,
   * binary and ordered persona levels as their scores; null when missing or not numeric.
   */
  readonly number: (row: AnalysisRow) => number | null
  /** Whether a raw level counts as one of `accepted` (arms may be named by id or by their data value). */
  readonly accepts: (level: string, accepted: ReadonlySet<string>) => boolean
}

const plain = (level: string, accepted: ReadonlySet<string>) => accepted.has(level)

/**
 * The one place that knows where each kind of source lives in a row: every analysis reads variable values
 * (predictors, outcomes, subset conditions) through it, so a new source kind is one more case here. Null when
 * the source names a persona attribute or item the study does not declare.
 */
export const readSource = (study: StudyDefinition, source: VariableSource): SourceReader | null => {
  switch (source._tag) {
    case "Arm":
      return {
        name: "arm",
        levels: study.arms.map((arm) => arm.id),
        value: (row) => row.arm,
        number: () => null,
        accepts: (level, accepted) =>
          accepted.has(level) ||
          study.arms.some((arm) => arm.id === level && accepted.has(arm.value)) ||
          study.arms.some((arm) => arm.value === level && accepted.has(arm.id)),
      }
    case "Persona": {
      const attribute = study.persona.find((candidate) => candidate.id === source.attribute)
      if (attribute === undefined) return null
      return {
        name: source.attribute,
        levels: attribute.levels,
        // Numeric attributes (age in years) read as numbers.
        value: (row) => sourceValue(study, source, row),
        number: (row) => sourceNumber(study, source, row),
        accepts: plain,
      }
    }
    case "Item": {
      const item = study.items.find((candidate) => candidate.id === source.item)
      if (item === undefined) return null
      return {
        name: source.item,
        levels: scaleOptions(item.scale),
        value: (row) => row.answers[source.item],
        number: (row) => sourceNumber(study, source, row),
        accepts: plain,
      }
    }
    case "Derived": {
      // A derived variable (study `derived`), computed by core the same way for humans and twins.
      if (!(study.derived ?? []).some((candidate) => candidate.id === source.variable)) return null
      return {
        name: source.variable,
        levels: sourceLevels(study, source) ?? [],
        value: (row) => sourceValue(study, source, row),
        number: (row) => sourceNumber(study, source, row),
        accepts: plain,
      }
    }
    case "Factor": {
      const levels = sourceLevels(study, source)
      if (levels === null) return null
      return {
        name: source.factor,
        levels,
        value: (row) => sourceValue(study, source, row),
        number: () => null,
        accepts: plain,
      }
    }
  }
}

/** Missing: null, undefined, empty text or an empty multi-select. */
export const isMissing = (value: AnswerValue | undefined): value is null | undefined | "" | [] =>
  value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0)

/** Whether a raw value holds one of `accepted` (a multi-select value: any of its levels; missing: no). */
export const holdsLevel = (
  reader: SourceReader,
  value: AnswerValue | undefined,
  accepted: ReadonlySet<string>,
): boolean => {
  if (isMissing(value)) return false
  if (Array.isArray(value)) return value.some((level) => reader.accepts(level, accepted))
  return reader.accepts(String(value), accepted)
}
