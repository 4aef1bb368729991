import { describe, expect, it } from "@effect/vitest"
import { Store, layer as storeLayer } from "@standin/store"
import { Effect, Exit, Fiber, Random } from "effect"
import { TestClock } from "effect/testing"
import { makeCallRunner, makeProgress } from "../../src/calls/index.js"
import { request, type Scripted, scriptedProvider } from "./fixtures.js"

describe("CallRunner under faults", () => {
  it.effect("every call ends answered or recorded with its reason, and no answer is paid twice", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* store.beginRun("faults", "{}")
      const calls = 2_000
      // a deterministic stream of faults: 10% 429 with retry-after, 5% 5xx, 2% hanging, 2% malformed, and
      // 1% refused as invalid (not retryable; a rejected key is not a per-call fault: it stops every call)
      let draw = 0
      const unit = () => {
        draw = (draw * 1_103_515_245 + 12_345) % 2 ** 31
        return draw / 2 ** 31
      }
      const script = (): Scripted => {
        const roll = unit()
        if (roll < 0.1) return { ok: false, reason: "rate-limited", retryAfterMs: 2_000, delayMs: 5 }
        if (roll < 0.15) return { ok: false, reason: "server", delayMs: 20 }
        if (roll < 0.17) return { ok: true, delayMs: 10_000_000 }
        if (roll < 0.19) return { ok: false, reason: "malformed-output", delayMs: 50 }
        if (roll < 0.2) return { ok: false, reason: "invalid-request", delayMs: 5 }
        return { ok: true, delayMs: 50 }
      }
      const fake = scriptedProvider(script)
      const progress = makeProgress({ mode: "quiet" })
      const runner = yield* makeCallRunner({
        provider: fake.shape,
        spec: { provider: "fake", model: "fake-model" },
        store,
        runId: "faults",
        progress,
        timeoutMs: 30_000,
        limits: { maxConcurrency: 64 },
        retry: { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8_000, maxTotalWaitMs: 60_000 },
      })
      yield* progress.addTotal(calls)
      const fiber = yield* Effect.forkChild(
        Effect.forEach(
          Array.from({ length: calls }, (_, index) => index),
          (index) => Effect.exit(runner.call(request(index))),
          { concurrency: 256 },
        ).pipe(Random.withSeed("faults")),
      )
      for (let step = 0; step < 200 && fiber.pollUnsafe() === undefined; step++)
        yield* TestClock.adjust("5 seconds")
      const exits = yield* Fiber.join(fiber)
      yield* runner.flush

      const answered = exits.filter(Exit.isSuccess).length
      const failed = exits.length - answered
      const summary = yield* store.statusSummary("faults")
      expect(summary.ok + summary.failed).toBe(calls)
      expect(summary.ok).toBe(answered)
      expect(summary.failed).toBe(failed)
      // an invalid request is final at once; retryable faults that kept coming exhaust their tries
      expect(summary.reasons["invalid-request"]).toBeGreaterThan(0)
      for (const reason of Object.keys(summary.reasons))
        expect(["invalid-request", "rate-limited", "server", "timeout", "malformed-output"]).toContain(reason)
      expect(answered).toBeGreaterThan(calls * 0.95)
      // the provider's log proves it: successful paid answers = distinct keys = cached answers
      const paid = fake.paid()
      expect(new Set(paid).size).toBe(paid.length)
      expect(paid).toHaveLength(answered)
      expect(yield* store.countCalls).toBe(answered)
      const snapshot = yield* progress.snapshot
      expect(snapshot.done).toBe(calls)
      expect(snapshot.failed).toBe(failed)
      expect(snapshot.retries["rate-limited"]).toBeGreaterThan(0)
      expect(snapshot.retries.timeout).toBeGreaterThan(0)
      expect((yield* runner.limiter.state).inFlight).toBe(0)
    }).pipe(Effect.provide(storeLayer(":memory:"))),
  )
})
