import { describe, expect, it } from "@effect/vitest"
import { simulateCoverage } from "../src/ppi-coverage.js"

describe("PPI coverage simulation (one fixed-seed cell)", () => {
  it("a good model at n = 250: PPI and PPI++ cover near 95% and PPI++ is narrower than the humans alone", () => {
    const r = simulateCoverage({
      model: "good",
      target: "mean",
      n: 250,
      N: 2000,
      replications: 400,
      seed: 42,
    })
    // 400 replications: Monte Carlo sd ≈ 0.011, so ±3 sd around 0.95.
    expect(r.coverage.ppi).toBeGreaterThanOrEqual(0.915)
    expect(r.coverage.ppi).toBeLessThanOrEqual(0.985)
    expect(r.coverage.ppiPlusPlus).toBeGreaterThanOrEqual(0.915)
    expect(r.coverage.ppiPlusPlus).toBeLessThanOrEqual(0.985)
    expect(r.widthRatio).toBeLessThan(0.8)
  })

  it("a biased model at n = 50, where the reference formula under-covers: the default PPI++ covers near 95%", () => {
    const r = simulateCoverage({
      model: "biased",
      target: "mean",
      n: 50,
      N: 2000,
      replications: 600,
      seed: 5,
    })
    // 600 replications: Monte Carlo sd ≈ 0.009; the default stays within ±3 sd of 0.95 and above the reference.
    expect(r.coverage.ppiPlusPlus).toBeGreaterThanOrEqual(0.923)
    expect(r.coverage.ppiPlusPlus).toBeGreaterThan(r.coverage.ppiPlusPlusReference)
  })

  it("a useless model: PPI++ keeps the classical width", () => {
    const r = simulateCoverage({
      model: "useless",
      target: "difference",
      n: 100,
      N: 2000,
      replications: 200,
      seed: 7,
    })
    expect(r.widthRatio).toBeLessThanOrEqual(1)
    expect(r.meanLambda).toBeLessThan(0.15)
  })
})
