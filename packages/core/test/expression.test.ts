import { describe, expect, it } from "vitest"
import {
  checkExpression,
  evaluateExpression,
  parseExpression,
  type StudyDefinition,
  sourceLevels,
  sourceNumber,
} from "../src/index.js"

const agree = ["Disagree", "Neutral", "Agree"]

const study: StudyDefinition = {
  formatVersion: 2,
  id: "expr",
  version: "1",
  title: "t",
  description: "",
  citation: "c",
  data: { directory: "expr", file: "d.csv", sha256: "0" },
  armColumn: "arm",
  arms: [
    { id: "a", label: "A", value: "a", stimulus: "" },
    { id: "b", label: "B", value: "b", stimulus: "" },
  ],
  persona: [
    {
      id: "age",
      column: "age",
      label: "Age",
      multiple: false,
      levels: [],
      template: "Age: {value}",
      numeric: {},
    },
    {
      id: "party",
      column: "party",
      label: "Party",
      multiple: false,
      levels: ["Dem", "Rep", "Ind"],
      template: "{value}",
    },
    {
      id: "education",
      column: "edu",
      label: "Education",
      multiple: false,
      levels: ["School", "College", "Graduate"],
      template: "{value}",
      ordered: true,
    },
  ],
  subgroups: [],
  items: [
    {
      id: "q1",
      column: "q1",
      wording: "",
      label: "",
      role: "belief",
      scale: { _tag: "Likert", options: agree },
    },
    {
      id: "q2",
      column: "q2",
      wording: "",
      label: "",
      role: "belief",
      scale: { _tag: "Likert", options: agree },
      labels: { "-1": "Disagree", "0": "Neutral", "1": "Agree" },
    },
    {
      id: "yes",
      column: "yes",
      wording: "",
      label: "",
      role: "action",
      scale: { _tag: "Binary", options: ["No", "Yes"] },
    },
    {
      id: "hours",
      column: "h",
      wording: "",
      label: "",
      role: "covariate",
      scale: { _tag: "Numeric", min: 0, max: 24, integer: false },
    },
  ],
  derived: [
    { id: "index", label: "", expression: "mean(q1, reverse(q2))" },
    { id: "older", label: "", expression: 'if(age >= 65, "older", "younger")' },
  ],
  preamble: "",
  beliefActionPairs: [],
  analyses: [],
  figures: [],
  privateColumns: [],
  trimWhitespace: true,
}

const row = (answers: Record<string, string | number | null>, persona: Record<string, string> = {}) => ({
  arm: "b",
  persona,
  answers,
})

const value = (
  expression: string,
  r = row(
    { q1: "Agree", q2: "Disagree", yes: "Yes", hours: 2.5 },
    { age: "70", party: "Rep", education: "College" },
  ),
) => evaluateExpression(study, expression, r)

describe("derived-variable expressions", () => {
  it("scores ordered answers by position, by numeric code, binary as 0/1, and reverses within the range", () => {
    expect(value("q1")).toBe(3)
    expect(value("q2")).toBe(-1)
    expect(value("reverse(q2)")).toBe(1)
    expect(value("reverse(q1)")).toBe(1)
    expect(value("yes")).toBe(1)
    expect(value("education")).toBe(2)
    expect(value("reverse(education)")).toBe(2)
    expect(value("index")).toBe(2)
  })

  it("does arithmetic, comparisons (by level when compared with text), logic and if", () => {
    expect(value("(q1 + hours) * 2 - 1 / 4")).toBe(10.75)
    expect(value('q1 == "Agree"')).toBe(1)
    expect(value('party != "Rep" or age > 65')).toBe(1)
    expect(value('not (arm == "b")')).toBe(0)
    expect(value("older")).toBe("older")
    expect(value('recode(party, {"Dem": 1, "Rep": 0})')).toBe(0)
    expect(value('recode(party, {"Dem": 1})')).toBeNull()
    expect(value("min(q1, hours, 7)")).toBe(2.5)
    expect(value("sum(q1, q1)")).toBe(6)
    expect(value("hours / 0")).toBeNull()
  })

  it("propagates missing values, except in count and where logic decides anyway", () => {
    const gaps = row({ q1: "Agree", q2: null, yes: null, hours: null }, { party: "Dem" })
    expect(evaluateExpression(study, "mean(q1, q2)", gaps)).toBeNull()
    expect(evaluateExpression(study, "count(q1, q2, yes, party)", gaps)).toBe(2)
    expect(evaluateExpression(study, "age >= 65", gaps)).toBeNull()
    expect(evaluateExpression(study, "age >= 65 and 0", gaps)).toBe(0)
    expect(evaluateExpression(study, "age >= 65 or 1", gaps)).toBe(1)
    expect(evaluateExpression(study, "older", gaps)).toBeNull()
  })

  it("types expressions: numbers or texts with their levels, for analyses", () => {
    expect(checkExpression(study, "mean(q1, q2)")).toEqual({ type: "number" })
    expect(checkExpression(study, 'if(age >= 65, "older", "younger")')).toEqual({
      type: "text",
      levels: ["older", "younger"],
    })
    expect(sourceLevels(study, { _tag: "Derived", variable: "older" })).toEqual(["older", "younger"])
    expect(sourceLevels(study, { _tag: "Derived", variable: "index" })).toBeNull()
    expect(
      sourceNumber(study, { _tag: "Derived", variable: "index" }, row({ q1: "Neutral", q2: "Agree" })),
    ).toBe(0.5)
  })

  it("says what is wrong and where", () => {
    expect(parseExpression("mean(q1,")).toEqual({ message: "the expression ends too early", column: 9 })
    expect(parseExpression("q1 = 2")).toEqual({ message: 'unexpected "=" (compare with "==")', column: 4 })
    expect(parseExpression("avg(q1)")).toEqual({
      message: 'unknown function "avg" (known: mean, sum, count, min, max, reverse, recode, if)',
      column: 1,
    })
    expect(parseExpression('"open')).toEqual({ message: 'the text opened with " is never closed', column: 1 })
    expect(checkExpression(study, "party + 1")).toEqual({
      message: '"+" needs a number, but this is text',
      column: 1,
    })
    expect(checkExpression(study, 'recode(party, {"Green": 1})')).toEqual({
      message: '"Green" is not a level of "party" ("Dem", "Rep", "Ind")',
      column: 15,
    })
    expect(checkExpression(study, 'if(q1 > 1, 1, "x")')).toEqual({
      message: "if(…) gives a number on one side and a text on the other",
      column: 1,
    })
    const looping = {
      ...study,
      derived: [
        { id: "x", label: "", expression: "y + 1" },
        { id: "y", label: "", expression: "x" },
      ],
    }
    expect(checkExpression(looping, "y + 1", ["x"])).toEqual({
      message: 'the derived variable "y" it uses has a problem: "x" depends on itself (x → y → x)',
      column: 1,
    })
  })
})
