import { ApiError, GoogleGenAI } from "@google/genai"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fixtureStudy, fixtureTwins, renderFixturePrompt } from "../src/fixture-study.js"
import { startGoogleFake } from "../src/google.js"
import { inputTokens } from "../src/metering.js"
import type { FakeServer } from "../src/server.js"

const key = "sk-test-PLANTED"
let fake: FakeServer
let ai: GoogleGenAI

beforeAll(async () => {
  fake = await startGoogleFake({ seed: 4, retryAfterMs: 3000 })
  ai = new GoogleGenAI({
    apiKey: key,
    httpOptions: { baseUrl: fake.baseUrl, apiVersion: "v1beta", timeout: 2000 },
  })
})
afterAll(() => fake.close())

const twin = fixtureTwins(1, 9)[0]!
const prompt = renderFixturePrompt(fixtureStudy, twin, { elicitation: "sample", includeDemographics: true })
const system = prompt.messages.find((m) => m.role === "system")?.content ?? ""
const user = prompt.messages
  .filter((m) => m.role === "user")
  .map((m) => m.content)
  .join("\n")

describe("Gemini fake: generateContent", () => {
  it("answers JSON through responseJsonSchema and reports modelVersion and usage", async () => {
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: [{ role: "user", parts: [{ text: user }] }],
      config: {
        systemInstruction: system,
        responseMimeType: "application/json",
        responseJsonSchema: prompt.responseSchema,
        seed: 5,
        temperature: 0.7,
      },
    })
    const answers = JSON.parse(response.text ?? "{}") as Record<string, string>
    expect(Object.keys(answers).sort()).toEqual(["concern", "share", "understand"])
    expect(response.modelVersion).toBe("gemini-2.5-flash-001")
    expect(response.usageMetadata?.promptTokenCount).toBe(inputTokens([system, user]))
    const logged = fake.log.last!
    expect(logged.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent")
    expect(logged.headers["x-goog-api-key"]).toBe("[REDACTED]")
    expect((logged.body as { generationConfig: { seed: number } }).generationConfig.seed).toBe(5)
  })

  it("returns logprobs over the labels", async () => {
    const item = renderFixturePrompt(fixtureStudy, twin, {
      elicitation: "logprobs",
      includeDemographics: true,
    }).perItem[0]!
    const response = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents: item.messages
        .filter((m) => m.role === "user")
        .map((m) => ({ role: "user", parts: [{ text: m.content }] })),
      config: {
        responseLogprobs: true,
        logprobs: 10,
        maxOutputTokens: 1,
        thinkingConfig: { thinkingBudget: 0 },
      },
    })
    const top = response.candidates?.[0]?.logprobsResult?.topCandidates?.[0]?.candidates ?? []
    expect(top.length).toBeGreaterThanOrEqual(5)
    for (const label of item.labels) expect(top.map((c) => c.token)).toContain(label)
  })

  it("spends a 2.5 model's one output token on thinking unless thinking is off, as Gemini does", async () => {
    const contents = [{ role: "user", parts: [{ text: "Answer 1 or 2." }] }]
    const thinking = await ai.models.generateContent({
      model: "gemini-2.5-flash",
      contents,
      config: { responseLogprobs: true, logprobs: 5, maxOutputTokens: 1 },
    })
    const candidate = thinking.candidates?.[0]
    expect(candidate?.finishReason).toBe("MAX_TOKENS")
    expect(candidate?.content?.parts).toBeUndefined()
    expect(candidate?.logprobsResult).toBeUndefined()
    expect(thinking.usageMetadata?.thoughtsTokenCount).toBe(1)
  })

  it("refuses logprobs on models without them and a zero thinking budget on models that always think", async () => {
    const contents = [{ role: "user", parts: [{ text: "Answer 1 or 2." }] }]
    const noLogprobs = await ai.models
      .generateContent({ model: "gemini-2.5-pro", contents, config: { responseLogprobs: true, logprobs: 5 } })
      .catch((e: unknown) => e)
    expect((noLogprobs as ApiError).status).toBe(400)
    expect((noLogprobs as ApiError).message).toMatch(/Logprobs is not enabled for models\/gemini-2.5-pro/)
    const noBudget = await ai.models
      .generateContent({
        model: "gemini-2.5-pro",
        contents,
        config: { thinkingConfig: { thinkingBudget: 0 } },
      })
      .catch((e: unknown) => e)
    expect((noBudget as ApiError).message).toMatch(/only works in thinking mode/)
  })

  it("rejects a schema without the JSON mime type, blocks for safety, and rate-limits with RetryInfo", async () => {
    const invalid = await ai.models
      .generateContent({
        model: "gemini-2.5-flash",
        contents: user,
        config: { responseJsonSchema: prompt.responseSchema },
      })
      .catch((e: unknown) => e)
    expect((invalid as ApiError).status).toBe(400)
    fake.faults.script(["refusal", "429", "401"])
    const blocked = await ai.models.generateContent({ model: "gemini-2.5-flash", contents: user })
    expect(blocked.candidates?.[0]?.finishReason).toBe("SAFETY")
    const limited = await ai.models
      .generateContent({ model: "gemini-2.5-flash", contents: user })
      .catch((e: unknown) => e)
    expect(limited).toBeInstanceOf(ApiError)
    expect((limited as ApiError).status).toBe(429)
    expect((limited as ApiError).message).toContain('"retryDelay":"3s"')
    const badKey = await ai.models
      .generateContent({ model: "gemini-2.5-flash", contents: user })
      .catch((e: unknown) => e)
    expect((badKey as ApiError).status).toBe(400)
    expect((badKey as ApiError).message).toContain("API_KEY_INVALID")
  })

  it("runs batches with inlined requests", async () => {
    const job = await ai.batches.create({
      model: "gemini-2.5-flash",
      src: [1, 2].map((n) => ({
        contents: [{ role: "user", parts: [{ text: user }] }],
        config: { responseMimeType: "application/json", responseJsonSchema: prompt.responseSchema },
        metadata: { key: `twin-${n}` },
      })),
      config: { displayName: "fixture" },
    })
    expect(job.state).toBe("JOB_STATE_PENDING")
    fake.clock.advance(11_000)
    const done = await ai.batches.get({ name: job.name! })
    expect(done.state).toBe("JOB_STATE_SUCCEEDED")
    const responses = done.dest?.inlinedResponses ?? []
    expect(responses.length).toBe(2)
    expect(
      Object.keys(
        JSON.parse(responses[0]?.response?.candidates?.[0]?.content?.parts?.[0]?.text ?? "{}"),
      ).sort(),
    ).toEqual(["concern", "share", "understand"])
    expect(responses[1]?.metadata).toEqual({ key: "twin-2" })
    const other = await ai.batches.create({ model: "gemini-2.5-flash", src: [{ contents: user }] })
    await ai.batches.cancel({ name: other.name! })
    expect((await ai.batches.get({ name: other.name! })).state).toBe("JOB_STATE_CANCELLED")
  })
})
