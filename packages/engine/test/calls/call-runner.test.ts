import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { make as makeStore, Store, layer as storeLayer } from "@standin/store"
import { Effect, Exit, Fiber, Schema } from "effect"
import { TestClock } from "effect/testing"
import fc from "fast-check"
import {
  CachedResponse,
  type CallResult,
  callKeyParts,
  defaultPriceTable,
  isCachedResponse,
  makeBudget,
  makeCallRunner,
  makeProgress,
  mergePrices,
} from "../../src/calls/index.js"
import { answerText, meteredResponse, request, scriptedProvider } from "./fixtures.js"

const spec = { provider: "fake", model: "fake-model", baseUrl: "http://127.0.0.1:9/v1" }
const prices = mergePrices(defaultPriceTable, { fake: { "fake-model": { input: 1, output: 2 } } })
const directory = mkdtempSync(join(tmpdir(), "standin-calls-"))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

describe("CallRunner cache", () => {
  it.effect("a miss pays the provider once; a hit reads the cache and pays nothing", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const fake = scriptedProvider()
      const progress = makeProgress({ mode: "quiet" })
      const runner = yield* makeCallRunner({ provider: fake.shape, spec, store, prices, progress })
      const first = yield* runner.call(request(1))
      const second = yield* runner.call(request(1))
      expect(first.cached).toBe(false)
      expect(second.cached).toBe(true)
      expect(second.key).toBe(first.key)
      expect(second.response).toEqual(first.response)
      expect(second.response.text).toBe(answerText(request(1)))
      const usage = meteredResponse(request(1)).usage
      expect(first.costUsd).toBeCloseTo((usage.inputTokens * 1 + usage.outputTokens * 2) / 1e6, 15)
      expect(second.costUsd).toBe(first.costUsd)
      expect(fake.paid()).toEqual(["twin-1"])
      // a different replicate, attempt or twin is a different call
      yield* runner.call(request(1, { replicate: 1 }))
      yield* runner.call(request(1, { attempt: 1 }))
      yield* runner.call(request(2))
      expect(fake.paid()).toHaveLength(4)
      const snapshot = yield* progress.snapshot
      expect(snapshot).toMatchObject({ done: 5, cached: 1, failed: 0 })
      // cost so far counts money spent now: the cached answer is not counted again
      expect(snapshot.costUsd).toBeCloseTo(4 * first.costUsd!, 12)
      const cached = yield* store.getCall(first.key)
      expect(cached).toMatchObject({
        provider: "fake",
        model: "fake-model",
        modelVersion: "fake-model-2026-01",
      })
    }).pipe(Effect.provide(storeLayer(":memory:"))),
  )

  it.effect("without a store nothing is cached; with fresh the cache is ignored and overwritten", () =>
    Effect.gen(function* () {
      const uncached = scriptedProvider()
      const bare = yield* makeCallRunner({ provider: uncached.shape, spec })
      yield* bare.call(request(1))
      const again = yield* bare.call(request(1))
      expect(again.cached).toBe(false)
      expect(uncached.paid()).toHaveLength(2)

      const store = yield* Store
      const fake = scriptedProvider()
      const runner = yield* makeCallRunner({ provider: fake.shape, spec, store })
      yield* runner.call(request(1))
      const fresh = yield* makeCallRunner({ provider: fake.shape, spec, store, fresh: true })
      const forced = yield* fresh.call(request(1))
      expect(forced.cached).toBe(false)
      expect(fake.paid()).toHaveLength(2)
      expect(yield* store.countCalls).toBe(1)
    }).pipe(Effect.provide(storeLayer(":memory:"))),
  )

  it.effect("a corrupt cache entry counts as a miss and is replaced", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const fake = scriptedProvider()
      const runner = yield* makeCallRunner({ provider: fake.shape, spec, store })
      const key = runner.keyOf(request(3))
      yield* store.putCall({
        key,
        provider: "fake",
        model: "fake-model",
        response: '{"text": 42}',
        inputTokens: 0,
        outputTokens: 0,
        costUsd: null,
        modelVersion: "?",
      })
      const result = yield* runner.call(request(3))
      expect(result.cached).toBe(false)
      expect(fake.paid()).toEqual(["twin-3"])
      expect((yield* runner.call(request(3))).cached).toBe(true)
    }).pipe(Effect.provide(storeLayer(":memory:"))),
  )

  it("keys come from the spec and the request, never from a secret", () => {
    const withKey = { ...spec, options: { fake: { apiKey: "sk-123", effort: "low" } } }
    const parts = callKeyParts(withKey, request(1))
    expect(JSON.stringify(parts.providerOptions)).toContain("sk-123")
    expect(callKeyParts(spec, request(1)).twinId).toBe("twin-1")
    return Effect.runPromise(
      Effect.gen(function* () {
        const fake = scriptedProvider()
        const a = yield* makeCallRunner({ provider: fake.shape, spec: withKey })
        const b = yield* makeCallRunner({
          provider: fake.shape,
          spec: { ...spec, options: { fake: { effort: "low" } } },
        })
        const c = yield* makeCallRunner({
          provider: fake.shape,
          spec: { ...spec, options: { fake: { effort: "high" } } },
        })
        expect(a.keyOf(request(1))).toBe(b.keyOf(request(1)))
        expect(a.keyOf(request(1))).not.toBe(c.keyOf(request(1)))
        // a vendor plugin's own (flat) options count too: a forced tool is not structured outputs
        const tool = yield* makeCallRunner({
          provider: fake.shape,
          spec: { ...spec, options: { structuredOutput: "tool" } },
        })
        const schema = yield* makeCallRunner({
          provider: fake.shape,
          spec: { ...spec, options: { structuredOutput: "json_schema" } },
        })
        expect(tool.keyOf(request(1))).not.toBe(schema.keyOf(request(1)))
        // the two shapes of the same options key alike: moving a spec to providerOptions[id] pays nothing again
        const flat = yield* makeCallRunner({
          provider: fake.shape,
          spec: { ...spec, options: { effort: "low" } },
        })
        expect(flat.keyOf(request(1))).toBe(b.keyOf(request(1)))
      }),
    )
  })
})

