import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { makeProgress, type ProgressSnapshot, renderProgress } from "../../src/calls/index.js"

const collect = () => {
  const writes: Array<string> = []
  return { writes, write: (text: string) => void writes.push(text) }
}

describe("progress", () => {
  it("renders done/total, rate, ETA, cost and errors by kind on one line", () => {
    const snapshot: ProgressSnapshot = {
      total: 1_000,
      done: 250,
      cached: 100,
      failed: 3,
      costUsd: 0.1234567,
      failures: { server: 1, auth: 2 },
      retries: { "rate-limited": 12, timeout: 1 },
      ratePerSecond: 12.5,
      etaSeconds: 60,
    }
    expect(renderProgress(snapshot, "openai:gpt-4o-mini")).toBe(
      "openai:gpt-4o-mini 250/1000 (25%) · 13/s · ETA 1m00s · $0.1235 · cached 100 · failed 3 (auth 2, server 1) · retried: rate-limited 12, timeout 1",
    )
  })

  it("says which limit holds calls back while calls are left, and not on the final line", () => {
    const snapshot: ProgressSnapshot = {
      total: 10,
      done: 4,
      cached: 0,
      failed: 0,
      costUsd: 0.5,
      failures: {},
      retries: {},
      ratePerSecond: 2,
      etaSeconds: 3,
    }
    expect(renderProgress(snapshot, "openai:gpt-4o-mini", "rpm")).toBe(
      "openai:gpt-4o-mini 4/10 (40%) · 2.0/s · ETA 3s · $0.5000 · held by rpm",
    )
    expect(renderProgress({ ...snapshot, done: 10 }, "openai:gpt-4o-mini", "rpm")).not.toContain("held by")
  })

  it.effect("on a terminal, redraws one line with a carriage return, at most every interval", () =>
    Effect.gen(function* () {
      const out = collect()
      const progress = makeProgress({ mode: "tty", write: out.write, intervalMs: 100 })
      yield* progress.addTotal(4)
      yield* progress.record({ _tag: "Done", cached: false, costUsd: 0.5 })
      yield* progress.record({ _tag: "Done", cached: false, costUsd: 0.5 })
      expect(out.writes).toHaveLength(1)
      yield* TestClock.adjust("2 seconds")
      yield* progress.record({ _tag: "Retrying", reason: "server" })
      yield* progress.record({ _tag: "Done", cached: false, costUsd: null, failure: "server" })
      expect(out.writes).toHaveLength(2)
      yield* progress.finish
      expect(out.writes).toHaveLength(3)
      for (const text of out.writes) expect(text.startsWith("\r")).toBe(true)
      expect(out.writes.at(-1)).toMatch(/\n$/)
      expect(out.writes.at(-1)).toContain("3/4 (75%)")
      expect(out.writes.at(-1)).toContain("1.5/s")
      expect(out.writes.at(-1)).toContain("ETA 1s")
      expect(out.writes.at(-1)).toContain("$1.0000")
      expect(out.writes.at(-1)).toContain("failed 1 (server 1)")
      expect(out.writes.at(-1)).toContain("retried: server 1")
      yield* progress.finish
      expect(out.writes).toHaveLength(3)
    }),
  )

  it.effect("off a terminal, prints plain lines periodically", () =>
    Effect.gen(function* () {
      const out = collect()
      const progress = makeProgress({ mode: "plain", write: out.write, intervalMs: 10_000 })
      yield* progress.addTotal(100)
      for (let second = 0; second < 30; second++) {
        yield* progress.record({ _tag: "Done", cached: true, costUsd: 0.01 })
        yield* TestClock.adjust("1 second")
      }
      yield* progress.finish
      expect(out.writes.length).toBeGreaterThanOrEqual(3)
      expect(out.writes.length).toBeLessThanOrEqual(4)
      for (const text of out.writes) {
        expect(text).not.toContain("\r")
        expect(text.endsWith("\n")).toBe(true)
      }
      expect(out.writes.at(-1)).toContain("30/100")
      expect(out.writes.at(-1)).toContain("cached 30")
      // cached answers cost nothing now
      expect(out.writes.at(-1)).toContain("$0.0000")
    }),
  )

  it.effect("is silent with quiet, but still keeps the figures", () =>
    Effect.gen(function* () {
      const out = collect()
      const progress = makeProgress({ mode: "quiet", write: out.write })
      yield* progress.addTotal(2)
      yield* progress.record({ _tag: "Done", cached: false, costUsd: 0.25 })
      yield* TestClock.adjust("1 minute")
      yield* progress.record({ _tag: "Done", cached: false, costUsd: null, failure: "budget" })
      yield* progress.finish
      expect(out.writes).toEqual([])
      const snapshot = yield* progress.snapshot
      expect(snapshot).toMatchObject({ total: 2, done: 2, failed: 1, costUsd: 0.25, failures: { budget: 1 } })
    }),
  )
})
