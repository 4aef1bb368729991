import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import {
  ProviderError,
  type ProviderRequest,
  type ProviderResponse,
  type ProviderShape,
  type StudyDefinition,
} from "@standin/core"
import { keyedSeed, streamFor } from "@standin/stats"
import { make as makeStore, type StoreShape } from "@standin/store"
import { defineStudy } from "@standin/study"
import { Effect } from "effect"
import { makeCallRunner } from "../../src/calls/call-runner.js"
import { makeProgress } from "../../src/calls/progress.js"
import { type CallExecutor, lazyStreamFor, simulate } from "../../src/simulate.js"
import { fixtureRespondents, fixtureStudy } from "../fixture.js"
import { descriptor } from "./fixtures.js"

/** The fixture study on two pages: the replay walks twins through both, page by page. */
const paged: StudyDefinition = {
  ...fixtureStudy,
  pages: [
    { id: "action", items: ["act"] },
    { id: "belief", context: "Now about you.", items: ["worry"] },
  ],
}
const { experiment } = defineStudy(paged)
const twins = fixtureRespondents(40).map((respondent, index) => ({
  id: `t${String(index + 1).padStart(5, "0")}`,
  arm: respondent.arm,
  persona: respondent.persona,
}))
const spec = { provider: "fake", model: "fake-model" }

/**
 * A provider whose answers depend on the request (twin, replicate, attempt, page): every third twin garbles its
 * first ask of the belief page (re-asked), every fifth answers with a warning, and the twins in `failing` get a
 * server error on their belief page. It counts what it was paid for, by request.
 */
const provider = (failing: ReadonlySet<string> = new Set()) => {
  const paid: Array<string> = []
  const shape: ProviderShape = {
    descriptor,
    model: "fake-model",
    generate: (request: ProviderRequest) =>
      Effect.suspend(() => {
        const index = Number(request.twin.id.slice(1))
        const belief = request.items.some((item) => item.id === "worry")
        if (belief && failing.has(request.twin.id))
          return Effect.fail(new ProviderError({ provider: "fake", reason: "server", message: "HTTP 500" }))
        paid.push(`${request.twin.id}/${request.replicate}/${request.attempt}/${belief ? 1 : 0}`)
        const usage = { inputTokens: 100 + index, outputTokens: 10 + request.attempt }
        const warnings = index % 5 === 0 ? ["seed not honoured"] : []
        if (belief && request.attempt === 0 && index % 3 === 0)
          return Effect.succeed<ProviderResponse>({
            text: "rather not",
            modelVersion: "m-1",
            usage,
            warnings,
          })
        const properties = request.prompt.responseSchema.properties as Record<string, { enum: Array<string> }>
        const answer = Object.fromEntries(
          request.items.map((item) => {
            const options = properties[item.id]!.enum
            return [item.id, options[(index + request.replicate) % options.length]]
          }),
        )
        return Effect.succeed<ProviderResponse>({
          text: JSON.stringify(answer),
          modelVersion: "m-1",
          usage,
          warnings,
        })
      }),
  }
  return { shape, paid }
}

const prices = {
  version: "test",
  currency: "USD" as const,
  providers: { fake: { "fake-model": { input: 1, output: 2 } } },
}

/**
 * One run through the call runner on `store` (as `standin run` makes it: the run's own answers read when the
 * runner is made), with or without the replay path.
 */
const runOnce = (
  store: StoreShape,
  runId: string,
  shape: ProviderShape,
  options: { readonly replay?: boolean; readonly fresh?: boolean; readonly twins?: typeof twins } = {},
) =>
  Effect.gen(function* () {
    yield* store.beginRun(runId, "{}")
    const progress = makeProgress({ mode: "quiet" })
    const runner = yield* makeCallRunner({
      provider: shape,
      spec,
      store,
      runId,
      progress,
      prices,
      retry: { maxAttempts: 1 },
      fresh: options.fresh === true,
    })
    // the calls that took the live path (one fiber per twin), cached or not
    let live = 0
    const executor: CallExecutor<unknown> = {
      call: (request) =>
        Effect.suspend(() => {
          live++
          return runner.call(request)
        }),
      finish: runner.flush,
      ...(options.replay === false ? {} : { replay: runner.replay }),
    }
    const result = yield* simulate(
      {
        experiment,
        provider: shape,
        twins: options.twins ?? twins,
        replicates: 2,
        elicitation: "sample",
        settings: { temperature: 1 },
        includeDemographics: true,
        maxReasks: 2,
        seed: 11,
        concurrency: 4,
      },
      executor,
    )
    const statuses = (yield* store.listStatuses(runId)).map(({ runId: _, ...row }) => row)
    return { ...result, statuses, progress: yield* progress.snapshot, live }
  })

const bytes = (value: unknown) => JSON.stringify(value)

