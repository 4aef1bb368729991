import { describe, expect, it } from "@effect/vitest"
import { humanSplitHalf, pilotCell, pilotMarginal, uniform } from "@standin/baselines"
import type { ExperimentShape, MetricShape, ProviderPlugin, Respondent } from "@standin/core"
import { defineStudy } from "@standin/study"
import { Effect, Exit } from "effect"
import { type MetricSource, runStudy } from "../src/run.js"
import { fixtureRespondents, fixtureStudy } from "./fixture.js"
// @ts-expect-error: a plain JavaScript module (a worker thread imports it as it is)
import { metric as shareMetric } from "./share-metric.mjs"

const respondents: ReadonlyArray<Respondent> = fixtureRespondents(300).map((r, i) => ({ ...r, id: `h${i}` }))
const experimentOf = (studyId: string): ExperimentShape => {
  const { experiment } = defineStudy({ ...fixtureStudy, id: studyId })
  return {
    ...experiment,
    loadHumanData: Effect.succeed({
      respondents,
      path: "memory",
      sha256: "0".repeat(64),
      origin: "data-dir",
    }),
  }
}
const metric = shareMetric as MetricShape
const sources = new Map<string, MetricSource>([
  ["share", { module: new URL("./share-metric.mjs", import.meta.url).href, name: "metric" }],
])
const spec = (plugin: ProviderPlugin) => ({ plugin, spec: { provider: plugin.descriptor.id, model: "v1" } })

const run = (threads: number, studyId = "fixture", withSources = true) =>
  runStudy({
    experiment: experimentOf(studyId),
    providers: [spec(uniform), spec(pilotMarginal), spec(pilotCell), spec(humanSplitHalf)],
    metrics: [metric, metric],
    threads,
    ...(withSources ? { metricSources: sources } : {}),
    pilot: { size: { _tag: "Count", count: 60 }, arms: "all", sampling: { _tag: "Random" } },
    seed: 11,
    replicates: 1,
    elicitation: "sample",
    settings: { seed: 11 },
    includeDemographics: true,
    maxReasks: 0,
    bootstrap: 40,
    minCellSize: 5,
    concurrency: 4,
  })

describe("scoring on worker threads", () => {
  it("gives the same results whatever the thread count", async () => {
    const one = await Effect.runPromise(run(1))
    const two = await Effect.runPromise(run(2))
    const three = await Effect.runPromise(run(3))
    const bytes = (outcome: typeof one) => JSON.stringify(outcome.results)
    expect(bytes(two)).toBe(bytes(one))
    expect(bytes(three)).toBe(bytes(one))
    // the scores are real: every entry scored by both metrics, the ceiling on half A, the others on the holdout
    const entries = one.results.entries
    expect(entries.map((entry) => entry.scores.length)).toEqual([2, 2, 2, 2])
    const holdout = one.holdout.length
    const ceiling = entries.find((entry) => entry.baseline === "ceiling")!
    expect(ceiling.scores[0]!.details).toMatchObject({ humans: one.results.manifest.ceiling!.halfA })
    expect(entries[0]!.scores[0]!.details).toEqual({ humans: holdout, twins: holdout })
    expect(entries.every((entry) => entry.fidelity.overall.value !== null)).toBe(true)
  })

  it("scores in this thread when a metric has no source to load it from in a worker", async () => {
    const inThread = await Effect.runPromise(run(2, "fixture", false))
    const one = await Effect.runPromise(run(1))
    expect(JSON.stringify(inThread.results)).toBe(JSON.stringify(one.results))
  })

  it("fails with the metric's own error when a metric fails on a worker", async () => {
    const exit = await Effect.runPromiseExit(run(2, "fail-me"))
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isFailure(exit)) {
      const error = exit.cause.reasons.find((reason) => reason._tag === "Fail")
      expect(error).toMatchObject({
        error: { _tag: "MetricError", metric: "share", message: "asked to fail" },
      })
    }
  })
})
