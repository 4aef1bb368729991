/**
 * The worked example of docs/adding-a-metric.md: twin agreement, the share of synthetic twins that give
 * exactly their human's answer, per item, with a seeded percentile-bootstrap CI over twins. It is a pure
 * function of (study, human holdout, synthetic twins) like every metric; its descriptor is plain data.
 * Its bootstrap is the Poisson(1) bootstrap keyed by twin id from @standin/stats (as @standin/metric-kit's is):
 * a twin's weight in resample r depends only on the seed, r and its id, so the engine can pair this metric's
 * `headlineReplicates` for a model with those for its floor and ceiling, resample by resample.
 */
import {
  type AnswerValue,
  type Measure,
  MetricError,
  type MetricInput,
  type MetricScore,
  type MetricShape,
  MetricSpecVersion,
} from "@standin/core"
import type { MetricDescriptor } from "@standin/core/descriptor"
import { idHashes, poissonWeights } from "@standin/stats"
import { Effect } from "effect"

export const twinAgreementDescriptor: MetricDescriptor = {
  kind: "metric",
  id: "toy-agreement",
  version: "0.1.0",
  specVersion: MetricSpecVersion,
  label: "Twin agreement (example)",
  // The closest of core's families: it compares answers item by item.
  family: "divergence",
  description: "Share of synthetic twins answering an item exactly as their human did; the mean over items.",
  headline: "mean-agreement",
  direction: "higher",
  measures: [
    {
      id: "agreement",
      label: "Agreement",
      description: "Share of twins with their human's exact answer.",
      direction: "higher",
      range: [0, 1],
    },
    {
      id: "mean-agreement",
      label: "Mean agreement",
      description: "Agreement averaged over scored items.",
      direction: "higher",
      range: [0, 1],
    },
  ],
  citations: [{ text: "standin documentation example" }],
}

const same = (a: AnswerValue, b: AnswerValue): boolean => JSON.stringify(a) === JSON.stringify(b)

const mean = (values: ReadonlyArray<number>) => values.reduce((sum, value) => sum + value, 0) / values.length

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(p * sorted.length)))]!

export const twinAgreement: MetricShape = {
  descriptor: twinAgreementDescriptor,
  score: (input: MetricInput): Effect.Effect<MetricScore, MetricError> =>
    Effect.gen(function* () {
      if (input.human.length === 0)
        return yield* new MetricError({ metric: "toy-agreement", message: "the holdout is empty" })
      const twinsOf = new Map<string, Array<MetricInput["synthetic"][number]>>()
      for (const twin of input.synthetic)
        twinsOf.set(twin.twinId, [...(twinsOf.get(twin.twinId) ?? []), twin])
      // Per human and item: the share of their twins (replicates) agreeing, or null when nothing to compare.
      const perHuman = input.human.map((human) =>
        input.study.items.map((item) => {
          const answer = human.answers[item.id] ?? null
          const twins = (twinsOf.get(human.id) ?? []).filter(
            (twin) => (twin.answers[item.id] ?? null) !== null,
          )
          if (answer === null || twins.length === 0) return null
          return mean(twins.map((twin) => (same(twin.answers[item.id]!, answer) ? 1 : 0)))
        }),
      )
      const agreement = (rows: ReadonlyArray<ReadonlyArray<number | null>>, column: number) => {
        const values = rows.map((row) => row[column]!).filter((value): value is number => value !== null)
        return values.length === 0 ? null : { value: mean(values), n: values.length }
      }
      const headline = (rows: ReadonlyArray<ReadonlyArray<number | null>>) => {
        const scored = input.study.items
          .map((_, i) => agreement(rows, i)?.value ?? null)
          .filter((v) => v !== null)
        return scored.length === 0 ? null : mean(scored as Array<number>)
      }
      // The weighted headline: each human (with their twins) counts `weights[h]` times.
      const weightedHeadline = (weights: Float64Array) => {
        const scored: Array<number> = []
        input.study.items.forEach((_, i) => {
          let sum = 0
          let total = 0
          perHuman.forEach((row, h) => {
            if (row[i] !== null) {
              sum += weights[h]! * row[i]!
              total += weights[h]!
            }
          })
          if (total > 0) scored.push(sum / total)
        })
        return scored.length === 0 ? Number.NaN : mean(scored)
      }
      // Poisson(1) bootstrap over humans (each with their twins), keyed by id; replicate r is the headline on
      // resample r (NaN where nothing could be scored).
      const hashes = idHashes(input.human.map((human) => human.id))
      const weights = new Float64Array(hashes.length)
      const headlineReplicates: Array<number> = []
      for (let r = 0; r < input.options.resamples; r++)
        headlineReplicates.push(weightedHeadline(poissonWeights(input.options.seed, hashes, r, weights)))
      const draws = headlineReplicates.filter(Number.isFinite).sort((a, b) => a - b)
      const level = 1 - input.options.alpha
      const ci =
        draws.length === 0
          ? null
          : {
              lower: percentile(draws, input.options.alpha / 2),
              upper: percentile(draws, 1 - input.options.alpha / 2),
              level,
              method: "percentile" as const,
              description: `percentile interval of ${draws.length} Poisson(1) bootstrap resamples of twins keyed by twin id`,
            }
      const measures: Array<Measure> = input.study.items.map((item, i) => {
        const found = agreement(perHuman, i)
        return found === null
          ? {
              measure: "agreement",
              key: `agreement|item=${item.id}`,
              item: item.id,
              value: null,
              ci: null,
              n: 0,
              note: "no twin answered it",
            }
          : {
              measure: "agreement",
              key: `agreement|item=${item.id}`,
              item: item.id,
              value: found.value,
              ci: null,
              n: found.n,
            }
      })
      const value = headline(perHuman)
      measures.push({ measure: "mean-agreement", key: "mean-agreement", value, ci, n: input.human.length })
      return {
        metric: "toy-agreement",
        version: "0.1.0",
        headline: { measure: "mean-agreement", value, ci },
        measures,
        headlineReplicates,
      }
    }),
}
