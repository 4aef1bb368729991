import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { InputError } from "@standin/core"
import {
  type BatchEvent,
  type BudgetReport,
  defaultPriceTable,
  mergePrices,
  PriceOverrides,
  type PriceTable,
  type ProgressSnapshot,
  type RunPlan,
} from "@standin/engine"
import { dataLocations } from "@standin/study"
import { Effect, Schema } from "effect"
import { table } from "./output.js"

/** The call store: `--store`, else `store.sqlite` in the user cache (STANDIN_CACHE_DIR, XDG_CACHE_HOME, ~/.cache). */
export const storePath = (flag: string | undefined): Effect.Effect<string> =>
  flag !== undefined
    ? Effect.succeed(resolve(flag))
    : Effect.map(dataLocations, (locations) => join(locations.cacheDir, "store.sqlite"))

/** The bundled price table with `--prices file.json` laid over it (`{ "<provider>": { "<model>": { input, output } } }`). */
export const loadPrices = (file: string | undefined): Effect.Effect<PriceTable, InputError> => {
  if (file === undefined) return Effect.succeed(defaultPriceTable)
  const fail = (why: string) =>
    Effect.fail(
      new InputError({
        flag: "--prices",
        message: `--prices ${file}: ${why}. Give a JSON object of USD per 1M tokens by provider and model, e.g. {"openai": {"gpt-4o-mini": {"input": 0.15, "output": 0.6}}}.`,
      }),
    )
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch {
    return fail("cannot be read")
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return fail("is not JSON")
  }
  const decoded = Schema.decodeUnknownOption(PriceOverrides)(value)
  if (decoded._tag === "None") return fail("does not have that shape")
  const overrides = decoded.value
  for (const models of Object.values(overrides))
    for (const price of Object.values(models))
      if (!(price.input >= 0 && price.output >= 0)) return fail("has a negative or non-numeric price")
  return Effect.succeed(mergePrices(defaultPriceTable, overrides))
}

/** Dollars to the cent from $10, to a hundredth of a cent from $1, else to a ten-thousandth of a cent. */
const dollars = (value: number | null): string =>
  value === null ? "unknown" : `$${value.toFixed(value >= 10 ? 2 : value >= 1 ? 4 : 6)}`
const count = (value: number): string => value.toLocaleString("en-US")

/** The dry run's table: per provider the calls, estimated tokens and cost; then what re-asks may add. */
export const planTable = (plan: RunPlan, maxReasks: number): string => {
  const rows = plan.providers.map((entry) => [
    `${entry.provider}${entry.baseline ? "" : `:${entry.model}`}`,
    entry.baseline ? "baseline" : entry.batch ? "batch" : "live",
    count(entry.calls),
    count(entry.cached),
    count(entry.inputTokens),
    count(entry.outputTokens),
    entry.baseline ? "$0" : dollars(entry.costUsd),
  ])
  const lines = [
    `dry run: nothing was sent. pilot ${count(plan.pilot)}, holdout ${count(plan.holdout)}.`,
    "",
    table(["provider", "mode", "calls", "cached", "input tokens", "output tokens", "est. cost"], rows),
  ]
  const known = plan.providers.filter((entry) => !entry.baseline)
  if (known.length > 0) {
    const total = known.reduce<number | null>(
      (sum, entry) => (sum === null || entry.costUsd === null ? null : sum + entry.costUsd),
      0,
    )
    const reasks = known.reduce<number | null>(
      (sum, entry) => (sum === null || entry.reaskCostUsd === null ? null : sum + entry.reaskCostUsd),
      0,
    )
    lines.push(
      "",
      `estimated total: ${dollars(total)} for the first asks (tokens: input ⌈characters/4⌉, output from each answer schema; cached answers are free).`,
      maxReasks === 0
        ? "re-asks: none (--max-reasks 0)."
        : `re-asks are not included: an invalid answer is asked again up to ${maxReasks} time${maxReasks === 1 ? "" : "s"}, each costing about as much as a first ask, so re-asks could add at most ${dollars(reasks)} (when every answer is invalid; usually a few percent).`,
    )
    for (const entry of known)
      if (entry.costUsd === null)
        lines.push(
          `${entry.provider}:${entry.model} has no known price: give one with --prices (a --max-cost run refuses it).`,
        )
    for (const entry of known)
      if (entry.skipped !== undefined)
        lines.push(`${entry.provider}:${entry.model} would be skipped: ${entry.skipped}`)
  }
  return lines.join("\n")
}

/** One line per batch event, for the run's stderr. */
export const batchLine = (event: BatchEvent): string => {
  switch (event._tag) {
    case "Submitted":
      return `  ${event.provider} batch ${event.batchId} submitted: ${count(event.requests)} requests`
    case "Resumed":
      return `  ${event.provider} batch ${event.batchId} resumed (submitted by an earlier run): ${count(event.requests)} requests`
    case "Ended":
      return `  ${event.provider} batch ${event.batchId} ${event.state}: ${count(event.answered)} answered${event.failed > 0 ? `, ${count(event.failed)} to call live` : ""}`
    case "SubmitFailed":
      return `  ${event.provider} batch of ${count(event.requests)} requests could not be submitted (${event.message}): calling them${event.alsoLive > 0 ? ` and the ${count(event.alsoLive)} queued behind them` : ""} live, and every later call`
    case "Unavailable":
      return `  ${event.provider} has no batch API here (${event.message}): calling it live`
    case "PollFailed":
      return `  ${event.provider} batch ${event.batchId}: could not check it (${event.message}); will try again`
  }
}

/** What the calls of a run cost now, and what came from the cache. */
export const spendLine = (snapshots: ReadonlyArray<ProgressSnapshot>, budget: BudgetReport): string => {
  let paid = 0
  let cached = 0
  let failed = 0
  for (const snapshot of snapshots) {
    const refused = snapshot.failures.budget ?? 0
    cached += snapshot.cached
    // calls the cost limit refused were never sent: not failures
    failed += snapshot.failed - refused
    paid += snapshot.done - snapshot.cached - snapshot.failed
  }
  return `calls: ${count(paid)} paid now (${dollars(budget.spentUsd)}), ${count(cached)} from the cache${failed > 0 ? `, ${count(failed)} failed` : ""}`
}

/** The message of a run stopped by --max-cost: what was spent, and how to go on. */
export const budgetStopMessage = (budget: BudgetReport, snapshots: ReadonlyArray<ProgressSnapshot>): string =>
  [
    `standin: stopped at the cost limit of ${dollars(budget.limitUsd)}: spent ${dollars(budget.spentUsd)} in this run (${spendLine(snapshots, budget)}).`,
    "No results were written. Every answer paid for is in the cache: run the same command again with a higher --max-cost (or none) to continue where it stopped; cached answers are not paid again.",
  ].join(" ")

/** The message of a run stopped by Ctrl-C or SIGTERM: what was kept, and how to go on. */
export const interruptMessage = (
  signal: string,
  snapshots: ReadonlyArray<ProgressSnapshot>,
  budget: BudgetReport,
): string =>
  [
    `standin: stopped by ${signal}: every answer received is in the cache (${spendLine(snapshots, budget)}).`,
    "No results were written. Run the same command again to continue where it stopped; cached answers are not paid again.",
  ].join(" ")
