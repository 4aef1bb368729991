import type { MetricError, MetricScore } from "@standin/core"
import { Effect } from "effect"
import { scoreOnWorkers } from "./score-pool.js"
import { makeTaskInputs, runTask, type ScorePart, type ScoreTask, type ScoringData } from "./score-tasks.js"
import type { MetricSource, PreparedRun, RunOptions, ScoredEntry, SimulatedEntry } from "./types.js"

/**
 * Two halves' scores of one metric as one: the headline and each resample's value averaged (null or NaN when either
 * half could not be scored). Intervals without per-resample values average their bounds.
 */
export const crossFitted = (a: MetricScore, b: MetricScore): MetricScore => {
  const value =
    a.headline.value === null || b.headline.value === null ? null : (a.headline.value + b.headline.value) / 2
  const ra = a.headlineReplicates
  const rb = b.headlineReplicates
  const ci =
    a.headline.ci === null || b.headline.ci === null
      ? null
      : {
          lower: (a.headline.ci.lower + b.headline.ci.lower) / 2,
          upper: (a.headline.ci.upper + b.headline.ci.upper) / 2,
          level: a.headline.ci.level,
          method: a.headline.ci.method,
          description: "mean of the two halves' bounds",
        }
  const { headlineReplicates: _replicates, ...rest } = a
  return {
    ...rest,
    headline: { measure: a.headline.measure, value, ci },
    ...(ra !== undefined && rb !== undefined && ra.length === rb.length
      ? { headlineReplicates: ra.map((x, r) => (x + rb[r]!) / 2) }
      : {}),
  }
}

/**
 * The run's third phase: score every simulated entry against the holdout with every metric.
 *
 * Fidelity compares like with like: each half's humans against twins of the same n/2 people — the ceiling's
 * answered by the other half's donors, the floor's and every model's by themselves. The two halves' headlines
 * (and per-resample values) are averaged, so every figure (sign-recovery F1, whose power grows with n,
 * worst-level figures, distances) is compared at one sample size while all the data is used. The entries'
 * reported scores are on the whole holdout, except the ceiling's, which are half A's (donors never scored).
 *
 * The work is a list of independent tasks (a metric on an entry's whole holdout or on one half), scored in this
 * thread or, with `threads` > 1 and every metric's source known, on worker threads; each score is put back in its
 * place, so the results are the same whatever the thread count.
 */
export const scoreEntries = <E>(
  options: RunOptions<E>,
  prepared: PreparedRun,
  simulated: ReadonlyArray<SimulatedEntry>,
): Effect.Effect<ReadonlyArray<ScoredEntry>, MetricError> =>
  Effect.gen(function* () {
    const emit = options.onEvent ?? (() => {})
    const entries = simulated.flatMap((item) => ("skipped" in item ? [] : [item]))
    const isCeiling = (item: (typeof entries)[number]) =>
      item.selection.plugin.descriptor.baseline === "ceiling"
    const hasCeiling = entries.some(isCeiling)
    const data: ScoringData = {
      study: prepared.study,
      holdout: prepared.holdout,
      halfA: prepared.humansOf.a,
      halfB: prepared.humansOf.b,
      synthetic: entries.map((item) => item.synthetic),
      options: {
        seed: options.seed,
        resamples: options.bootstrap,
        alpha: 0.05,
        minCellSize: options.minCellSize,
      },
    }
    // every entry × metric: the ceiling on its halves; the others on the whole holdout and (for fidelity, when
    // there is a ceiling) on each half
    const partsOf = (item: (typeof entries)[number]): ReadonlyArray<ScorePart> =>
      isCeiling(item) ? ["a", "b"] : hasCeiling ? ["whole", "a", "b"] : ["whole"]
    const tasks: Array<ScoreTask> = []
    entries.forEach((item, entry) => {
      options.metrics.forEach((_, metric) => {
        for (const part of partsOf(item)) tasks.push({ entry, metric, part })
      })
    })
    const announced = new Set<string>()
    const onStart = (task: ScoreTask) => {
      const key = `${task.entry}|${task.metric}`
      if (announced.has(key)) return
      announced.add(key)
      emit({
        _tag: "Scoring",
        entry: entries[task.entry]!.id,
        metric: options.metrics[task.metric]!.descriptor.id,
      })
    }
    const sources = options.metrics.map((metric) => options.metricSources?.get(metric.descriptor.id))
    const threads = Math.max(1, Math.floor(options.threads ?? 1))
    const scores: ReadonlyArray<MetricScore> =
      threads > 1 && sources.every((source) => source !== undefined)
        ? yield* scoreOnWorkers(sources as ReadonlyArray<MetricSource>, data, tasks, threads, onStart)
        : yield* Effect.suspend(() => {
            const inputOf = makeTaskInputs(data)
            return Effect.forEach(tasks, (task) =>
              Effect.suspend(() => {
                onStart(task)
                return runTask(options.metrics, inputOf, task)
              }),
            )
          })
    const scoreOf = new Map(
      tasks.map((task, index) => [`${task.entry}|${task.metric}|${task.part}`, scores[index]!]),
    )
    const scored = new Map(
      entries.map((item, entry) => {
        const scores: Array<MetricScore> = []
        const halfScores: Array<MetricScore> = []
        options.metrics.forEach((_, metric) => {
          const get = (part: ScorePart) => scoreOf.get(`${entry}|${metric}|${part}`)!
          if (isCeiling(item)) {
            scores.push(get("a"))
            halfScores.push(crossFitted(get("a"), get("b")))
            return
          }
          scores.push(get("whole"))
          halfScores.push(hasCeiling ? crossFitted(get("a"), get("b")) : get("whole"))
        })
        return [item.id, { ...item, scores, halfScores }] as const
      }),
    )
    return simulated.map((item): ScoredEntry => ("skipped" in item ? item : scored.get(item.id)!))
  })
