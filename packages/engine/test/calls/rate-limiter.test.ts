import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Ref } from "effect"
import { TestClock } from "effect/testing"
import {
  limitsFor,
  makeCallRunner,
  makeRateLimiter,
  makeRateLimiterPool,
  type RateLimiter,
  type RateLimits,
  vendorDefaults,
} from "../../src/calls/index.js"
import { request, scriptedProvider } from "./fixtures.js"

const open: RateLimits = {
  maxConcurrency: 1_000,
  requestsPerMinute: null,
  tokensPerMinute: null,
  adaptive: false,
  burstSeconds: 10,
}

/** Starts `count` acquisitions of `tokens` each; counts grants as they happen. */
const contend = (limiter: RateLimiter, count: number, tokens = 1) =>
  Effect.gen(function* () {
    const granted = yield* Ref.make(0)
    const fibers = yield* Effect.forEach(Array.from({ length: count }), () =>
      Effect.forkChild(
        Effect.andThen(
          limiter.acquire(tokens),
          Ref.update(granted, (n) => n + 1),
        ),
      ),
    )
    yield* Effect.yieldNow
    return { granted, fibers }
  })

describe("rate limiter", () => {
  it("has vendor defaults and lets config override them", () => {
    expect(limitsFor("openai")).toEqual(vendorDefaults.openai)
    expect(limitsFor("anthropic", { requestsPerMinute: 4_000 }).requestsPerMinute).toBe(4_000)
    expect(limitsFor("anthropic", { requestsPerMinute: 4_000 }).tokensPerMinute).toBe(50_000)
    expect(limitsFor("some-local-fake").requestsPerMinute).toBeNull()
  })

  it.effect("a pool gives every runner of one provider the same limiter", () =>
    Effect.gen(function* () {
      const pool = makeRateLimiterPool({ anthropic: { maxConcurrency: 3 } })
      const first = yield* pool.get("anthropic")
      expect(yield* pool.get("anthropic")).toBe(first)
      expect(first.limits.maxConcurrency).toBe(3)
      expect(first.limits.requestsPerMinute).toBe(vendorDefaults.anthropic!.requestsPerMinute)
      expect(yield* pool.get("openai")).not.toBe(first)
      // two runners (two models) on one account share its concurrency
      const fake = scriptedProvider(() => ({ ok: true, delayMs: 100 }))
      const runners = yield* Effect.forEach(["claude-a", "claude-b"], (model) =>
        makeCallRunner({ provider: fake.shape, spec: { provider: "anthropic", model }, limiter: first }),
      )
      const fiber = yield* Effect.forkChild(
        Effect.forEach(
          Array.from({ length: 12 }, (_, index) => index),
          (index) =>
            runners[index % 2]!.call(request(index, { model: index % 2 === 0 ? "claude-a" : "claude-b" })),
          { concurrency: "unbounded" },
        ),
      )
      yield* TestClock.adjust("1 minute")
      yield* Fiber.join(fiber)
      expect(fake.peakInFlight()).toBe(3)
    }),
  )

  it.effect("never lets more than maxConcurrency calls run at once", () =>
    Effect.gen(function* () {
      const fake = scriptedProvider(() => ({ ok: true, delayMs: 100 }))
      const runner = yield* makeCallRunner({
        provider: fake.shape,
        spec: { provider: "fake", model: "fake-model" },
        limits: { maxConcurrency: 5 },
      })
      const fiber = yield* Effect.forkChild(
        Effect.forEach(
          Array.from({ length: 40 }, (_, index) => index),
          (index) => runner.call(request(index)),
          {
            concurrency: "unbounded",
          },
        ),
      )
      yield* TestClock.adjust("100 millis")
      expect(fake.log).toHaveLength(5)
      yield* TestClock.adjust("700 millis")
      yield* Fiber.join(fiber)
      expect(fake.peakInFlight()).toBe(5)
      expect(fake.log).toHaveLength(40)
    }),
  )

  it.effect("holds requests per minute to the bucket: a burst, then the steady rate", () =>
    Effect.gen(function* () {
      // 60 per minute with a 10 s burst: 10 at once, then one a second
      const limiter = yield* makeRateLimiter({ ...open, requestsPerMinute: 60 })
      const { granted, fibers } = yield* contend(limiter, 40)
      expect(yield* Ref.get(granted)).toBe(10)
      yield* TestClock.adjust("999 millis")
      expect(yield* Ref.get(granted)).toBe(10)
      yield* TestClock.adjust("1 millis")
      expect(yield* Ref.get(granted)).toBe(11)
      yield* TestClock.adjust("9 seconds")
      expect(yield* Ref.get(granted)).toBe(20)
      yield* TestClock.adjust("20 seconds")
      expect(yield* Ref.get(granted)).toBe(40)
      yield* Effect.forEach(fibers, Fiber.join)
      // over any 60 s from the start: at most burst + rate·60 s
      const late = yield* contend(limiter, 100)
      yield* TestClock.adjust("60 seconds")
      expect(yield* Ref.get(late.granted)).toBeLessThanOrEqual(10 + 60)
      yield* Effect.forEach(late.fibers, Fiber.interrupt)
      expect((yield* limiter.state).waiting).toBe(0)
    }),
  )

  it.effect("holds tokens per minute, corrected by actual usage after each call", () =>
    Effect.gen(function* () {
      // 6,000 tokens a minute, 10 s burst: 1,000 tokens at once, 100 per second
      const limiter = yield* makeRateLimiter({ ...open, tokensPerMinute: 6_000 })
      const first = yield* limiter.acquire(400)
      const second = yield* limiter.acquire(400)
      expect((yield* limiter.state).tokenAllowance).toBe(200)
      // the first call used 100 tokens more than estimated, the second 300 fewer
      yield* limiter.release(first, { _tag: "Succeeded", tokens: 500 })
      yield* limiter.release(second, { _tag: "Succeeded", tokens: 100 })
      expect((yield* limiter.state).tokenAllowance).toBe(400)
      const { granted } = yield* contend(limiter, 1, 600)
      expect(yield* Ref.get(granted)).toBe(0)
      // 200 missing at 100 per second
      yield* TestClock.adjust("1999 millis")
      expect(yield* Ref.get(granted)).toBe(0)
      yield* TestClock.adjust("1 millis")
      expect(yield* Ref.get(granted)).toBe(1)
      // a call larger than the whole bucket waits for a full bucket, then goes (into debt)
      const huge = yield* contend(limiter, 1, 5_000)
      yield* TestClock.adjust("9999 millis")
      expect(yield* Ref.get(huge.granted)).toBe(0)
      yield* TestClock.adjust("1 millis")
      expect(yield* Ref.get(huge.granted)).toBe(1)
      expect((yield* limiter.state).tokenAllowance).toBe(-4_000)
    }),
  )

  it.effect("serves waiters first come, first served", () =>
    Effect.gen(function* () {
      const limiter = yield* makeRateLimiter({ ...open, maxConcurrency: 1 })
      const order: Array<number> = []
      const held = yield* limiter.acquire(1)
      const fibers = yield* Effect.forEach([1, 2, 3, 4], (index) =>
        Effect.forkChild(
          Effect.flatMap(limiter.acquire(1), (permit) =>
            Effect.andThen(
              Effect.sync(() => order.push(index)),
              limiter.release(permit, { _tag: "Succeeded", tokens: 1 }),
            ),
          ),
        ),
      )
      yield* Effect.yieldNow
      expect((yield* limiter.state).waiting).toBe(4)
      yield* limiter.release(held, { _tag: "Succeeded", tokens: 1 })
      yield* Effect.forEach(fibers, Fiber.join)
      expect(order).toEqual([1, 2, 3, 4])
    }),
  )

  it.effect("an interrupted waiter leaves the queue and takes nothing", () =>
    Effect.gen(function* () {
      const limiter = yield* makeRateLimiter({ ...open, maxConcurrency: 1 })
      const held = yield* limiter.acquire(1)
      const { fibers, granted } = yield* contend(limiter, 2)
      yield* Fiber.interrupt(fibers[0]!)
      expect((yield* limiter.state).waiting).toBe(1)
      yield* limiter.release(held, { _tag: "Succeeded", tokens: 1 })
      yield* Fiber.join(fibers[1]!)
      expect(yield* Ref.get(granted)).toBe(1)
      expect((yield* limiter.state).inFlight).toBe(1)
    }),
  )

  it.effect("adaptive concurrency halves once per window of 429s and creeps back on success", () =>
    Effect.gen(function* () {
      const limiter = yield* makeRateLimiter({ ...open, maxConcurrency: 16, adaptive: true })
      // 429s must be most of the recent answers before one cuts (concurrency-controller.test.ts): a first
      // window of 30 all refused
      const first = yield* Effect.forEach(Array.from({ length: 16 }), () => limiter.acquire(1))
      for (const permit of first) yield* limiter.release(permit, { _tag: "RateLimited" })
      expect((yield* limiter.state).concurrency).toBe(16)
      const permits = yield* Effect.forEach(Array.from({ length: 16 }), () => limiter.acquire(1))
      // sixteen calls sent in the same window all come back 429: one halving, not sixteen
      for (const permit of permits) yield* limiter.release(permit, { _tag: "RateLimited" })
      expect((yield* limiter.state).concurrency).toBe(8)
      const next = yield* Effect.forEach(Array.from({ length: 8 }), () => limiter.acquire(1))
      const { granted } = yield* contend(limiter, 1)
      expect(yield* Ref.get(granted)).toBe(0)
      yield* limiter.release(next[0]!, { _tag: "RateLimited" })
      expect((yield* limiter.state).concurrency).toBe(4)
      for (const permit of next.slice(1)) yield* limiter.release(permit, { _tag: "Succeeded", tokens: 1 })
      // additive increase: about one more slot per window of `concurrency` successes
      const before = (yield* limiter.state).concurrency
      for (let index = 0; index < 40; index++) {
        const permit = yield* limiter.acquire(1)
        yield* limiter.release(permit, { _tag: "Succeeded", tokens: 1 })
      }
      const after = (yield* limiter.state).concurrency
      expect(after).toBeGreaterThan(before)
      expect(after).toBeLessThanOrEqual(16)
      for (let index = 0; index < 2_000; index++) {
        const permit = yield* limiter.acquire(1)
        yield* limiter.release(permit, { _tag: "Succeeded", tokens: 1 })
      }
      expect((yield* limiter.state).concurrency).toBe(16)
    }),
  )

  it.effect("429s from the provider lower the concurrency the runner uses", () =>
    Effect.gen(function* () {
      const fake = scriptedProvider((_, tryIndex) =>
        tryIndex === 0
          ? { ok: false, reason: "rate-limited", retryAfterMs: 1_000, delayMs: 10 }
          : { ok: true, delayMs: 10 },
      )
      const runner = yield* makeCallRunner({
        provider: fake.shape,
        spec: { provider: "fake", model: "fake-model" },
        limits: { maxConcurrency: 32 },
      })
      const fiber = yield* Effect.forkChild(
        Effect.forEach(
          Array.from({ length: 64 }, (_, index) => index),
          (index) => runner.call(request(index)),
          {
            concurrency: "unbounded",
          },
        ),
      )
      yield* TestClock.adjust("20 millis")
      expect((yield* runner.limiter.state).concurrency).toBeLessThan(32)
      yield* TestClock.adjust("1 minute")
      const results = yield* Fiber.join(fiber)
      expect(results).toHaveLength(64)
      expect(fake.paid()).toHaveLength(64)
    }),
  )
})

