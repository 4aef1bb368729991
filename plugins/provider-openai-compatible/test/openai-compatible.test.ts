import { Provider, type ProviderRequest } from "@standin/core"
import {
  type FakeServer,
  fixtureStudy,
  fixtureTwins,
  renderFixturePrompt,
  startOpenAiFake,
} from "@standin/testkit"
import { ConfigProvider, Effect, Layer, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { descriptor, layer } from "../src/index.js"

let fake: FakeServer
beforeAll(async () => {
  // A local server that, like vLLM or Ollama, names its model without a date and sends no fingerprint.
  fake = await startOpenAiFake({ seed: 8, modelVersion: (model) => model })
})
afterAll(() => fake.close())

const twin = fixtureTwins(1, 2)[0]!
const request: ProviderRequest = {
  model: "llama3.1:8b",
  twin,
  items: fixtureStudy.items,
  prompt: renderFixturePrompt(fixtureStudy, twin, { elicitation: "sample", includeDemographics: true }),
  settings: { seed: 1, maxTokens: 400 },
  elicitation: "sample",
  replicate: 0,
  attempt: 0,
}

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

describe("the OpenAI-compatible plugin", () => {
  it("requires a base URL, and says how to give one", async () => {
    const result = await build(
      { OPENAI_API_KEY: "sk-test-PLANTED", OPENAI_BASE_URL: fake.baseUrl },
      {
        provider: "openai-compatible",
        model: "llama3.1:8b",
      },
    )
    expect(Result.isFailure(result) && (result.failure as Error).message).toMatch(/base URL is required/)
  })

  it("runs without a key (a placeholder local servers ignore), with max_tokens and the server's model name", async () => {
    const result = await build(
      {},
      { provider: "openai-compatible", model: "llama3.1:8b", baseUrl: fake.baseUrl },
    )
    if (!Result.isSuccess(result)) return expect.unreachable("the layer should build")
    expect(result.success.descriptor).toBe(descriptor)
    const response = await Effect.runPromise(result.success.generate(request))
    const body = fake.log.last!.body as Record<string, unknown>
    expect(body.model).toBe("llama3.1:8b")
    expect(body.max_tokens).toBe(400)
    expect(body.max_completion_tokens).toBeUndefined()
    expect(body.seed).toBe(1)
    expect(fake.log.last!.headers.authorization).toBe("[REDACTED]")
    expect(response.modelVersion).toMatch(/^llama3\.1:8b/)
  })

  it("uses OPENAI_COMPATIBLE_API_KEY and OPENAI_COMPATIBLE_BASE_URL when set, and decodes options", async () => {
    const result = await build(
      { OPENAI_COMPATIBLE_API_KEY: "sk-test-PLANTED", OPENAI_COMPATIBLE_BASE_URL: fake.baseUrl },
      {
        provider: "openai-compatible",
        model: "meta-llama/Llama-3.1-8B-Instruct",
        options: { structuredOutput: "json_object" },
      },
    )
    if (!Result.isSuccess(result)) return expect.unreachable("the layer should build")
    await Effect.runPromise(result.success.generate(request))
    expect((fake.log.last!.body as { response_format: unknown }).response_format).toEqual({
      type: "json_object",
    })
    const bad = await build(
      {},
      { provider: "openai-compatible", model: "m", baseUrl: fake.baseUrl, options: { nope: 1 } },
    )
    expect(Result.isFailure(bad) && (bad.failure as { plugin: string }).plugin).toBe("openai-compatible")
  })

  it("takes its key from the variable named by providerOptions keyEnv (e.g. TOGETHER_API_KEY), and requires it", async () => {
    const keyed = await startOpenAiFake({ seed: 8, apiKey: "tg-test-PLANTED" })
    try {
      const spec = {
        provider: "openai-compatible",
        model: "standin-fake/llama-ft",
        baseUrl: keyed.baseUrl,
        options: { "openai-compatible": { keyEnv: "TOGETHER_API_KEY" } },
      }
      const result = await build(
        { TOGETHER_API_KEY: "tg-test-PLANTED", OPENAI_COMPATIBLE_API_KEY: "other" },
        spec,
      )
      if (!Result.isSuccess(result)) return expect.unreachable("the layer should build")
      await Effect.runPromise(result.success.generate(request))
      expect(keyed.log.last!.status).toBe(200)
      const missing = await build({ OPENAI_COMPATIBLE_API_KEY: "other" }, spec)
      expect(Result.isFailure(missing) && (missing.failure as Error).message).toMatch(
        /TOGETHER_API_KEY is not set/,
      )
      const bad = await build({}, { ...spec, options: { "openai-compatible": { keyEnv: "not a name" } } })
      expect(Result.isFailure(bad) && (bad.failure as Error).message).toMatch(/keyEnv must name/)
      // the flat shape of before is still read (with a deprecation warning, see provider-kit's tests)
      const flat = await build(
        { TOGETHER_API_KEY: "tg-test-PLANTED" },
        { ...spec, options: { keyEnv: "TOGETHER_API_KEY" } },
      )
      if (!Result.isSuccess(flat)) return expect.unreachable("the flat shape should still build")
      await Effect.runPromise(flat.success.generate(request))
      expect(keyed.log.last!.status).toBe(200)
    } finally {
      await keyed.close()
    }
  })
})
