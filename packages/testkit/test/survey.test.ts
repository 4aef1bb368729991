import { describe, expect, it } from "vitest"
import { fixtureRespondents, fixtureStudy, fixtureTwins, renderFixturePrompt } from "../src/fixture-study.js"
import { Rng } from "../src/random.js"
import {
  answerDistribution,
  defaultResponder,
  labelledOptions,
  personaLines,
  type SurveyRequest,
  surveyShape,
} from "../src/survey.js"

const twin = { id: "t", arm: "shown", persona: { age: "25-34", gender: "Female", race: ["Asian", "White"] } }
const base = (extra: Partial<SurveyRequest>): SurveyRequest => ({
  vendor: "openai",
  endpoint: "chat.completions",
  model: "m",
  messages: [],
  body: {},
  ...extra,
})

describe("the fixture renderer follows the real renderer's conventions", () => {
  it("writes persona lines, the stimulus, the enum schema and labelled per-item prompts", () => {
    const sample = renderFixturePrompt(fixtureStudy, twin, {
      elicitation: "sample",
      includeDemographics: true,
    })
    const user = sample.messages[1]!.content
    expect(user).toContain("- Age: 25-34\n- Gender: Female\n- Race: Asian, White")
    expect(user).toContain(fixtureStudy.arms[1]!.stimulus)
    expect(sample.responseSchema).toMatchObject({
      required: ["understand", "concern", "share"],
      additionalProperties: false,
    })
    const logprobs = renderFixturePrompt(fixtureStudy, twin, {
      elicitation: "logprobs",
      includeDemographics: true,
    })
    expect(logprobs.perItem.map((item) => item.labels)).toEqual([
      ["1", "2", "3", "4", "5"],
      ["1", "2", "3", "4", "5"],
      ["1", "2"],
    ])
    expect(
      logprobs.perItem[2]!.messages[1]!.content.endsWith(
        "1. Decline\n2. Consent to share\n\nAnswer with the number only.",
      ),
    ).toBe(true)
    const bare = renderFixturePrompt(fixtureStudy, twin, {
      elicitation: "sample",
      includeDemographics: false,
    })
    expect(personaLines(bare.messages)).toEqual([])
  })

  it("makes seeded twins and respondents whose answers are on the scales", () => {
    expect(fixtureTwins(5, 3)).toEqual(fixtureTwins(5, 3))
    const people = fixtureRespondents(50, 4)
    for (const person of people)
      for (const item of fixtureStudy.items)
        expect((item.scale as { options: ReadonlyArray<string> }).options).toContain(person.answers[item.id])
    expect(new Set(people.map((p) => p.arm))).toEqual(new Set(["control", "shown"]))
    expect(people.some((p) => Array.isArray(p.persona.race) && p.persona.race.length > 1)).toBe(true)
  })
})

describe("the default responder", () => {
  it("reads labelled option lists", () => {
    expect(labelledOptions("Q?\n1. Yes\n2) No\n3: Maybe\n\nAnswer with the number only.")).toEqual({
      labels: ["1", "2", "3"],
      options: ["Yes", "No", "Maybe"],
    })
    expect(labelledOptions("1. only one")).toBeUndefined()
  })

  it("recognises sample, verbalized, logprob and free requests", () => {
    const prompt = renderFixturePrompt(fixtureStudy, twin, {
      elicitation: "verbalized",
      includeDemographics: true,
    })
    expect(surveyShape(base({ schema: prompt.responseSchema }))._tag).toBe("Verbalized")
    const item = renderFixturePrompt(fixtureStudy, twin, {
      elicitation: "logprobs",
      includeDemographics: true,
    }).perItem[0]!
    expect(surveyShape(base({ messages: item.messages, logprobs: { top: 5 } }))._tag).toBe("Logprobs")
    expect(surveyShape(base({ messages: item.messages }))._tag).toBe("Free")
  })

  it("states distributions that add up to 1 for verbalized schemas", () => {
    const prompt = renderFixturePrompt(fixtureStudy, twin, {
      elicitation: "verbalized",
      includeDemographics: true,
    })
    const answer = defaultResponder(base({ schema: prompt.responseSchema, messages: prompt.messages }), {
      rng: new Rng(1),
      seed: 1,
    })
    if (typeof answer === "string") throw new Error("unexpected fault")
    const stated = JSON.parse(answer.text) as Record<string, Record<string, number>>
    for (const item of fixtureStudy.items) {
      const total = Object.values(stated[item.id] ?? {}).reduce((a, b) => a + b, 0)
      expect(total).toBeCloseTo(1, 9)
    }
  })

  it("sharpens with a low temperature and depends on the persona lines", () => {
    const options = ["a", "b", "c", "d"]
    const lines = ["- Age: 25-34", "- Gender: Female"]
    const cold = answerDistribution(options, lines, 0.1)
    const warm = answerDistribution(options, lines, 1)
    expect(Math.max(...cold)).toBeGreaterThan(Math.max(...warm))
    expect(answerDistribution(options, ["- Age: 65+"], 1)).not.toEqual(warm)
    expect(answerDistribution(options, lines, 1)).toEqual(warm)
  })
})
