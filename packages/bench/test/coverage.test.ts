import { describe, expect, it } from "@effect/vitest"
import { metric as divergence } from "@standin/metric-divergence"
import { metric as subgroup } from "@standin/metric-subgroup"
import { jsDistance } from "@standin/stats"
import {
  coverageCell,
  coveragePanels,
  humanDistributions,
  normalisedWasserstein,
  shifted,
  totalVariation,
  trueDistances,
} from "../src/coverage.js"

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

// The same simulation for the per-item total variation and W1/(k − 1) intervals (the bench's table (c′)).
describe("coverage of the total variation and W1 intervals", () => {
  it("knows the true TV and W1 of the simulated distributions", () => {
    expect(totalVariation([0.2, 0.8], [0.5, 0.5])).toBeCloseTo(0.3, 12)
    // W1 over ordered options 0..2 divided by k − 1 = 2: all mass moved two steps is 1.
    expect(normalisedWasserstein([1, 0, 0], [0, 0, 1])).toBeCloseTo(1, 12)
    expect(normalisedWasserstein([0.5, 0.5, 0], [0, 0.5, 0.5])).toBeCloseTo(0.5, 12)
    const truths = trueDistances(0.12)
    // A binary item's W1/(k − 1) is its TV.
    expect(truths.share!.wasserstein).toBeCloseTo(truths.share!["total-variation"], 12)
    expect(trueDistances(0).concern!["total-variation"]).toBe(0)
  })

  it("a binary item's TV (= W1) interval covers at 0.04 and 0.12 (n 1,000) and includes 0 for a perfect model", async () => {
    // The binary item's interval inverts its non-central chi-square model: the resamples are not used.
    for (const [distance, seed] of [
      [0, 23],
      [0.04, 29],
      [0.12, 31],
    ] as const) {
      const result = await coverageCell(divergence, {
        n: 1000,
        distance,
        replications: 80,
        resamples: 10,
        seed,
      })
      for (const measure of ["total-variation", "wasserstein"] as const) {
        const coverage = result.measureCoverage[measure].share!
        expect(coverage).toBeGreaterThanOrEqual(0.88)
        if (distance > 0) expect(coverage).toBeLessThanOrEqual(0.99)
      }
    }
  })

  it("the 5-point item's W1 interval covers at 0.12 (n 1,000); its TV interval is conservative, never too narrow", async () => {
    const result = await coverageCell(divergence, {
      n: 1000,
      distance: 0.12,
      replications: 60,
      resamples: 100,
      seed: 37,
    })
    expect(result.measureCoverage.wasserstein.concern!).toBeGreaterThanOrEqual(0.85)
    expect(result.measureCoverage.wasserstein.concern!).toBeLessThanOrEqual(0.99)
    // The bootstrap interval of a k > 2 total variation over-covers near small distances (the bench prints MISS
    // there); it must at least not under-cover.
    expect(result.measureCoverage["total-variation"].concern!).toBeGreaterThanOrEqual(0.9)
  })
})

// The same simulation for the subgroup headline (the bench's table (d)): the RMS over ranked levels, every level at
// the true distance. Its interval inverts a noise model that counts levels sharing people; the resamples are unused.
describe("coverage of the subgroup headline's interval", () => {
  it("a near model (true distance 0.04, n 1,000): coverage 85–99% of 60 replications (not the conservative 100%)", async () => {
    const result = await coverageCell(subgroup, {
      n: 1000,
      distance: 0.04,
      replications: 60,
      resamples: 5,
      seed: 23,
    })
    expect(result.coverage).toBeGreaterThanOrEqual(0.85)
    expect(result.coverage).toBeLessThanOrEqual(0.99)
    // Every level at 0.04: the corrected RMS over levels is close to it on average.
    expect(Math.abs(result.meanEstimate - 0.04)).toBeLessThan(0.01)
  })

  it("a perfect model (true distance 0, n 200): the interval includes 0 in at least 85% of 60 replications", async () => {
    const result = await coverageCell(subgroup, {
      n: 200,
      distance: 0,
      replications: 60,
      resamples: 5,
      seed: 29,
    })
    expect(result.coverage).toBeGreaterThanOrEqual(0.85)
  })
})
