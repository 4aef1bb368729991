import { describe, expect, it } from "@effect/vitest"
import { ResultsFile } from "@standin/core"
import { Schema } from "effect"
import { fixtureSet } from "../src/testing/index.js"

describe("core's results schema and interval order", () => {
  it("decodes a fixture results file, and rejects it once one fidelity interval has lower > upper", () => {
    const [first] = fixtureSet({ models: "standard", syntheticCsv: false })
    const raw = JSON.parse(first!.content) as {
      entries: Array<{ fidelity: { overall: { ci: { lower: number; upper: number } | null } } }>
    }
    expect(Schema.is(ResultsFile)(raw)).toBe(true)
    const entry = raw.entries.find((candidate) => {
      const ci = candidate.fidelity.overall.ci
      return ci !== null && ci.lower < ci.upper
    })!
    const ci = entry.fidelity.overall.ci!
    entry.fidelity.overall.ci = { ...ci, lower: ci.upper, upper: ci.lower }
    expect(() => Schema.decodeUnknownSync(ResultsFile)(raw)).toThrow(
      /lower bound .* is above its upper bound/,
    )
  })
})
