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
import { answerTool, layer, make } from "../src/index.js"

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
    expect(body.output_config).toEqual({ format: { type: "json_schema", schema: prompt.responseSchema } })
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
    expect(response.warnings).toEqual(["seed was ignored: anthropic has no seed"])
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
