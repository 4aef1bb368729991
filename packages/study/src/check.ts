import { readFileSync } from "node:fs"
import { basename, relative } from "node:path"
import type { AnalysisVariable, Respondent, StudyDefinition } from "@standin/core"
import { checkExpression, isExpressionProblem, sourceNumber, sourceValue } from "@standin/core"
import { Effect, Result } from "effect"
import { readStudyFolder } from "./folder.js"
import { dataDelimiter, decodeCsvBytes, inspectTable, parseCsvText, reshapeLong, splitMulti } from "./load.js"
import type { StudyProblem } from "./problems.js"
import { dataLocations, localDataCandidates, resolveDataFile, sha256 } from "./resolve-data.js"

/**
 * The extension point for analysis identifiability (a rank-deficient design, complete separation in a
 * logistic model, …). Those need the regression machinery of @standin/stats, so this package does not
 * check them itself: the CLI passes a checker built on stats. It receives the decoded study and its
 * valid respondents, and returns problems of kind "analysis" naming the field (`analyses[0]…`).
 */
export type CheckAnalyses = (
  study: StudyDefinition,
  respondents: ReadonlyArray<Respondent>,
) => ReadonlyArray<StudyProblem>

export interface StudyCheckOptions {
  /** Identifiability checks of the declared analyses; when absent, they are reported as not checked. */
  readonly checkAnalyses?: CheckAnalyses
  /** Row-level problems listed per kind and column before the rest are counted (default 5). */
  readonly maxRowsPerProblem?: number
}

export interface StudyCheckReport {
  /** The study folder, absolute. */
  readonly dir: string
  /** The definition file, absolute, if found. */
  readonly file: string | undefined
  readonly study: StudyDefinition | undefined
  /** The data file that was checked, absolute, if found. */
  readonly dataFile: string | undefined
  /** Data rows read (excluding the header), and those without any problem. */
  readonly rows: number | undefined
  readonly respondents: number | undefined
  readonly problems: ReadonlyArray<StudyProblem>
  /** Row-level problems left out of `problems` beyond the per-kind limit (they are summarised). */
  readonly omitted: number
  /** Whether the declared analyses were checked for identifiability (a checker was installed and ran). */
  readonly analysesChecked: boolean
}

/** Fields a study author must write themselves; `study init` leaves them as `TODO: …`. */
const placeholderFields = (study: StudyDefinition): Array<[string, string]> => [
  ["title", study.title],
  ["description", study.description],
  ["citation", study.citation],
  ["preamble", study.preamble],
  ...study.arms.flatMap(
    (arm, i): Array<[string, string]> => [
      [`arms[${i}].label`, arm.label],
      [`arms[${i}].stimulus`, arm.stimulus],
    ],
  ),
  ...study.persona.flatMap(
    (attribute, i): Array<[string, string]> => [
      [`persona[${i}].label`, attribute.label],
      [`persona[${i}].template`, attribute.template],
    ],
  ),
  ...study.items.flatMap(
    (item, i): Array<[string, string]> => [
      [`items[${i}].label`, item.label],
      [`items[${i}].wording`, item.wording],
    ],
  ),
  ...(study.pages ?? []).flatMap(
    (page, i): Array<[string, string]> =>
      page.context === undefined ? [] : [[`pages[${i}].context`, page.context]],
  ),
]

/** The value a variable takes for one respondent after coding (null when the source is missing). */
const codedValue = (
  study: StudyDefinition,
  variable: AnalysisVariable,
  respondent: Respondent,
): string | number | null => {
  const coding = variable.coding
  if (coding._tag === "Numeric") return sourceNumber(study, variable.source, respondent)
  const raw = sourceValue(study, variable.source, respondent)
  if (raw === null || raw === undefined) return null
  switch (coding._tag) {
    case "Indicator": {
      const values = typeof raw === "string" || typeof raw === "number" ? [String(raw)] : raw
      return values.some((value) => coding.levels.includes(value)) ? 1 : 0
    }
    case "Categorical": {
      if (typeof raw === "number") return String(raw)
      if (typeof raw === "string") return coding.recode?.[raw] ?? raw
      if (raw.length === 1) return coding.recode?.[raw[0]!] ?? raw[0]!
      return coding.multiple ?? raw.join(",")
    }
  }
}

