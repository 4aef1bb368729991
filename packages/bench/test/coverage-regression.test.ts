import { describe, expect, it } from "@effect/vitest"
import { metric as regression } from "@standin/metric-regression"
import { Effect } from "effect"
import {
  regressionCoverageCell,
  regressionCoverageStudy,
  regressionPanels,
  shiftFor,
  trueHeadline,
  truthPopulation,
} from "../src/coverage-regression.js"

// A small, fixed-seed version of `pnpm bench`'s table (e): the regression headline's interval. The full table (1,000
// replications per cell) is in the benchmark.
describe("coverage of the regression headline's interval (coefficient distance)", () => {
  const population = truthPopulation(50_000)

  it("places the synthetic models at the requested true distance; no shift is distance 0", () => {
    expect(trueHeadline(0, population)).toBe(0)
    for (const distance of [0.05, 0.15]) {
      const shift = shiftFor(distance, population)
      expect(shift).toBeGreaterThan(0)
      expect(trueHeadline(shift, population)).toBeCloseTo(distance, 9)
    }
    const { human, synthetic } = regressionPanels(50, 0.5, 1)
    expect(synthetic.map((s) => s.twinId)).toEqual(human.map((h) => h.id))
    expect(synthetic.map((s) => s.persona)).toEqual(human.map((h) => h.persona))
  })

  it.effect("the truth is the estimand: the mean of s·(W − df) over replications is D² (n 1,000)", () =>
    Effect.gen(function* () {
      const shift = shiftFor(0.15, population)
      let sum = 0
      const replications = 80
      for (let replication = 0; replication < replications; replication++) {
        const { human, synthetic } = regressionPanels(1000, shift, 4000 + replication)
        const score = yield* regression.score({
          study: regressionCoverageStudy,
          human,
          synthetic,
          options: { seed: replication, resamples: 0, alpha: 0.05, minCellSize: 30 },
        })
        const analyses = (
          score.details as {
            analyses: ReadonlyArray<{ distance: { wald: number; df: number; scale: number } }>
          }
        ).analyses
        // Unclipped, so the mean is unbiased: the headline's square before its clip at 0.
        sum +=
          analyses.reduce(
            (total, { distance }) => total + distance.scale * (distance.wald - distance.df),
            0,
          ) / analyses.length
      }
      // Monte Carlo SE of the mean ≈ 0.0006 against D² = 0.0225.
      expect(Math.abs(sum / replications - 0.15 ** 2)).toBeLessThan(0.002)
    }),
  )

  it("a perfect model (true distance 0, n 200): the interval includes 0 in at least 90% of 150 replications", async () => {
    const result = await regressionCoverageCell(
      regression,
      { n: 200, distance: 0, replications: 150, resamples: 1, seed: 41 },
      population,
    )
    expect(result.unscored).toBe(0)
    expect(result.coverage).toBeGreaterThanOrEqual(0.9)
  })

  it("a near and a distant model: coverage 88–99% of 200 replications (not always: not too wide)", async () => {
    for (const [n, distance, seed] of [
      [200, 0.05, 43],
      [1000, 0.15, 47],
    ] as const) {
      const result = await regressionCoverageCell(
        regression,
        { n, distance, replications: 200, resamples: 1, seed },
        population,
      )
      expect(result.coverage, `n ${n}, distance ${distance}`).toBeGreaterThanOrEqual(0.88)
      expect(result.coverage, `n ${n}, distance ${distance}`).toBeLessThanOrEqual(0.99)
      // Both sides miss sometimes: the interval is not shifted.
      expect(result.above, `n ${n}, distance ${distance}`).toBeGreaterThan(0)
      expect(result.below, `n ${n}, distance ${distance}`).toBeGreaterThan(0)
    }
  })
})
