import { Provider, type ProviderRequest, type ProviderResponse } from "@standin/core"
import {
  type FakeServer,
  fixtureStudy,
  fixtureTwins,
  renderFixturePrompt,
  startAnthropicFake,
} from "@standin/testkit"
import { ConfigProvider, Effect, Layer, Redacted, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { answerTool, layer, make, toAnthropicSchema } from "../src/index.js"

let fake: FakeServer
beforeAll(async () => {
  fake = await startAnthropicFake({ seed: 2 })
})
afterAll(() => fake.close())

const twin = fixtureTwins(1, 4)[0]!
const prompt = renderFixturePrompt(fixtureStudy, twin, { elicitation: "sample", includeDemographics: true })
const request = (extra: Partial<ProviderRequest> = {}): ProviderRequest => ({
  model: "claude-sonnet-4-5",
  twin,
  items: fixtureStudy.items,
  prompt,
  settings: {},
  elicitation: "sample",
  replicate: 0,
  attempt: 0,
  ...extra,
})
const provider = (extra: Partial<Parameters<typeof make>[0]> = {}) =>
  make({
    apiKey: Redacted.make("sk-test-PLANTED"),
    model: "claude-sonnet-4-5",
    baseUrl: fake.baseUrl,
    ...extra,
  })
const run = (effect: Effect.Effect<ProviderResponse, unknown>) => Effect.runPromise(effect)
const lastBody = () => fake.log.last!.body as Record<string, unknown>

describe("Anthropic request bodies, as Anthropic documents them", () => {
  it("sends the schema as output_config.format json_schema, the system prompt apart, and max_tokens", async () => {
    const response = await run(
      provider().generate(request({ settings: { temperature: 0.5, maxTokens: 400 } })),
    )
    const body = lastBody()
    expect(body.output_config).toEqual({
      format: { type: "json_schema", schema: toAnthropicSchema(prompt.responseSchema) },
    })
    expect(body.system).toBe(prompt.messages[0]!.content)
    expect((body.messages as ReadonlyArray<{ role: string }>).map((m) => m.role)).toEqual(["user"])
    expect(body.max_tokens).toBe(400)
    expect(body.temperature).toBe(0.5)
    expect(body.top_p).toBeUndefined()
    expect(body.tools).toBeUndefined()
    expect(response.modelVersion).toBe("claude-sonnet-4-5-20260115")
    expect(response.finishReason).toBe("end_turn")
    expect(fake.log.last!.headers.authorization ?? fake.log.last!.headers["x-api-key"]).toBe("[REDACTED]")
  })

  it("defaults max_tokens, warns for the seed, and sends top_p only without temperature", async () => {
    const response = await run(provider().generate(request({ settings: { seed: 4, topP: 0.9 } })))
    const body = lastBody()
    expect(body.max_tokens).toBe(1024)
    expect(body.top_p).toBe(0.9)
    expect(body.seed).toBeUndefined()
    expect(response.warnings).toEqual(["seed was ignored: anthropic:claude-sonnet-4-5 has no seed"])
    const both = await run(provider().generate(request({ settings: { temperature: 1, topP: 0.9 } })))
    expect(lastBody().top_p).toBeUndefined()
    expect(both.warnings.join()).toMatch(/top_p was ignored/)
  })

  it("can force a tool instead, and reads the answer from the tool input", async () => {
    const response = await run(provider({ structuredOutput: "tool" }).generate(request()))
    const body = lastBody()
    expect(body.output_config).toBeUndefined()
    expect(body.tool_choice).toEqual({ type: "tool", name: answerTool })
    expect((body.tools as ReadonlyArray<{ input_schema: unknown }>)[0]?.input_schema).toEqual(
      prompt.responseSchema,
    )
    expect(Object.keys(JSON.parse(response.text) as object).sort()).toEqual([
      "concern",
      "share",
      "understand",
    ])
  })

  it("maps the 529 overloaded error to a retryable server failure", async () => {
    fake.faults.script(["529"])
    const result = await Effect.runPromise(Effect.result(provider().generate(request())))
    expect(Result.isFailure(result) && result.failure.reason).toBe("server")
    expect(Result.isFailure(result) && result.failure.status).toBe(529)
    expect(Result.isFailure(result) && result.failure.retryable).toBe(true)
  })
})

describe("Anthropic structured outputs and the SDK's warnings", () => {
  const verbalized = renderFixturePrompt(fixtureStudy, twin, {
    elicitation: "verbalized",
    includeDemographics: true,
  })

  it("moves minimum/maximum (verbalized probabilities) into the description, which the API accepts", async () => {
    const response = await run(
      provider().generate(request({ elicitation: "verbalized", prompt: verbalized })),
    )
    const sent = JSON.stringify((lastBody().output_config as { format: { schema: unknown } }).format.schema)
    expect(sent).not.toContain('"minimum"')
    expect(sent).not.toContain('"maximum"')
    expect(sent).toContain("{minimum: 0, maximum: 1}")
    expect(Object.keys(JSON.parse(response.text) as object).sort()).toEqual([
      "concern",
      "share",
      "understand",
    ])
  })

  it("does the same for multi-select and numeric items (uniqueItems, minItems above 1, bounds)", () => {
    const schema = toAnthropicSchema({
      type: "object",
      properties: {
        channels: {
          type: "array",
          items: { type: "string", enum: ["a", "b", "c"] },
          minItems: 2,
          uniqueItems: true,
        },
        age: { type: "integer", minimum: 18, maximum: 99 },
      },
      required: ["channels", "age"],
      additionalProperties: false,
    })
    expect(schema).toEqual({
      type: "object",
      properties: {
        // the SDK keeps an enum without its (implied) type
        channels: {
          type: "array",
          items: { enum: ["a", "b", "c"] },
          description: "{uniqueItems: true, minItems: 2}",
        },
        age: { type: "integer", description: "{minimum: 18, maximum: 99}" },
      },
      required: ["channels", "age"],
      additionalProperties: false,
    })
  })

  it("the fake answers Anthropic's 400 for minimum/maximum in output_config.format", async () => {
    const response = await fetch(`${fake.baseUrl}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "claude-sonnet-4-5",
        max_tokens: 100,
        messages: [{ role: "user", content: "hi" }],
        output_config: { format: { type: "json_schema", schema: verbalized.responseSchema } },
      }),
    })
    expect(response.status).toBe(400)
    const body = (await response.json()) as { type: string; error: { type: string; message: string } }
    expect(body.type).toBe("error")
    expect(body.error.type).toBe("invalid_request_error")
    expect(body.error.message).toMatch(/minimum, maximum are not supported/)
  })

  it("sends no sampling parameter to the models that refuse them (Opus 4.7 on), and says so", async () => {
    for (const model of ["claude-opus-4-7", "claude-sonnet-5", "claude-fable-5-1"]) {
      const response = await run(
        provider({ model }).generate(request({ model, settings: { temperature: 0.7, topP: 0.9 } })),
      )
      const body = lastBody()
      expect(body.model).toBe(model)
      expect(body.temperature).toBeUndefined()
      expect(body.top_p).toBeUndefined()
      expect(fake.log.last!.status).toBe(200)
      expect(response.warnings).toContain(`temperature was ignored: anthropic:${model} does not accept it`)
      expect(response.warnings).toContain(`top_p was ignored: anthropic:${model} does not accept it`)
    }
    // older Claude models still take temperature
    await run(
      provider({ model: "claude-opus-4-6" }).generate(
        request({ model: "claude-opus-4-6", settings: { temperature: 0.7 } }),
      ),
    )
    expect(lastBody().temperature).toBe(0.7)
  })

  it("the fake answers Anthropic's 400 for a sampling parameter on those models", async () => {
    for (const field of ["temperature", "top_p", "top_k"]) {
      const response = await fetch(`${fake.baseUrl}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({
          model: "claude-opus-4-8",
          max_tokens: 100,
          messages: [{ role: "user", content: "hi" }],
          [field]: 0.5,
        }),
      })
      expect(response.status).toBe(400)
      const body = (await response.json()) as { error: { type: string; message: string } }
      expect(body.error).toEqual({
        type: "invalid_request_error",
        message: `\`${field}\` is deprecated for this model.`,
      })
    }
  })

  it("uses a forced tool for models without structured outputs, and logprobs are refused before any call", async () => {
    await run(provider({ model: "claude-3-5-haiku-latest" }).generate(request()))
    expect(lastBody().tool_choice).toEqual({ type: "tool", name: answerTool })
    const before = fake.log.entries.length
    const refused = await Effect.runPromise(
      Effect.result(provider().generate(request({ elicitation: "logprobs" }))),
    )
    expect(Result.isFailure(refused) && refused.failure.reason).toBe("unsupported")
    expect(fake.log.entries.length).toBe(before)
  })

  it("prints the SDK's deprecation warning once per run, not once per call", async () => {
    // claude-opus-4-5-20251101 is on the SDK's list of deprecated models; no other test uses it
    const deprecated = provider({ model: "claude-opus-4-5-20251101" })
    const printed: Array<string> = []
    const original = console.warn
    console.warn = (...parts: Array<unknown>) => {
      printed.push(parts.map(String).join(" "))
    }
    try {
      for (let call = 0; call < 3; call++)
        await run(deprecated.generate(request({ model: "claude-opus-4-5-20251101" })))
    } finally {
      console.warn = original
    }
    const warnings = printed.filter(
      (line) => line.includes("claude-opus-4-5-20251101") && /deprecated/.test(line),
    )
    expect(warnings).toHaveLength(1)
  })
})

describe("the Anthropic plugin layer", () => {
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

  it("names ANTHROPIC_API_KEY when it is missing", async () => {
    const result = await build({}, { provider: "anthropic", model: "claude-sonnet-4-5" })
    expect(Result.isFailure(result) && (result.failure as Error).message).toMatch(/ANTHROPIC_API_KEY/)
  })

  it("reads ANTHROPIC_BASE_URL and the options", async () => {
    const result = await build(
      { ANTHROPIC_API_KEY: "sk-test-PLANTED", ANTHROPIC_BASE_URL: fake.baseUrl },
      {
        provider: "anthropic",
        model: "claude-haiku-4-5",
        options: { structuredOutput: "tool", defaultMaxTokens: 256 },
      },
    )
    if (!Result.isSuccess(result)) return expect.unreachable("the layer should build")
    await run(result.success.generate(request()))
    expect(lastBody().max_tokens).toBe(256)
    expect(lastBody().tool_choice).toEqual({ type: "tool", name: answerTool })
  })
})
