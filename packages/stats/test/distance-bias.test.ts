import { describe, expect, it } from "@effect/vitest"
import {
  compareDistributions,
  jsDivergence,
  jsDivergenceBias,
  makeRandom,
  phi,
  phiVariance,
  type Random,
  squaredNullExpectations,
} from "../src/index.js"

const multinomial = (random: Random, n: number, p: ReadonlyArray<number>) => {
  const counts = new Float64Array(p.length)
  for (let draw = 0; draw < n; draw++) {
    let u = random.nextFloat()
    let option = 0
    while (option < p.length - 1 && u >= p[option]!) u -= p[option++]!
    counts[option]! += 1
  }
  return counts
}

// Simulation checks of the analytic sampling-bias formulas (fixed seeds; tolerances are several Monte Carlo SEs).
describe("sampling bias of plug-in distances", () => {
  it("jsDivergenceBias is the expected plug-in JS divergence under no difference, and its excess otherwise", () => {
    const random = makeRandom(3)
    for (const [p, q, n] of [
      [[0.06, 0.1, 0.18, 0.36, 0.3], [0.06, 0.1, 0.18, 0.36, 0.3], 300],
      [[0.33, 0.67], [0.33, 0.67], 200],
      [[0.1, 0.2, 0.3, 0.25, 0.15], [0.15, 0.15, 0.3, 0.2, 0.2], 500],
    ] as const) {
      let plugIn = 0
      let predicted = 0
      const replications = 3000
      for (let replication = 0; replication < replications; replication++) {
        const a = multinomial(random, n, p)
        const b = multinomial(random, n, q)
        plugIn += jsDivergence(a, b)!
        predicted += jsDivergenceBias(a, b, n, n)!
      }
      const excess = plugIn / replications - jsDivergence(p, q)!
      expect(excess / (predicted / replications)).toBeGreaterThan(0.9)
      expect(excess / (predicted / replications)).toBeLessThan(1.1)
    }
    // Under no difference it is (k − 1)(1/nP + 1/nQ)/(8 ln 2).
    expect(jsDivergenceBias([1, 1, 1], [1, 1, 1], 100, 300)).toBeCloseTo(
      (2 * (1 / 100 + 1 / 300)) / (8 * Math.LN2),
      12,
    )
    expect(jsDivergenceBias([1, 1], [1, 1], 100, Number.POSITIVE_INFINITY)).toBeCloseTo(
      1 / 100 / (8 * Math.LN2),
      12,
    )
    expect(jsDivergenceBias([1, 1], [1], 10, 10)).toBeNull()
  })

  it("squaredNullExpectations is E[TV²] and E[(W1/(k−1))²] of two samples of one distribution", () => {
    const random = makeRandom(4)
    const p = [0.06, 0.1, 0.18, 0.36, 0.3]
    const n = 400
    let tv = 0
    let w = 0
    let predictedTv = 0
    let predictedW = 0
    const replications = 3000
    for (let replication = 0; replication < replications; replication++) {
      const a = multinomial(random, n, p)
      const b = multinomial(random, n, p)
      const figures = compareDistributions(a, b, true)!
      tv += figures.totalVariation ** 2
      w += figures.wasserstein ** 2
      const expected = squaredNullExpectations(a, b, n, n, true)!
      predictedTv += expected.totalVariation
      predictedW += expected.wasserstein
    }
    expect(tv / predictedTv).toBeGreaterThan(0.92)
    expect(tv / predictedTv).toBeLessThan(1.08)
    expect(w / predictedW).toBeGreaterThan(0.92)
    expect(w / predictedW).toBeLessThan(1.08)
    expect(squaredNullExpectations([1, 2], [2, 1], 10, 10, false)!.wasserstein).toBeNaN()
  })

  it("phiVariance is the sampling variance of the plug-in phi", () => {
    const random = makeRandom(5)
    for (const cells of [
      [0.25, 0.25, 0.25, 0.25],
      [0.5, 0.2, 0.05, 0.25],
      [0.6, 0.05, 0.05, 0.3],
    ]) {
      const n = 400
      const values: Array<number> = []
      let predicted = 0
      for (let replication = 0; replication < 4000; replication++) {
        const [a, b, c, d] = multinomial(random, n, cells)
        const table = [
          [a!, b!],
          [c!, d!],
        ] as const
        values.push(phi(table)!)
        predicted += phiVariance(table)!
      }
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length
      const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1)
      expect(variance / (predicted / 4000)).toBeGreaterThan(0.9)
      expect(variance / (predicted / 4000)).toBeLessThan(1.1)
    }
    expect(
      phiVariance([
        [3, 0],
        [0, 0],
      ]),
    ).toBeNull()
  })
})
