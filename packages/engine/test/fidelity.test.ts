import { describe, expect, it } from "@effect/vitest"
import { ConfidenceInterval, type MetricScore } from "@standin/core"
import { quantileSorted } from "@standin/stats"
import { Schema } from "effect"
import {
  adjustForValidRate,
  fidelityFlag,
  metricFidelity,
  overallFidelity,
  pairedComparisons,
} from "../src/fidelity.js"

const score = (
  value: number,
  replicates?: ReadonlyArray<number>,
  ci?: { lower: number; upper: number },
): MetricScore => ({
  metric: "m",
  version: "1",
  headline: {
    measure: "h",
    value,
    ci: ci === undefined ? null : { ...ci, level: 0.95, method: "percentile" },
  },
  measures: [],
  ...(replicates === undefined ? {} : { headlineReplicates: replicates }),
})

/** numpy's default percentile (linear interpolation) of finite values. */
const percentile = (values: ReadonlyArray<number>, q: number) =>
  quantileSorted(Float64Array.from(values.filter(Number.isFinite)).sort(), q)

const isValidInterval = Schema.is(ConfidenceInterval)

describe("fidelity per bootstrap resample", () => {
  it("recomputes floor, ceiling and model on each resample (lower-is-better headline)", () => {
    // Distances: floor 0.30, ceiling 0.02, model 0.10, with per-resample noise in all three.
    const floor = [0.3, 0.32, 0.28, 0.31, 0.29, 0.3, 0.33, 0.27]
    const ceiling = [0.02, 0.03, 0.01, 0.04, 0.02, 0.0, 0.03, 0.02]
    const model = [0.1, 0.12, 0.08, 0.11, 0.09, 0.13, 0.07, 0.1]
    const { fidelity, replicates } = metricFidelity(
      score(0.1, model),
      score(0.3, floor),
      score(0.02, ceiling),
      1,
    )
    expect(fidelity.value).toBeCloseTo((0.3 - 0.1) / (0.3 - 0.02), 12)
    const expected = model.map((m, r) => (floor[r]! - m) / (floor[r]! - ceiling[r]!))
    expect(replicates).toEqual(expected)
    expect(fidelity.ci).not.toBeNull()
    expect(fidelity.ci!.method).toBe("resampled-fidelity")
    expect(fidelity.ci!.lower).toBeCloseTo(percentile(expected, 0.025), 12)
    expect(fidelity.ci!.upper).toBeCloseTo(percentile(expected, 0.975), 12)
    expect(fidelity.ci!.lower).toBeLessThan(fidelity.ci!.upper)
    expect(isValidInterval(fidelity.ci)).toBe(true)
  })

  it("maps a higher-is-better headline (F1) the right way round: better model, higher fidelity", () => {
    // F1: floor 0.2, ceiling 0.9. Model resamples around 0.7.
    const floor = [0.2, 0.25, 0.15, 0.2, 0.22, 0.18]
    const ceiling = [0.9, 0.85, 0.95, 0.9, 0.88, 0.92]
    const model = [0.7, 0.6, 0.8, 0.75, 0.65, 0.72]
    const { fidelity, replicates } = metricFidelity(
      score(0.7, model),
      score(0.2, floor),
      score(0.9, ceiling),
      1,
    )
    expect(fidelity.value).toBeCloseTo(0.5 / 0.7, 12)
    const expected = model.map((m, r) => (m - floor[r]!) / (ceiling[r]! - floor[r]!))
    replicates!.forEach((value, r) => {
      expect(value).toBeCloseTo(expected[r]!, 12)
    })
    expect(fidelity.ci!.lower).toBeCloseTo(percentile(expected, 0.025), 12)
    expect(fidelity.ci!.upper).toBeCloseTo(percentile(expected, 0.975), 12)
    // A better model (higher F1) must score a higher fidelity on the same resamples.
    const better = metricFidelity(
      score(0.8, [0.8, 0.7, 0.9, 0.85, 0.75, 0.82]),
      score(0.2, floor),
      score(0.9, ceiling),
      1,
    )
    expect(better.fidelity.value!).toBeGreaterThan(fidelity.value!)
    expect(better.fidelity.ci!.lower).toBeGreaterThan(fidelity.ci!.lower)
  })

  it("maps a higher-is-better interval without resamples in order, floor and ceiling held fixed", () => {
    const { fidelity } = metricFidelity(
      score(0.7, undefined, { lower: 0.5, upper: 0.8 }),
      score(0.2),
      score(0.9),
      1,
    )
    expect(fidelity.ci!.lower).toBeCloseTo(0.3 / 0.7, 12)
    expect(fidelity.ci!.upper).toBeCloseTo(0.6 / 0.7, 12)
    expect(isValidInterval(fidelity.ci)).toBe(true)
    // Lower-is-better: the model's upper distance bound is the lower fidelity bound.
    const distance = metricFidelity(
      score(0.1, undefined, { lower: 0.05, upper: 0.15 }),
      score(0.3),
      score(0.02),
      1,
    ).fidelity
    expect(distance.ci!.lower).toBeCloseTo(0.15 / 0.28, 12)
    expect(distance.ci!.upper).toBeCloseTo(0.25 / 0.28, 12)
    expect(distance.ci!.description).toMatch(/held fixed/)
  })

  it("takes the overall interval from the per-resample mean, not the mean of the bounds", () => {
    // Two metrics whose resampled fidelities move in opposite directions: the mean is stable.
    const a = { fidelity: { value: 0.5, ci: null }, replicates: [0.2, 0.8, 0.3, 0.7, 0.4, 0.6] }
    const b = { fidelity: { value: 0.5, ci: null }, replicates: [0.8, 0.2, 0.7, 0.3, 0.6, 0.4] }
    const overall = overallFidelity([a, b])
    expect(overall.fidelity.value).toBe(0.5)
    expect(overall.replicates).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    expect(overall.fidelity.ci).toMatchObject({ lower: 0.5, upper: 0.5, method: "resampled-fidelity" })
  })

  it("falls back to the mean of the per-metric bounds, in order, when a metric has no per-resample values", () => {
    // A distance metric (lower is better) and an F1 (higher is better), both without resamples: each interval
    // is mapped onto the floor–ceiling scale, and the overall interval averages lower with lower, upper with upper.
    const distance = metricFidelity(
      score(0.1, undefined, { lower: 0.05, upper: 0.15 }),
      score(0.3),
      score(0.02),
      1,
    )
    const f1 = metricFidelity(score(0.7, undefined, { lower: 0.5, upper: 0.8 }), score(0.2), score(0.9), 1)
    const overall = overallFidelity([distance, f1]).fidelity
    expect(overall.value).toBeCloseTo((0.2 / 0.28 + 0.5 / 0.7) / 2, 12)
    expect(overall.ci!.lower).toBeCloseTo((0.15 / 0.28 + 0.3 / 0.7) / 2, 12)
    expect(overall.ci!.upper).toBeCloseTo((0.25 / 0.28 + 0.6 / 0.7) / 2, 12)
    expect(overall.ci!.description).toMatch(/mean of the per-metric bounds/)
    expect(isValidInterval(overall.ci)).toBe(true)
  })

  it("counts invalid answers at the floor and flags fidelity outside [0, 1]", () => {
    expect(adjustForValidRate(0.8, 0.5)).toBeCloseTo(0.4, 12)
    // Refusing never lifts a score below the floor.
    expect(adjustForValidRate(-0.4, 0.5)).toBe(-0.4)
    const half = metricFidelity(
      score(0.1, [0.1, 0.1]),
      score(0.3, [0.3, 0.3]),
      score(0.02, [0.02, 0.02]),
      0.5,
    )
    expect(half.fidelity.value).toBeCloseTo(0.5 * (0.2 / 0.28), 12)
    expect(half.fidelity.unadjusted).toBeCloseTo(0.2 / 0.28, 12)
    expect(fidelityFlag(-0.1)).toMatch(/uniform random answers/)
    expect(fidelityFlag(1.2)).toMatch(/another sample of different real people/)
    expect(fidelityFlag(0.5)).toBeUndefined()
    const worse = metricFidelity(score(0.4), score(0.3), score(0.02), 1).fidelity
    expect(worse.value!).toBeLessThan(0)
    expect(worse.flag).toMatch(/floor/)
  })

  it("reports no interval when most resamples cannot be scored", () => {
    const { fidelity } = metricFidelity(
      score(0.1, [0.1, Number.NaN, Number.NaN, Number.NaN]),
      score(0.3, [0.3, 0.3, 0.3, 0.3]),
      score(0.02, [0.02, 0.02, 0.02, 0.02]),
      1,
    )
    expect(fidelity.value).not.toBeNull()
    expect(fidelity.ci).toBeNull()
  })
})

