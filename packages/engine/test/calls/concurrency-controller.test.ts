import { describe, expect, it } from "vitest"
import {
  type CallOutcome,
  makeConcurrencyController,
  observeOutcome,
  overloadShare,
} from "../../src/calls/index.js"

type Tag = CallOutcome["_tag"]

/** Answers every permit of the current epoch in turn, from a repeating pattern; returns the limits seen. */
const feed = (ceiling: number, pattern: ReadonlyArray<Tag>, answers: number) => {
  const controller = makeConcurrencyController(ceiling)
  const limits: Array<number> = []
  for (let index = 0; index < answers; index++) {
    observeOutcome(controller, controller.epoch, pattern[index % pattern.length]!)
    limits.push(controller.limit)
  }
  return { controller, limits }
}

/** A fixed pattern with `limited` 429s and `failed` 5xx in every 20 answers, spread out. */
const pattern = (limited: number, failed: number): ReadonlyArray<Tag> =>
  Array.from(
    { length: 20 },
    (_, index): Tag =>
      index % 20 < limited * 2 && index % 2 === 0
        ? "RateLimited"
        : index % 20 < (limited + failed) * 2 && index % 2 === 0
          ? "Failed"
          : "Succeeded",
  )

describe("adaptive concurrency controller", () => {
  it("keeps the full limit under heavy random faults: 15% 429s and 15% 5xx never cut it", () => {
    const faults = pattern(3, 3)
    expect(faults.filter((tag) => tag === "RateLimited")).toHaveLength(3)
    expect(faults.filter((tag) => tag === "Failed")).toHaveLength(3)
    const { controller, limits } = feed(64, faults, 3_000)
    expect(Math.min(...limits)).toBe(64)
    expect(controller.epoch).toBe(0)
    expect(controller.rateLimitedShare).toBeLessThan(overloadShare)
  })

  it("keeps the full limit under 25% 429s and 15% 5xx drawn at random (seeded)", () => {
    let state = 12_345
    const next = () => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31
      return state / 2 ** 31
    }
    const draws: Array<Tag> = Array.from({ length: 10_000 }, (): Tag => {
      const u = next()
      return u < 0.25 ? "RateLimited" : u < 0.4 ? "Failed" : "Succeeded"
    })
    const limited = draws.filter((tag) => tag === "RateLimited").length
    expect(limited / draws.length).toBeGreaterThan(0.23)
    const { limits } = feed(64, draws, draws.length)
    expect(Math.min(...limits)).toBe(64)
  })

  it("never cuts on server errors, however many", () => {
    const { limits } = feed(16, ["Failed"], 500)
    expect(Math.min(...limits)).toBe(16)
  })

  it("cuts when most answers are 429s, once per epoch, down to 1", () => {
    const controller = makeConcurrencyController(64)
    // a whole window of 64 calls sent at once all come back 429
    for (let index = 0; index < 64; index++) observeOutcome(controller, 0, "RateLimited")
    // the share crossed one half after 22 of them (1 - (31/32)^22 > 0.5): one cut, not 64
    expect(controller.limit).toBe(32)
    expect(controller.epoch).toBe(1)
    // while 429s still dominate, each new epoch's first 429 halves again
    for (const expected of [16, 8, 4, 2, 1, 1]) {
      observeOutcome(controller, controller.epoch, "RateLimited")
      expect(controller.limit).toBe(expected)
    }
  })

  it("recovers from a burst of 429s in a few windows once a whole window comes back clean", () => {
    const controller = makeConcurrencyController(64)
    for (let index = 0; index < 200; index++) observeOutcome(controller, controller.epoch, "RateLimited")
    expect(controller.limit).toBe(1)
    let answers = 0
    while (controller.limit < 64) {
      observeOutcome(controller, controller.epoch, "Succeeded")
      answers++
    }
    // one slot per answer after a clean window: 1 → 64 in 63 answers (additive increase alone would take
    // about 64²/2 = 2,048)
    expect(answers).toBe(63)
  })

  it("climbs additively while 429s keep arriving below the overload share", () => {
    const controller = makeConcurrencyController(64)
    controller.limit = 8
    // one 429 in every 8 answers: never a clean window of 8, never a cut
    for (let index = 0; index < 64; index++)
      observeOutcome(controller, controller.epoch, index % 8 === 7 ? "RateLimited" : "Succeeded")
    expect(controller.epoch).toBe(0)
    expect(controller.limit).toBeGreaterThan(8 + 3)
    expect(controller.limit).toBeLessThan(8 + 8)
  })

  it("ignores 429s of permits granted before the last cut", () => {
    const controller = makeConcurrencyController(16)
    controller.rateLimitedShare = 0.9
    observeOutcome(controller, 0, "RateLimited")
    expect(controller.limit).toBe(8)
    for (let index = 0; index < 10; index++) observeOutcome(controller, 0, "RateLimited")
    expect(controller.limit).toBe(8)
    observeOutcome(controller, 1, "RateLimited")
    expect(controller.limit).toBe(4)
  })
})
