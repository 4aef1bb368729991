import { describe, expect, it } from "@effect/vitest"
import { quantileSorted } from "@standin/stats"
import { bootstrapFigures, type Figure } from "../src/figures.js"

const twinIds = Array.from({ length: 60 }, (_, index) => `t${index}`)
// A skewed sample, so the α/2 and α quantiles of the resampled means are far apart.
const values = twinIds.map((_, index) => (index % 7 === 0 ? 5 + index / 10 : index / 60))

/** The weighted mean of the values: one plain percentile-interval figure. */
const compute = (weights: Float64Array): ReadonlyArray<Figure> => {
  let total = 0
  let weight = 0
  weights.forEach((w, index) => {
    total += w * values[index]!
    weight += w
  })
  return [{ measure: "mean", qualifiers: {}, value: total / weight, n: twinIds.length, headline: true }]
}

/** numpy.percentile's linear interpolation (quantileSorted is golden-tested against numpy). */
const cut = (replicates: Float64Array, q: number) => quantileSorted(Float64Array.from(replicates).sort(), q)

describe("bootstrapFigures' percentile interval", () => {
  for (const alpha of [0.05, 0.1, 0.2]) {
    it(`cuts the replicates at α/2 and 1 − α/2 (α = ${alpha}) and labels the level 1 − α`, () => {
      const result = bootstrapFigures(twinIds, { seed: 3, resamples: 400, alpha, minCellSize: 30 }, compute)
      const replicates = result.replicates[0]!
      const interval = result.intervals[0]!
      expect(interval.level).toBeCloseTo(1 - alpha, 12)
      expect(interval.method).toBe("percentile")
      expect(interval.lower).toBeCloseTo(cut(replicates, alpha / 2), 12)
      expect(interval.upper).toBeCloseTo(cut(replicates, 1 - alpha / 2), 12)
      // The cut at α instead of α/2 would be a visibly narrower interval on this sample.
      expect(cut(replicates, alpha)).toBeGreaterThan(interval.lower + 1e-6)
      expect(result.headlineReplicates).toEqual(Array.from(replicates))
    })
  }

  it("cuts a squared-scale figure's resampled estimates at α/2 and 1 − α/2 before the shift and the root", () => {
    const alpha = 0.1
    const shift = 0.01
    // The figure is √m, its squared-scale estimate m (the weighted mean), shifted by 0.01 at both ends.
    const squaredFigure = (weights: Float64Array): ReadonlyArray<Figure> => {
      const m = compute(weights)[0]!.value
      return [
        {
          measure: "root",
          qualifiers: {},
          value: Math.sqrt(m),
          n: twinIds.length,
          headline: true,
          squared: { estimate: m, lowerShift: shift, upperShift: shift },
        },
      ]
    }
    const result = bootstrapFigures(
      twinIds,
      { seed: 5, resamples: 400, alpha, minCellSize: 30 },
      squaredFigure,
    )
    const squared = result.replicates[0]!.map((root) => root * root)
    const interval = result.intervals[0]!
    const value = result.figures[0]!.value
    expect(interval.lower).toBeCloseTo(Math.sqrt(cut(squared, alpha / 2) - shift), 9)
    expect(interval.upper).toBeCloseTo(Math.sqrt(cut(squared, 1 - alpha / 2) - shift), 9)
    // Not widened to the estimate: the bounds are the cut quantiles themselves.
    expect(interval.lower).toBeLessThan(value)
    expect(interval.upper).toBeGreaterThan(value)
  })
})
