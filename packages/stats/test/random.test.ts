import { describe, expect, it } from "@effect/vitest"
import { makeRandom, sampleWithoutReplacement } from "../src/index.js"

describe("makeRandom", () => {
  it("reproduces an independent (Python) implementation of splitmix32-seeded xoshiro128**", () => {
    const first = makeRandom(1)
    expect([first.nextUint32(), first.nextUint32(), first.nextUint32(), first.nextUint32()]).toEqual([
      2442144158, 3238099751, 3819917871, 2104621829,
    ])
    const second = makeRandom(123456)
    expect([second.nextUint32(), second.nextUint32(), second.nextUint32()]).toEqual([
      3968961998, 3276381896, 4259053971,
    ])
  })

  it("draws unbiased integers and uniform floats", () => {
    const random = makeRandom(7)
    const counts = new Array<number>(6).fill(0)
    let sum = 0
    for (let draw = 0; draw < 60_000; draw++) {
      counts[random.nextInt(6)]! += 1
      const u = random.nextFloat()
      expect(u).toBeGreaterThanOrEqual(0)
      expect(u).toBeLessThan(1)
      sum += u
    }
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(400)
    expect(Math.abs(sum / 60_000 - 0.5)).toBeLessThan(0.01)
  })

  it("samples without replacement", () => {
    const sample = sampleWithoutReplacement(makeRandom(3), 50, 20)
    expect(new Set(sample).size).toBe(20)
    for (const index of sample) expect(index).toBeLessThan(50)
  })
})
