import { Finetuner, Provider, type ProviderRequest } from "@standin/core"
import { layer as openAiCompatibleLayer } from "@standin/provider-openai-compatible"
import {
  contractExamples,
  type FakeServer,
  FinetunerContract,
  fixtureStudy,
  plantedKey,
  renderFixturePrompt,
  startTogetherFake,
} from "@standin/testkit"
import { ConfigProvider, Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { billionsOf, layer, loraPriceFor, plugin } from "../src/index.js"

FinetunerContract.suite(plugin, {
  baseModel: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
  environment: async (outcome) => {
    const fake = await startTogetherFake({ apiKey: plantedKey, jobs: { fineTuneOutcome: outcome } })
    return {
      options: { baseUrl: fake.baseUrl },
      env: { TOGETHER_API_KEY: plantedKey },
      step: async () => fake.clock.advance(1_500),
      finish: async () => fake.clock.advance(60_000),
      uploads: () => fake.uploads(),
      close: () => fake.close(),
    }
  },
})

const withEnv = (env: Record<string, string>) =>
  Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))

describe("the Together finetuner", () => {
  let fake: FakeServer
  beforeAll(async () => {
    fake = await startTogetherFake({ apiKey: plantedKey, seed: 5 })
  })
  afterAll(() => fake.close())

  const env = { TOGETHER_API_KEY: plantedKey }
  const finetuner = () =>
    Effect.runPromise(
      Effect.gen(function* () {
        return yield* Finetuner
      }).pipe(Effect.provide(layer({ baseUrl: fake.baseUrl }).pipe(withEnv(env)))),
    )
  const train = contractExamples(12)
  const request = {
    study: "fixture",
    baseModel: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
    train,
    validation: contractExamples(2, 12),
    hyperparameters: {
      epochs: 2,
      learningRate: 0.0002,
      loraRank: 16,
      loraAlpha: 32,
      seed: 9,
      suffix: "pilot_30",
    },
  }

  it("runs a LoRA job with the given hyperparameters, and the trained model answers from its own training file through the OpenAI-compatible provider with TOGETHER_API_KEY", async () => {
    const ft = await finetuner()
    const prepared = await Effect.runPromise(ft.prepare(request))
    expect(prepared.estimate.costUsd).toBeCloseTo((prepared.files[0]!.tokens * 2 * 0.48) / 1_000_000, 12)
    const job = await Effect.runPromise(ft.submit(prepared))
    // Two two-step uploads (named, then PUT), then the job.
    expect(
      fake.log.entries.map((entry) => `${entry.method} ${entry.path.split("?")[0]} ${entry.status}`),
    ).toEqual([
      "POST /v1/files 302",
      expect.stringMatching(/^PUT \/upload\/file-\S+ 200$/),
      "POST /v1/files 302",
      expect.stringMatching(/^PUT \/upload\/file-\S+ 200$/),
      "POST /v1/fine-tunes 200",
    ])
    expect(fake.log.last!.body).toMatchObject({
      model: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
      n_epochs: 2,
      learning_rate: 0.0002,
      random_seed: 9,
      suffix: "pilot-30",
      n_evals: 1,
      training_type: { type: "Lora", lora_r: 16, lora_alpha: 32 },
      training_method: { method: "sft", train_on_inputs: "auto" },
    })
    expect(fake.log.entries.every((entry) => entry.headers.authorization !== plantedKey)).toBe(true)
    fake.clock.advance(5_000)
    expect((await Effect.runPromise(ft.status(job))).state).toBe("running")
    fake.clock.advance(60_000)
    const done = await Effect.runPromise(ft.status(job))
    expect(done.state).toBe("succeeded")
    expect(done.fake).toBe(true)
    expect(done.events.map((event) => event.message)).toContain("Epoch 2/2 completed")
    expect(done.checkpoints?.[0]).toBe(`${done.model}:20`)
    const spec = await Effect.runPromise(ft.providerSpec(job, done))
    expect(spec).toEqual({
      provider: "openai-compatible",
      model: done.model,
      baseUrl: fake.baseUrl,
      options: { "openai-compatible": { keyEnv: "TOGETHER_API_KEY" } },
    })
    // The served model: one twin whose persona and arm are exactly a training example's.
    const source = train[0]!
    const trained = JSON.parse(source.messages.at(-1)!.content) as Record<string, unknown>
    const provider = await Effect.runPromise(
      Effect.gen(function* () {
        return yield* Provider
      }).pipe(Effect.provide(openAiCompatibleLayer(spec).pipe(withEnv(env)))),
    )
    const twin = { id: "t1", arm: "", persona: {} }
    const providerRequest: ProviderRequest = {
      model: spec.model,
      twin,
      items: fixtureStudy.items,
      prompt: {
        ...renderFixturePrompt(fixtureStudy, twin, { elicitation: "sample", includeDemographics: true }),
        messages: source.messages.slice(0, -1),
      },
      settings: { seed: 1 },
      elicitation: "sample",
      replicate: 0,
      attempt: 0,
    }
    const response = await Effect.runPromise(provider.generate(providerRequest))
    expect(JSON.parse(response.text)).toEqual(trained)
  })

  it("reads model sizes for the price tier, and gives no estimate without one", () => {
    expect(billionsOf("meta-llama/Meta-Llama-3.1-70B-Instruct-Reference")).toBe(70)
    expect(billionsOf("Qwen/Qwen3-235B-A22B-Instruct-2507")).toBe(235)
    expect(loraPriceFor("Qwen/Qwen2.5-7B-Instruct")).toBe(0.48)
    expect(loraPriceFor("meta-llama/Meta-Llama-3.1-70B-Instruct-Reference")).toBe(2.9)
    expect(loraPriceFor("Qwen/Qwen3-235B-A22B-Instruct-2507")).toBeUndefined()
    expect(loraPriceFor("mistralai/Mistral-Small")).toBeUndefined()
  })
})
