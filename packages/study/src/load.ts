import type { AnswerValue, Item, Persona, Respondent, StudyDefinition } from "@standin/core"
import { StudyDataError } from "@standin/core"
import { parse } from "csv-parse/sync"
import { Effect } from "effect"

/** A parsed CSV: the header and the records, each with its 1-based spreadsheet row (the header is row 1). */
export interface CsvTable {
  readonly header: ReadonlyArray<string>
  readonly records: ReadonlyArray<{ readonly row: number; readonly cells: ReadonlyArray<string> }>
}

/** Parses CSV text strictly: ragged rows and broken quoting are errors naming the file and row. */
export const parseCsv = (
  study: string,
  file: string,
  text: string,
): Effect.Effect<CsvTable, StudyDataError> =>
  Effect.try({
    try: () => {
      const rows = parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, {
        relax_column_count: true,
        skip_empty_lines: true,
      }) as Array<Array<string>>
      const [header, ...body] = rows
      if (header === undefined) throw new Error("the file is empty")
      return { header, records: body.map((cells, index) => ({ row: index + 2, cells })) }
    },
    catch: (cause) =>
      new StudyDataError({
        study,
        file,
        message: `${file} is not valid CSV: ${cause instanceof Error ? cause.message : String(cause)}`,
      }),
  }).pipe(
    Effect.flatMap((table) => {
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
    }),
  )

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

/**
 * Turns a CSV table into validated respondents. Strict: a missing column, an unknown arm, a persona
 * level or an answer outside the declared scale, a duplicate or empty id — each is an error naming the
 * file, the spreadsheet row and the column. Nothing is silently dropped or coerced.
 */
export const respondentsFromTable = (
  study: StudyDefinition,
  file: string,
  table: CsvTable,
): Effect.Effect<ReadonlyArray<Respondent>, StudyDataError> =>
  Effect.gen(function* () {
    const clean = (cell: string) => (study.trimWhitespace ? cell.trim() : cell)
    const columnIndex = new Map(table.header.map((name, index) => [clean(name), index]))
    const needed = [
      study.respondentId,
      study.armColumn,
      ...study.persona.map((attribute) => attribute.column),
      ...study.items.map((item) => item.column),
    ]
    const missing = needed.filter((column) => !columnIndex.has(column))
    if (missing.length > 0) {
      return yield* new StudyDataError({
        study: study.id,
        file,
        row: 1,
        column: missing[0]!,
        message: `${file}: the header lacks the column${missing.length > 1 ? "s" : ""} ${missing.map((c) => JSON.stringify(c)).join(", ")} that the study declares.`,
      })
    }
    const col = (name: string) => columnIndex.get(name)!
    const armByValue = new Map(study.arms.map((arm) => [arm.value, arm.id]))
    const seen = new Map<string, number>()
    const respondents: Array<Respondent> = []
    for (const record of table.records) {
      const cell = (column: string) => clean(record.cells[col(column)] ?? "")
      const fail = (column: string, message: string) =>
        new StudyDataError({
          study: study.id,
          file,
          row: record.row,
          column,
          message: `${file}, row ${record.row}, column "${column}": ${message}.`,
        })
      const id = cell(study.respondentId)
      if (id === "") return yield* fail(study.respondentId, "the respondent id is empty")
      const previous = seen.get(id)
      if (previous !== undefined)
        return yield* fail(
          study.respondentId,
          `the id ${JSON.stringify(id)} already appeared in row ${previous}`,
        )
      seen.set(id, record.row)
      const armValue = cell(study.armColumn)
      const arm = armByValue.get(armValue)
      if (arm === undefined) {
        return yield* fail(
          study.armColumn,
          `${describeValue(armValue)} is not an arm of this study (expected ${study.arms.map((a) => JSON.stringify(a.value)).join(" or ")})`,
        )
      }
      const persona: Record<string, string | ReadonlyArray<string>> = {}
      for (const attribute of study.persona) {
        const raw = cell(attribute.column)
        if (raw === "") return yield* fail(attribute.column, `the ${attribute.label.toLowerCase()} is empty`)
        if (attribute.multiple) {
          const parts = splitMulti(raw, attribute.separator ?? ",", attribute.levels)
          const unknown = parts.find((part) => !attribute.levels.includes(part))
          if (unknown !== undefined)
            return yield* fail(attribute.column, `${describeValue(unknown)} is not a declared level`)
          persona[attribute.id] = parts
        } else {
          if (!attribute.levels.includes(raw))
            return yield* fail(attribute.column, `${describeValue(raw)} is not a declared level`)
          persona[attribute.id] = raw
        }
      }
      const answers: Record<string, AnswerValue> = {}
      for (const item of study.items) {
        const parsed = parseAnswerCell(item, cell(item.column))
        if ("error" in parsed) return yield* fail(item.column, parsed.error)
        answers[item.id] = parsed.value
      }
      respondents.push({ id, row: record.row, arm, persona: persona as Persona, answers })
    }
    if (respondents.length === 0) {
      return yield* new StudyDataError({ study: study.id, file, message: `${file} holds no respondents.` })
    }
    return respondents
  })
