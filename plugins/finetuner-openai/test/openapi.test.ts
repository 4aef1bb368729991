import { fileURLToPath } from "node:url"
import { type FakeServer, FinetunerContract, plantedKey, startOpenAiFake } from "@standin/testkit"
import { cachedOpenApiValidator, pinnedSpec } from "@standin/testkit/openapi"
import { describe, expect, it } from "vitest"
import { plugin } from "../src/index.js"

/**
 * The fine-tuning traffic of a whole finetuner contract run (training-file uploads, jobs, events, checkpoints,
 * cancels), checked against OpenAI's published OpenAPI document pinned beside the repository: every request the
 * plugin sent through the real SDK and every answer the fake gave, and each training-file line against the
 * chat fine-tuning input schema (kept in the 2025-03-21 spec; the newest dropped it).
 */
const root = fileURLToPath(new URL("../../..", import.meta.url))
const current = pinnedSpec(root, "openai/openapi.yaml")
const dated = pinnedSpec(root, "openai/openapi-2025-03-21.yaml")

let checkedCalls = 0
const checkTraffic = (fake: FakeServer) => {
  const spec = cachedOpenApiValidator(current!)
  const { problems, checked, unknown } = spec.check(fake.log.entries)
  expect(problems).toEqual([])
  expect(unknown).toEqual([])
  checkedCalls += checked
  const lines = cachedOpenApiValidator(dated!)
  for (const upload of fake.uploads().filter((file) => file.purpose === "fine-tune"))
    for (const line of upload.content.split("\n").filter((text) => text.trim() !== ""))
      expect(lines.component("FineTuneChatRequestInput", JSON.parse(line))).toBeUndefined()
}

describe.skipIf(current === undefined || dated === undefined)(
  "OpenAI fine-tuning traffic against OpenAI's OpenAPI spec",
  () => {
    if (current === undefined || dated === undefined) return
    FinetunerContract.suite(plugin, {
      baseModel: "gpt-4o-mini-2024-07-18",
      environment: async (outcome) => {
        const fake = await startOpenAiFake({
          apiKey: plantedKey,
          jobs: { fineTuneOutcome: outcome },
          captureResponses: true,
        })
        return {
          options: { baseUrl: fake.baseUrl },
          env: { OPENAI_API_KEY: plantedKey },
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
    it("checked the traffic of every environment", () => {
      expect(checkedCalls).toBeGreaterThan(10)
    })
  },
)
