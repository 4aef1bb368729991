import { describe, expect, it } from "vitest"
import {
  type AnalysisSpec,
  type DerivedVariable,
  derivedCode,
  derivedItems,
  derivedMeasure,
  derivedMeasures,
  type Item,
  isScoredDerived,
  type StudyDefinition,
} from "../src/index.js"

const agree = ["Disagree", "Neutral", "Agree"]
const likert = (id: string, labels?: Record<string, string>): Item => ({
  id,
  column: id,
  wording: "",
  label: id,
  role: "outcome",
  scale: { _tag: "Likert", options: agree },
  ...(labels === undefined ? {} : { labels }),
})

const base: StudyDefinition = {
  formatVersion: 2,
  id: "derived",
  version: "1",
  title: "t",
  description: "",
  citation: "c",
  data: { directory: "derived", file: "d.csv", sha256: "0" },
  armColumn: "arm",
  arms: [{ id: "a", label: "A", value: "a", stimulus: "" }],
  persona: [
    { id: "age", column: "age", label: "Age", multiple: false, levels: [], template: "{value}", numeric: {} },
    {
      id: "party",
      column: "party",
      label: "Party",
      multiple: false,
      levels: ["Dem", "Rep"],
      template: "{value}",
    },
  ],
  subgroups: [],
  items: [
    likert("q1"),
    likert("q2", { "-1": "Disagree", "0": "Neutral", "1": "Agree" }),
    likert("q3"),
    { ...likert("hours"), scale: { _tag: "Numeric", min: 0, max: 24, integer: false } },
    { ...likert("kids"), scale: { _tag: "Numeric", min: 0, max: 10, integer: true } },
  ],
  preamble: "",
  beliefActionPairs: [],
  analyses: [],
  figures: [],
  privateColumns: [],
  trimWhitespace: true,
}

const withDerived = (
  derived: ReadonlyArray<DerivedVariable>,
  analyses: ReadonlyArray<AnalysisSpec> = [],
) => ({
  ...base,
  derived,
  analyses,
})

const analysisOf = (variable: string): AnalysisSpec => ({
  id: `${variable}-ols`,
  label: "",
  family: "gaussian",
  outcome: { id: variable, source: { _tag: "Derived", variable }, coding: { _tag: "Numeric" } },
  predictors: [],
  interactions: [],
})

const measureOf = (expression: string) => {
  const study = withDerived([{ id: "x", label: "X", expression }])
  return derivedMeasure(study, study.derived[0]!)
}

describe("derived variables as measures", () => {
  it("takes an index's possible values as its ordered levels", () => {
    // Positions 1–3 for q1 and q3; q2 scores by its codes −1, 0, 1; reverse(q3) is 4 − q3.
    expect(measureOf("mean(q1, reverse(q3))")).toMatchObject({
      _tag: "Levels",
      levels: ["1", "1.5", "2", "2.5", "3"],
      ordered: true,
    })
    expect(measureOf("q1 + q2")).toMatchObject({ levels: ["0", "1", "2", "3", "4"] })
    expect(measureOf("count(q1, q2, q3)")).toMatchObject({ levels: ["0", "1", "2", "3"] })
    expect(measureOf("q1 >= 2 and q3 < 3")).toMatchObject({ levels: ["0", "1"] })
    expect(measureOf("max(q1, q3) * 2 - kids")).toMatchObject({ _tag: "Levels" })
    expect(measureOf('recode(q1, {"Agree": 10, "Neutral": 5, "Disagree": 0})')).toMatchObject({
      levels: ["0", "5", "10"],
    })
  })

  it("takes a text result's levels as unordered categories", () => {
    expect(measureOf('if(q1 == "Agree", "agrees", "does not")')).toEqual({
      _tag: "Levels",
      id: "x",
      label: "X",
      levels: ["agrees", "does not"],
      ordered: false,
    })
  })

  it("leaves unscorable a numeric result with no small finite set of values", () => {
    for (const expression of ["q1 * hours", "q1 + age", "q1 / q3 * hours"])
      expect(measureOf(expression)).toMatchObject({
        _tag: "Unscorable",
        reason: expect.stringMatching(/finite set of at most 101/),
      })
    // 24 ten-point sums have 241 values.
    expect(measureOf(`sum(${Array.from({ length: 24 }, () => "kids").join(", ")})`)).toMatchObject({
      _tag: "Unscorable",
    })
  })

  it("codes a respondent's value as its level, missing (−1) when an input is", () => {
    const study = withDerived([{ id: "x", label: "X", expression: "mean(q1, reverse(q3))", score: true }])
    const [measure] = derivedMeasures(study)
    const row = (q1: string | null, q3: string | null) => ({ arm: "a", persona: {}, answers: { q1, q3 } })
    expect(derivedCode(study, measure!, row("Agree", "Agree"))).toBe(2) // mean(3, 1) = 2
    expect(derivedCode(study, measure!, row("Neutral", "Agree"))).toBe(1) // 1.5
    expect(derivedCode(study, measure!, row(null, "Agree"))).toBe(-1)
    expect(derivedCode(study, measure!, row("Not an option", "Agree"))).toBe(-1)
  })

  it("scores by default the outcome of an analysis that reads answers; score decides otherwise", () => {
    const study = withDerived(
      [
        { id: "index", label: "", expression: "mean(q1, q3)" },
        { id: "helper", label: "", expression: "reverse(q3)" },
        { id: "via", label: "", expression: "helper + 1", score: true },
        { id: "optedOut", label: "", expression: "q1 + q3", score: false },
        { id: "older", label: "", expression: "age >= 65", score: true },
        { id: "partisan", label: "", expression: 'recode(party, {"Dem": 1, "Rep": 0})' },
      ],
      [analysisOf("index"), analysisOf("optedOut"), analysisOf("partisan")],
    )
    const scored = (study.derived ?? []).filter((variable) => isScoredDerived(study, variable))
    expect(scored.map((variable) => variable.id)).toEqual(["index", "via"])
    expect(derivedItems(study, "via")).toEqual(["q3"])
    expect(derivedItems(study, "partisan")).toEqual([])
    expect(derivedMeasures(study).map((measure) => measure.id)).toEqual(["index", "via"])
  })
})