describe("CallRunner status rows", () => {
  it.effect("records ok and failed calls per run; cached answers after flush", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* store.beginRun("run-1", "{}")
      const fake = scriptedProvider((twinId) =>
        twinId === "twin-2" ? { ok: false, reason: "auth" } : { ok: true },
      )
      const runner = yield* makeCallRunner({ provider: fake.shape, spec, store, runId: "run-1" })
      yield* runner.call(request(1))
      const error = yield* Effect.flip(runner.call(request(2)))
      expect(error._tag).toBe("ProviderError")
      // auth is not retryable: one try only
      expect(fake.log.filter((entry) => entry.twinId === "twin-2")).toHaveLength(1)
      yield* store.beginRun("run-2", "{}")
      const second = yield* makeCallRunner({ provider: fake.shape, spec, store, runId: "run-2" })
      const hit = yield* second.call(request(1))
      expect(hit.cached).toBe(true)
      expect(yield* store.listStatuses("run-2")).toHaveLength(0)
      yield* second.flush
      const rows = yield* store.listStatuses("run-2")
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ twinId: "twin-1", status: "ok" })
      expect(yield* store.statusSummary("run-1")).toEqual({ ok: 1, failed: 1, reasons: { auth: 1 } })
      const failed = (yield* store.listStatuses("run-1")).find((row) => row.status === "failed")
      expect(failed).toMatchObject({ twinId: "twin-2", reason: "auth", message: "scripted auth" })
    }).pipe(Effect.provide(storeLayer(":memory:"))),
  )
})

