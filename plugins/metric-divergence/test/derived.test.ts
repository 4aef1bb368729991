import { describe, expect, it } from "@effect/vitest"
import type { Item, Respondent, StudyDefinition, SyntheticRespondent } from "@standin/core"
import { preparePanel } from "@standin/metric-kit"
import { jsDivergenceBias } from "@standin/stats"
import { agreeScale, berkeLikeStudy, metricFixture } from "@standin/testkit/metric-fixture"
import { Effect } from "effect"
import { metric } from "../src/index.js"

/**
 * A three-item agreement index, the third item reverse-coded: index = mean(a, b, reverse(c)) on 1–5 scores, so it
 * takes the 13 values 1, 4/3, …, 5. Six humans answer all three items (a seventh skips `a`); their twins answer
 * differently, one twin's `c` stays invalid.
 */
const options = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
const item = (id: string): Item => ({
  id,
  column: id,
  wording: `Statement ${id}.`,
  label: `Statement ${id}`,
  scale: { _tag: "Likert", options },
  role: "outcome",
})

const indexStudy = (score?: boolean): StudyDefinition => ({
  ...berkeLikeStudy,
  formatVersion: 2,
  subgroups: [],
  items: [item("a"), item("b"), item("c")],
  beliefActionPairs: [],
  analyses: [],
  derived: [
    {
      id: "agreement",
      label: "Agreement index",
      expression: "mean(a, b, reverse(c))",
      ...(score === undefined ? {} : { score }),
    },
  ],
})

const answers = (scores: ReadonlyArray<number | null>) =>
  Object.fromEntries(
    ["a", "b", "c"].map((id, index) => {
      const score = scores[index]
      return [id, score === null || score === undefined ? null : options[score - 1]!]
    }),
  )

// Scores (a, b, c): the index is (a + b + 6 − c) / 3.
const humanScores: ReadonlyArray<ReadonlyArray<number | null>> = [
  [5, 4, 1], // 14/3
  [4, 4, 2], // 4
  [3, 3, 3], // 3
  [2, 2, 4], // 2
  [5, 5, 1], // 5
  [4, 5, 2], // 13/3
  [null, 5, 1], // missing: a not answered
]
const twinScores: ReadonlyArray<ReadonlyArray<number | null>> = [
  [3, 3, 3], // 3
  [3, 3, 3], // 3
  [2, 3, 4], // 7/3
  [2, 2, 4], // 2
  [4, 4, 2], // 4
  [4, 4, null], // missing: c invalid
  [5, 5, 5], // 11/3 (its human's index is missing)
]

const human: Array<Respondent> = humanScores.map((scores, index) => ({
  id: `h${index}`,
  row: index + 2,
  arm: index % 2 === 0 ? "control" : "shown",
  persona: {},
  answers: answers(scores),
}))

const synthetic: Array<SyntheticRespondent> = twinScores.map((scores, index) => ({
  twinId: `h${index}`,
  replicate: 0,
  arm: human[index]!.arm,
  persona: {},
  answers: answers(scores),
  raw: "",
  valid: index !== 5,
  invalidItems: index === 5 ? ["c"] : [],
  warnings: [],
  attempts: 1,
  elicitation: "sample",
  modelVersion: "fake-1",
  usage: { inputTokens: 0, outputTokens: 0 },
}))

const input = (score?: boolean) => ({
  study: indexStudy(score),
  human,
  synthetic,
  options: { seed: 1, resamples: 0, alpha: 0.05, minCellSize: 30 },
})

/** The index distributions by hand, over the values that occur (other levels are 0 on both sides). */
const humanShares = new Map([
  [2, 1 / 6],
  [3, 1 / 6],
  [4, 1 / 6],
  [13 / 3, 1 / 6],
  [14 / 3, 1 / 6],
  [5, 1 / 6],
])
const syntheticShares = new Map([
  [2, 1 / 6],
  [7 / 3, 1 / 6],
  [3, 2 / 6],
  [11 / 3, 1 / 6],
  [4, 1 / 6],
])

const handJsDivergence = (): number => {
  let divergence = 0
  for (const value of new Set([...humanShares.keys(), ...syntheticShares.keys()])) {
    const p = humanShares.get(value) ?? 0
    const q = syntheticShares.get(value) ?? 0
    const m = (p + q) / 2
    if (p > 0) divergence += 0.5 * p * Math.log2(p / m)
    if (q > 0) divergence += 0.5 * q * Math.log2(q / m)
  }
  return divergence
}