describe("the limit that binds", () => {
  it.effect(
    "is concurrency when every permit is out, rpm or tpm when the queue waits for that allowance",
    () =>
      Effect.gen(function* () {
        const byConcurrency = yield* makeRateLimiter({ ...open, maxConcurrency: 2 })
        expect(byConcurrency.binding()).toBeUndefined()
        yield* contend(byConcurrency, 3)
        expect(byConcurrency.binding()).toBe("concurrency")

        // 60 requests a minute with a 1 s burst: one request at once, then one a second
        const byRequests = yield* makeRateLimiter({ ...open, requestsPerMinute: 60, burstSeconds: 1 })
        yield* contend(byRequests, 3)
        expect(byRequests.binding()).toBe("rpm")

        const byTokens = yield* makeRateLimiter({ ...open, tokensPerMinute: 600, burstSeconds: 1 })
        yield* contend(byTokens, 3, 10)
        expect(byTokens.binding()).toBe("tpm")
        // once the waiting calls got through, nothing binds
        yield* TestClock.adjust("10 seconds")
        expect(byTokens.binding()).toBeUndefined()
      }),
  )

  it.effect("says concurrency was halved after 429s", () =>
    Effect.gen(function* () {
      const limiter = yield* makeRateLimiter({ ...open, maxConcurrency: 4, adaptive: true })
      // a run of 429s: most answers refused
      for (let index = 0; index < 30; index++) {
        const permit = yield* limiter.acquire(1)
        yield* limiter.release(permit, { _tag: "RateLimited" })
      }
      const { fibers } = yield* contend(limiter, 3)
      expect(limiter.binding()).toBe("concurrency (halved after 429s)")
      expect(fibers).toHaveLength(3)
    }),
  )
})