const analysisDataProblems = (
  study: StudyDefinition,
  respondents: ReadonlyArray<Respondent>,
): Array<StudyProblem> => {
  const problems: Array<StudyProblem> = []
  study.analyses.forEach((analysis, a) => {
    const variables: Array<[string, AnalysisVariable]> = [
      [`analyses[${a}].outcome`, analysis.outcome],
      ...analysis.predictors.map((p, i): [string, AnalysisVariable] => [
        `analyses[${a}].predictors[${i}]`,
        p,
      ]),
    ]
    for (const [field, variable] of variables) {
      const source = variable.source
      // A derived variable whose expression is wrong is reported once, where it is declared.
      if (source._tag === "Derived") {
        const declared = study.derived?.find((candidate) => candidate.id === source.variable)
        if (
          declared === undefined ||
          isExpressionProblem(checkExpression(study, declared.expression, [declared.id]))
        )
          continue
      }
      const counts = new Map<string | number, number>()
      for (const respondent of respondents) {
        const value = codedValue(study, variable, respondent)
        if (value !== null) counts.set(value, (counts.get(value) ?? 0) + 1)
      }
      const coding = variable.coding
      if (coding._tag === "Categorical" && !counts.has(coding.reference)) {
        const seen = [...counts.keys()].map((level) => JSON.stringify(level)).join(", ")
        problems.push({
          kind: "reference-level-absent",
          field: `${field}.coding.reference`,
          message: `the reference level "${coding.reference}" of "${variable.id}" occurs in no respondent (levels in the data: ${seen === "" ? "none" : seen})`,
        })
        continue
      }
      if (counts.size === 0) {
        problems.push({
          kind: "constant-variable",
          field,
          message: `"${variable.id}" has no value in any respondent`,
        })
      } else if (counts.size === 1) {
        const only = [...counts.keys()][0]!
        const what =
          coding._tag === "Indicator"
            ? only === 1
              ? `every respondent has one of ${coding.levels.map((l) => JSON.stringify(l)).join(", ")}`
              : `no respondent has ${coding.levels.map((l) => JSON.stringify(l)).join(" or ")}`
            : `every respondent has ${JSON.stringify(only)}`
        problems.push({
          kind: "constant-variable",
          field,
          message: `"${variable.id}" is constant in the data (${what}), so its coefficient cannot be estimated`,
        })
      }
    }
  })
  return problems
}

/** Keeps the first `limit` row problems of each (kind, column) and summarises the rest. */
const capRowProblems = (
  problems: ReadonlyArray<StudyProblem>,
  limit: number,
): { readonly kept: Array<StudyProblem>; readonly omitted: number } => {
  const kept: Array<StudyProblem> = []
  const counts = new Map<string, number>()
  const extra = new Map<string, { problem: StudyProblem; count: number }>()
  for (const problem of problems) {
    if (problem.row === undefined || problem.row === 1) {
      kept.push(problem)
      continue
    }
    const key = `${problem.kind}\u0000${problem.column ?? ""}`
    const seen = counts.get(key) ?? 0
    counts.set(key, seen + 1)
    if (seen < limit) kept.push(problem)
    else {
      const entry = extra.get(key)
      if (entry === undefined) extra.set(key, { problem, count: 1 })
      else entry.count++
    }
  }
  let omitted = 0
  for (const { problem, count } of extra.values()) {
    omitted += count
    kept.push({
      kind: problem.kind,
      ...(problem.file === undefined ? {} : { file: problem.file }),
      ...(problem.column === undefined ? {} : { column: problem.column }),
      message: `${count} more row${count === 1 ? "" : "s"} with the same kind of problem (first at row ${problem.row})`,
    })
  }
  return { kept, omitted }
}

/**
 * Checks a study folder: its definition file (syntax, schema, consistency, text left to fill in), its
 * data file (found, checksum, valid CSV) and the data against the definition (every column, every cell,
 * every arm and declared persona level, the analyses' reference levels and constant variables), then the
 * installed analysis checker. Collects every problem it can instead of stopping at the first.
 */