describe("divergence metric: derived variables", () => {
  it("codes a derived index from each side's answers, as an ordered scale over its 13 possible values", () => {
    const panel = preparePanel(input(true))
    const index = panel.items.findIndex((candidate) => candidate.id === "agreement")
    expect(index).toBe(3)
    const coded = panel.items[index]!
    expect(coded).toMatchObject({ derived: true, scorable: true, ordered: true, k: 13 })
    expect(coded.options[0]).toBe("1")
    expect(coded.options[1]).toBe("1.33333")
    expect(coded.options[12]).toBe("5")
    const level = (value: number) => Math.round((value - 1) * 3)
    expect(Array.from(panel.human[index]!)).toEqual([14 / 3, 4, 3, 2, 5, 13 / 3].map(level).concat([-1]))
    expect(Array.from(panel.synthetic[index]!)).toEqual(
      [3, 3, 7 / 3, 2, 4].map(level).concat([-1, level(11 / 3)]),
    )
    expect(panel.distributions[index]).toBeNull()
  })

  it("lines each twin row's derived value up with that row's answers (replicates, input in any order)", () => {
    const base = metricFixture({ n: 120, seed: 9, distortion: 0.5, invalidRate: 0.1, replicates: 3 })
    // A derived copy of an item (a text recode onto its own options) must code exactly as the item does.
    const copy = `recode(concern, {${agreeScale.map((option) => `"${option}": "${option}"`).join(", ")}})`
    // Replicates last-first, twins in an order unlike the humans'.
    const key = (row: SyntheticRespondent) => `${9 - row.replicate}|${[...row.twinId].reverse().join("")}`
    const shuffled = [...base.synthetic].sort((a, b) => (key(a) < key(b) ? -1 : 1))
    const panel = preparePanel({
      ...base,
      synthetic: shuffled,
      study: {
        ...base.study,
        formatVersion: 2,
        derived: [{ id: "concernCopy", label: "Concern, copied", expression: copy, score: true }],
      },
    })
    const item = panel.items.findIndex((candidate) => candidate.id === "concern")
    const derived = panel.items.findIndex((candidate) => candidate.id === "concernCopy")
    expect(panel.items[derived]!.options).toEqual(panel.items[item]!.options)
    expect(panel.rows).toBe(360)
    expect(Array.from(panel.synthetic[derived]!)).toEqual(Array.from(panel.synthetic[item]!))
    expect(Array.from(panel.human[derived]!)).toEqual(Array.from(panel.human[item]!))
    expect(Array.from(panel.synthetic[item]!).filter((code) => code < 0).length).toBeGreaterThan(0)
  })

  it.effect("reports the index's divergence, matching a hand computation, with its valid counts", () =>
    Effect.gen(function* () {
      const score = yield* metric.score(input(true))
      const details = score.details as {
        counts: Record<string, { human: number; synthetic: number; syntheticRows: number }>
        plugIn: Record<string, { jsDistance: number; jsDivergenceBias: number }>
      }
      // Six valid human values; six of seven twin rows (one input invalid) valid.
      expect(details.counts.agreement).toEqual({ human: 6, synthetic: 6, syntheticRows: 7 })
      const divergence = handJsDivergence()
      expect(details.plugIn.agreement!.jsDistance).toBeCloseTo(Math.sqrt(divergence), 12)
      // The reported (bias-corrected) distance: √max(0, JSD − bias), the bias from the 13-level counts.
      const countsByLevel = (shares: Map<number, number>) => {
        const out = new Array(13).fill(0)
        for (const [value, share] of shares) out[Math.round((value - 1) * 3)] += 6 * share
        return out
      }
      const bias = jsDivergenceBias(countsByLevel(humanShares), countsByLevel(syntheticShares), 6, 6)!
      const pooled = score.measures.find(
        (m) => m.measure === "js-distance" && m.item === "agreement" && m.arm === "all",
      )!
      expect(pooled.n).toBe(6)
      expect(pooled.value).toBeCloseTo(Math.sqrt(Math.max(0, divergence - bias)), 10)
      // An ordered scale: W1 is reported too, and per arm.
      expect(score.measures.some((m) => m.measure === "wasserstein" && m.item === "agreement")).toBe(true)
      expect(
        score.measures.filter((m) => m.measure === "js-distance" && m.item === "agreement").map((m) => m.arm),
      ).toEqual(["all", "control", "shown"])
      // The headline pools the index with the three items.
      const items = ["a", "b", "c", "agreement"]
      const meanDivergence = items.reduce((sum, id) => sum + details.plugIn[id]!.jsDistance ** 2, 0) / 4
      const meanBias = items.reduce((sum, id) => sum + details.plugIn[id]!.jsDivergenceBias, 0) / 4
      expect(score.headline.value).toBeCloseTo(Math.sqrt(Math.max(0, meanDivergence - meanBias)), 12)
    }),
  )

  it.effect(
    "leaves out a derived variable with score: false, and one that is no analysis outcome by default",
    () =>
      Effect.gen(function* () {
        for (const score of [false, undefined]) {
          const result = yield* metric.score(input(score))
          expect(result.measures.some((m) => m.item === "agreement")).toBe(false)
          expect(Object.keys((result.details as { counts: object }).counts)).toEqual(["a", "b", "c"])
        }
      }),
  )

  it.effect("scores a derived outcome of an analysis by default", () =>
    Effect.gen(function* () {
      const study: StudyDefinition = {
        ...indexStudy(),
        analyses: [
          {
            id: "agreement-by-arm",
            label: "Agreement by arm",
            family: "gaussian",
            outcome: {
              id: "agreement",
              source: { _tag: "Derived", variable: "agreement" },
              coding: { _tag: "Numeric" },
            },
            predictors: [
              {
                id: "shown",
                source: { _tag: "Arm" },
                coding: { _tag: "Indicator", levels: ["shown"] },
              },
            ],
            interactions: [],
          },
        ],
      }
      const result = yield* metric.score({ ...input(), study })
      expect(result.measures.some((m) => m.item === "agreement" && m.measure === "js-distance")).toBe(true)
    }),
  )

  it.effect("a numeric derived variable with no finite set of values is unscored, with its reason", () =>
    Effect.gen(function* () {
      const study: StudyDefinition = {
        ...indexStudy(),
        items: [
          item("a"),
          item("b"),
          {
            ...item("c"),
            scale: { _tag: "Numeric", min: 0, max: 1000, integer: false },
          },
        ],
        derived: [{ id: "ratio", label: "a per c", expression: "a / c", score: true }],
      }
      const result = yield* metric.score({ ...input(), study })
      const measure = result.measures.find((m) => m.item === "ratio")!
      expect(measure.value).toBeNull()
      expect(measure.note).toMatch(
        /^unscored: a numeric derived variable is scored only when its possible values/,
      )
    }),
  )
})
