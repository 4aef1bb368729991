import { describe, expect, it } from "@effect/vitest"
import { hashId, idHashes, poissonOne, poissonWeights } from "../src/index.js"

describe("Poisson(1) bootstrap weights keyed by id", () => {
  const ids = Array.from({ length: 20_000 }, (_, index) => `respondent-${index}`)
  const hashes = idHashes(ids)

  it("draws Poisson(1): mean 1, variance 1, P(0) = e⁻¹", () => {
    const weights = poissonWeights(7, hashes, 3)
    let sum = 0
    let squares = 0
    let zeros = 0
    for (const weight of weights) {
      sum += weight
      squares += weight * weight
      if (weight === 0) zeros++
    }
    const mean = sum / weights.length
    expect(mean).toBeGreaterThan(0.97)
    expect(mean).toBeLessThan(1.03)
    expect(squares / weights.length - mean * mean).toBeGreaterThan(0.95)
    expect(squares / weights.length - mean * mean).toBeLessThan(1.05)
    expect(zeros / weights.length).toBeCloseTo(Math.exp(-1), 1)
  })

  it("inverts the Poisson(1) CDF at its bounds", () => {
    expect(poissonOne(0)).toBe(0)
    expect(poissonOne(Math.floor(Math.exp(-1) * 2 ** 32) - 1)).toBe(0)
    expect(poissonOne(Math.ceil(Math.exp(-1) * 2 ** 32) + 1)).toBe(1)
    expect(poissonOne(Math.ceil(2 * Math.exp(-1) * 2 ** 32) + 1)).toBe(2)
    expect(poissonOne(2 ** 32 - 1)).toBeGreaterThan(5)
  })

  it("gives a unit the same weight whatever its position and whichever other units are present", () => {
    const subset = ids.filter((_, index) => index % 3 === 0).reverse()
    for (const round of [0, 1, 99]) {
      const all = poissonWeights(11, hashes, round)
      const part = poissonWeights(11, idHashes(subset), round)
      subset.forEach((id, index) => {
        expect(part[index]).toBe(all[Number(id.slice("respondent-".length))])
      })
    }
  })

  it("gives unrelated weights across rounds and seeds", () => {
    const correlation = (a: Float64Array, b: Float64Array) => {
      let sa = 0
      let sb = 0
      let sab = 0
      let saa = 0
      let sbb = 0
      for (let index = 0; index < a.length; index++) {
        sa += a[index]!
        sb += b[index]!
        sab += a[index]! * b[index]!
        saa += a[index]! ** 2
        sbb += b[index]! ** 2
      }
      const n = a.length
      return (
        (sab / n - (sa / n) * (sb / n)) / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2))
      )
    }
    const base = poissonWeights(5, hashes, 0)
    expect(Math.abs(correlation(base, poissonWeights(5, hashes, 1)))).toBeLessThan(0.03)
    expect(Math.abs(correlation(base, poissonWeights(6, hashes, 0)))).toBeLessThan(0.03)
    expect(poissonWeights(5, hashes, 0)).toEqual(base)
    expect(hashId("a")).not.toBe(hashId("b"))
  })
})
