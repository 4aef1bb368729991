import type {
  MetricError,
  MetricInput,
  MetricOptions,
  MetricScore,
  MetricShape,
  Respondent,
  StudyDefinition,
  SyntheticRespondent,
} from "@standin/core"
import type { Effect } from "effect"

/** Where a metric is scored: the whole holdout, or one ceiling half (its humans against its own twins). */
export type ScorePart = "whole" | "a" | "b"

/** One unit of scoring work: one metric on one part of one entry's twins. Tasks are independent. */
export interface ScoreTask {
  /** Index into the context's entries (the entries that were simulated, in run order). */
  readonly entry: number
  /** Index into the run's metrics. */
  readonly metric: number
  readonly part: ScorePart
  /** For a half: which of the ceiling's halvings (0, the one every entry is scored on, unless the ceiling's). */
  readonly halving: number
}

/**
 * What every task reads, the same in this thread and in each worker: the study, the holdout and its halves, every
 * entry's twins, and the metrics' options. It is plain data (a worker gets a structured clone of it).
 */
export interface ScoringData {
  readonly study: StudyDefinition
  readonly holdout: ReadonlyArray<Respondent>
  /** Per halving, its halves' humans. */
  readonly halves: ReadonlyArray<{
    readonly a: ReadonlyArray<Respondent>
    readonly b: ReadonlyArray<Respondent>
  }>
  /** Per entry, per halving it was asked for (only the ceiling answers more than the first), its twins. */
  readonly synthetic: ReadonlyArray<ReadonlyArray<ReadonlyArray<SyntheticRespondent>>>
  readonly options: MetricOptions
}

/**
 * The inputs of tasks, built once per context: each entry's twins of each half are filtered once, and every task
 * on the same part gets the very same human array (metrics may reuse human-side work across entries by it).
 */
export const makeTaskInputs = (data: ScoringData) => {
  const inHalfA = data.halves.map((halves) => new Set(halves.a.map((respondent) => respondent.id)))
  const split = new Map<
    string,
    { a: ReadonlyArray<SyntheticRespondent>; b: ReadonlyArray<SyntheticRespondent> }
  >()
  const halvesOf = (entry: number, halving: number) => {
    const key = `${entry}|${halving}`
    let found = split.get(key)
    if (found === undefined) {
      const twins = data.synthetic[entry]![halving]!
      const inA = inHalfA[halving]!
      found = {
        a: twins.filter((twin) => inA.has(twin.twinId)),
        b: twins.filter((twin) => !inA.has(twin.twinId)),
      }
      split.set(key, found)
    }
    return found
  }
  return (task: ScoreTask): MetricInput =>
    task.part === "whole"
      ? {
          study: data.study,
          human: data.holdout,
          synthetic: data.synthetic[task.entry]![0]!,
          options: data.options,
        }
      : {
          study: data.study,
          human: data.halves[task.halving]![task.part],
          synthetic: halvesOf(task.entry, task.halving)[task.part],
          options: data.options,
        }
}

export const runTask = (
  metrics: ReadonlyArray<MetricShape>,
  inputOf: (task: ScoreTask) => MetricInput,
  task: ScoreTask,
): Effect.Effect<MetricScore, MetricError> => metrics[task.metric]!.score(inputOf(task))
