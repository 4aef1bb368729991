import type { AnswerValue, DataSource, Item, Persona, Respondent, StudyDefinition } from "@standin/core"
import { StudyDataError, skippedItems } from "@standin/core"
import { parse } from "csv-parse/sync"
import { Effect } from "effect"
import { formatProblem, type StudyProblem } from "./problems.js"

/** A parsed CSV: the header and the records, each with its 1-based spreadsheet row (the header is row 1). */
export interface CsvTable {
  readonly header: ReadonlyArray<string>
  readonly records: ReadonlyArray<{ readonly row: number; readonly cells: ReadonlyArray<string> }>
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

/**
 * A data file's bytes as text, or why they are not UTF-8: where the first bad byte is (line and byte
 * offset) and what to do. A file saved as Latin-1 or Windows-1252 (Excel's "CSV" on Windows) lands here,
 * instead of reaching the parser as replacement characters that later fail as unknown answer levels.
 */
export const decodeCsvBytes = (
  bytes: Uint8Array,
  encoding: DataSource["encoding"] = "utf-8",
): { readonly text: string } | { readonly error: string } => {
  if (encoding !== "utf-8") {
    try {
      return { text: new TextDecoder(encoding, { fatal: true }).decode(bytes) }
    } catch (cause) {
      return { error: `it is not valid ${encoding} as declared by data.encoding (${String(cause)})` }
    }
  }
  try {
    return { text: utf8.decode(bytes) }
  } catch {
    let offset = 0
    // the first byte sequence that is not valid UTF-8
    for (let length = bytes.length; offset < length; ) {
      const byte = bytes[offset]!
      const size =
        byte < 0x80
          ? 1
          : byte >= 0xc2 && byte < 0xe0
            ? 2
            : byte >= 0xe0 && byte < 0xf0
              ? 3
              : byte >= 0xf0 && byte < 0xf5
                ? 4
                : 0
      let valid = size > 0 && offset + size <= length
      for (let next = 1; valid && next < size; next++) valid = (bytes[offset + next]! & 0xc0) === 0x80
      if (valid && size > 1) {
        try {
          utf8.decode(bytes.subarray(offset, offset + size))
        } catch {
          valid = false
        }
      }
      if (!valid) break
      offset += size
    }
    let line = 1
    for (let index = 0; index < offset; index++) if (bytes[index] === 0x0a) line++
    return {
      error: `it is not UTF-8 (byte 0x${bytes[offset]?.toString(16).padStart(2, "0") ?? "??"} at line ${line}, byte ${offset + 1}, is not valid UTF-8; the file was probably saved as Latin-1 or Windows-1252). Save it as UTF-8 (in Excel: Save As → "CSV UTF-8"; or iconv -f WINDOWS-1252 -t UTF-8) and try again, or declare its encoding in the study (\`data: { encoding: windows-1252 }\`, with \`formatVersion: 2\`)`,
    }
  }
}

/** The cell separator of a data file: as declared, else a tab for `.tsv`/`.tab` files, else a comma. */
export const dataDelimiter = (source: Pick<DataSource, "file" | "delimiter">): string =>
  source.delimiter ?? (/\.(tsv|tab)$/i.test(source.file) ? "\t" : ",")

/** Parses CSV (or TSV) text, keeping rows of any length (callers decide what a ragged row means). */
export const parseCsvText = (
  text: string,
  delimiter = ",",
): { readonly table: CsvTable } | { readonly error: string } => {
  try {
    const rows = parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as Array<Array<string>>
    const [header, ...body] = rows
    if (header === undefined) return { error: "the file is empty" }
    return { table: { header, records: body.map((cells, index) => ({ row: index + 2, cells })) } }
  } catch (cause) {
    return { error: cause instanceof Error ? cause.message : String(cause) }
  }
}

/** Parses CSV text strictly: ragged rows and broken quoting are errors naming the file and row. */
export const parseCsv = (
  study: string,
  file: string,
  text: string,
  delimiter = ",",
): Effect.Effect<CsvTable, StudyDataError> => {
  const parsed = parseCsvText(text, delimiter)
  if ("error" in parsed) {
    return Effect.fail(
      new StudyDataError({ study, file, message: `${file} is not valid CSV: ${parsed.error}` }),
    )
  }
  const table = parsed.table
  const ragged = table.records.find((record) => record.cells.length !== table.header.length)
  return ragged === undefined
    ? Effect.succeed(table)
    : Effect.fail(
        new StudyDataError({
          study,
          file,
          row: ragged.row,
          message: `${file}, row ${ragged.row}: expected ${table.header.length} cells (as in the header), found ${ragged.cells.length}.`,
        }),
      )
}

/**
 * Reshapes a long-format table (one row per respondent × question) to one row per respondent, one column per
 * question, in the order respondents and questions first appear. Every other column must hold one value per
 * respondent. Each wide row keeps the spreadsheet row of its respondent's first long row, for messages.
 */
export const reshapeLong = (
  table: CsvTable,
  long: { readonly respondent: string; readonly question: string; readonly answer: string },
):
  | { readonly table: CsvTable }
  | { readonly error: string; readonly row?: number; readonly column?: string } => {
  const index = (name: string) => table.header.findIndex((cell) => cell.trim() === name)
  const [who, what, value] = [index(long.respondent), index(long.question), index(long.answer)]
  for (const [name, at, role] of [
    [long.respondent, who, "respondent"],
    [long.question, what, "question"],
    [long.answer, value, "answer"],
  ] as const)
    if (at === -1)
      return { error: `the header has no column "${name}" (data.long.${role})`, row: 1, column: name }
  const constant = table.header.map((_, i) => i).filter((i) => i !== who && i !== what && i !== value)
  const questions: Array<string> = []
  const people = new Map<
    string,
    { row: number; fixed: Array<string>; answers: Map<string, { cell: string; row: number }> }
  >()
  for (const record of table.records) {
    const id = (record.cells[who] ?? "").trim()
    const question = (record.cells[what] ?? "").trim()
    if (question === "")
      return { error: "the question cell is empty", row: record.row, column: long.question }
    if (!questions.includes(question)) questions.push(question)
    const fixed = constant.map((i) => record.cells[i] ?? "")
    const person = people.get(id)
    if (person === undefined) {
      people.set(id, {
        row: record.row,
        fixed,
        answers: new Map([[question, { cell: record.cells[value] ?? "", row: record.row }]]),
      })
      continue
    }
    const differs = constant.findIndex((_, k) => fixed[k] !== person.fixed[k])
    if (differs !== -1)
      return {
        error: `respondent ${JSON.stringify(id)} has ${JSON.stringify(fixed[differs])} here but ${JSON.stringify(person.fixed[differs])} in row ${person.row}: a column other than the question and the answer holds one value per respondent`,
        row: record.row,
        column: table.header[constant[differs]!]!,
      }
    const earlier = person.answers.get(question)
    if (earlier !== undefined)
      return {
        error: `respondent ${JSON.stringify(id)} answers ${JSON.stringify(question)} twice (also in row ${earlier.row})`,
        row: record.row,
        column: long.question,
      }
    person.answers.set(question, { cell: record.cells[value] ?? "", row: record.row })
  }
  const clash = questions.find((question) => constant.some((i) => table.header[i]!.trim() === question))
  if (clash !== undefined)
    return {
      error: `the question "${clash}" has the name of another column of the file`,
      column: long.question,
    }
  return {
    table: {
      header: [long.respondent, ...constant.map((i) => table.header[i]!), ...questions],
      records: [...people.entries()].map(([id, person]) => ({
        row: person.row,
        cells: [
          id,
          ...person.fixed,
          ...questions.map((question) => person.answers.get(question)?.cell ?? ""),
        ],
      })),
    },
  }
}

const describeValue = (value: string): string => (value === "" ? "an empty cell" : JSON.stringify(value))

/** Parses one cell into an answer on the item's scale, or explains why it cannot. Empty cells are missing (null). */
export const parseAnswerCell = (item: Item, raw: string): { value: AnswerValue } | { error: string } => {
  if (raw === "") return { value: null }
  const scale = item.scale
  switch (scale._tag) {
    case "Numeric": {
      const value = Number(raw)
      if (!Number.isFinite(value) || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) {
        return { error: `${describeValue(raw)} is not a number` }
      }
      if (value < scale.min || value > scale.max)
        return { error: `${value} is outside [${scale.min}, ${scale.max}]` }
      if (scale.integer && !Number.isInteger(value)) return { error: `${value} is not a whole number` }
      return { value }
    }
    case "MultiSelect": {
      const parts = splitMulti(raw, ",", scale.options)
      const unknown = parts.filter((part) => !scale.options.includes(part))
      if (unknown.length > 0) {
        return {
          error: `${unknown.map(describeValue).join(", ")} is not one of ${scale.options.map((o) => JSON.stringify(o)).join(", ")}`,
        }
      }
      return { value: parts }
    }
    default: {
      const options = scale.options as ReadonlyArray<string>
      if (!options.includes(raw)) {
        return {
          error: `${describeValue(raw)} is not one of ${options.map((o) => JSON.stringify(o)).join(", ")}`,
        }
      }
      return { value: raw }
    }
  }
}

/**
 * Splits a multi-select cell. Levels may themselves contain the separator (e.g. "Less than $25,000"),
 * so known levels are matched greedily first; what remains is split on the separator.
 */
export const splitMulti = (raw: string, separator: string, levels: ReadonlyArray<string>): Array<string> => {
  const byLength = [...levels].sort((a, b) => b.length - a.length)
  const out: Array<string> = []
  let rest = raw
  while (rest.length > 0) {
    const level = byLength.find((candidate) => rest === candidate || rest.startsWith(candidate + separator))
    if (level !== undefined) {
      out.push(level)
      rest = rest.slice(level.length + separator.length)
      continue
    }
    const cut = rest.indexOf(separator)
    out.push((cut === -1 ? rest : rest.slice(0, cut)).trim())
    rest = cut === -1 ? "" : rest.slice(cut + separator.length)
  }
  return out
}

export interface TableInspection {
  /** The rows without any problem, as respondents. */
  readonly respondents: ReadonlyArray<Respondent>
  /** Every problem found, in row order (header problems first), each naming the file, row and column. */
  readonly problems: ReadonlyArray<StudyProblem>
}

/** The definition field that declares a column, for messages. */
const declaredBy = (study: StudyDefinition, column: string): string => {
  if (column === study.respondentId) return "respondentId"
  if (column === study.armColumn) return "armColumn"
  const factor = (study.factors ?? []).findIndex((f) => f.column === column)
  if (factor !== -1) return `factors[${factor}].column`
  const attribute = study.persona.findIndex((a) => a.column === column)
  if (attribute !== -1) return `persona[${attribute}].column`
  const item = study.items.findIndex((i) => i.column === column)
  return item !== -1 ? `items[${item}].column` : "privateColumns"
}

/** The id given to a respondent of a file without an id column: its spreadsheet row (`r2` is the first). */
export const rowRespondentId = (row: number): string => `r${row}`

/**
 * Checks every row of a CSV table against a study definition and collects all problems: a declared
 * column missing from the header, a row with the wrong number of cells, an empty or repeated id, an
 * unknown arm or factor level, an empty or undeclared persona level, an answer outside its item's scale.
 * Declared missing codes read as missing (a persona leaves the attribute out; an answer is null), value
 * labels turn codes into levels. Rows with a problem are left out of `respondents`; nothing is coerced.
 */
export const inspectTable = (study: StudyDefinition, file: string, table: CsvTable): TableInspection => {
  const problems: Array<StudyProblem> = []
  const clean = (cell: string) => (study.trimWhitespace ? cell.trim() : cell)
  const columnIndex = new Map(table.header.map((name, index) => [clean(name), index]))
  const factors = study.factors ?? []
  const needed = [
    ...(study.respondentId === undefined ? [] : [study.respondentId]),
    ...(study.armColumn === undefined ? [] : [study.armColumn]),
    ...factors.map((factor) => factor.column),
    ...study.persona.map((attribute) => attribute.column),
    ...study.items.map((item) => item.column),
  ]
  for (const column of needed) {
    if (!columnIndex.has(column)) {
      const field = declaredBy(study, column)
      problems.push({
        kind: "unknown-column",
        file,
        row: 1,
        column,
        message: `the header has no such column (declared by ${field})`,
      })
    }
  }
  const studyMissing = new Set(study.missingCodes ?? [])
  const isMissing = (raw: string, own: ReadonlyArray<string> | undefined) =>
    studyMissing.has(raw) || (own?.includes(raw) ?? false)
  const missingHint =
    ' (if an empty cell means "no answer" here, declare it: `missingCodes: [""]`, with `formatVersion: 2`)'
  const armByValue = new Map(study.arms.map((arm) => [arm.value, arm.id]))
  const armByCell = new Map(
    study.arms.map((arm) => [factors.map((factor) => arm.factors?.[factor.id] ?? "").join("\u0000"), arm.id]),
  )
  const seen = new Map<string, number>()
  const respondents: Array<Respondent> = []
  for (const record of table.records) {
    if (record.cells.length !== table.header.length) {
      problems.push({
        kind: "invalid-csv",
        file,
        row: record.row,
        message: `expected ${table.header.length} cells (as in the header), found ${record.cells.length}`,
      })
      continue
    }
    const before = problems.length
    const cell = (column: string): string | undefined => {
      const index = columnIndex.get(column)
      return index === undefined ? undefined : clean(record.cells[index] ?? "")
    }
    const fail = (kind: StudyProblem["kind"], column: string, message: string) =>
      problems.push({ kind, file, row: record.row, column, message })
    let id: string | undefined
    if (study.respondentId === undefined) id = rowRespondentId(record.row)
    else {
      const idColumn = study.respondentId
      id = cell(idColumn)
      if (id === "") fail("respondent-id", idColumn, "the respondent id is empty")
      else if (id !== undefined) {
        const previous = seen.get(id)
        if (previous !== undefined)
          fail("respondent-id", idColumn, `the id ${JSON.stringify(id)} already appeared in row ${previous}`)
        else seen.set(id, record.row)
      }
    }
    let arm: string | undefined
    if (study.factors !== undefined) {
      const levels: Array<string> = []
      for (const factor of factors) {
        const value = cell(factor.column)
        if (value === undefined) continue
        const level = factor.levels.find((candidate) => candidate.value === value)
        if (level === undefined)
          fail(
            "unknown-arm-value",
            factor.column,
            `${describeValue(value)} is not a level of factor "${factor.id}" (expected ${factor.levels.map((l) => JSON.stringify(l.value)).join(" or ")})`,
          )
        else levels.push(level.id)
      }
      if (levels.length === factors.length) arm = armByCell.get(levels.join("\u0000"))
    } else if (study.armColumn !== undefined) {
      const armColumn = study.armColumn
      const armValue = cell(armColumn)
      arm = armValue === undefined ? undefined : armByValue.get(armValue)
      if (armValue !== undefined && arm === undefined) {
        fail(
          "unknown-arm-value",
          armColumn,
          `${describeValue(armValue)} is not an arm of this study (expected ${study.arms.map((a) => JSON.stringify(a.value)).join(" or ")})`,
        )
      }
    } else arm = study.arms[0]?.id
    const persona: Record<string, string | ReadonlyArray<string>> = {}
    for (const attribute of study.persona) {
      const cellValue = cell(attribute.column)
      if (cellValue === undefined || isMissing(cellValue, attribute.missing)) continue
      const raw = attribute.labels?.[cellValue] ?? cellValue
      if (raw === "") {
        fail("persona-value", attribute.column, `the ${attribute.label.toLowerCase()} is empty${missingHint}`)
      } else if (attribute.numeric !== undefined) {
        if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw))
          fail(
            "persona-value",
            attribute.column,
            `${describeValue(raw)} is not a number (declare it in \`missing\` or \`missingCodes\` if it means "unknown")`,
          )
        else persona[attribute.id] = String(Number(raw))
      } else if (attribute.multiple) {
        const parts = splitMulti(raw, attribute.separator ?? ",", attribute.levels)
        const unknown = parts.find((part) => !attribute.levels.includes(part))
        if (unknown !== undefined)
          fail("persona-value", attribute.column, `${describeValue(unknown)} is not a declared level`)
        persona[attribute.id] = parts
      } else {
        if (!attribute.levels.includes(raw))
          fail(
            "persona-value",
            attribute.column,
            `${describeValue(raw)} is not a declared level${attribute.labels === undefined ? "" : " or value label"}`,
          )
        persona[attribute.id] = raw
      }
    }
    const answers: Record<string, AnswerValue> = {}
    const offScale = new Map<string, string>()
    for (const item of study.items) {
      const raw = cell(item.column)
      if (raw === undefined) continue
      if (isMissing(raw, item.missing)) {
        answers[item.id] = null
        continue
      }
      const parsed = parseAnswerCell(item, item.labels?.[raw] ?? raw)
      const offered = arm === undefined ? undefined : item.optionsByArm?.[arm]
      if ("error" in parsed) {
        offScale.set(item.id, parsed.error)
        answers[item.id] = null
      } else if (
        offered !== undefined &&
        (Array.isArray(parsed.value) ? parsed.value : [parsed.value]).some(
          (value) => typeof value === "string" && !offered.includes(value),
        )
      ) {
        offScale.set(
          item.id,
          `${describeValue(String(parsed.value))} was not offered in arm "${arm}" (its options: ${offered.map((o) => JSON.stringify(o)).join(", ")})`,
        )
        answers[item.id] = null
      } else answers[item.id] = parsed.value
    }
    // Skip logic: an item this respondent was not asked is missing, whatever its cell holds (often filler).
    const notAsked =
      arm === undefined ? [] : skippedItems(study, { arm, persona: persona as Persona, answers })
    for (const id of notAsked) answers[id] = null
    for (const item of study.items) {
      const error = offScale.get(item.id)
      if (error !== undefined && !notAsked.includes(item.id)) fail("value-outside-scale", item.column, error)
    }
    if (problems.length === before && id !== undefined && arm !== undefined) {
      respondents.push({ id, row: record.row, arm, persona: persona as Persona, answers })
    }
  }
  if (table.records.length === 0) {
    problems.push({ kind: "no-respondents", file, message: "the file holds no respondents (only a header)" })
  }
  return { respondents, problems }
}

