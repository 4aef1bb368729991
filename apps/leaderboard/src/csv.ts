import { type Aggregation, entryRefKey } from "./aggregate.js"
import type { LoadedResults } from "./load.js"
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

/** The tidy long CSV's columns, in order. */
export const longCsvColumns = [
  "study",
  "study_version",
  "run",
  "entry",
  "row",
  "label",
  "kind",
  "provider",
  "model",
  "elicitation",
  "demographics",
  "finetuner",
  "pilot_size",
  "pilot_sampling",
  "status",
  "twins",
  "valid",
  "metric",
  "measure",
  "key",
  "item",
  "arm",
  "attribute",
  "level",
  "term",
  "value",
  "ci_lower",
  "ci_upper",
  "ci_level",
  "ci_method",
  "human",
  "synthetic",
  "n",
  "flagged",
  "fidelity",
  "fidelity_lower",
  "fidelity_upper",
] as const

type LongField = (typeof longCsvColumns)[number]

/**
 * The tidy long CSV: one line per entry × study × metric × measure, every figure with its interval.
 * Per entry: a line for its overall fidelity (metric `overall`), per metric a `headline` line (key
 * `headline`, with the metric's normalised fidelity) and a line per measure. An entry without scores
 * (failed, skipped, or no valid answer) still gets its overall line, with its status and counts, so
 * nothing is missing silently. Empty fields are missing values (NA in R, NaN in pandas).
 */
export const longCsv = (loaded: ReadonlyArray<LoadedResults>, aggregation: Aggregation): string => {
  const lines = [csvLine(longCsvColumns)]
  const rows = new Map(
    [...aggregation.model.rows, ...aggregation.model.reference].map((row) => [row.key, row] as const),
  )
  loaded.forEach((file, index) => {
    const run = aggregation.runIds[index]!
    const study = aggregation.studyKeys[index]!
    for (const entry of file.results.entries) {
      const rowKey = aggregation.entryRows.get(entryRefKey(run, entry.id))
      if (rowKey === undefined) continue // a fake finetune
      const row = rows.get(rowKey)
      const common: Partial<Record<LongField, string | number | boolean | null | undefined>> = {
        study,
        study_version: file.results.study.version,
        run,
        entry: entry.id,
        row: rowKey,
        label: row?.label ?? entry.label,
        kind: row?.kind,
        provider: entry.provider,
        model: entry.model,
        elicitation: file.results.manifest.elicitation,
        demographics: entry.finetune?.includeDemographics ?? file.results.manifest.includeDemographics,
        finetuner: row?.finetune?.finetuner,
        pilot_size: entry.finetune?.pilotSize,
        pilot_sampling: row?.finetune?.sampling,
        status: entry.status,
        twins: entry.counts.twins,
        valid: entry.counts.valid,
      }
      const line = (fields: Partial<Record<LongField, string | number | boolean | null | undefined>>) => {
        const all = { ...common, ...fields }
        lines.push(csvLine(longCsvColumns.map((column) => all[column])))
      }
      const overall = entry.fidelity.overall
      line({
        metric: "overall",
        measure: "fidelity",
        key: "overall",
        fidelity: overall.value,
        fidelity_lower: overall.ci?.lower,
        fidelity_upper: overall.ci?.upper,
      })
      for (const score of entry.scores) {
        const fidelity = entry.fidelity.perMetric[score.metric]
        line({
          metric: score.metric,
          measure: score.headline.measure,
          key: "headline",
          value: score.headline.value,
          ci_lower: score.headline.ci?.lower,
          ci_upper: score.headline.ci?.upper,
          ci_level: score.headline.ci?.level,
          ci_method: score.headline.ci?.method,
          fidelity: fidelity?.value,
          fidelity_lower: fidelity?.ci?.lower,
          fidelity_upper: fidelity?.ci?.upper,
        })
        for (const measure of score.measures) {
          line({
            metric: score.metric,
            measure: measure.measure,
            key: measure.key,
            item: measure.item,
            arm: measure.arm,
            attribute: measure.attribute,
            level: measure.level,
            term: measure.term,
            value: measure.value,
            ci_lower: measure.ci?.lower,
            ci_upper: measure.ci?.upper,
            ci_level: measure.ci?.level,
            ci_method: measure.ci?.method,
            human: measure.human,
            synthetic: measure.synthetic,
            n: measure.n,
            flagged: measure.flagged,
          })
        }
      }
    }
  })
  return `${lines.join("\r\n")}\r\n`
}