describe("the replay path", () => {
  it.effect("a run, then the same run again: every answer from the cache, the same twins to the byte", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* makeStore(":memory:")
        const first = provider()
        const paid = yield* runOnce(store, "run", first.shape)
        expect(paid.totals.cachedCalls).toBe(0)
        // 40 twins × 2 replicates × 2 pages, and a re-ask for every third twin's belief page
        expect(paid.totals.calls).toBe(160 + 2 * 13)
        expect(paid.synthetic.some((twin) => twin.attempts === 3)).toBe(true)

        const never = provider(new Set(twins.map((twin) => twin.id)))
        const replayed = yield* runOnce(store, "run", never.shape)
        expect(never.paid).toHaveLength(0)
        expect(replayed.live).toBe(0)
        expect(bytes(replayed.synthetic)).toBe(bytes(paid.synthetic))
        expect(replayed.totals).toEqual({ ...paid.totals, cachedCalls: paid.totals.calls })
        expect(replayed.statuses).toEqual(paid.statuses)
        expect(replayed.progress).toMatchObject({
          done: paid.totals.calls,
          cached: paid.totals.calls,
          failed: 0,
        })
        expect(replayed.totals.costUsd).toBeGreaterThan(0)

        // the slow path (no replay) reads the same cache into the same bytes
        const slow = yield* runOnce(store, "run", never.shape, { replay: false })
        expect(slow.live).toBe(paid.totals.calls)
        expect(bytes(slow.synthetic)).toBe(bytes(paid.synthetic))
        expect(slow.totals).toEqual(replayed.totals)
      }),
    ),
  )

  it.effect("another run on the same cache: found in the store in batches, its own status rows written", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* makeStore(":memory:")
        const paid = yield* runOnce(store, "first", provider().shape)
        const never = provider(new Set(twins.map((twin) => twin.id)))
        const other = yield* runOnce(store, "second", never.shape)
        expect(never.paid).toHaveLength(0)
        expect(other.live).toBe(0)
        expect(bytes(other.synthetic)).toBe(bytes(paid.synthetic))
        expect(other.statuses).toEqual(paid.statuses)
        expect(other.totals.cachedCalls).toBe(paid.totals.calls)
      }),
    ),
  )

  it.effect(
    "a partly cached run (a run that failed part way, resumed): the rest is paid once, nothing twice",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const store = yield* makeStore(":memory:")
          // the reference: one run that nothing interrupted, on a store of its own
          const reference = yield* Effect.scoped(
            Effect.gen(function* () {
              const own = yield* makeStore(":memory:")
              return yield* runOnce(own, "run", provider().shape)
            }),
          )
          // first attempt: the belief page of seven twins fails, and only the first 30 twins were started
          const failing = new Set(["t00002", "t00003", "t00009", "t00010", "t00017", "t00024", "t00030"])
          const broken = provider(failing)
          const first = yield* runOnce(store, "run", broken.shape, { twins: twins.slice(0, 30) })
          expect(first.synthetic.filter((twin) => twin.failure !== undefined)).toHaveLength(14)
          // resumed: the twins that failed and those never started are paid for; the rest is replayed
          const healthy = provider()
          const resumed = yield* runOnce(store, "run", healthy.shape)
          expect(bytes(resumed.synthetic)).toBe(bytes(reference.synthetic))
          const paidTwice = healthy.paid.filter((call) => broken.paid.includes(call))
          expect(paidTwice).toEqual([])
          expect(broken.paid.length + healthy.paid.length).toBe(reference.totals.calls)
          // the failed twins' action pages were cached by the first attempt and are not paid again
          expect(healthy.paid.filter((call) => call.startsWith("t00002/"))).toEqual([
            "t00002/0/0/1",
            "t00002/1/0/1",
          ])
          expect(resumed.totals.calls - resumed.totals.cachedCalls).toBe(healthy.paid.length)
          // only the twins that failed or never started took the live path: 14 failed, 20 never started
          const liveTwins = resumed.synthetic.filter(
            (twin) => failing.has(twin.twinId) || Number(twin.twinId.slice(1)) > 30,
          )
          expect(resumed.live).toBe(liveTwins.reduce((sum, twin) => sum + twin.attempts, 0))
          expect(resumed.statuses).toEqual(reference.statuses)
        }),
      ),
  )

  it.effect("with --fresh nothing is replayed: every call is paid again", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* makeStore(":memory:")
        const paid = yield* runOnce(store, "run", provider().shape)
        const again = provider()
        const fresh = yield* runOnce(store, "run", again.shape, { fresh: true })
        expect(again.paid).toHaveLength(paid.totals.calls)
        expect(fresh.totals.cachedCalls).toBe(0)
        expect(bytes(fresh.synthetic)).toBe(bytes(paid.synthetic))
      }),
    ),
  )
})

describe("seeds and streams (what the replay derives per call)", () => {
  it("derives the seeds it always did, and a lazy stream draws what the eager one draws", () => {
    for (const keys of [
      ["call", "t00001", 0, 0],
      ["draw", "fake:fake-model", "t00002", 1, 2, "page", 1],
    ]) {
      const expected = createHash("sha256")
        .update(JSON.stringify([11, ...keys]))
        .digest()
        .readUInt32LE(0)
      expect(keyedSeed(11, ...keys)).toBe(expected)
      const eager = streamFor(11, ...keys)
      const lazy = lazyStreamFor(11, ...keys)
      const draws = (random: typeof eager) => [random.next(), random.int(7), random.next(), random.int(1000)]
      expect(draws(lazy)).toEqual(draws(eager))
    }
  })
})
