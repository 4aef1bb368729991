import { describe, expect, it } from "@effect/vitest"
import type { ResultsEntry, ResultsFile } from "@standin/core"
import { splitsTable, summaryNotes, summaryTable } from "../src/output.js"

const metric = {
  id: "metric-regression",
  version: "2.0.0",
  label: "Regression",
  family: "regression",
  description: "",
  headline: "sign-f1",
  direction: "higher" as const,
  measures: [],
  citations: [],
}

const entry = (id: string, overrides: Partial<ResultsEntry>): ResultsEntry => ({
  id,
  label: id,
  provider: id,
  providerVersion: "1",
  model: "m",
  status: "ok",
  modelVersions: [],
  warnings: [],
  counts: { twins: 10, valid: 8, invalid: 2, failed: 0, reasks: 0 },
  failures: {} as ResultsEntry["failures"],
  usage: { calls: 10, inputTokens: 0, outputTokens: 0, costUsd: 0 },
  syntheticFile: null,
  distributions: {},
  scores: [],
  fidelity: { perMetric: {}, overall: { value: null, ci: null } },
  ...overrides,
})

const results = {
  metrics: [metric],
  entries: [
    entry("model-a", {
      scores: [
        {
          metric: "metric-regression",
          version: "2.0.0",
          headline: { measure: "sign-f1", value: 0.2, ci: null },
          measures: [
            {
              measure: "sign-f1",
              key: "sign-f1|analysis=share",
              value: 0,
              ci: null,
              n: 10,
              flagged: "synthetic-fit-failed",
              note: "the synthetic fit failed: separation along s1",
            },
          ],
        },
      ],
      fidelity: {
        perMetric: {
          "metric-regression": {
            value: -0.3,
            ci: null,
            flag: "below 0: further from the human holdout than uniform random answers (the floor) on this measure",
          },
        },
        overall: { value: 0.4, ci: { lower: 0.1, upper: 0.7, level: 0.95, method: "resampled-fidelity" } },
        validRate: 0.8,
        comparisons: [
          { entry: "model-b", difference: 0.01, ci: null, distinguishable: false },
          { entry: "uniform", difference: 0.4, ci: null, distinguishable: true },
        ],
        rank: 1,
      },
    }),
  ],
} as unknown as ResultsFile

describe("the terminal summary", () => {
  it("shows the valid-answer rate beside fidelity, its interval and rank", () => {
    const text = summaryTable(results)
    expect(text).toMatch(/valid%\s+fidelity\s+95% CI\s+rank/)
    expect(text).toMatch(/80\.0%\s+0\.40\s+\[0\.10, 0\.70\]\s+1/)
  })

  it("says what 0 and 1 mean and prints every flag and failed fit with its reason", () => {
    const text = summaryNotes(results)
    expect(text).toMatch(/1 = another sample of different real people .* not test–retest/)
    expect(text).toMatch(/invalid share counts at the floor/)
    expect(text).toContain(
      "⚑ model-a metric-regression fidelity -0.30: below 0: further from the human holdout",
    )
    expect(text).toContain(
      "⚑ model-a metric-regression headline: synthetic-fit-failed: the synthetic fit failed: separation along s1",
    )
    expect(text).toContain("model-a cannot be told apart (paired bootstrap) from: model-b")
  })

  it("prints nothing for splits when there were none", () => {
    expect(splitsTable(results)).toBe("")
  })
})
