import type { MetricError, MetricScore } from "@standin/core"
import { Effect } from "effect"
import type { PreparedRun, RunOptions, ScoredEntry, SimulatedEntry } from "./types.js"

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
 */
export const scoreEntries = <E>(
  options: RunOptions<E>,
  prepared: PreparedRun,
  simulated: ReadonlyArray<SimulatedEntry>,
): Effect.Effect<ReadonlyArray<ScoredEntry>, MetricError> =>
  Effect.gen(function* () {
    const { study, holdout, halfOf, humansOf } = prepared
    const emit = options.onEvent ?? (() => {})
    const metricOptions = {
      seed: options.seed,
      resamples: options.bootstrap,
      alpha: 0.05,
      minCellSize: options.minCellSize,
    }
    const scored: Array<ScoredEntry> = []
    const hasCeiling = simulated.some(
      (item) => !("skipped" in item) && item.selection.plugin.descriptor.baseline === "ceiling",
    )
    for (const item of simulated) {
      if ("skipped" in item) {
        scored.push(item)
        continue
      }
      const isCeiling = item.selection.plugin.descriptor.baseline === "ceiling"
      const scores: Array<MetricScore> = []
      const halfScores: Array<MetricScore> = []
      const ofHalf = (half: "a" | "b") => item.synthetic.filter((twin) => halfOf(twin.twinId) === half)
      for (const metric of options.metrics) {
        emit({ _tag: "Scoring", entry: item.id, metric: metric.descriptor.id })
        const onHalf = (half: "a" | "b") =>
          metric.score({ study, human: humansOf[half], synthetic: ofHalf(half), options: metricOptions })
        if (isCeiling) {
          const a = yield* onHalf("a")
          scores.push(a)
          halfScores.push(crossFitted(a, yield* onHalf("b")))
          continue
        }
        const score = yield* metric.score({
          study,
          human: holdout,
          synthetic: item.synthetic,
          options: metricOptions,
        })
        scores.push(score)
        halfScores.push(hasCeiling ? crossFitted(yield* onHalf("a"), yield* onHalf("b")) : score)
      }
      scored.push({ ...item, scores, halfScores })
    }
    return scored
  })