describe("CallRunner repeated run", () => {
  it.effect("reads the run's own answers in one pass and writes no status row twice", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* store.beginRun("run-1", "{}")
      const fake = scriptedProvider((twinId) =>
        twinId === "twin-3" ? { ok: false, reason: "auth" } : { ok: true },
      )
      const first = yield* makeCallRunner({ provider: fake.shape, spec, store, runId: "run-1" })
      for (const index of [1, 2, 3]) yield* Effect.exit(first.call(request(index)))
      expect(fake.log).toHaveLength(3)
      expect((yield* store.runAnswers("run-1")).size).toBe(2)

      const again = yield* makeCallRunner({ provider: fake.shape, spec, store, runId: "run-1" })
      const one = yield* again.call(request(1))
      const two = yield* again.call(request(2))
      expect([one.cached, two.cached]).toEqual([true, true])
      expect(one.response.text).toBe(answerText(request(1)))
      // the failed call is tried again; the answered ones are not
      yield* Effect.exit(again.call(request(3)))
      expect(fake.log.map((entry) => entry.twinId)).toEqual(["twin-1", "twin-2", "twin-3", "twin-3"])
      yield* again.flush
      expect(yield* store.statusSummary("run-1")).toEqual({ ok: 2, failed: 1, reasons: { auth: 1 } })
      // a request made a second time in the same run still hits, through the per-key lookup
      expect((yield* again.call(request(1))).cached).toBe(true)
      // fresh: nothing is read back, everything is paid again
      const fresh = yield* makeCallRunner({ provider: fake.shape, spec, store, runId: "run-1", fresh: true })
      expect((yield* fresh.call(request(1))).cached).toBe(false)
    }).pipe(Effect.provide(storeLayer(":memory:"))),
  )
})

describe("CallRunner resume", () => {
  it.effect(
    "after a crash, completed calls come from the cache, unpaid, and results match an uninterrupted run",
    () =>
      Effect.gen(function* () {
        const path = join(directory, "resume.sqlite")
        const twins = Array.from({ length: 100 }, (_, index) => index)
        const fake = scriptedProvider(() => ({ ok: true, delayMs: 10 }))

        // first run: interrupted part-way, as a kill would
        const completedBeforeCrash = yield* Effect.scoped(
          Effect.gen(function* () {
            const store = yield* makeStore(path)
            const runner = yield* makeCallRunner({
              provider: fake.shape,
              spec,
              store,
              limits: { maxConcurrency: 8 },
            })
            const fiber = yield* Effect.forkChild(
              Effect.forEach(twins, (index) => runner.call(request(index)), { concurrency: 8 }),
            )
            yield* TestClock.adjust("45 millis")
            yield* Fiber.interrupt(fiber)
            return yield* store.countCalls
          }),
        )
        expect(completedBeforeCrash).toBeGreaterThan(0)
        expect(completedBeforeCrash).toBeLessThan(100)
        const paidBefore = fake.paid().length
        expect(paidBefore).toBe(completedBeforeCrash)

        // resumed run: same command, same store file
        const resumed = yield* Effect.scoped(
          Effect.gen(function* () {
            const store = yield* makeStore(path)
            const runner = yield* makeCallRunner({
              provider: fake.shape,
              spec,
              store,
              limits: { maxConcurrency: 8 },
            })
            const fiber = yield* Effect.forkChild(
              Effect.forEach(twins, (index) => runner.call(request(index)), { concurrency: 8 }),
            )
            yield* TestClock.adjust("1 second")
            return yield* Fiber.join(fiber)
          }),
        )
        expect(resumed.filter((result) => result.cached)).toHaveLength(completedBeforeCrash)
        // no successful call was paid twice
        expect(new Set(fake.paid()).size).toBe(fake.paid().length)
        expect(fake.paid()).toHaveLength(100)

        // an uninterrupted run on its own store gives the same answers
        const reference = scriptedProvider(() => ({ ok: true, delayMs: 10 }))
        const uninterrupted: ReadonlyArray<CallResult> = yield* Effect.scoped(
          Effect.gen(function* () {
            const store = yield* makeStore(join(directory, "reference.sqlite"))
            const runner = yield* makeCallRunner({ provider: reference.shape, spec, store })
            const fiber = yield* Effect.forkChild(
              Effect.forEach(twins, (index) => runner.call(request(index)), { concurrency: 8 }),
            )
            yield* TestClock.adjust("1 second")
            return yield* Fiber.join(fiber)
          }),
        )
        const view = (results: ReadonlyArray<CallResult>) =>
          results.map((result) => ({ key: result.key, response: result.response, cost: result.costUsd }))
        expect(view(resumed)).toEqual(view(uninterrupted))
      }),
  )
})

