import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import type { ResultsEntry, ResultsFile, RunMeta, StudyDefinition } from "@standin/core"
import { runMetaFileName } from "@standin/core"
import type { EntryData } from "@standin/engine"
import { conversationsPath, syntheticCsv, worthLine } from "@standin/engine"

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

/**
 * Renders a model entry's conversations file (JSON lines); null for none (baselines answer without a
 * conversation). See `conversationsJsonl` in @standin/engine.
 */
export type ConversationsWriter = (entry: ResultsEntry, synthetic: EntryData["synthetic"]) => string | null

export const writeRunFiles = (
  out: string,
  study: StudyDefinition,
  results: ResultsFile,
  entries: ReadonlyArray<EntryData>,
  resultsName = "results.json",
  conversations?: ConversationsWriter,
): { readonly resultsPath: string; readonly files: ReadonlyArray<string> } => {
  const root = resolve(out)
  mkdirSync(root, { recursive: true })
  const staging = mkdtempSync(join(root, ".standin-staging-"))
  try {
    const files: Array<string> = []
    const conversationFiles = new Map<string, string>()
    const write = (file: string, content: string) => {
      const path = join(staging, file)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, content)
      files.push(file)
    }
    for (const { entry, synthetic } of entries) {
      if (entry.syntheticFile === null) continue
      write(entry.syntheticFile, syntheticCsv(study, synthetic))
      const lines = conversations?.(entry, synthetic) ?? null
      if (lines === null) continue
      const file = conversationsPath(entry.syntheticFile)
      write(file, lines)
      conversationFiles.set(entry.id, file)
    }
    const recorded =
      conversationFiles.size === 0
        ? results
        : {
            ...results,
            entries: results.entries.map((entry) => {
              const file = conversationFiles.get(entry.id)
              if (file === undefined) return entry
              // beside syntheticFile, in the schema's key order
              const { distributions, scores, fidelity, ppi, ...head } = entry
              return {
                ...head,
                conversationsFile: file,
                distributions,
                scores,
                fidelity,
                ...(ppi === undefined ? {} : { ppi }),
              }
            }),
          }
    writeFileSync(join(staging, resultsName), toJson(withoutReplicates(recorded)))
    for (const file of files) {
      mkdirSync(dirname(join(root, file)), { recursive: true })
      renameSync(join(staging, file), join(root, file))
    }
    renameSync(join(staging, resultsName), join(root, resultsName))
    return { resultsPath: join(root, resultsName), files: [...files, resultsName] }
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

/**
 * When the run happened, beside results.json (which holds no timestamp, so the same seed gives the same bytes).
 * Written after the results, atomically.
 */
export const writeRunMeta = (out: string, meta: RunMeta): void => {
  const target = join(resolve(out), runMetaFileName)
  const temporary = `${target}.${process.pid}.tmp`
  writeFileSync(temporary, toJson(meta))
  renameSync(temporary, target)
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

const interval = (ci: { readonly lower: number; readonly upper: number } | null | undefined): string =>
  ci === null || ci === undefined ? "" : `[${fmt(ci.lower, 2)}, ${fmt(ci.upper, 2)}]`

/**
 * The summary printed after a run: one row per entry, the headline of every metric, the valid-answer rate
 * (which enters fidelity), the overall fidelity with its interval, and the rank from paired comparisons.
 */
export const summaryTable = (results: ResultsFile): string => {
  const metrics = results.metrics
  const header = [
    "entry",
    "valid",
    "failed",
    ...metrics.map((m) => `${m.id.replace(/^metric-/, "")}${m.direction === "lower" ? "↓" : "↑"}`),
    "valid%",
    "fidelity",
    "95% CI",
    "rank",
  ]
  const rows = results.entries.map((entry) => {
    if (entry.status !== "ok")
      return [
        entry.id,
        "",
        "",
        ...metrics.map(() => ""),
        "",
        "",
        "",
        `${entry.status}: ${entry.statusReason ?? "no reason recorded"}`,
      ]
    const overall = entry.fidelity.overall
    return [
      entry.id,
      String(entry.counts.valid),
      String(entry.counts.failed),
      ...metrics.map((metric) =>
        fmt(entry.scores.find((score) => score.metric === metric.id)?.headline.value),
      ),
      entry.fidelity.validRate === undefined ? "–" : `${(entry.fidelity.validRate * 100).toFixed(1)}%`,
      `${fmt(overall.value, 2)}${overall.flag === undefined ? "" : " ⚑"}`,
      interval(overall.ci),
      entry.fidelity.rank === undefined || entry.fidelity.rank === null ? "" : String(entry.fidelity.rank),
    ]
  })
  return table(header, rows)
}

/** The "worth k humans" lines printed under the summary notes (empty when no entry has a ppi block). */
export const worthBlock = (results: ResultsFile): string => {
  const lines = results.entries.flatMap((entry) => worthLine(entry) ?? [])
  return lines.length === 0 ? "" : `worth k humans (PPI++, vs the pilot alone):\n${lines.join("\n")}`
}

/**
 * What the table cannot hold: what fidelity 0 and 1 mean, how invalid answers count, every fidelity outside
 * [0, 1] with its meaning, every flagged or unscorable headline with its reason, and ties from paired
 * comparisons. Printed under the summary table, so no reason stays buried in results.json.
 */
export const summaryNotes = (results: ResultsFile): string => {
  const lines: Array<string> = [
    "fidelity: 0 = uniform random answers (floor); 1 = another sample of different real people of this size (the split-half ceiling: each half of the holdout scored against donors from the other half), not test–retest agreement. Every entry's fidelity is computed the same way, half by half, so all compare at one sample size.",
    "valid%: twins whose every answer was valid; the invalid share counts at the floor (fidelity f ≥ 0 becomes valid% × f).",
  ]
  const flags: Array<string> = []
  for (const entry of results.entries) {
    if (entry.status !== "ok") continue
    if (entry.fidelity.overall.flag !== undefined)
      flags.push(
        `⚑ ${entry.id} overall fidelity ${fmt(entry.fidelity.overall.value, 2)}: ${entry.fidelity.overall.flag}`,
      )
    for (const [metric, fidelity] of Object.entries(entry.fidelity.perMetric))
      if (fidelity.flag !== undefined)
        flags.push(`⚑ ${entry.id} ${metric} fidelity ${fmt(fidelity.value, 2)}: ${fidelity.flag}`)
    for (const score of entry.scores) {
      const headline = score.measures.filter((measure) => measure.measure === score.headline.measure)
      const reasons = new Set<string>()
      for (const measure of headline) {
        if (measure.flagged !== undefined)
          reasons.add(measure.note === undefined ? measure.flagged : `${measure.flagged}: ${measure.note}`)
        else if (measure.value === null && measure.note !== undefined) reasons.add(measure.note)
      }
      if (score.headline.value === null) reasons.add("headline could not be scored")
      for (const reason of reasons) flags.push(`⚑ ${entry.id} ${score.metric} headline: ${reason}`)
    }
    const ties = (entry.fidelity.comparisons ?? []).filter((c) => !c.distinguishable).map((c) => c.entry)
    if (entry.baseline === undefined && ties.length > 0)
      lines.push(`${entry.id} cannot be told apart (paired bootstrap) from: ${ties.join(", ")}`)
  }
  return [...lines, ...flags].join("\n")
}

/** After `--splits K`: each entry's overall fidelity across splits (mean, between-split SD, interval). */
export const splitsTable = (results: ResultsFile): string => {
  const splits = results.splits
  if (splits === undefined) return ""
  const rows = splits.figures
    .filter((figure) => figure.figure === "overall")
    .map((figure) => [
      figure.entry,
      ...figure.values.map((value) => fmt(value, 2)),
      fmt(figure.mean, 2),
      fmt(figure.sd, 3),
      interval(figure.ci),
    ])
  return `overall fidelity over ${splits.count} splits (interval includes the between-split variance):\n${table(
    ["entry", ...splits.seeds.map((seed) => `seed ${seed}`), "mean", "SD", "95% CI"],
    rows,
  )}`
}
