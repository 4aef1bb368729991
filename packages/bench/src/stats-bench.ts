/**
 * Statistics benchmarks. (a) Logistic regression on the full Berke et al. design (12,461 respondents; the
 * study's CSV from STANDIN_DATA_DIR, else a simulated design of the same shape). (b) 1,000 bootstrap resamples
 * of all five metrics on a simulated 6,000-respondent holdout of the Berke shape; target under 10 s.
 */
import { existsSync, readFileSync } from "node:fs"
import { availableParallelism } from "node:os"
import { join } from "node:path"
import type { MetricInput, MetricShape } from "@standin/core"
import { metric as coherence } from "@standin/metric-coherence"
import { metric as divergence } from "@standin/metric-divergence"
import { metric as heterogeneity } from "@standin/metric-heterogeneity"
import {
  type AnalysisRow,
  fitPrepared,
  prepareAnalysis,
  metric as regression,
} from "@standin/metric-regression"
import { metric as subgroup } from "@standin/metric-subgroup"
import {
  berkeAnalysis,
  berkeLikeStudy,
  berkeRespondentsFromCsv,
  metricFixture,
  simulateHumans,
} from "@standin/testkit/metric-fixture"
import { Effect } from "effect"

const targetSeconds = 10
const resamples = Number(process.env.STANDIN_BENCH_RESAMPLES ?? 1000)

const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9

/** The Berke CSV as analysis rows of the simulated study (same item ids, arm ids and persona attributes). */
const berkeRows = (): { rows: ReadonlyArray<AnalysisRow>; source: string } => {
  const directory = process.env.STANDIN_DATA_DIR
  const file = directory ? join(directory, "berke-fingerprint-consent", "survey-experiment-data.csv") : null
  if (!file || !existsSync(file)) {
    const humans = simulateHumans({ n: 12_461, seed: 1, levelFloor: 0 })
    return { rows: humans, source: "simulated (set STANDIN_DATA_DIR for the study's data)" }
  }
  return { rows: berkeRespondentsFromCsv(readFileSync(file, "utf8")), source: file }
}

const logitBench = () => {
  const { rows, source } = berkeRows()
  const prepared = prepareAnalysis(berkeLikeStudy, berkeAnalysis, rows)
  if (!prepared.ok) throw new Error(prepared.error.message)
  const first = fitPrepared(prepared.value)
  if (!first.ok) throw new Error(first.error.message)
  const repeats = 50
  const start = process.hrtime.bigint()
  for (let round = 0; round < repeats; round++) fitPrepared(prepared.value)
  const perFit = (seconds(start) / repeats) * 1000
  console.log(
    `(a) logit, Berke design: n ${first.value.n}, ${first.value.columns.length} coefficients, pseudo-R² ${first.value.pseudoR2?.toFixed(6)}`,
  )
  console.log(`    data: ${source}`)
  console.log(
    `    ${perFit.toFixed(2)} ms per fit (cold start, mean of ${repeats}), ${first.value.fit.family === "binomial" ? first.value.fit.iterations : 0} IRLS iterations`,
  )
}

const metricsBench = async () => {
  const input: MetricInput = metricFixture({
    n: 6000,
    seed: 2026,
    levelFloor: 0,
    distortion: 0.4,
    invalidRate: 0.02,
    metric: { resamples, seed: 1 },
  })
  console.log(
    `(b) ${resamples} bootstrap resamples of every metric, ${input.human.length} twins, ${input.synthetic.length} synthetic rows`,
  )
  const metrics: ReadonlyArray<MetricShape> = [divergence, subgroup, heterogeneity, coherence, regression]
  let total = 0
  for (const metric of metrics) {
    const start = process.hrtime.bigint()
    const score = await Effect.runPromise(metric.score(input))
    const elapsed = seconds(start)
    total += elapsed
    console.log(
      `    ${metric.descriptor.id.padEnd(14)} ${elapsed.toFixed(2).padStart(6)} s  headline ${score.headline.value?.toFixed(4)} [${score.headline.ci?.lower.toFixed(4)}, ${score.headline.ci?.upper.toFixed(4)}], ${score.measures.length} measures`,
    )
  }
  const scaled = (total * 1000) / Math.max(1, resamples)
  console.log(
    `    all five: ${total.toFixed(2)} s on ${availableParallelism()} cores (${scaled.toFixed(2)} s per 1,000 resamples)`,
  )
  console.log(
    `    ratio to the ${targetSeconds} s target: ${(scaled / targetSeconds).toFixed(2)} (below 1 meets it)`,
  )
}

logitBench()
await metricsBench()
