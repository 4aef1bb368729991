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
}

/**
 * What every task reads, the same in this thread and in each worker: the study, the holdout and its halves, every
 * entry's twins, and the metrics' options. It is plain data (a worker gets a structured clone of it).
 */
export interface ScoringData {
  readonly study: StudyDefinition
  readonly holdout: ReadonlyArray<Respondent>
  readonly halfA: ReadonlyArray<Respondent>
  readonly halfB: ReadonlyArray<Respondent>
  readonly synthetic: ReadonlyArray<ReadonlyArray<SyntheticRespondent>>
  readonly options: MetricOptions
}

/**
 * The inputs of tasks, built once per context: each entry's twins of each half are filtered once, and every task
 * on the same part gets the very same human array (metrics may reuse human-side work across entries by it).
 */
export const makeTaskInputs = (data: ScoringData) => {
  const inHalfA = new Set(data.halfA.map((respondent) => respondent.id))
  const halves = new Map<
    number,
    { a: ReadonlyArray<SyntheticRespondent>; b: ReadonlyArray<SyntheticRespondent> }
  >()
  const halvesOf = (entry: number) => {
    let found = halves.get(entry)
    if (found === undefined) {
      const twins = data.synthetic[entry]!
      found = {
        a: twins.filter((twin) => inHalfA.has(twin.twinId)),
        b: twins.filter((twin) => !inHalfA.has(twin.twinId)),
      }
      halves.set(entry, found)
    }
    return found
  }
  return (task: ScoreTask): MetricInput =>
    task.part === "whole"
      ? {
          study: data.study,
          human: data.holdout,
          synthetic: data.synthetic[task.entry]!,
          options: data.options,
        }
      : {
          study: data.study,
          human: task.part === "a" ? data.halfA : data.halfB,
          synthetic: halvesOf(task.entry)[task.part],
          options: data.options,
        }
}

export const runTask = (
  metrics: ReadonlyArray<MetricShape>,
  inputOf: (task: ScoreTask) => MetricInput,
  task: ScoreTask,
): Effect.Effect<MetricScore, MetricError> => metrics[task.metric]!.score(inputOf(task))
