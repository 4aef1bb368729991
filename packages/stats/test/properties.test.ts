import { describe, expect, it } from "@effect/vitest"
import fc from "fast-check"
import {
  bootstrap,
  compareDistributions,
  entropy,
  jsDistance,
  jsDivergence,
  makeRandom,
  normalisedWasserstein1,
  permutationTest,
  totalVariation,
} from "../src/index.js"

const distribution = (k: number) =>
  fc
    .array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: k, maxLength: k })
    .filter((values) => values.some((value) => value > 1e-6))
const pairOf = fc.integer({ min: 2, max: 9 }).chain((k) => fc.tuple(distribution(k), distribution(k)))

describe("divergence properties", () => {
  it("are symmetric, within their bounds, and zero on identical inputs", () => {
    fc.assert(
      fc.property(pairOf, ([p, q]) => {
        for (const measure of [jsDistance, jsDivergence, totalVariation, normalisedWasserstein1]) {
          const forward = measure(p, q)!
          const backward = measure(q, p)!
          expect(Math.abs(forward - backward)).toBeLessThan(1e-12)
          expect(forward).toBeGreaterThanOrEqual(0)
          expect(forward).toBeLessThanOrEqual(1)
          expect(measure(p, p)).toBeLessThan(1e-7)
        }
        const h = entropy(p)!
        expect(h).toBeGreaterThanOrEqual(0)
        expect(h).toBeLessThanOrEqual(Math.log2(p.length) + 1e-12)
      }),
      { numRuns: 300, seed: 11 },
    )
  })

  it("compareDistributions gives exactly the single functions' figures", () => {
    fc.assert(
      fc.property(pairOf, ([p, q]) => {
        const fused = compareDistributions(p, q, true)!
        expect(fused.jsDistance).toBeCloseTo(jsDistance(p, q)!, 14)
        expect(fused.totalVariation).toBeCloseTo(totalVariation(p, q)!, 14)
        expect(fused.wasserstein).toBeCloseTo(normalisedWasserstein1(p, q)!, 14)
        expect(Number.isNaN(compareDistributions(p, q, false)!.wasserstein)).toBe(true)
      }),
      { numRuns: 200, seed: 8 },
    )
  })

  it("the JS distance obeys the triangle inequality", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 6 })
          .chain((k) => fc.tuple(distribution(k), distribution(k), distribution(k))),
        ([p, q, r]) => {
          expect(jsDistance(p, r)!).toBeLessThanOrEqual(jsDistance(p, q)! + jsDistance(q, r)! + 1e-9)
        },
      ),
      { numRuns: 200, seed: 5 },
    )
  })

  it("returns null (not 0) when a side has no mass or lengths differ", () => {
    expect(jsDistance([0, 0], [1, 2])).toBeNull()
    expect(totalVariation([1, 2, 3], [1, 2])).toBeNull()
    expect(entropy([0, 0, 0])).toBeNull()
  })
})

const mean = (values: ArrayLike<number>, weights: Float64Array): number => {
  let sum = 0
  let total = 0
  for (let index = 0; index < values.length; index++) {
    sum += weights[index]! * values[index]!
    total += weights[index]!
  }
  return sum / total
}

describe("bootstrap", () => {
  it("is reproducible for a seed and differs across seeds", () => {
    const data = Float64Array.from({ length: 40 }, (_, index) => Math.sin(index) * 3 + index / 10)
    const run = (seed: number) => bootstrap(data.length, (w) => [mean(data, w)], { seed, resamples: 300 })
    const a = run(9)
    const b = run(9)
    expect(Array.from(a.replicates)).toEqual(Array.from(b.replicates))
    expect(a.intervals).toEqual(b.intervals)
    expect(Array.from(run(10).replicates)).not.toEqual(Array.from(a.replicates))
    expect(a.intervals[0]!.lower).toBeLessThan(a.estimate[0]!)
    expect(a.intervals[0]!.upper).toBeGreaterThan(a.estimate[0]!)
  })

  it("percentile and BCa 95% intervals cover the true mean at about the nominal rate (200 simulations)", () => {
    // Skewed data (exponential, mean 1): the case where BCa's corrections matter.
    const simulations = 200
    const n = 40
    let coveredPercentile = 0
    let coveredBca = 0
    const random = makeRandom(2024)
    for (let simulation = 0; simulation < simulations; simulation++) {
      const data = Float64Array.from({ length: n }, () => -Math.log(1 - random.nextFloat()))
      const statistic = (w: Float64Array) => [mean(data, w)]
      const percentile = bootstrap(n, statistic, { seed: simulation, resamples: 1000 }).intervals[0]!
      const bca = bootstrap(n, statistic, { seed: simulation, resamples: 1000, method: "bca" }).intervals[0]!
      if (percentile.lower <= 1 && 1 <= percentile.upper) coveredPercentile++
      if (bca.lower <= 1 && 1 <= bca.upper) coveredBca++
      expect(bca.method).toBe("bca")
    }
    expect(coveredPercentile / simulations).toBeGreaterThanOrEqual(0.9)
    expect(coveredPercentile / simulations).toBeLessThanOrEqual(0.98)
    expect(coveredBca / simulations).toBeGreaterThanOrEqual(0.9)
    expect(coveredBca / simulations).toBeLessThanOrEqual(0.98)
  })
})

describe("permutationTest", () => {
  it("finds a real difference and not a null one, reproducibly", () => {
    const x = Array.from({ length: 30 }, (_, index) => index / 10 + 1.5)
    const y = Array.from({ length: 30 }, (_, index) => index / 10)
    const shifted = permutationTest(x, y, { seed: 1, permutations: 2000 })
    expect(shifted.statistic).toBeCloseTo(1.5, 12)
    expect(shifted.p).toBeLessThan(0.01)
    expect(permutationTest(x, y, { seed: 1, permutations: 2000 })).toEqual(shifted)
    const same = permutationTest(
      y,
      y.map((v) => v + 1e-9),
      { seed: 2, permutations: 2000 },
    )
    expect(same.p).toBeGreaterThan(0.5)
  })
})
