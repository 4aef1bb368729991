import { make as makeStore } from "@standin/store"
import { fixtureTwins, type RequestLogEntry } from "@standin/testkit"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeCallRunner, makeProgress } from "../../src/calls/index.js"
import { simulate } from "../../src/simulate.js"
import { fixtureExperiment, spawnFake, vendorProvider } from "./vendor-fixture.js"

/**
 * The acceptance test of the call layer: 10,000 twins through the real OpenAI provider (its official
 * SDK) against a loopback fake that answers 10% of requests with 429 (and retry-after), 5% with 5xx,
 * hangs on 2% (the client's timeout fires) and sends 2% malformed bodies. Zero latency, so it is quick.
 */
let fake: Awaited<ReturnType<typeof spawnFake>>
beforeAll(async () => {
  fake = await spawnFake([
    "--vendor",
    "openai",
    "--seed",
    "21",
    "--faults",
    "429:0.1,500:0.03,503:0.02,timeout:0.02,malformed:0.02",
    "--retry-after-ms",
    "20",
  ])
})
afterAll(() => fake.close())

const answered = (entry: RequestLogEntry) =>
  entry.method === "POST" &&
  entry.path.endsWith("/chat/completions") &&
  entry.status === 200 &&
  entry.fault === undefined

describe("10,000 calls against a faulty vendor", () => {
  it("every twin ends answered or recorded with its reason; successful paid requests = distinct cache keys", async () => {
    const twins = fixtureTwins(10_000, 8)
    const outcome = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const store = yield* makeStore(":memory:")
          yield* store.beginRun("faults", "{}")
          const provider = vendorProvider("openai", fake, 2_000)
          const progress = makeProgress({ mode: "quiet" })
          yield* progress.addTotal(twins.length)
          const runner = yield* makeCallRunner({
            provider,
            spec: { provider: "openai", model: "gpt-4o-mini" },
            store,
            runId: "faults",
            progress,
            // The fake's 429s are drawn at random, not caused by load: adaptive concurrency (tested on its
            // own in rate-limiter.test.ts) would only slow this test down.
            limits: { maxConcurrency: 64, requestsPerMinute: null, tokensPerMinute: null, adaptive: false },
            retry: { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 100, maxTotalWaitMs: 5_000 },
            timeoutMs: 5_000,
          })
          const result = yield* simulate(
            {
              experiment: fixtureExperiment,
              provider,
              twins,
              replicates: 1,
              elicitation: "sample",
              settings: { temperature: 1 },
              includeDemographics: true,
              maxReasks: 2,
              seed: 12,
              concurrency: 8,
            },
            {
              call: runner.call,
              concurrency: runner.limiter.limits.maxConcurrency,
              finish: runner.flush,
            },
          )
          return {
            ...result,
            summary: yield* store.statusSummary("faults"),
            cached: yield* store.countCalls,
            snapshot: yield* progress.snapshot,
          }
        }),
      ),
    )
    const { synthetic, summary, cached, snapshot } = outcome
    expect(synthetic).toHaveLength(10_000)
    for (const respondent of synthetic) {
      if (respondent.failure === undefined) expect(respondent.raw.length).toBeGreaterThan(0)
      else expect(respondent.failure.reason).toMatch(/^(rate-limited|server|timeout|malformed-output)$/)
    }
    const failed = synthetic.filter((respondent) => respondent.failure !== undefined).length
    const paid = fake.log().filter(answered)
    // six tries each: a twin fails for good only when all of them were faults
    expect(failed).toBeLessThan(10)
    // every call has its status row: ok or failed with the reason
    expect(summary.ok + summary.failed).toBe(snapshot.done)
    expect(summary.failed).toBe(failed)
    // the vendor's log proves no answer was paid twice: successful requests = distinct calls = cache entries
    expect(new Set(paid.map((entry) => JSON.stringify(entry.body))).size).toBe(paid.length)
    expect(paid.length).toBe(cached)
    expect(summary.ok).toBe(cached)
    // every kind of fault happened and was retried
    for (const reason of ["rate-limited", "server", "timeout", "malformed-output"] as const)
      expect(snapshot.retries[reason] ?? 0).toBeGreaterThan(0)
    const faults = new Set(fake.log().map((entry) => entry.fault))
    for (const kind of ["429", "500", "503", "timeout", "malformed"]) expect(faults.has(kind)).toBe(true)
  }, 120_000)
})
