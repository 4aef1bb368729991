import { existsSync, statSync } from "node:fs"
import { join, resolve } from "node:path"
import { InputError, type ResultsFile } from "@standin/core"
import { csvLine, type LoadedResults, loadResultsFile, resultsFileName } from "@standin/leaderboard"
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { splitsTable, summaryNotes, summaryTable, toJson, worthBlock } from "../output.js"

/** A results file, or a run's folder holding one. */
export const resultsPathOf = (path: string): string => {
  const absolute = resolve(path)
  return existsSync(absolute) && statSync(absolute).isDirectory() ? join(absolute, resultsFileName) : absolute
}

/** Reads an existing run's results (any supported schema version), naming the file when it cannot. */
export const readRunResults = (path: string): Effect.Effect<LoadedResults, InputError> =>
  loadResultsFile(resultsPathOf(path)).pipe(
    Effect.mapError(
      (error) =>
        new InputError({
          message:
            error.reason === "not-found"
              ? `no results at ${error.file}: give a run's --out folder or its results.json.`
              : `cannot read the results ${error.file}: ${error.message}`,
        }),
    ),
  )

/**
 * The summary `standin run` printed when the run ended: its table (the run's own function, so the bytes
 * are the same), the worth-k-humans lines and a line per skipped entry.
 */
export const runSummaryText = (results: ResultsFile): string =>
  `${[summaryTable(results), summaryNotes(results), worthBlock(results), splitsTable(results)]
    .filter((part) => part !== "")
    .map((part) => `${part}\n\n`)
    .join("")}${results.entries
    .filter((entry) => entry.status === "skipped")
    .map((entry) => `skipped ${entry.id}: ${entry.statusReason}\n`)
    .join("")}`

/** Each entry's figures, for scripts: counts, every metric's headline with its interval, fidelity. */
export const summaryRecords = (results: ResultsFile) =>
  results.entries.map((entry) => ({
    entry: entry.id,
    label: entry.label,
    provider: entry.provider,
    model: entry.model,
    baseline: entry.baseline ?? null,
    status: entry.status,
    statusReason: entry.statusReason ?? null,
    twins: entry.counts.twins,
    valid: entry.counts.valid,
    invalid: entry.counts.invalid,
    failed: entry.counts.failed,
    metrics: Object.fromEntries(
      results.metrics.map((metric) => {
        const headline = entry.scores.find((score) => score.metric === metric.id)?.headline
        return [
          metric.id,
          {
            measure: headline?.measure ?? metric.headline,
            value: headline?.value ?? null,
            lower: headline?.ci?.lower ?? null,
            upper: headline?.ci?.upper ?? null,
          },
        ]
      }),
    ),
    fidelity: {
      value: entry.fidelity.overall.value,
      lower: entry.fidelity.overall.ci?.lower ?? null,
      upper: entry.fidelity.overall.ci?.upper ?? null,
    },
  }))

const summaryCsv = (results: ResultsFile): string => {
  const metrics = results.metrics.map((metric) => metric.id)
  const header = [
    "entry",
    "label",
    "provider",
    "model",
    "baseline",
    "status",
    "status_reason",
    "twins",
    "valid",
    "invalid",
    "failed",
    ...metrics.flatMap((id) => [`${id}`, `${id}_lower`, `${id}_upper`]),
    "fidelity",
    "fidelity_lower",
    "fidelity_upper",
  ]
  const lines = summaryRecords(results).map((record) =>
    csvLine([
      record.entry,
      record.label,
      record.provider,
      record.model,
      record.baseline,
      record.status,
      record.statusReason,
      record.twins,
      record.valid,
      record.invalid,
      record.failed,
      ...metrics.flatMap((id) => [
        record.metrics[id]!.value,
        record.metrics[id]!.lower,
        record.metrics[id]!.upper,
      ]),
      record.fidelity.value,
      record.fidelity.lower,
      record.fidelity.upper,
    ]),
  )
  return `${[csvLine(header), ...lines].join("\n")}\n`
}

export const resultsCommand = (handle: (effect: Effect.Effect<void, unknown>) => Effect.Effect<void>) =>
  Command.make("results").pipe(
    Command.withDescription("Look at the results of a run that already finished."),
    Command.withSubcommands([
      Command.make(
        "show",
        {
          path: Argument.String("path").pipe(
            Argument.withDescription("A run's output folder (its --out) or its results.json."),
          ),
          format: Flag.Literals("format", ["table", "json", "csv"]).pipe(
            Flag.withDescription(
              "table: the summary `standin run` printed, byte for byte; json or csv: every entry's counts, metric headlines with intervals and fidelity.",
            ),
            Flag.withDefault("table" as const),
          ),
        },
        (input) =>
          handle(
            Effect.gen(function* () {
              const { results } = yield* readRunResults(input.path)
              process.stdout.write(
                input.format === "json"
                  ? toJson({
                      study: results.study.id,
                      version: results.study.version,
                      entries: summaryRecords(results),
                    })
                  : input.format === "csv"
                    ? summaryCsv(results)
                    : runSummaryText(results),
              )
            }),
          ),
      ).pipe(Command.withDescription("Print the summary of an existing run (table, json or csv).")),
    ]),
  )
