/**
 * Statistics benchmarks. (a) Logistic regression on the full Berke et al. design (12,461 respondents; the
 * study's CSV from STANDIN_DATA_DIR, else a simulated design of the same shape). (b) 1,000 bootstrap resamples
 * of all five metrics on a simulated 6,000-respondent holdout of the Berke shape; target under 10 s.
 */
import { existsSync, readFileSync } from "node:fs"
import { availableParallelism } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads"
import { type AnalysisRow, fitPrepared, prepareAnalysis } from "@standin/analysis"
import type { MetricInput, MetricShape } from "@standin/core"
import { metric as coherence } from "@standin/metric-coherence"
import { metric as divergence } from "@standin/metric-divergence"
import { metric as heterogeneity } from "@standin/metric-heterogeneity"
import { metric as regression } from "@standin/metric-regression"
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

/** CPU seconds (user + system) of the process since `start`: unlike wall time, not inflated by other load. */
const cpuSeconds = (start: NodeJS.CpuUsage): number => {
  const usage = process.cpuUsage(start)
  return (usage.user + usage.system) / 1e6
}

/** The Berke CSV as analysis rows of the simulated study (same item ids, arm ids and persona attributes). */
const berkeRows = (): { rows: ReadonlyArray<AnalysisRow>; source: string } => {
  // STANDIN_DATA_DIR, else the shared/ folder beside the repository.
  const directory =
    process.env.STANDIN_DATA_DIR ??
    join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "shared", "data")
  const file = join(directory, "berke-fingerprint-consent", "survey-experiment-data.csv")
  if (!existsSync(file)) {
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

const allMetrics: ReadonlyArray<MetricShape> = [divergence, subgroup, heterogeneity, coherence, regression]

const holdout = (): MetricInput =>
  metricFixture({
    n: 6000,
    seed: 2026,
    levelFloor: 0,
    distortion: 0.4,
    invalidRate: 0.02,
    metric: { resamples, seed: 1 },
  })

/** Sequential, one core: each metric's time. */
const metricsBench = async (): Promise<number> => {
  const input = holdout()
  console.log(
    `(b) ${resamples} bootstrap resamples of every metric, ${input.human.length} twins, ${input.synthetic.length} synthetic rows`,
  )
  let total = 0
  let totalCpu = 0
  for (const metric of allMetrics) {
    const start = process.hrtime.bigint()
    const cpu = process.cpuUsage()
    const score = await Effect.runPromise(metric.score(input))
    const elapsed = seconds(start)
    const used = cpuSeconds(cpu)
    total += elapsed
    totalCpu += used
    console.log(
      `    ${metric.descriptor.id.padEnd(14)} ${elapsed.toFixed(2).padStart(6)} s wall ${used.toFixed(2).padStart(6)} s CPU  headline ${score.headline.value?.toFixed(4)} [${score.headline.ci?.lower.toFixed(4)}, ${score.headline.ci?.upper.toFixed(4)}], ${score.measures.length} measures`,
    )
  }
  console.log(
    `    all five, one after another on one core: ${total.toFixed(2)} s wall, ${totalCpu.toFixed(2)} s CPU`,
  )
  return total
}

/**
 * The same work on two cores, as the engine can run metrics: two worker threads with about equal shares
 * (regression and coherence; the three distribution metrics). Each builds the holdout before the clock starts.
 */
const parallelBench = async (): Promise<number> => {
  const groups = [
    ["regression", "coherence"],
    ["divergence", "subgroup", "heterogeneity"],
  ]
  const workers = groups.map((ids) => new Worker(new URL(import.meta.url), { workerData: { ids } }))
  const message = (worker: Worker, type: string) =>
    new Promise<unknown>((resolve, reject) => {
      const onMessage = (data: { type: string }) => {
        if (data.type === type) {
          worker.off("message", onMessage)
          resolve(data)
        }
      }
      worker.on("message", onMessage)
      worker.once("error", reject)
    })
  await Promise.all(workers.map((worker) => message(worker, "ready")))
  const start = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  const done = workers.map((worker) => message(worker, "done"))
  for (const worker of workers) worker.postMessage("go")
  const results = (await Promise.all(done)) as Array<{ seconds: number; ids: Array<string> }>
  const wall = seconds(start)
  const used = cpuSeconds(cpu)
  await Promise.all(workers.map((worker) => worker.terminate()))
  for (const result of results)
    console.log(`    worker [${result.ids.join(", ")}]: ${result.seconds.toFixed(2)} s`)
  console.log(
    `    all five on ${availableParallelism()} cores (two workers): ${wall.toFixed(2)} s wall, ${used.toFixed(2)} s CPU over both`,
  )
  return wall
}

const runWorker = async (ids: ReadonlyArray<string>) => {
  const input = holdout()
  const metrics = allMetrics.filter((metric) => ids.includes(metric.descriptor.id))
  parentPort!.postMessage({ type: "ready" })
  await new Promise((resolve) => parentPort!.once("message", resolve))
  const start = process.hrtime.bigint()
  for (const metric of metrics) await Effect.runPromise(metric.score(input))
  parentPort!.postMessage({ type: "done", seconds: seconds(start), ids })
}

if (isMainThread) {
  logitBench()
  const sequential = await metricsBench()
  const parallel = await parallelBench()
  const per1000 = (value: number) => (value * 1000) / Math.max(1, resamples)
  console.log(
    `    per 1,000 resamples: ${per1000(parallel).toFixed(2)} s on two cores, ratio to the ${targetSeconds} s target ${(per1000(parallel) / targetSeconds).toFixed(2)} (below 1 meets it: ${per1000(parallel) < targetSeconds ? "PASS" : "MISS"}); one core ${per1000(sequential).toFixed(2)} s, ratio ${(per1000(sequential) / targetSeconds).toFixed(2)}`,
  )
} else {
  await runWorker((workerData as { ids: Array<string> }).ids)
}