describe("CallRunner budget", () => {
  it.effect("stops within one in-flight window of the limit and refuses every later call", () =>
    Effect.gen(function* () {
      const fake = scriptedProvider(() => ({ ok: true, delayMs: 20 }))
      const limitUsd = 0.002
      const budget = makeBudget(limitUsd)
      const runner = yield* makeCallRunner({
        provider: fake.shape,
        spec,
        prices,
        budget,
        limits: { maxConcurrency: 8 },
      })
      const perCall = runner.estimate(request(1)).costUsd!
      expect(perCall).toBeGreaterThan(0)
      const fiber = yield* Effect.forkChild(
        Effect.forEach(
          Array.from({ length: 200 }, (_, index) => index),
          (index) => Effect.exit(runner.call(request(index))),
          { concurrency: 8 },
        ),
      )
      yield* TestClock.adjust("10 seconds")
      const exits = yield* Fiber.join(fiber)
      const report = yield* budget.report
      const succeeded = exits.filter(Exit.isSuccess)
      const refused = exits.filter(Exit.isFailure)
      expect(report.stopped).toBe(true)
      expect(report.inFlightUsd).toBeCloseTo(0, 12)
      expect(report.spentUsd).toBeLessThanOrEqual(limitUsd)
      // within one in-flight window (8 calls) plus the call that was refused
      expect(report.spentUsd).toBeGreaterThan(limitUsd - 9 * perCall)
      expect(succeeded.length + refused.length).toBe(200)
      expect(fake.paid()).toHaveLength(succeeded.length)
      expect(report.refusedCalls).toBe(refused.length)
      const first = refused[0]!
      const error = Exit.isFailure(first) ? first.cause.reasons[0] : undefined
      expect(error?._tag).toBe("Fail")
      if (error?._tag === "Fail") {
        expect(error.error._tag).toBe("BudgetExceeded")
        if (error.error._tag === "BudgetExceeded") expect(error.error.limitUsd).toBe(limitUsd)
      }
      expect(report.headroomUsd).toBeCloseTo(limitUsd - report.spentUsd, 12)
    }),
  )

  it.effect("refuses calls to a model without a price when a limit is set", () =>
    Effect.gen(function* () {
      const fake = scriptedProvider()
      const runner = yield* makeCallRunner({ provider: fake.shape, spec, budget: makeBudget(1) })
      expect(runner.price).toBeUndefined()
      const error = yield* Effect.flip(runner.call(request(1)))
      expect(error._tag).toBe("BudgetExceeded")
      expect(fake.log).toHaveLength(0)
      const unlimited = yield* makeCallRunner({ provider: fake.shape, spec })
      expect((yield* unlimited.call(request(1))).costUsd).toBeNull()
    }),
  )
})

describe("cached answers", () => {
  it("the hand-written check agrees with the schema on valid answers and on broken ones", () => {
    const schemaCheck = Schema.is(CachedResponse)
    const answer = fc.record(
      {
        text: fc.oneof(fc.string(), fc.integer()),
        modelVersion: fc.oneof(fc.string(), fc.constant(null)),
        usage: fc.oneof(
          fc.record({ inputTokens: fc.integer(), outputTokens: fc.oneof(fc.integer(), fc.string()) }),
          fc.constant("none"),
        ),
        warnings: fc.oneof(fc.array(fc.string()), fc.array(fc.oneof(fc.string(), fc.integer()))),
        finishReason: fc.oneof(fc.string(), fc.integer()),
        distributions: fc.oneof(
          fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.double())),
          fc.dictionary(fc.string(), fc.dictionary(fc.string(), fc.oneof(fc.double(), fc.string()))),
          fc.array(fc.integer()),
        ),
      },
      { requiredKeys: [] },
    )
    fc.assert(
      fc.property(fc.oneof(answer, fc.jsonValue()), (value) => {
        expect(isCachedResponse(value)).toBe(schemaCheck(value))
      }),
      { numRuns: 2_000 },
    )
    expect(isCachedResponse(meteredResponse(request(1)))).toBe(true)
  })
})

