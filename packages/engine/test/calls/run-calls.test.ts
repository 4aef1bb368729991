import {
  type ExperimentShape,
  Provider,
  type ProviderBatch,
  type ProviderPlugin,
  type ProviderShape,
  scaleOptions,
} from "@standin/core"
import { make as makeStore } from "@standin/store"
import { fixtureRespondents, fixtureStudy, renderFixturePrompt } from "@standin/testkit"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import {
  defaultPriceTable,
  makeBudget,
  makeProgress,
  mergePrices,
  runExecutors,
  usesBatch,
} from "../../src/calls/index.js"
import { planRun } from "../../src/plan.js"
import { runStudy } from "../../src/run.js"
import { descriptor } from "./fixtures.js"

const experiment: ExperimentShape = {
  descriptor: {
    kind: "experiment",
    id: "fixture",
    version: "1.0.0",
    specVersion: "1.0",
    title: "Fixture",
    citation: "none",
  },
  definition: fixtureStudy,
  loadHumanData: Effect.succeed({
    respondents: fixtureRespondents(200, 3),
    path: "fixture.csv",
    sha256: "0".repeat(64),
    origin: "data-dir",
  }),
  renderPrompt: (twin, options) => renderFixturePrompt(fixtureStudy, twin, options),
}

/** A model that answers the first option of every item, metered like the fakes (⌈characters / 4⌉). */
let paid = 0
const shape: ProviderShape = {
  descriptor: { ...descriptor, id: "meter", label: "Metered", description: "answers the first option" },
  model: "meter-1",
  generate: (request) =>
    Effect.sync(() => {
      paid++
      const text = JSON.stringify(
        Object.fromEntries(request.items.map((item) => [item.id, scaleOptions(item.scale)[0]])),
      )
      const chars = request.prompt.messages.reduce((sum, message) => sum + message.content.length, 0)
      return {
        text,
        modelVersion: "meter-1",
        usage: { inputTokens: Math.ceil(chars / 4), outputTokens: Math.ceil(text.length / 4) },
        warnings: [],
      }
    }),
}
const plugin: ProviderPlugin = { descriptor: shape.descriptor, layer: () => Layer.succeed(Provider, shape) }
const prices = mergePrices(defaultPriceTable, { meter: { "meter-1": { input: 1, output: 4 } } })

const design = {
  experiment,
  providers: [{ plugin, spec: { provider: "meter", model: "meter-1" } }],
  pilot: { size: { _tag: "Count" as const, count: 40 }, arms: "all", sampling: { _tag: "Random" as const } },
  seed: 4,
  replicates: 1,
  elicitation: "sample" as const,
  settings: { temperature: 1 },
  includeDemographics: true,
  maxReasks: 2,
}

describe("a run's calls: plan, executors, and the cache between them", () => {
  it("the dry run estimates what the run pays within 10%, then counts the cached answers as free", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const store = yield* makeStore(":memory:")
          const before = yield* planRun({ ...design, store, prices })
          const estimate = before.providers[0]!
          expect(before.holdout).toBe(160)
          expect(estimate).toMatchObject({ calls: 160, cached: 0, batch: false, baseline: false })
          expect(paid).toBe(0)

          yield* store.beginRun("plan", "{}")
          const budget = makeBudget(null)
          const outcome = yield* runStudy({
            ...design,
            metrics: [],
            bootstrap: 0,
            minCellSize: 5,
            concurrency: 8,
            executor: runExecutors({
              store,
              runId: "plan",
              budget,
              prices,
              scope: yield* Effect.scope,
              progress: () => makeProgress({ mode: "quiet" }),
            }),
          })
          const usage = outcome.results.entries[0]!.usage
          expect(paid).toBe(160)
          expect(usage.calls).toBe(160)
          const metered = usage.inputTokens + usage.outputTokens
          const estimated = estimate.inputTokens + estimate.outputTokens
          expect(Math.abs(estimated - metered) / metered).toBeLessThan(0.1)
          expect(Math.abs(estimate.costUsd! - usage.costUsd!) / usage.costUsd!).toBeLessThan(0.1)
          expect((yield* budget.report).spentUsd).toBeCloseTo(usage.costUsd!, 12)

          const after = yield* planRun({ ...design, store, prices })
          expect(after.providers[0]).toMatchObject({ calls: 160, cached: 160, inputTokens: 0, costUsd: 0 })
        }),
      ),
    )
  })

  it("uses a batch API when asked, or from the threshold, and only for the elicitations it serves", () => {
    const batch = { elicitation: ["sample"] } as unknown as ProviderBatch
    const withBatch = {
      descriptor: { ...shape.descriptor, capabilities: { ...shape.descriptor.capabilities, batch: true } },
      batch,
    }
    const auto = { mode: "auto", threshold: 1_000 } as const
    expect(usesBatch(withBatch, auto, 999)).toBe(false)
    expect(usesBatch(withBatch, auto, 1_000)).toBe(true)
    expect(usesBatch(withBatch, { ...auto, mode: "always" }, 1)).toBe(true)
    expect(usesBatch(withBatch, { ...auto, mode: "always" }, 1, "logprobs")).toBe(false)
    expect(usesBatch(shape, { ...auto, mode: "always" }, 1)).toBe(false)
    expect(usesBatch(withBatch, undefined, 5_000)).toBe(false)
  })
})
