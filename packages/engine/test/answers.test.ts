import { describe, expect, it } from "@effect/vitest"
import type { Item } from "@standin/core"
import { mulberry32 } from "@standin/stats"
import { extractJsonObject, matchAnswer, parseReply } from "../src/answers.js"
import { fixtureStudy } from "./fixture.js"

const items = fixtureStudy.items
const random = () => mulberry32(42)

describe("parseReply", () => {
  it("reads a plain JSON answer object", () => {
    const parsed = parseReply(items, "sample", { text: '{"act":"Yes","worry":"Agree"}' }, random())
    expect(parsed.answers).toEqual({ act: "Yes", worry: "Agree" })
    expect(parsed.invalidItems).toEqual([])
  })

  it("finds JSON inside code fences and prose", () => {
    expect(extractJsonObject('Sure!\n```json\n{"act": "No"}\n```')).toEqual({ act: "No" })
    expect(extractJsonObject("no json here")).toBeUndefined()
    expect(extractJsonObject("[1, 2]")).toBeUndefined()
  })

  it("accepts case and whitespace differences but never coerces an off-scale answer", () => {
    const parsed = parseReply(items, "sample", { text: '{"act":" yes ","worry":"Strongly agree"}' }, random())
    expect(parsed.answers.act).toBe("Yes")
    expect(parsed.answers.worry).toBeNull()
    expect(parsed.invalidItems).toEqual(["worry"])
    expect(parsed.problems[0]).toContain("not on the scale")
  })

  it("marks every item invalid when the reply is not JSON", () => {
    const parsed = parseReply(items, "sample", { text: "I would rather not say." }, random())
    expect(parsed.invalidItems).toEqual(["act", "worry"])
  })

  it("draws from a verbalized distribution, renormalising with a note", () => {
    const parsed = parseReply(
      items,
      "verbalized",
      { text: '{"act":{"No":0,"Yes":2},"worry":{"Disagree":0.2,"Neutral":0.3,"Agree":0.5}}' },
      random(),
    )
    expect(parsed.answers.act).toBe("Yes")
    expect(parsed.distributions.act).toEqual({ No: 0, Yes: 1 })
    expect(parsed.problems.some((p) => p.includes("renormalised"))).toBe(true)
    expect(parsed.invalidItems).toEqual([])
  })

  it("draws from first-token distributions for logprob elicitation, seeded", () => {
    const reply = {
      text: "",
      distributions: { act: { No: 0.5, Yes: 0.5 }, worry: { Disagree: 0.1, Neutral: 0.1, Agree: 0.8 } },
    }
    const a = parseReply(items, "logprobs", reply, mulberry32(1))
    const b = parseReply(items, "logprobs", reply, mulberry32(1))
    expect(a.answers).toEqual(b.answers)
    const missing = parseReply(
      items,
      "logprobs",
      { text: "", distributions: { act: { No: 1, Yes: 0 } } },
      random(),
    )
    expect(missing.answers.act).toBe("No")
    expect(missing.invalidItems).toEqual(["worry"])
  })

  it("validates numeric and multi-select answers", () => {
    const numeric: Item = {
      id: "age",
      column: "age",
      label: "Age",
      wording: "Age?",
      scale: { _tag: "Numeric", min: 18, max: 99, integer: true },
      role: "covariate",
    }
    expect(matchAnswer(numeric, 42)).toBe(42)
    expect(matchAnswer(numeric, "42")).toBe(42)
    expect(matchAnswer(numeric, 17)).toBeUndefined()
    expect(matchAnswer(numeric, 42.5)).toBeUndefined()
    const multi: Item = {
      id: "m",
      column: "m",
      label: "M",
      wording: "M?",
      scale: { _tag: "MultiSelect", options: ["a", "b"] },
      role: "covariate",
    }
    expect(matchAnswer(multi, ["a", "B"])).toEqual(["a", "b"])
    expect(matchAnswer(multi, ["a", "a"])).toBeUndefined()
    expect(matchAnswer(multi, [])).toBeUndefined()
    expect(matchAnswer(multi, "a")).toBeUndefined()
  })
})
