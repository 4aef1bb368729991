import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { ConfidenceInterval, MetricScore } from "../src/metric.js"
import { Fidelity } from "../src/results.js"

const interval = (lower: number, upper: number) => ({ lower, upper, level: 0.95, method: "percentile" })

describe("the results schema's intervals", () => {
  it("rejects an interval whose lower bound is above its upper bound, naming both bounds", () => {
    expect(() => Schema.decodeUnknownSync(ConfidenceInterval)(interval(0.6, 0.2))).toThrow(
      "an interval's lower bound (0.6) is above its upper bound (0.2)",
    )
    expect(Schema.is(ConfidenceInterval)(interval(0.2, 0.6))).toBe(true)
  })

  it("accepts a zero-width interval (lower = upper)", () => {
    expect(Schema.is(ConfidenceInterval)(interval(0.4, 0.4))).toBe(true)
  })

  it("rejects a reversed interval wherever one is stored: a fidelity, a headline, a measure", () => {
    expect(Schema.is(Fidelity)({ value: 0.5, ci: interval(0.4, 0.7) })).toBe(true)
    expect(Schema.is(Fidelity)({ value: 0.5, ci: interval(0.7, 0.4) })).toBe(false)
    const score = (headline: ReturnType<typeof interval>, measure: ReturnType<typeof interval>) => ({
      metric: "m",
      version: "1",
      headline: { measure: "h", value: 0.1, ci: headline },
      measures: [{ measure: "h", key: "h", value: 0.1, ci: measure, n: 10 }],
    })
    expect(Schema.is(MetricScore)(score(interval(0.05, 0.15), interval(0.05, 0.15)))).toBe(true)
    expect(Schema.is(MetricScore)(score(interval(0.15, 0.05), interval(0.05, 0.15)))).toBe(false)
    expect(Schema.is(MetricScore)(score(interval(0.05, 0.15), interval(0.15, 0.05)))).toBe(false)
  })
})
