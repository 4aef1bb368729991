import { capabilitiesFor, type ProviderRequest, type ProviderResponse } from "@standin/core"
import {
  type FakeServer,
  fixtureStudy,
  fixtureTwins,
  renderFixturePrompt,
  startOpenAiFake,
} from "@standin/testkit"
import { Effect, Redacted, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { descriptor, make, models, toOpenAiStrictSchema } from "../src/index.js"

let fake: FakeServer
beforeAll(async () => {
  fake = await startOpenAiFake({ seed: 5 })
})
afterAll(() => fake.close())

const twin = fixtureTwins(1, 4)[0]!
const prompt = (elicitation: ProviderRequest["elicitation"]) =>
  renderFixturePrompt(fixtureStudy, twin, { elicitation, includeDemographics: true })
const request = (
  elicitation: ProviderRequest["elicitation"],
  extra: Partial<ProviderRequest> = {},
): ProviderRequest => ({
  model: "gpt-4o-mini",
  twin,
  items: fixtureStudy.items,
  prompt: prompt(elicitation),
  settings: {},
  elicitation,
  replicate: 0,
  attempt: 0,
  ...extra,
})
const provider = (model: string, extra: Partial<Parameters<typeof make>[0]> = {}) =>
  make({ apiKey: Redacted.make("sk-test-PLANTED"), model, baseUrl: fake.baseUrl, ...extra })
const outcome = <E>(effect: Effect.Effect<ProviderResponse, E>) => Effect.runPromise(Effect.result(effect))
const lastBody = () => fake.log.last!.body as Record<string, unknown>

/** A multi-select item's schema, as the study renderer writes it (`uniqueItems`, which strict mode rejects). */
const multiSelect = {
  type: "object",
  properties: {
    channels: {
      type: "array",
      items: { type: "string", enum: ["Email", "Phone", "Post"] },
      minItems: 1,
      uniqueItems: true,
    },
    age: { type: "integer", minimum: 18, maximum: 99 },
  },
  required: ["channels", "age"],
  additionalProperties: false,
}

describe("OpenAI strict structured outputs", () => {
  it("moves uniqueItems into the description (the SDK's strict check rejects it) and the fake accepts the result", async () => {
    const strict = toOpenAiStrictSchema(multiSelect)
    const channels = (strict.properties as Record<string, Record<string, unknown>>).channels!
    expect(channels.uniqueItems).toBeUndefined()
    expect(channels.description).toBe("{uniqueItems: true}")
    expect(channels.minItems).toBe(1)
    const result = await outcome(
      provider("gpt-4o-mini").generate(
        request("sample", {
          prompt: { ...prompt("sample"), responseSchema: multiSelect, responseSchemaName: "multi" },
        }),
      ),
    )
    expect(Result.isSuccess(result)).toBe(true)
    const sent = (lastBody().response_format as { json_schema: { schema: Record<string, unknown> } })
      .json_schema.schema
    expect(JSON.stringify(sent)).not.toContain('"uniqueItems"')
  })

  it("the fake answers the API's 400 for uniqueItems in a strict schema", async () => {
    const result = await outcome(
      provider("gpt-4o-mini", { strict: false }).generate(
        request("sample", {
          prompt: { ...prompt("sample"), responseSchema: multiSelect, responseSchemaName: "multi" },
        }),
      ),
    )
    // not strict: sent as is, and accepted
    expect(Result.isSuccess(result)).toBe(true)
    const response = await fetch(`${fake.baseUrl}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "gpt-4o-mini",
        messages: [{ role: "user", content: "hi" }],
        response_format: {
          type: "json_schema",
          json_schema: { name: "m", schema: multiSelect, strict: true },
        },
      }),
    })
    expect(response.status).toBe(400)
    const error = ((await response.json()) as { error: { message: string; param: string } }).error
    expect(error.message).toMatch(/'uniqueItems' is not permitted/)
    expect(error.param).toBe("response_format")
  })

  it("fails before any call, with the SDK's reason, for a schema strict mode cannot represent", async () => {
    const before = fake.log.entries.length
    const open = { type: "object", properties: { a: { type: "string" } }, additionalProperties: true }
    const result = await outcome(
      provider("gpt-4o-mini").generate(
        request("sample", { prompt: { ...prompt("sample"), responseSchema: open } }),
      ),
    )
    expect(Result.isFailure(result) && result.failure.reason).toBe("unsupported")
    expect(Result.isFailure(result) && result.failure.message).toMatch(/additionalProperties: false/)
    expect(fake.log.entries.length).toBe(before)
  })
})

describe("OpenAI reasoning models (GPT-5 family, o-series)", () => {
  it("has a capability row per model family, with a safe default", () => {
    expect(capabilitiesFor(models, "gpt-5-mini")).toMatchObject({ temperature: false, topLogprobs: 0 })
    expect(capabilitiesFor(models, "o3-mini")).toMatchObject({ thinking: "reasoning" })
    expect(capabilitiesFor(models, "o4-mini-2025-04-16")).toMatchObject({ temperature: false })
    expect(capabilitiesFor(models, "gpt-5-chat-latest")).toMatchObject({ temperature: true, topLogprobs: 20 })
    expect(capabilitiesFor(models, "gpt-4o-mini")).toMatchObject({ temperature: true, topLogprobs: 20 })
    expect(capabilitiesFor(models, "some-future-model")?.match).toBe("*")
    expect(descriptor.models).toBe(models)
  })

  it("sends no temperature or top_p (a warning says so) and max_completion_tokens", async () => {
    const result = await outcome(
      provider("gpt-5-mini").generate(
        request("sample", { model: "gpt-5-mini", settings: { temperature: 0.3, topP: 0.9, maxTokens: 500 } }),
      ),
    )
    if (!Result.isSuccess(result)) return expect.unreachable(String(result.failure))
    const body = lastBody()
    expect(body.temperature).toBeUndefined()
    expect(body.top_p).toBeUndefined()
    expect(body.max_completion_tokens).toBe(500)
    expect(body.max_tokens).toBeUndefined()
    expect(result.success.warnings).toContain("temperature was ignored: openai:gpt-5-mini does not accept it")
    expect(result.success.warnings).toContain("top_p was ignored: openai:gpt-5-mini does not accept it")
  })

  it("refuses logprobs before any call, and its descriptor says why", async () => {
    const reasoning = provider("o3")
    expect(reasoning.descriptor.capabilities.logprobs).toBe(false)
    expect(reasoning.descriptor.capabilities.elicitation).toEqual(["sample", "verbalized"])
    const before = fake.log.entries.length
    const result = await outcome(reasoning.generate(request("logprobs", { model: "o3" })))
    expect(Result.isFailure(result) && result.failure.reason).toBe("unsupported")
    expect(Result.isFailure(result) && result.failure.message).toMatch(/openai:o3 cannot do "logprobs"/)
    expect(fake.log.entries.length).toBe(before)
  })

  it("the fake answers OpenAI's 400 for temperature, max_tokens or logprobs on a reasoning model", async () => {
    const ask = async (extra: Record<string, unknown>) => {
      const response = await fetch(`${fake.baseUrl}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-5", messages: [{ role: "user", content: "hi" }], ...extra }),
      })
      return {
        status: response.status,
        error: ((await response.json()) as { error?: { param?: string } }).error,
      }
    }
    expect(await ask({ temperature: 0.5 })).toMatchObject({ status: 400, error: { param: "temperature" } })
    expect(await ask({ max_tokens: 5 })).toMatchObject({ status: 400, error: { param: "max_tokens" } })
    expect(await ask({ logprobs: true, top_logprobs: 5 })).toMatchObject({
      status: 400,
      error: { param: "logprobs" },
    })
    expect((await ask({ max_completion_tokens: 50 })).status).toBe(200)
  })
})

