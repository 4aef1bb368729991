import { describe, expect, it } from "@effect/vitest"
import type { MetricScore } from "@standin/core"
import { averagedScores, crossFitted } from "../src/run.js"

const score = (value: number | null, replicates?: ReadonlyArray<number>): MetricScore => ({
  metric: "m",
  version: "1.0.0",
  headline: {
    measure: "h",
    value,
    ci: value === null ? null : { lower: value - 0.1, upper: value + 0.1, level: 0.95, method: "percentile" },
  },
  measures: [],
  ...(replicates === undefined ? {} : { headlineReplicates: replicates }),
})

describe("the ceiling's halvings averaged", () => {
  it("averages the headline, its bounds and each resample's value over the halvings", () => {
    const averaged = averagedScores([score(0.1, [1, 2]), score(0.2, [3, 4]), score(0.6, [5, 9])])
    expect(averaged.headline.value).toBeCloseTo(0.3, 12)
    expect(averaged.headline.ci!.lower).toBeCloseTo(0.2, 12)
    expect(averaged.headline.ci!.upper).toBeCloseTo(0.4, 12)
    expect(averaged.headlineReplicates).toEqual([3, 5])
  })

  it("is unscored when a halving is, and drops resamples that do not line up", () => {
    expect(averagedScores([score(0.1), score(null)]).headline.value).toBeNull()
    expect(averagedScores([score(0.1, [1]), score(0.2, [1, 2])]).headlineReplicates).toBeUndefined()
    expect(averagedScores([score(0.1, [1]), score(0.2)]).headlineReplicates).toBeUndefined()
  })

  it("one halving is that halving's cross-fitted score", () => {
    const one = crossFitted(score(0.1, [1, 3]), score(0.3, [3, 5]))
    expect(averagedScores([one])).toEqual(one)
    expect(one.headlineReplicates).toEqual([2, 4])
  })
})
