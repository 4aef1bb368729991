import { defaultMaxInvalid, failureReport, type RunVerdict } from "@standin/engine"
import { Flag } from "effect/cli"
import { defaultTo } from "../options.js"

/**
 * How `standin run` fails loudly: a requested model with no valid twin, or with more failed and invalid twins
 * than `--max-invalid` allows, fails the run (exit 4, after results.json is written), its reasons are printed,
 * and no leaderboard site is built unless `--keep-failed`.
 */

/** The exit code of a run in which a requested model failed (results.json is still written). */
export const modelFailedExitCode = 4

export const statusFlags = {
  maxInvalid: Flag.Finite("max-invalid").pipe(
    defaultTo(
      `Largest share (0–1) of a model's twins that may fail or give invalid answers before the model counts as failed: its entry's status becomes "failed", the run exits ${modelFailedExitCode} and builds no site. A model with no valid answer always fails.`,
      defaultMaxInvalid,
    ),
  ),
  keepFailed: Flag.Boolean("keep-failed").pipe(
    defaultTo(
      "Build the leaderboard site even when a model failed (its entry is shown as failed, with why); the exit code still says it failed.",
      false,
    ),
  ),
}

export interface StatusInput {
  readonly maxInvalid: number
  readonly keepFailed: boolean
}

/**
 * Prints the failed models with their commonest reasons (on stderr), sets the exit code, and says whether the
 * site may be built.
 */
export const reportFailedModels = (verdict: RunVerdict, input: StatusInput): { readonly site: boolean } => {
  if (verdict.failed.length === 0) return { site: true }
  const count = verdict.failed.length
  process.stderr.write(
    `\n${failureReport(verdict.failed)}\n\nstandin: ${count} requested model${count === 1 ? "" : "s"} failed (exit ${modelFailedExitCode}); results.json is written${input.keepFailed ? "" : ", and no leaderboard site is built (--keep-failed builds it anyway)"}.\n`,
  )
  process.exitCode = modelFailedExitCode
  return { site: input.keepFailed }
}
