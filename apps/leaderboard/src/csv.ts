import type { LeaderboardModel, Row } from "./model.js"

/** RFC 4180 field: quoted when it holds a comma, quote, or line break. */
export const csvField = (value: string | number | boolean | null | undefined): string => {
  if (value === null || value === undefined) return ""
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export const csvLine = (fields: ReadonlyArray<string | number | boolean | null | undefined>): string =>
  fields.map(csvField).join(",")

/**
 * The leaderboard as one CSV: a line per row (model rows first, in overall order, then reference
 * rows), and for every column its value, interval bounds, rank and status.
 */
export const leaderboardCsv = (model: LeaderboardModel): string => {
  const header = [
    "row",
    "label",
    "kind",
    "provider",
    "model",
    "elicitation",
    "demographics",
    "finetuner",
    "pilot_size",
    "pilot_arms",
    "pilot_sampling",
  ]
  for (const column of model.columns) {
    for (const field of ["fidelity", "lower", "upper", "rank", "status"])
      header.push(`${column.key}:${field}`)
  }
  const line = (row: Row) => {
    const fields: Array<string | number | boolean | null | undefined> = [
      row.key,
      row.label,
      row.kind,
      row.provider,
      row.model,
      row.elicitation,
      row.includeDemographics,
      row.finetune?.finetuner,
      row.finetune?.size,
      row.finetune?.arms,
      row.finetune?.sampling,
    ]
    for (const column of model.columns) {
      const cell = row.cells[column.key]
      fields.push(
        cell?.value,
        cell?.ci?.lower,
        cell?.ci?.upper,
        cell?.rank,
        cell === undefined ? "not run" : cell.status,
      )
    }
    return csvLine(fields)
  }
  return [csvLine(header), ...model.rows.map(line), ...model.reference.map(line)].join("\r\n") + "\r\n"
}