describe("a rejected key", () => {
  it.effect("is not sent again by calls still waiting for the limiter", () =>
    Effect.gen(function* () {
      const fake = scriptedProvider(() => ({ ok: false, reason: "auth", delayMs: 100 }))
      const runner = yield* makeCallRunner({ provider: fake.shape, spec, limits: { maxConcurrency: 2 } })
      const fiber = yield* Effect.forkChild(
        Effect.forEach(
          Array.from({ length: 10 }, (_, index) => index),
          (index) => Effect.exit(runner.call(request(index))),
          { concurrency: 10 },
        ),
      )
      yield* TestClock.adjust("1 second")
      const exits = yield* Fiber.join(fiber)
      // the two calls out when the vendor said no; the eight queued behind them never went
      expect(fake.log).toHaveLength(2)
      expect(exits.every(Exit.isFailure)).toBe(true)
      for (const exit of exits)
        if (Exit.isFailure(exit)) expect(JSON.stringify(exit.cause)).toContain('"reason":"auth"')
    }),
  )
})

describe("a halted run (Ctrl-C)", () => {
  it.effect(
    "answers and caches the calls already sent, sends none of those waiting for the limiter or a retry, and refuses new ones",
    () =>
      Effect.gen(function* () {
        const store = yield* Store
        // twin-0 fails with a retryable error first, then would succeed: it is waiting for its retry
        const fake = scriptedProvider((twinId, tryIndex) =>
          twinId === "twin-0" && tryIndex === 0
            ? { ok: false, reason: "server", delayMs: 10 }
            : { ok: true, delayMs: 100 },
        )
        let sent = 0
        const counted = {
          ...fake.shape,
          generate: (request: Parameters<typeof fake.shape.generate>[0]) =>
            Effect.suspend(() => {
              sent++
              return fake.shape.generate(request)
            }),
        }
        const budget = makeBudget(null)
        const runner = yield* makeCallRunner({
          provider: counted,
          spec,
          store,
          budget,
          retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 },
          limits: { maxConcurrency: 4 },
        })
        const fiber = yield* Effect.forkChild(
          Effect.forEach(
            Array.from({ length: 20 }, (_, index) => index),
            (index) => Effect.exit(runner.call(request(index))),
            { concurrency: 20 },
          ),
        )
        // twin-0's first try fails at 10 ms and waits (up to 60 s) for its retry; twins 1–3 are out
        yield* TestClock.adjust("50 millis")
        // twins 1–4 are out (4 permits; twin-0's went back when it failed), the others wait
        const sentBefore = sent
        expect(sentBefore).toBe(5)
        expect((yield* budget.report).inFlightCalls).toBe(20)
        budget.halt("SIGINT")
        yield* TestClock.adjust("100 millis")
        const exits = yield* Fiber.join(fiber)
        // only what had been sent before the halt was ever sent, and each of those answers is stored
        expect(sent).toBe(sentBefore)
        const paid = fake.paid()
        expect(paid).toEqual(["twin-1", "twin-2", "twin-3", "twin-4"])
        expect(yield* store.countCalls).toBe(paid.length)
        expect(exits.filter(Exit.isSuccess)).toHaveLength(paid.length)
        for (const exit of exits.filter(Exit.isFailure))
          expect(JSON.stringify(exit.cause)).toContain("the run was stopped (SIGINT)")
        const report = yield* budget.report
        expect(report).toMatchObject({ halted: "SIGINT", stopped: true, inFlightCalls: 0 })
        // a call started after the halt is refused before anything is sent
        expect((yield* Effect.flip(runner.call(request(99))))._tag).toBe("BudgetExceeded")
        expect(sent).toBe(sentBefore)
      }).pipe(Effect.provide(storeLayer(":memory:"))),
  )
})
