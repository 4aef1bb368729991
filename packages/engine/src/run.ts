import type { InputError, MetricError, StudyDataError } from "@standin/core"
import { Effect } from "effect"
import { prepareRun } from "./run/prepare.js"
import { reportRun } from "./run/report.js"
import { scoreEntries } from "./run/score.js"
import { simulateEntries } from "./run/simulate-phase.js"
import type { RunOptions, RunOutcome } from "./run/types.js"

export { twinIdFor } from "./run/prepare.js"
export { ENGINE_VERSION } from "./run/report.js"
export { averagedScores, crossFitted } from "./run/score.js"
export type {
  EntryData,
  MetricSource,
  PhaseSeconds,
  PreparedRun,
  ProviderSelection,
  RunEvent,
  RunOptions,
  RunOutcome,
  ScoredEntry,
  SimulatedEntry,
} from "./run/types.js"

/**
 * The run, in four phases (each its own module under run/): split — load the human data and split it (seeded)
 * into pilot and holdout; simulate — one twin (× replicates) per holdout respondent through every provider,
 * baselines and models alike; score — each entry against the holdout with every metric; report — normalise each
 * score between the uniform floor and the human ceiling and write the results file.
 */
export const runStudy = <E>(
  options: RunOptions<E>,
): Effect.Effect<RunOutcome, StudyDataError | InputError | MetricError | E> =>
  Effect.gen(function* () {
    const clock = yield* Effect.sync(() => performance.now())
    let last = clock
    const lap = Effect.sync(() => {
      const now = performance.now()
      const seconds = (now - last) / 1000
      last = now
      return seconds
    })
    const prepared = yield* prepareRun(options)
    const prepare = yield* lap
    const { simulated, pilotAnswers } = yield* simulateEntries(options, prepared)
    const simulate = yield* lap
    const scored = yield* scoreEntries(options, prepared, simulated)
    const score = yield* lap
    const { results, entries } = reportRun(options, prepared, scored, pilotAnswers)
    const report = yield* lap
    return {
      results,
      entries,
      split: prepared.split,
      holdout: prepared.holdout,
      phaseSeconds: { prepare, simulate, score, report },
    }
  }).pipe(Effect.scoped)
