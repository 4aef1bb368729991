/**
 * What `study check` can find wrong with a study folder. Every problem names where it is: the file, and
 * the spreadsheet row and column (data problems) or the field path and line (definition problems).
 */
export type StudyProblemKind =
  /** The folder holds no study.yaml / study.yml / study.json. */
  | "study-file-missing"
  /** The study file is not valid YAML or JSON. */
  | "invalid-syntax"
  /** A field has the wrong type, is missing, is unknown, or a shorthand is ambiguous. */
  | "schema"
  /** The definition contradicts itself (unknown ids, levels that are not on a scale, …). */
  | "definition"
  /** Text that `study init` left for the author to fill in (a `TODO`). */
  | "placeholder"
  /** The data file is in none of the places it is looked for. */
  | "data-file-missing"
  /** The data file's sha256 is not the one the study declares. */
  | "checksum-mismatch"
  /** The data file is not valid CSV, or a row has the wrong number of cells. */
  | "invalid-csv"
  /** A column the study names is not in the data's header. */
  | "unknown-column"
  /** An empty or repeated respondent id. */
  | "respondent-id"
  /** A value in the arm column that is no arm's value. */
  | "unknown-arm-value"
  /** An arm that no respondent is in. */
  | "arm-without-respondents"
  /** A persona cell that is empty or holds a level the study does not declare. */
  | "persona-value"
  /** A declared persona level that no respondent has. */
  | "persona-level-unseen"
  /** An answer that is not on its item's scale. */
  | "value-outside-scale"
  /** An analysis variable's reference level that does not occur in the data. */
  | "reference-level-absent"
  /** An analysis variable that takes a single value in the data. */
  | "constant-variable"
  /** The data holds no respondent at all. */
  | "no-respondents"
  /** An analysis that cannot be estimated (found by an installed analysis checker). */
  | "analysis"

export interface StudyProblem {
  readonly kind: StudyProblemKind
  /** What is wrong, in words a study author can act on (without the location prefix). */
  readonly message: string
  /** The file the problem is in (as given to the check, usually relative to the study folder). */
  readonly file?: string
  /** 1-based line in the study file, where known. */
  readonly line?: number
  /** 1-based spreadsheet row of the data file (the header is row 1). */
  readonly row?: number
  readonly column?: string
  /** Path into the definition, e.g. `items[2].scale.options`. */
  readonly field?: string
}

/** `study.yaml:12: items[2].scale.options: expected an array` / `data.csv, row 7, column "q3": …`. */
export const formatProblem = (problem: StudyProblem): string => {
  const where: Array<string> = []
  if (problem.file !== undefined)
    where.push(problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`)
  if (problem.row !== undefined) where.push(`row ${problem.row}`)
  if (problem.column !== undefined) where.push(`column "${problem.column}"`)
  const prefix = where.join(", ")
  const field = problem.field === undefined || problem.field === "" ? "" : `${problem.field}: `
  return prefix === "" ? `${field}${problem.message}` : `${prefix}: ${field}${problem.message}`
}
