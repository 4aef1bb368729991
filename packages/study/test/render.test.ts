import { describe, expect, it } from "@effect/vitest"
import { fixtureStudy } from "@standin/testkit/fixture"
import { makeRenderer, optionLabels, renderTarget } from "../src/render.js"

const render = makeRenderer(fixtureStudy)
const twin = {
  id: "t00001",
  arm: "shown",
  persona: { age: "25-34", gender: "Female", race: ["White", "Asian"] },
}
const stimulus = "Before this question, you were shown the details your browser reveals"

describe("makeRenderer", () => {
  it("renders preamble, persona, stimulus and items in the study's order, never the respondent id", () => {
    const prompt = render(twin, { elicitation: "sample", includeDemographics: true })
    const user = prompt.messages[1]!.content
    expect(user.startsWith("This is a short survey about browsing the web.")).toBe(true)
    expect(user).toContain("- I am 25-34 years old.")
    expect(user).toContain("- My race is White and Asian.")
    expect(user).toContain(stimulus)
    expect(user.indexOf("[understand]")).toBeLessThan(user.indexOf("[concern]"))
    expect(user.indexOf("[concern]")).toBeLessThan(user.indexOf("[share]"))
    expect(user.indexOf(stimulus)).toBeLessThan(user.indexOf("[understand]"))
    expect(user).not.toContain("t00001")
    expect(prompt.responseSchema).toEqual({
      type: "object",
      properties: {
        understand: {
          type: "string",
          enum: [...(fixtureStudy.items[0]!.scale as { options: ReadonlyArray<string> }).options],
        },
        concern: {
          type: "string",
          enum: [...(fixtureStudy.items[1]!.scale as { options: ReadonlyArray<string> }).options],
        },
        share: { type: "string", enum: ["Decline", "Consent to share"] },
      },
      required: ["understand", "concern", "share"],
      additionalProperties: false,
    })
    expect(prompt.perItem).toEqual([])
  })

  it("leaves the persona out for the demographics-removed ablation, and the stimulus out for the control arm", () => {
    const user = render(twin, { elicitation: "sample", includeDemographics: false }).messages[1]!.content
    expect(user).not.toContain("years old")
    expect(user).toContain(stimulus)
    const control = render({ ...twin, arm: "control" }, { elicitation: "sample", includeDemographics: true })
      .messages[1]!.content
    expect(control).not.toContain(stimulus)
  })

  it("asks for distributions when verbalized and per-item numbered prompts for logprobs", () => {
    const verbalized = render(twin, { elicitation: "verbalized", includeDemographics: true })
    expect((verbalized.responseSchema.properties as Record<string, { type: string }>).share!.type).toBe(
      "object",
    )
    const logprobs = render(twin, { elicitation: "logprobs", includeDemographics: true })
    expect(logprobs.perItem.map((p) => p.itemId)).toEqual(["understand", "concern", "share"])
    expect(logprobs.perItem[2]!.labels).toEqual(["1", "2"])
    expect(logprobs.perItem[2]!.messages[1]!.content).toMatch(/1\. Decline\n2\. Consent to share/)
    expect(optionLabels(12)[11]).toBe("L")
  })

  it("renders the finetuning target with the study's item order", () => {
    expect(
      renderTarget(fixtureStudy, { share: "Decline", concern: "Neutral", understand: "Somewhat agree" }),
    ).toEqual({
      role: "assistant",
      content: '{"understand":"Somewhat agree","concern":"Neutral","share":"Decline"}',
    })
  })
})
