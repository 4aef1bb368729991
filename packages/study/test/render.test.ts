import { describe, expect, it } from "@effect/vitest"
import { makeRenderer, optionLabels, renderTarget } from "../src/render.js"
import { fixtureStudy } from "./render-fixture.js"

const render = makeRenderer(fixtureStudy)
const twin = { id: "t00001", arm: "treated", persona: { group: "a", race: ["x", "y"] } }

describe("makeRenderer", () => {
  it("renders persona, stimulus and items in the study's order, never the respondent id", () => {
    const prompt = render(twin, { elicitation: "sample", includeDemographics: true })
    const user = prompt.messages[1]!.content
    expect(user).toContain("- Group: a")
    expect(user).toContain("- Race: x and y")
    expect(user).toContain("You were shown a warning.")
    expect(user.indexOf("[act]")).toBeLessThan(user.indexOf("[worry]"))
    expect(user.indexOf("You were shown a warning.")).toBeLessThan(user.indexOf("[act]"))
    expect(user).not.toContain("t00001")
    expect(prompt.responseSchema).toEqual({
      type: "object",
      properties: {
        act: { type: "string", enum: ["No", "Yes"] },
        worry: { type: "string", enum: ["Disagree", "Neutral", "Agree"] },
      },
      required: ["act", "worry"],
      additionalProperties: false,
    })
    expect(prompt.perItem).toEqual([])
  })

  it("leaves the persona out for the demographics-removed ablation", () => {
    const user = render(twin, { elicitation: "sample", includeDemographics: false }).messages[1]!.content
    expect(user).not.toContain("Group:")
    expect(user).toContain("You were shown a warning.")
  })

  it("asks for distributions when verbalized and per-item numbered prompts for logprobs", () => {
    const verbalized = render(twin, { elicitation: "verbalized", includeDemographics: true })
    expect((verbalized.responseSchema.properties as Record<string, { type: string }>).act!.type).toBe(
      "object",
    )
    const logprobs = render(twin, { elicitation: "logprobs", includeDemographics: true })
    expect(logprobs.perItem.map((p) => p.itemId)).toEqual(["act", "worry"])
    expect(logprobs.perItem[1]!.labels).toEqual(["1", "2", "3"])
    expect(logprobs.perItem[1]!.messages[1]!.content).toMatch(/1\. Disagree\n2\. Neutral\n3\. Agree/)
    expect(optionLabels(12)[11]).toBe("L")
  })

  it("renders the finetuning target with the study's item order", () => {
    expect(renderTarget(fixtureStudy, { worry: "Agree", act: "No" })).toEqual({
      role: "assistant",
      content: '{"act":"No","worry":"Agree"}',
    })
  })
})
