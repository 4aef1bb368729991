import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import type { ResultsFile, StudyDefinition } from "@standin/core"
import type { EntryData } from "@standin/engine"
import { syntheticCsv } from "@standin/engine"

/** Stable JSON: keys in insertion order (the engine builds objects deterministically), two-space indent. */
export const toJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`

/**
 * Writes a run's files so that a crash never leaves a half-written results file: everything is written
 * into a temporary folder inside `out`, then renamed into place, results.json last. Renames within one
 * file system are atomic, so results.json is either the previous complete file or the new one.
 */
/**
 * The results as written: a metric score's `headlineReplicates` are in memory only (core's MetricScore),
 * never in results.json (where a NaN replicate would be a null no reader accepts).
 */
const withoutReplicates = (results: ResultsFile): ResultsFile => ({
  ...results,
  entries: results.entries.map((entry) => ({
    ...entry,
    scores: entry.scores.map(({ headlineReplicates: _dropped, ...score }) => score),
  })),
})

export const writeRunFiles = (
  out: string,
  study: StudyDefinition,
  results: ResultsFile,
  entries: ReadonlyArray<EntryData>,
): { readonly resultsPath: string; readonly files: ReadonlyArray<string> } => {
  const root = resolve(out)
  mkdirSync(root, { recursive: true })
  const staging = mkdtempSync(join(root, ".standin-staging-"))
  try {
    const files: Array<string> = []
    for (const { entry, synthetic } of entries) {
      if (entry.syntheticFile === null) continue
      const path = join(staging, entry.syntheticFile)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, syntheticCsv(study, synthetic))
      files.push(entry.syntheticFile)
    }
    writeFileSync(join(staging, "results.json"), toJson(withoutReplicates(results)))
    for (const file of files) {
      mkdirSync(dirname(join(root, file)), { recursive: true })
      renameSync(join(staging, file), join(root, file))
    }
    renameSync(join(staging, "results.json"), join(root, "results.json"))
    return { resultsPath: join(root, "results.json"), files: [...files, "results.json"] }
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

const pad = (text: string, width: number, right = false) =>
  right ? text.padStart(width) : text.padEnd(width)

/** A plain-text table; numbers right-aligned. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)))
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((row) => /^[-+$]?[\d.,]+%?$|^[–-]$|^$/.test(row[i] ?? "")),
  )
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, i) => pad(cell, widths[i]!, numeric[i]))
      .join("  ")
      .trimEnd()
  return [line(header), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n")
}

export const fmt = (value: number | null | undefined, digits = 3): string =>
  value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits)

/** The summary printed after a run: one row per entry, the headline of every metric and the overall fidelity. */
export const summaryTable = (results: ResultsFile): string => {
  const metrics = results.metrics
  const header = [
    "entry",
    "valid",
    "failed",
    ...metrics.map((m) => `${m.id.replace(/^metric-/, "")}${m.direction === "lower" ? "↓" : "↑"}`),
    "fidelity",
  ]
  const rows = results.entries.map((entry) => {
    if (entry.status !== "ok")
      return [entry.id, "", "", ...metrics.map(() => ""), `skipped: ${entry.statusReason ?? entry.status}`]
    return [
      entry.id,
      String(entry.counts.valid),
      String(entry.counts.failed),
      ...metrics.map((metric) =>
        fmt(entry.scores.find((score) => score.metric === metric.id)?.headline.value),
      ),
      fmt(entry.fidelity.overall.value, 2),
    ]
  })
  return table(header, rows)
}
