import { Provider, type ProviderRequest, type ProviderResponse } from "@standin/core"
import {
  type FakeServer,
  fixtureStudy,
  fixtureTwins,
  renderFixturePrompt,
  startOpenAiFake,
} from "@standin/testkit"
import { ConfigProvider, Effect, Layer, Redacted, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { descriptor, layer, make } from "../src/index.js"

let fake: FakeServer
beforeAll(async () => {
  fake = await startOpenAiFake({ seed: 2 })
})
afterAll(() => fake.close())

const twin = fixtureTwins(1, 4)[0]!
const request = (
  elicitation: ProviderRequest["elicitation"],
  extra: Partial<ProviderRequest> = {},
): ProviderRequest => ({
  model: "gpt-4o-mini",
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
  make({ apiKey: Redacted.make("sk-test-PLANTED"), model: "gpt-4o-mini", baseUrl: fake.baseUrl, ...extra })

const run = (effect: Effect.Effect<ProviderResponse, unknown>) => Effect.runPromise(effect)

type Body = Record<string, unknown> & {
  response_format?: { type: string; json_schema: Record<string, unknown> }
}
const lastBody = () => fake.log.last!.body as Body

describe("OpenAI request bodies, as OpenAI documents them", () => {
  it("sends the schema as response_format json_schema with a name and strict, plus sampling settings", async () => {
    const response = await run(
      provider().generate(
        request("sample", { settings: { temperature: 0.4, topP: 0.8, seed: 3, maxTokens: 300 } }),
      ),
    )
    const body = lastBody()
    expect(body.model).toBe("gpt-4o-mini")
    expect(body.response_format?.type).toBe("json_schema")
    expect(body.response_format?.json_schema).toEqual({
      name: "survey_answers",
      schema: renderFixturePrompt(fixtureStudy, twin, { elicitation: "sample", includeDemographics: true })
        .responseSchema,
      strict: true,
    })
    expect(body.temperature).toBe(0.4)
    expect(body.top_p).toBe(0.8)
    expect(body.seed).toBe(3)
    expect(body.max_completion_tokens).toBe(300)
    expect(body.max_tokens).toBeUndefined()
    expect(body.logprobs).toBeUndefined()
    expect((body.messages as ReadonlyArray<{ role: string }>).map((m) => m.role)).toEqual(["system", "user"])
    // OpenAI's model + system_fingerprint.
    expect(response.modelVersion).toMatch(/^gpt-4o-mini-2026-01-15\+fp_[0-9a-f]{8}$/)
    expect(response.finishReason).toBe("stop")
  })

  it("asks logprobs one item at a time: logprobs true, top_logprobs 20, one output token", async () => {
    const before = fake.log.entries.length
    const response = await run(provider().generate(request("logprobs", { settings: { seed: 9 } })))
    const calls = fake.log.entries.slice(before)
    expect(calls.length).toBe(fixtureStudy.items.length)
    for (const call of calls) {
      const body = call.body as Body
      expect(body.logprobs).toBe(true)
      expect(body.top_logprobs).toBe(20)
      expect(body.max_completion_tokens).toBe(1)
      expect(body.response_format).toBeUndefined()
      expect(body.seed).toBe(9)
    }
    const concern = response.distributions?.concern ?? {}
    expect(Object.values(concern).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9)
    expect(response.warnings).toEqual([])
    expect(Object.keys(JSON.parse(response.text) as object).sort()).toEqual([
      "concern",
      "share",
      "understand",
    ])
  })

  it("sends the verbalized schema under its own name", async () => {
    await run(provider().generate(request("verbalized")))
    expect(lastBody().response_format?.json_schema.name).toBe("survey_distributions")
  })

  it("sends the request's seed as it is (the engine derived it) and can use max_tokens for older servers", async () => {
    await run(
      provider({ maxTokensField: "max_tokens" }).generate(
        request("sample", { settings: { seed: 5, maxTokens: 50 }, replicate: 2, attempt: 1 }),
      ),
    )
    const body = lastBody()
    expect(body.seed).toBe(5)
    expect(body.max_tokens).toBe(50)
    expect(body.max_completion_tokens).toBeUndefined()
  })

  it("keeps a cut-off answer verbatim and says so", async () => {
    const response = await run(provider().generate(request("sample", { settings: { maxTokens: 3 } })))
    expect(response.finishReason).toBe("length")
    expect(response.text.length).toBe(12)
    expect(response.warnings).toContain("the answer was cut off at the token limit")
  })
})

describe("the OpenAI plugin layer", () => {
  const build = (env: Record<string, string>, spec: Parameters<typeof layer>[0]) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const p = yield* Provider
        return p
      }).pipe(
        Effect.provide(
          layer(spec).pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env)))),
        ),
        Effect.result,
      ),
    )

  it("fails with a PluginConfigError naming OPENAI_API_KEY when it is missing or empty", async () => {
    for (const env of [{}, { OPENAI_API_KEY: "  " }]) {
      const result = await build(env, { provider: "openai", model: "gpt-4o-mini" })
      expect(Result.isFailure(result)).toBe(true)
      if (Result.isFailure(result)) {
        const error = result.failure as { _tag: string; message: string }
        expect(error._tag).toBe("PluginConfigError")
        expect(error.message).toContain("OPENAI_API_KEY")
      }
    }
  })

  it("needs a model, and rejects unknown or ill-typed options without echoing the key", async () => {
    const noModel = await build({ OPENAI_API_KEY: "sk-test-PLANTED" }, { provider: "openai", model: "" })
    expect(Result.isFailure(noModel) && String((noModel.failure as Error).message)).toMatch(/no model/)
    const bad = await build(
      { OPENAI_API_KEY: "sk-test-PLANTED" },
      { provider: "openai", model: "gpt-4o-mini", options: { topLogprob: 5 } },
    )
    expect(Result.isFailure(bad)).toBe(true)
    if (Result.isFailure(bad)) {
      expect((bad.failure as Error).message).toMatch(/invalid providerOptions\["openai"\]/)
      expect((bad.failure as Error).message).not.toContain("sk-test-PLANTED")
    }
  })

  it("takes the base URL from the spec, else OPENAI_BASE_URL, and answers through it", async () => {
    const viaEnv = await build(
      { OPENAI_API_KEY: "sk-test-PLANTED", OPENAI_BASE_URL: fake.baseUrl },
      { provider: "openai", model: "gpt-4o-mini", options: { timeoutMs: 2000 } },
    )
    expect(Result.isSuccess(viaEnv)).toBe(true)
    if (Result.isSuccess(viaEnv)) {
      const before = fake.log.entries.length
      const response = await run(viaEnv.success.generate(request("sample")))
      expect(fake.log.entries.length).toBe(before + 1)
      expect(response.text).toMatch(/^\{/)
      expect(viaEnv.success.descriptor).toBe(descriptor)
    }
    const viaSpec = await build(
      { OPENAI_API_KEY: "sk-test-PLANTED", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" },
      { provider: "openai", model: "gpt-4o-mini", baseUrl: fake.baseUrl },
    )
    if (Result.isSuccess(viaSpec)) {
      const before = fake.log.entries.length
      await run(viaSpec.success.generate(request("sample")))
      expect(fake.log.entries.length).toBe(before + 1)
    } else expect.unreachable("the layer should build")
  })
})
