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

describe("the default responder answers every kind of item", () => {
  const schema = {
    type: "object",
    properties: {
      minutes: { type: "integer", minimum: 0, maximum: 180 },
      share: { type: "number", minimum: 0, maximum: 1 },
      tools: { type: "array", items: { type: "string", enum: ["email", "chat", "video"] }, minItems: 1 },
      why: { type: "string" },
      mode: { type: "string", enum: ["office", "home"] },
    },
    required: ["minutes", "share", "tools", "why", "mode"],
  }
  const ask = (persona: string, seed: number, body: Record<string, unknown> = schema) =>
    JSON.parse(
      (
        defaultResponder(
          base({
            schema: body,
            seed,
            messages: [{ role: "user", content: `About you:\n- Age: ${persona}` }],
          }),
          { rng: new Rng(1), seed: 9 },
        ) as { text: string }
      ).text,
    ) as { minutes: number; share: number; tools: Array<string>; why: string; mode: string }

  it("gives whole and decimal numbers in range, non-empty selections, text and options, seeded", () => {
    const seen = new Set<number>()
    for (let seed = 0; seed < 40; seed++) {
      const answer = ask(`${20 + (seed % 5)}`, seed)
      expect(Number.isInteger(answer.minutes)).toBe(true)
      expect(answer.minutes).toBeGreaterThanOrEqual(0)
      expect(answer.minutes).toBeLessThanOrEqual(180)
      expect(answer.share).toBeGreaterThanOrEqual(0)
      expect(answer.share).toBeLessThanOrEqual(1)
      expect(answer.tools.length).toBeGreaterThan(0)
      expect(new Set(answer.tools).size).toBe(answer.tools.length)
      for (const tool of answer.tools) expect(["email", "chat", "video"]).toContain(tool)
      expect(answer.why.length).toBeGreaterThan(0)
      expect(["office", "home"]).toContain(answer.mode)
      seen.add(answer.minutes)
      expect(ask(`${20 + (seed % 5)}`, seed)).toEqual(answer)
    }
    expect(seen.size).toBeGreaterThan(10)
    expect(surveyShape(base({ schema }))._tag).toBe("Sample")
  })

  it("reads Gemini's capitalised types, and numbers next to stated distributions", () => {
    const gemini = { type: "OBJECT", properties: { age: { type: "INTEGER", minimum: 18, maximum: 99 } } }
    const answer = ask("30", 1, gemini) as unknown as { age: number }
    expect(answer.age).toBeGreaterThanOrEqual(18)
    expect(answer.age).toBeLessThanOrEqual(99)
    const mixed = {
      type: "object",
      properties: {
        hours: { type: "number", minimum: 0, maximum: 12 },
        agree: { type: "object", properties: { No: { type: "number" }, Yes: { type: "number" } } },
      },
    }
    expect(surveyShape(base({ schema: mixed }))._tag).toBe("Verbalized")
    const stated = ask("30", 2, mixed) as unknown as {
      hours: number
      agree: Record<string, number>
    }
    expect(stated.hours).toBeLessThanOrEqual(12)
    expect(stated.agree.No! + stated.agree.Yes!).toBeCloseTo(1, 5)
  })
})
