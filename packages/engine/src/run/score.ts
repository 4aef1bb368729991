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
 * Several halvings' cross-fitted scores of one metric as one (the ceiling's fidelity figure): headline and each
 * resample's value averaged over the halvings (null or NaN when any could not be scored).
 */
export const averagedScores = (scores: ReadonlyArray<MetricScore>): MetricScore => {
  const first = scores[0]!
  if (scores.length === 1) return first
  const values = scores.map((score) => score.headline.value)
  const value = values.some((v) => v === null)
    ? null
    : values.reduce((sum: number, v) => sum + v!, 0) / scores.length
  const intervals = scores.map((score) => score.headline.ci)
  const ci = intervals.some((interval) => interval === null)
    ? null
    : {
        lower: intervals.reduce((sum, interval) => sum + interval!.lower, 0) / scores.length,
        upper: intervals.reduce((sum, interval) => sum + interval!.upper, 0) / scores.length,
        level: first.headline.ci!.level,
        method: first.headline.ci!.method,
        description: `mean of ${scores.length} halvings' bounds`,
      }
  const replicates = scores.map((score) => score.headlineReplicates)
  const length = replicates[0]?.length
  const aligned = replicates.every((r) => r !== undefined && r.length === length)
  const { headlineReplicates: _replicates, ...rest } = first
  return {
    ...rest,
    headline: { measure: first.headline.measure, value, ci },
    ...(aligned && length !== undefined
      ? {
          headlineReplicates: Array.from(
            { length },
            (_, r) => replicates.reduce((sum, values) => sum + values![r]!, 0) / scores.length,
          ),
        }
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
      halves: prepared.halvings.map((_, halving) => prepared.humansOf(halving)),
      synthetic: entries.map((item) => [item.synthetic, ...item.furtherHalvings]),
      options: {
        seed: options.seed,
        resamples: options.bootstrap,
        alpha: 0.05,
        minCellSize: options.minCellSize,
      },
    }
    // every entry × metric: the ceiling on the halves of each of its halvings; the others on the whole holdout
    // and (for fidelity, when there is a ceiling) on each half of the first halving
    const partsOf = (item: (typeof entries)[number]): ReadonlyArray<readonly [ScorePart, number]> =>
      isCeiling(item)
        ? [item.synthetic, ...item.furtherHalvings].flatMap((_, halving) => [
            ["a", halving] as const,
            ["b", halving] as const,
          ])
        : hasCeiling
          ? [
              ["whole", 0],
              ["a", 0],
              ["b", 0],
            ]
          : [["whole", 0]]
    const tasks: Array<ScoreTask> = []
    entries.forEach((item, entry) => {
      options.metrics.forEach((_, metric) => {
        for (const [part, halving] of partsOf(item)) tasks.push({ entry, metric, part, halving })
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
      tasks.map((task, index) => [
        `${task.entry}|${task.metric}|${task.part}|${task.halving}`,
        scores[index]!,
      ]),
    )
    const scored = new Map(
      entries.map((item, entry) => {
        const scores: Array<MetricScore> = []
        const halfScores: Array<MetricScore> = []
        options.metrics.forEach((_, metric) => {
          const get = (part: ScorePart, halving = 0) => scoreOf.get(`${entry}|${metric}|${part}|${halving}`)!
          if (isCeiling(item)) {
            scores.push(get("a"))
            const perHalving = [crossFitted(get("a"), get("b"))]
            for (let halving = 1; halving <= item.furtherHalvings.length; halving++)
              perHalving.push(crossFitted(get("a", halving), get("b", halving)))
            halfScores.push(averagedScores(perHalving))
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
