import { Finetuner } from "@standin/core"
import {
  contractExamples,
  type FakeServer,
  FinetunerContract,
  plantedKey,
  startOpenAiFake,
} from "@standin/testkit"
import { ConfigProvider, Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { layer, plugin, trainingPriceFor } from "../src/index.js"

FinetunerContract.suite(plugin, {
  baseModel: "gpt-4o-mini-2024-07-18",
  environment: async (outcome) => {
    const fake = await startOpenAiFake({ apiKey: plantedKey, jobs: { fineTuneOutcome: outcome } })
    return {
      options: { baseUrl: fake.baseUrl },
      env: { OPENAI_API_KEY: plantedKey },
      step: async () => fake.clock.advance(1_500),
      finish: async () => fake.clock.advance(60_000),
      uploads: () => fake.uploads(),
      close: () => fake.close(),
    }
  },
})

describe("the OpenAI finetuner", () => {
  let fake: FakeServer
  beforeAll(async () => {
    fake = await startOpenAiFake({ apiKey: plantedKey, echoKeyInErrors: true })
  })
  afterAll(() => fake.close())

  const finetuner = (
    env: Record<string, string>,
    options: Record<string, unknown> = { baseUrl: fake.baseUrl },
  ) =>
    Effect.runPromise(
      Effect.gen(function* () {
        return yield* Finetuner
      }).pipe(
        Effect.provide(
          layer(options).pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))),
        ),
      ),
    )
  const request = {
    study: "fixture",
    baseModel: "gpt-4o-mini-2024-07-18",
    train: contractExamples(12),
    validation: [],
    hyperparameters: {
      epochs: 4,
      batchSize: 2,
      learningRateMultiplier: 0.5,
      seed: 3,
      suffix: "pilot 30/all",
      loraRank: 8,
    },
  }

  it("sends epochs, batch size, learning-rate multiplier, seed and suffix; reports events, checkpoints and the fake", async () => {
    const ft = await finetuner({ OPENAI_API_KEY: plantedKey })
    const prepared = await Effect.runPromise(ft.prepare(request))
    // LoRA rank is not OpenAI's: it is dropped here (the engine reports it as ignored).
    expect(prepared.hyperparameters).toEqual({
      epochs: 4,
      batchSize: 2,
      learningRateMultiplier: 0.5,
      seed: 3,
      suffix: "pilot-30-all",
    })
    expect(prepared.estimate.trainedTokens).toBe(prepared.files[0]!.tokens * 4)
    expect(prepared.estimate.costUsd).toBeCloseTo((prepared.files[0]!.tokens * 4 * 3) / 1_000_000, 12)
    const job = await Effect.runPromise(ft.submit(prepared))
    const created = fake.log.find("/fine_tuning/jobs").at(-1)!.body as Record<string, unknown>
    expect(created).toMatchObject({
      model: "gpt-4o-mini-2024-07-18",
      seed: 3,
      suffix: "pilot-30-all",
      method: {
        type: "supervised",
        supervised: { hyperparameters: { n_epochs: 4, batch_size: 2, learning_rate_multiplier: 0.5 } },
      },
    })
    fake.clock.advance(60_000)
    const status = await Effect.runPromise(ft.status(job))
    expect(status.state).toBe("succeeded")
    expect(status.fake).toBe(true)
    expect(status.model).toMatch(/^ft:gpt-4o-mini-2024-07-18:standin-fake:pilot-30-all:/)
    expect(status.checkpoints?.length).toBeGreaterThan(0)
    expect(status.events.at(-1)?.message).toBe("The job has successfully completed")
    expect(status.trainedTokens).toBeGreaterThan(0)
    const spec = await Effect.runPromise(ft.providerSpec(job, status))
    expect(spec).toEqual({ provider: "openai", model: status.model, baseUrl: fake.baseUrl })
  })

  it("prepares without a key (a dry run); vendor calls then fail with auth, and a wrong key never leaks", async () => {
    const keyless = await finetuner({})
    const prepared = await Effect.runPromise(keyless.prepare(request))
    const missing = await Effect.runPromise(Effect.flip(keyless.submit(prepared)))
    expect(missing.reason).toBe("auth")
    expect(missing.message).toMatch(/OPENAI_API_KEY is not set/)
    const wrong = await finetuner({ OPENAI_API_KEY: "sk-wrong-SECRET-123" })
    const denied = await Effect.runPromise(Effect.flip(wrong.submit(prepared)))
    expect(denied.reason).toBe("auth")
    expect(denied.message).not.toContain("sk-wrong-SECRET-123")
  })

  it("refuses fewer than ten examples, OpenAI's floor, and prices known base models only", async () => {
    const ft = await finetuner({ OPENAI_API_KEY: plantedKey })
    const small = await Effect.runPromise(Effect.flip(ft.prepare({ ...request, train: contractExamples(5) })))
    expect(small.message).toMatch(/needs at least 10/)
    expect(trainingPriceFor("gpt-4.1-mini-2025-04-14")).toBe(5)
    expect(trainingPriceFor("gpt-4o-2024-08-06")).toBe(25)
    const unknown = await Effect.runPromise(ft.prepare({ ...request, baseModel: "my-model" }))
    expect(unknown.estimate.costUsd).toBeNull()
  })
})