describe("OpenAI rate limits and quota", () => {
  it("a 429 for insufficient_quota is not retryable and carries the vendor's message", async () => {
    fake.faults.script(["quota"])
    const result = await outcome(provider("gpt-4o-mini").generate(request("sample")))
    if (!Result.isFailure(result)) return expect.unreachable("the call should fail")
    const error = result.failure as { reason: string; retryable: boolean; message: string }
    expect(error.reason).toBe("auth")
    expect(error.retryable).toBe(false)
    expect(error.message).toMatch(/insufficient_quota/)
    expect(error.message).toMatch(/You exceeded your current quota/)
  })

  it("a 429 without retry-after is retryable with no wait asked (the engine backs off on its own)", async () => {
    fake.faults.script(["429-bare"])
    const result = await outcome(provider("gpt-4o-mini").generate(request("sample")))
    if (!Result.isFailure(result)) return expect.unreachable("the call should fail")
    const error = result.failure as { reason: string; retryable: boolean; retryAfterMs?: number }
    expect(error.reason).toBe("rate-limited")
    expect(error.retryable).toBe(true)
    expect(error.retryAfterMs).toBeUndefined()
  })

  it("reads the wait from x-ratelimit-reset-* when the limit is exhausted and no retry-after came", async () => {
    const limited = await startOpenAiFake({ seed: 1, rateLimit: { requestsPerMinute: 1 } })
    try {
      const client = make({
        apiKey: Redacted.make("sk-test-PLANTED"),
        model: "gpt-4o-mini",
        baseUrl: limited.baseUrl,
      })
      const first = await outcome(client.generate(request("sample")))
      expect(Result.isSuccess(first)).toBe(true)
      const second = await outcome(client.generate(request("sample")))
      if (!Result.isFailure(second)) return expect.unreachable("the second call should be rate limited")
      const error = second.failure as { reason: string; retryAfterMs?: number }
      expect(error.reason).toBe("rate-limited")
      // the window is one minute of the fake's (manual) clock, which has not moved
      expect(error.retryAfterMs).toBe(60_000)
    } finally {
      await limited.close()
    }
  })
})