/**
 * Turns a CSV table into validated respondents. Strict: a missing column, an unknown arm, a persona
 * level or an answer outside the declared scale, a duplicate or empty id — each is an error naming the
 * file, the spreadsheet row and the column. Nothing is silently dropped or coerced.
 */
export const respondentsFromTable = (
  study: StudyDefinition,
  file: string,
  table: CsvTable,
): Effect.Effect<ReadonlyArray<Respondent>, StudyDataError> => {
  const inspection = inspectTable(study, file, table)
  const missing = inspection.problems.filter((problem) => problem.kind === "unknown-column")
  if (missing.length > 0) {
    const names = missing.map((problem) => JSON.stringify(problem.column))
    return Effect.fail(
      new StudyDataError({
        study: study.id,
        file,
        row: 1,
        column: missing[0]!.column!,
        message: `${file}: the header lacks the column${names.length > 1 ? "s" : ""} ${names.join(", ")} that the study declares.`,
      }),
    )
  }
  const first = inspection.problems[0]
  if (first !== undefined) {
    return Effect.fail(
      new StudyDataError({
        study: study.id,
        file,
        ...(first.row === undefined ? {} : { row: first.row }),
        ...(first.column === undefined ? {} : { column: first.column }),
        message:
          first.kind === "no-respondents" ? `${file} holds no respondents.` : `${formatProblem(first)}.`,
      }),
    )
  }
  return Effect.succeed(inspection.respondents)
}
