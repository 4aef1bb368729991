import { describe, expect, it } from "@effect/vitest"
import { metric as divergence } from "@standin/metric-divergence"
import { jsDistance } from "@standin/stats"
import { coverageCell, coveragePanels, humanDistributions, shifted } from "../src/coverage.js"

// A small, fixed-seed version of `pnpm bench`'s coverage simulation, so a regression in the intervals fails a
// test. The full table (200 replications per cell) is in the benchmark.
describe("coverage of the divergence headline's interval", () => {
  it("places the synthetic distributions at the requested true distance", () => {
    for (const distance of [0.04, 0.12]) {
      const q = shifted(humanDistributions.concern!, [-0.5, -0.5, 0, 0.25, 0.75], distance)
      expect(jsDistance(humanDistributions.concern!, q)).toBeCloseTo(distance, 9)
    }
    const { human, synthetic } = coveragePanels(50, 0.12, 1)
    expect(human).toHaveLength(50)
    expect(synthetic.map((s) => s.twinId)).toEqual(human.map((h) => h.id))
  })

  it("a perfect model (true distance 0): the interval includes 0 in at least 85% of 60 replications", async () => {
    const result = await coverageCell(divergence, {
      n: 200,
      distance: 0,
      replications: 60,
      resamples: 100,
      seed: 17,
    })
    expect(result.coverage).toBeGreaterThanOrEqual(0.85)
  })

  it("a near model (true distance 0.04, n 1,000): coverage 85–99% of 80 replications (not always: not too wide)", async () => {
    // The interval inverts the noise model and does not use the resamples; few keep the test fast.
    const result = await coverageCell(divergence, {
      n: 1000,
      distance: 0.04,
      replications: 80,
      resamples: 10,
      seed: 19,
    })
    expect(result.coverage).toBeGreaterThanOrEqual(0.85)
    expect(result.coverage).toBeLessThanOrEqual(0.99)
  })

  it("a distant model (true distance 0.12, n 1,000): coverage at least 85% of 40 replications", async () => {
    const result = await coverageCell(divergence, {
      n: 1000,
      distance: 0.12,
      replications: 40,
      resamples: 100,
      seed: 18,
    })
    expect(result.coverage).toBeGreaterThanOrEqual(0.85)
    // The corrected estimate is close to the truth on average (the plug-in would sit above it).
    expect(Math.abs(result.meanEstimate - 0.12)).toBeLessThan(0.01)
  })
})
