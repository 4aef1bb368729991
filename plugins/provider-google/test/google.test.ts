import { Provider, type ProviderRequest, type ProviderResponse } from "@standin/core"
import {
  type FakeServer,
  fixtureStudy,
  fixtureTwins,
  renderFixturePrompt,
  startGoogleFake,
} from "@standin/testkit"
import { ConfigProvider, Effect, Layer, Redacted, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { layer, logprobThinking, make, models, toGeminiSchema } from "../src/index.js"

let fake: FakeServer
beforeAll(async () => {
  fake = await startGoogleFake({ seed: 2 })
})
afterAll(() => fake.close())

const twin = fixtureTwins(1, 4)[0]!
const request = (
  elicitation: ProviderRequest["elicitation"],
  extra: Partial<ProviderRequest> = {},
): ProviderRequest => ({
  model: "gemini-2.5-flash",
  twin,
  items: fixtureStudy.items,
  prompt: renderFixturePrompt(fixtureStudy, twin, { elicitation, includeDemographics: true }),
  settings: {},
  elicitation,
  replicate: 0,
  attempt: 0,
  ...extra,
})
const provider = (extra: Partial<Parameters<typeof make>[0]> = {}) =>
  make({
    apiKey: Redacted.make("sk-test-PLANTED"),
    model: "gemini-2.5-flash",
    baseUrl: fake.baseUrl,
    ...extra,
  })
const run = (effect: Effect.Effect<ProviderResponse, unknown>) => Effect.runPromise(effect)
type Body = {
  generationConfig: Record<string, unknown>
  systemInstruction?: unknown
  contents: ReadonlyArray<{ role: string }>
}
const lastBody = () => fake.log.last!.body as Body

describe("Gemini request bodies, as Google documents them", () => {
  it("puts the JSON schema in generationConfig.responseJsonSchema with the JSON mime type, seed and limits", async () => {
    const response = await run(
      provider().generate(
        request("sample", { settings: { temperature: 0.3, topP: 0.7, seed: 12, maxTokens: 500 } }),
      ),
    )
    const body = lastBody()
    expect(fake.log.last!.path).toBe("/v1beta/models/gemini-2.5-flash:generateContent")
    expect(body.generationConfig).toEqual({
      temperature: 0.3,
      topP: 0.7,
      seed: 12,
      responseMimeType: "application/json",
      responseJsonSchema: request("sample").prompt.responseSchema,
      maxOutputTokens: 500,
    })
    expect(body.systemInstruction).toBeDefined()
    expect(body.contents.map((c) => c.role)).toEqual(["user"])
    expect(response.modelVersion).toBe("gemini-2.5-flash-001")
  })

  it("can use Gemini's own responseSchema subset for older models", async () => {
    await run(provider({ schemaField: "responseSchema" }).generate(request("sample")))
    const config = lastBody().generationConfig
    expect(config.responseJsonSchema).toBeUndefined()
    expect(config.responseSchema).toEqual(toGeminiSchema(request("sample").prompt.responseSchema))
    expect((config.responseSchema as { propertyOrdering: ReadonlyArray<string> }).propertyOrdering).toEqual([
      "understand",
      "concern",
      "share",
    ])
  })

  it("asks logprobs per item: responseLogprobs, logprobs 20, one output token, optional thinking budget", async () => {
    const before = fake.log.entries.length
    const response = await run(provider({ thinkingBudget: 0 }).generate(request("logprobs")))
    const calls = fake.log.entries.slice(before)
    expect(calls.length).toBe(3)
    for (const call of calls) {
      const config = (call.body as Body).generationConfig
      expect(config.responseLogprobs).toBe(true)
      expect(config.logprobs).toBe(20)
      expect(config.maxOutputTokens).toBe(1)
      expect(config.thinkingConfig).toEqual({ thinkingBudget: 0 })
      expect(config.responseJsonSchema).toBeUndefined()
    }
    expect(Object.keys(response.distributions ?? {}).sort()).toEqual(["concern", "share", "understand"])
  })

  it("turns thinking off for a 2.5 Flash logprob ask even when no budget is configured (else the token goes to thinking)", async () => {
    const before = fake.log.entries.length
    const response = await run(provider().generate(request("logprobs")))
    const calls = fake.log.entries.slice(before)
    expect(calls.length).toBe(3)
    for (const call of calls) {
      const config = (call.body as Body).generationConfig
      expect(config.thinkingConfig).toEqual({ thinkingBudget: 0 })
      expect(config.maxOutputTokens).toBe(1)
    }
    expect(Object.keys(response.distributions ?? {}).sort()).toEqual(["concern", "share", "understand"])
  })

  it("sets no thinking for 2.0 Flash, turns a configured budget off for 2.5 Flash-Lite's one-token ask", async () => {
    const before = fake.log.entries.length
    await run(
      provider({ model: "gemini-2.0-flash" }).generate(request("logprobs", { model: "gemini-2.0-flash" })),
    )
    const config = (fake.log.entries[before]!.body as Body).generationConfig
    expect(config.thinkingConfig).toBeUndefined()
    expect(config.maxOutputTokens).toBe(1)
    const lite = fake.log.entries.length
    await run(
      provider({ model: "gemini-2.5-flash-lite", thinkingBudget: 512 }).generate(
        request("logprobs", { model: "gemini-2.5-flash-lite" }),
      ),
    )
    expect((fake.log.entries[lite]!.body as Body).generationConfig.thinkingConfig).toEqual({
      thinkingBudget: 0,
    })
  })

  it("budgets the least thinking plus one token for a model that cannot stop thinking", () => {
    const always = { ...models[0]!, thinking: "always", minThinkingBudget: 128 } as const
    expect(logprobThinking(always, undefined)).toEqual({
      thinkingConfig: { thinkingBudget: 128 },
      maxOutputTokens: 129,
    })
    expect(logprobThinking(always, 300)).toEqual({
      thinkingConfig: { thinkingBudget: 300 },
      maxOutputTokens: 301,
    })
    expect(logprobThinking({ ...always, thinking: "none" }, 300)).toEqual({ maxOutputTokens: 1 })
  })

  it("refuses logprobs before any call on models without them (2.5 Pro), and says why", async () => {
    const pro = provider({ model: "gemini-2.5-pro" })
    expect(pro.descriptor.capabilities.logprobs).toBe(false)
    const before = fake.log.entries.length
    const result = await Effect.runPromise(
      Effect.result(pro.generate(request("logprobs", { model: "gemini-2.5-pro" }))),
    )
    expect(Result.isFailure(result) && result.failure.reason).toBe("unsupported")
    expect(Result.isFailure(result) && result.failure.message).toMatch(
      /google:gemini-2.5-pro cannot do "logprobs"/,
    )
    expect(fake.log.entries.length).toBe(before)
    expect(models.find((row) => row.match === "gemini-2.5-pro*")).toMatchObject({
      thinking: "always",
      minThinkingBudget: 128,
    })
  })

  it("maps a safety block (finishReason SAFETY) to content-filtered", async () => {
    fake.setResponder(() => ({ text: "", refusal: "blocked" }))
    const result = await Effect.runPromise(Effect.result(provider().generate(request("sample"))))
    fake.setResponder(undefined)
    expect(Result.isFailure(result) && result.failure.reason).toBe("content-filtered")
  })
})

describe("the Google plugin layer", () => {
  const build = (env: Record<string, string>, spec: Parameters<typeof layer>[0]) =>
    Effect.runPromise(
      Effect.gen(function* () {
        return yield* Provider
      }).pipe(
        Effect.provide(
          layer(spec).pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env)))),
        ),
        Effect.result,
      ),
    )

  it("names both key variables when neither is set", async () => {
    const result = await build({}, { provider: "google", model: "gemini-2.5-flash" })
    const message = Result.isFailure(result) ? (result.failure as Error).message : ""
    expect(message).toContain("GEMINI_API_KEY")
    expect(message).toContain("GOOGLE_API_KEY")
  })

  it("accepts GEMINI_API_KEY, reads GOOGLE_GEMINI_BASE_URL, and pins the API version", async () => {
    const result = await build(
      { GEMINI_API_KEY: "sk-test-PLANTED", GOOGLE_GEMINI_BASE_URL: fake.baseUrl },
      { provider: "google", model: "gemini-2.0-flash", options: { apiVersion: "v1" } },
    )
    if (!Result.isSuccess(result)) return expect.unreachable("the layer should build")
    await run(result.success.generate(request("sample")))
    expect(fake.log.last!.path).toBe("/v1/models/gemini-2.0-flash:generateContent")
  })
})
