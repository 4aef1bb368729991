import type { ResultsEntry, SyntheticRespondent } from "@standin/core"
import type { EntryData, RunOutcome } from "./run.js"

/**
 * Whether each requested model produced something worth scoring. A model entry whose twins gave no valid answer,
 * or whose share of failed and invalid twins is above `maxInvalid`, has failed: its status says so, with why,
 * and the run must say so loudly (a non-zero exit, the top reasons, no place on the leaderboard) rather than
 * publish scores computed from next to nothing. A model that could not even be configured (`skipped`, e.g. no
 * key) has failed too. Baselines are not judged: they call no model.
 */

/** The default `--max-invalid`: above a fifth of twins failed or invalid, a model's scores are not published. */
export const defaultMaxInvalid = 0.2

/** One reason twins failed or were invalid, with how many twins it hit. */
export interface ReasonCount {
  readonly reason: string
  readonly count: number
}

/** A requested model that failed: its entry, why, and the commonest reasons among its twins. */
export interface FailedEntry {
  readonly id: string
  readonly label: string
  readonly status: ResultsEntry["status"]
  readonly reason: string
  readonly topReasons: ReadonlyArray<ReasonCount>
}

export interface RunVerdict extends RunOutcome {
  /** The requested models that failed, in entry order (empty when every model is fine). */
  readonly failed: ReadonlyArray<FailedEntry>
}

const shorten = (text: string, length = 160): string =>
  text.length <= length ? text : `${text.slice(0, length - 1)}…`

/** The commonest reasons among an entry's twins: failed calls by reason and message, invalid answers by problem. */
export const topReasons = (
  synthetic: ReadonlyArray<SyntheticRespondent>,
  limit = 3,
): ReadonlyArray<ReasonCount> => {
  const counts = new Map<string, number>()
  const add = (reason: string) => counts.set(reason, (counts.get(reason) ?? 0) + 1)
  for (const twin of synthetic) {
    if (twin.failure !== undefined) add(shorten(`${twin.failure.reason}: ${twin.failure.message}`))
    else if (!twin.valid) {
      // the answer's problems, one per invalid item (the parser's notes among the twin's warnings)
      const problems = twin.warnings.filter((warning) =>
        twin.invalidItems.some((item) => warning.startsWith(`${item}:`)),
      )
      if (problems.length === 0) add(`invalid: ${twin.invalidItems.join(", ")}`)
      for (const problem of new Set(problems.map((problem) => shorten(`invalid ${problem}`)))) add(problem)
    }
  }
  return [...counts.entries()]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason))
    .slice(0, limit)
}

const percent = (share: number): string => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`

/** Why an entry has failed, or undefined when it is fine (or a baseline, which is not judged). */
export const failureOf = (entry: ResultsEntry, maxInvalid: number): string | undefined => {
  if (entry.baseline !== undefined) return undefined
  if (entry.status !== "ok")
    return entry.statusReason ?? `the run ${entry.status === "skipped" ? "was skipped" : "failed"}`
  const { twins, valid, invalid, failed } = entry.counts
  if (twins === 0) return "no twin was simulated"
  if (valid === 0)
    return `no valid answer: ${failed} of ${twins} twins failed and ${invalid} gave invalid answers`
  const bad = failed + invalid
  if (bad / twins > maxInvalid)
    return `${bad} of ${twins} twins (${percent(bad / twins)}) failed or gave invalid answers, more than --max-invalid ${percent(maxInvalid)}`
  return undefined
}

/** Judges every requested model of a run: failed entries get status "failed" with the reason (skipped stay skipped). */
export const judgeRun = (outcome: RunOutcome, options: { readonly maxInvalid?: number } = {}): RunVerdict => {
  const maxInvalid = options.maxInvalid ?? defaultMaxInvalid
  const failed: Array<FailedEntry> = []
  const entries: Array<EntryData> = outcome.entries.map((data) => {
    const reason = failureOf(data.entry, maxInvalid)
    if (reason === undefined) return data
    const status = data.entry.status === "skipped" ? "skipped" : "failed"
    failed.push({
      id: data.entry.id,
      label: data.entry.label,
      status,
      reason,
      topReasons: topReasons(data.synthetic),
    })
    return status === data.entry.status
      ? data
      : { ...data, entry: { ...data.entry, status, statusReason: reason } }
  })
  const byId = new Map(entries.map((data) => [data.entry.id, data.entry]))
  const results = {
    ...outcome.results,
    entries: outcome.results.entries.map((entry) => byId.get(entry.id) ?? entry),
  }
  return { ...outcome, results, entries, failed }
}

/** The terminal's account of the failed models: each with why, then its commonest reasons. */
export const failureReport = (failed: ReadonlyArray<FailedEntry>): string =>
  failed
    .map((entry) =>
      [
        `${entry.status} ${entry.id}: ${entry.reason}`,
        ...entry.topReasons.map((reason) => `  ${reason.count}× ${reason.reason}`),
      ].join("\n"),
    )
    .join("\n")