describe("paired comparisons", () => {
  const entry = (id: string, reference: boolean, replicates: ReadonlyArray<number>) => ({
    id,
    reference,
    overall: {
      fidelity: { value: replicates.reduce((x, y) => x + y, 0) / replicates.length, ci: null },
      replicates,
    },
  })

  it("ranks by paired differences: overlapping marginal intervals can still be told apart", () => {
    // b is always 0.05 above a on the same resample, though their marginal ranges overlap widely.
    const a = [0.2, 0.5, 0.3, 0.6, 0.4, 0.35, 0.45, 0.55]
    const b = a.map((value) => value + 0.05)
    const c = [0.5, 0.2, 0.6, 0.3, 0.45, 0.4, 0.35, 0.5]
    const out = pairedComparisons([
      entry("a", false, a),
      entry("b", false, b),
      entry("c", false, c),
      entry(
        "ceiling",
        true,
        a.map(() => 1),
      ),
    ])
    const ab = out.get("a")!.comparisons.find((comparison) => comparison.entry === "b")!
    expect(ab.difference).toBeCloseTo(-0.05, 12)
    expect(ab.distinguishable).toBe(true)
    expect(ab.ci!.upper).toBeLessThan(0)
    expect(out.get("a")!.comparisons.find((comparison) => comparison.entry === "c")!.distinguishable).toBe(
      false,
    )
    // The ceiling is compared but, as a reference row, neither ranked nor counted against models.
    expect(out.get("b")!.rank).toBe(1)
    expect(out.get("a")!.rank).toBe(2)
    expect(out.get("c")!.rank).toBe(1)
    expect(out.get("ceiling")!.rank).toBeNull()
  })
})