export const checkStudyFolder = (
  dir: string,
  options: StudyCheckOptions = {},
): Effect.Effect<StudyCheckReport> =>
  Effect.gen(function* () {
    const read = yield* readStudyFolder(dir)
    const empty = {
      dir: read.dir,
      file: read.path,
      study: read.definition,
      dataFile: undefined,
      rows: undefined,
      respondents: undefined,
      omitted: 0,
      analysesChecked: false,
    }
    const study = read.definition
    if (study === undefined || read.path === undefined) return { ...empty, problems: read.problems }
    const fileName = basename(read.path)
    const inStudyFile = (problem: StudyProblem): StudyProblem => {
      const line = problem.field === undefined ? undefined : read.lineOf(problem.field)
      return { ...problem, file: fileName, ...(line === undefined ? {} : { line }) }
    }
    const problems: Array<StudyProblem> = [...read.problems]
    for (const [field, text] of placeholderFields(study)) {
      if (/\bTODO\b/.test(text)) {
        problems.push(
          inStudyFile({
            kind: "placeholder",
            field,
            message: `still a placeholder: ${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)}`,
          }),
        )
      }
    }

    // The data file: where it is, whether it is the declared version, whether it parses.
    const locations = { ...(yield* dataLocations), studyDir: read.dir }
    const local = localDataCandidates(study.data, locations)
    let bytes: Buffer | undefined
    let dataFile: string | undefined
    if (local.found !== undefined) {
      dataFile = local.found
      try {
        bytes = readFileSync(local.found)
      } catch (cause) {
        problems.push(
          inStudyFile({
            kind: "data-file-missing",
            field: "data.file",
            message: `cannot read ${local.found}: ${String(cause)}`,
          }),
        )
      }
      const actual = bytes === undefined ? undefined : sha256(bytes)
      if (actual !== undefined && actual !== study.data.sha256.toLowerCase()) {
        problems.push(
          inStudyFile({
            kind: "checksum-mismatch",
            field: "data.sha256",
            message: `${local.found} has sha256 ${actual}, not the declared ${study.data.sha256}. If the data changed on purpose, set data.sha256 to ${actual}; otherwise restore the original file.`,
          }),
        )
        bytes = undefined
      }
    } else if (study.data.url !== undefined && locations.allowDownload) {
      const downloaded = yield* Effect.result(resolveDataFile(study.id, study.data, locations))
      if (Result.isSuccess(downloaded)) {
        dataFile = downloaded.success.path
        bytes = downloaded.success.bytes
      } else {
        const message = downloaded.failure.message
        problems.push(
          inStudyFile({
            kind: message.startsWith("checksum mismatch") ? "checksum-mismatch" : "data-file-missing",
            field: message.startsWith("checksum mismatch") ? "data.sha256" : "data.file",
            message,
          }),
        )
      }
    } else {
      problems.push(
        inStudyFile({
          kind: "data-file-missing",
          field: "data.file",
          message: `the data file "${study.data.file}" was not found (looked in: ${local.tried.join(", ")}). Put it in the study folder, or set STANDIN_DATA_DIR to a folder holding ${study.data.directory}/${study.data.file}.`,
        }),
      )
    }
    if (bytes === undefined || dataFile === undefined) return { ...empty, problems }

    const dataName = dataFile.startsWith(read.dir) ? relative(read.dir, dataFile) : dataFile
    const decoded = decodeCsvBytes(bytes, study.data.encoding)
    if ("error" in decoded) {
      problems.push({ kind: "invalid-csv", file: dataName, message: decoded.error })
      return { ...empty, dataFile, problems }
    }
    const parsed = parseCsvText(decoded.text, dataDelimiter(study.data))
    if ("error" in parsed) {
      problems.push({
        kind: "invalid-csv",
        file: dataName,
        message: `not valid ${dataDelimiter(study.data) === "\t" ? "TSV" : "CSV"}: ${parsed.error}`,
      })
      return { ...empty, dataFile, problems }
    }
    const long = study.data.long
    const reshaped = long === undefined ? { table: parsed.table } : reshapeLong(parsed.table, long)
    if ("error" in reshaped) {
      problems.push({
        kind: "invalid-csv",
        file: dataName,
        ...(reshaped.row === undefined ? {} : { row: reshaped.row }),
        ...(reshaped.column === undefined ? {} : { column: reshaped.column }),
        message: `cannot reshape the long-format file (data.long): ${reshaped.error}`,
      })
      return { ...empty, dataFile, problems }
    }
    const table = reshaped.table
    const inspection = inspectTable(study, dataName, table)
    const capped = capRowProblems(inspection.problems, options.maxRowsPerProblem ?? 5)
    problems.push(...capped.kept)

    // What the data says about the definition: arms and persona levels nobody is in.
    const clean = (cell: string) => (study.trimWhitespace ? cell.trim() : cell)
    const column = new Map(table.header.map((name, index) => [clean(name), index]))
    const cells = (name: string): Array<string> => {
      const index = column.get(name)
      return index === undefined ? [] : table.records.map((record) => clean(record.cells[index] ?? ""))
    }
    const armColumn = study.armColumn
    if (armColumn !== undefined && column.has(armColumn)) {
      const values = new Set(cells(armColumn))
      study.arms.forEach((arm, index) => {
        if (!values.has(arm.value)) {
          problems.push(
            inStudyFile({
              kind: "arm-without-respondents",
              field: `arms[${index}].value`,
              message: `no respondent is in arm "${arm.id}": no row of ${dataName} has "${arm.value}" in column "${armColumn}"`,
            }),
          )
        }
      })
    }
    ;(study.factors ?? []).forEach((factor, index) => {
      if (!column.has(factor.column)) return
      const values = new Set(cells(factor.column))
      factor.levels.forEach((level, l) => {
        if (!values.has(level.value))
          problems.push(
            inStudyFile({
              kind: "arm-without-respondents",
              field: `factors[${index}].levels[${l}].value`,
              message: `no respondent has level "${level.id}" of factor "${factor.id}": no row of ${dataName} has "${level.value}" in column "${factor.column}"`,
            }),
          )
      })
    })
    study.persona.forEach((attribute, index) => {
      if (!column.has(attribute.column) || attribute.numeric !== undefined) return
      const seen = new Set<string>()
      for (const raw of cells(attribute.column)) {
        const cell = attribute.labels?.[raw] ?? raw
        if (attribute.multiple)
          for (const part of splitMulti(cell, attribute.separator ?? ",", attribute.levels)) seen.add(part)
        else seen.add(cell)
      }
      const unseen = attribute.levels.filter((level) => !seen.has(level))
      for (const level of unseen) {
        problems.push(
          inStudyFile({
            kind: "persona-level-unseen",
            field: `persona[${index}].levels`,
            message: `the level "${level}" of "${attribute.id}" occurs in no row of ${dataName} (a typo, or a level to remove)`,
          }),
        )
      }
    })
    const respondents = inspection.respondents
    // A combination of factor levels nobody is in: the design is not fully crossed.
    if (study.factors !== undefined && respondents.length > 0) {
      const occupied = new Set(respondents.map((respondent) => respondent.arm))
      study.arms.forEach((arm, index) => {
        if (occupied.has(arm.id)) return
        problems.push(
          inStudyFile({
            kind: "arm-without-respondents",
            field: "factors",
            message: `no valid row of ${dataName} is in arm "${arm.id}" (${Object.entries(arm.factors ?? {})
              .map(([factor, level]) => `${factor} = ${level}`)
              .join(
                ", ",
              )}): if the design is not fully crossed, list the arms that occur under \`arms\`, each with its \`factors\` (arm ${index + 1} of ${study.arms.length})`,
          }),
        )
      })
    }
    if (respondents.length > 0) problems.push(...analysisDataProblems(study, respondents).map(inStudyFile))

    const definitionSound = !problems.some((problem) => problem.kind === "definition")
    const runAnalyses = options.checkAnalyses !== undefined && definitionSound && respondents.length > 0
    if (runAnalyses) {
      const found = options.checkAnalyses!(study, respondents)
      problems.push(...found.map((problem) => (problem.file === undefined ? inStudyFile(problem) : problem)))
    }
    return {
      ...empty,
      dataFile,
      rows: table.records.length,
      respondents: respondents.length,
      problems,
      omitted: capped.omitted,
      analysesChecked: runAnalyses,
    }
  })
