import { type FakeServer, FinetunerContract, plantedKey, startTogetherFake } from "@standin/testkit"
import { checkTogetherTraffic } from "@standin/testkit/vendor-shapes"
import { expect, it } from "vitest"
import { plugin } from "../src/index.js"

/**
 * The traffic of a whole finetuner contract run against Together's fake (file uploads and listings, fine-tuning
 * jobs, events, checkpoints, cancels), every request the plugin sent through the real SDK and every answer the
 * fake gave, checked against the official `together-ai` SDK's declared types (Together publishes no OpenAPI
 * document in its SDK).
 */
let checkedCalls = 0
const routes = new Set<string>()
const checkTraffic = (fake: FakeServer) => {
  const report = checkTogetherTraffic(fake.log.entries)
  expect(report.problems).toEqual([])
  checkedCalls += report.checked
  for (const entry of fake.log.entries)
    routes.add(`${entry.method} ${entry.path.split("?")[0]!.replace(/\/(ft|file)-[^/]+/, "/:id")}`)
}

FinetunerContract.suite(plugin, {
  baseModel: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
  environment: async (outcome) => {
    const fake = await startTogetherFake({
      apiKey: plantedKey,
      jobs: { fineTuneOutcome: outcome },
      captureResponses: true,
    })
    return {
      options: { baseUrl: fake.baseUrl },
      env: { TOGETHER_API_KEY: plantedKey },
      step: async () => fake.clock.advance(1_500),
      finish: async () => fake.clock.advance(60_000),
      uploads: () => fake.uploads(),
      close: async () => {
        checkTraffic(fake)
        await fake.close()
      },
    }
  },
})

it("checked the traffic of every environment: files and fine-tuning jobs", () => {
  expect(checkedCalls).toBeGreaterThan(10)
  expect(routes.has("POST /v1/fine-tunes")).toBe(true)
  expect(routes.has("GET /v1/fine-tunes/:id")).toBe(true)
})
