import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Random } from "effect"
import { TestClock } from "effect/testing"
import { backoffDelay, defaultRetryPolicy, makeCallRunner, type RetryPolicy } from "../../src/calls/index.js"
import { request, scriptedProvider } from "./fixtures.js"

const spec = { provider: "fake", model: "fake-model" }
const policy: RetryPolicy = { maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 8_000, maxTotalWaitMs: 60_000 }

describe("backoffDelay", () => {
  it("draws from the full window, doubling up to the cap", () => {
    expect(backoffDelay(policy, 0, 0)).toBe(0)
    expect(backoffDelay(policy, 0, 0.999)).toBe(999)
    expect(backoffDelay(policy, 2, 0.5)).toBe(2_000)
    expect(backoffDelay(policy, 3, 0.999)).toBe(7_992)
    // capped at maxDelayMs however many retries
    expect(backoffDelay(policy, 10, 0.999)).toBe(7_992)
  })

  it("never waits less than the server's retry-after", () => {
    expect(backoffDelay(policy, 0, 0.1, 5_000)).toBe(5_000)
    expect(backoffDelay(policy, 3, 0.9, 500)).toBe(7_200)
    expect(backoffDelay(policy, 0, 0.5, 1_234.2)).toBe(1_235)
  })
})

/** Runs one call in a fiber; returns how the fiber stands after each clock step. */
const stepped = <A, E>(effect: Effect.Effect<A, E>, steps: ReadonlyArray<number>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(effect)
    const done: Array<boolean> = []
    for (const step of steps) {
      yield* TestClock.adjust(step)
      done.push(fiber.pollUnsafe() !== undefined)
    }
    return { done, exit: yield* Fiber.await(fiber) }
  })

describe("retries", () => {
  it.effect("retry-after is honoured to the millisecond", () =>
    Effect.gen(function* () {
      const fake = scriptedProvider((_, tryIndex) =>
        tryIndex === 0 ? { ok: false, reason: "rate-limited", retryAfterMs: 5_000 } : { ok: true },
      )
      const runner = yield* makeCallRunner({ provider: fake.shape, spec, retry: policy })
      const { done, exit } = yield* stepped(runner.call(request(1)), [4_999, 1])
      expect(done).toEqual([false, true])
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(fake.log.map((entry) => entry.ok)).toEqual([false, true])
    }),
  )

  it.effect("backs off exponentially with full jitter, within each window", () =>
    Effect.gen(function* () {
      const fake = scriptedProvider((_, tryIndex) =>
        tryIndex < 4 ? { ok: false, reason: "server" } : { ok: true },
      )
      const runner = yield* makeCallRunner({ provider: fake.shape, spec, retry: policy })
      const seed = "backoff"
      // the same seeded draws the retry loop will make
      const draws = yield* Effect.all([Random.next, Random.next, Random.next, Random.next]).pipe(
        Random.withSeed(seed),
      )
      const delays = draws.map((unit, retry) => backoffDelay(policy, retry, unit))
      delays.forEach((delay, retry) => {
        expect(delay).toBeGreaterThanOrEqual(0)
        expect(delay).toBeLessThan(1_000 * 2 ** retry)
      })
      const total = delays.reduce((sum, delay) => sum + delay, 0)
      const { done, exit } = yield* stepped(runner.call(request(1)).pipe(Random.withSeed(seed)), [
        Math.max(0, total - 1),
        1,
      ])
      expect(done).toEqual([total === 0, true])
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(fake.log).toHaveLength(5)
    }),
  )

  it.effect("gives up after maxAttempts tries with the last error", () =>
    Effect.gen(function* () {
      const fake = scriptedProvider(() => ({ ok: false, reason: "timeout" }))
      const runner = yield* makeCallRunner({
        provider: fake.shape,
        spec,
        retry: { ...policy, maxAttempts: 3 },
      })
      const { exit } = yield* stepped(runner.call(request(1)), [60_000])
      expect(fake.log).toHaveLength(3)
      expect(Exit.isFailure(exit)).toBe(true)
      const error = yield* Effect.flip(exit)
      expect(error).toMatchObject({ _tag: "ProviderError", reason: "timeout" })
    }),
  )

  it.effect("gives up when the waits would pass maxTotalWaitMs", () =>
    Effect.gen(function* () {
      const fake = scriptedProvider(() => ({ ok: false, reason: "rate-limited", retryAfterMs: 4_000 }))
      const runner = yield* makeCallRunner({
        provider: fake.shape,
        spec,
        retry: { ...policy, maxAttempts: 100, maxTotalWaitMs: 10_000 },
      })
      const { exit } = yield* stepped(runner.call(request(1)), [4_000, 4_000, 4_000])
      // waits of 4 s, 4 s fit in 10 s; a third would not
      expect(fake.log).toHaveLength(3)
      expect(Exit.isFailure(exit)).toBe(true)
    }),
  )

  it.effect("never retries a reason that is not retryable", () =>
    Effect.gen(function* () {
      for (const reason of ["auth", "invalid-request", "content-filtered", "unsupported"] as const) {
        const fake = scriptedProvider(() => ({ ok: false, reason }))
        const runner = yield* makeCallRunner({ provider: fake.shape, spec })
        const error = yield* Effect.flip(runner.call(request(1)))
        expect(error).toMatchObject({ _tag: "ProviderError", reason })
        expect(fake.log).toHaveLength(1)
      }
    }),
  )

  it.effect("a try that hangs past the timeout counts as a retryable timeout", () =>
    Effect.gen(function* () {
      const fake = scriptedProvider((_, tryIndex) =>
        tryIndex === 0 ? { ok: true, delayMs: 1e9 } : { ok: true },
      )
      const runner = yield* makeCallRunner({
        provider: fake.shape,
        spec,
        timeoutMs: 30_000,
        retry: { ...defaultRetryPolicy, baseDelayMs: 1 },
      })
      const { done, exit } = yield* stepped(runner.call(request(1)), [29_999, 2])
      expect(done).toEqual([false, true])
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(fake.paid()).toEqual(["twin-1"])
    }),
  )
})
