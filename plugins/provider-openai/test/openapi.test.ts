import { fileURLToPath } from "node:url"
import { Provider } from "@standin/core"
import { type FakeServer, ProviderContract } from "@standin/testkit"
import { cachedOpenApiValidator, pinnedSpec } from "@standin/testkit/openapi"
import { Layer } from "effect"
import { describe, expect, it } from "vitest"
import { make } from "../src/index.js"

/**
 * The traffic of a whole contract run — chat completions for every elicitation, the batch API's file upload,
 * batch and file download, faults and all — checked against OpenAI's published OpenAPI document, pinned beside
 * the repository (`../shared/vendor-specs/openai`). Requests are what the plugin sent through the real SDK;
 * answers are what the fake gave back: both must be what OpenAI documents.
 */
const root = fileURLToPath(new URL("../../..", import.meta.url))
const current = pinnedSpec(root, "openai/openapi.yaml")
// The newest spec dropped the schemas of batch input and output lines; the 2025-03-21 tag has them.
const dated = pinnedSpec(root, "openai/openapi-2025-03-21.yaml")

const checkTraffic = (fake: FakeServer) => {
  const spec = cachedOpenApiValidator(current!)
  const { problems, checked, unknown } = spec.check(fake.log.entries)
  expect(problems).toEqual([])
  expect(unknown).toEqual([])
  // requests and answers of chat completions, files and batches were all checked
  expect(checked).toBeGreaterThan(20)
  const paths = new Set(fake.log.entries.map((entry) => `${entry.method} ${entry.path.split("?")[0]}`))
  expect([...paths].some((path) => path === "POST /v1/chat/completions")).toBe(true)
  expect([...paths].some((path) => path === "POST /v1/batches")).toBe(true)
  expect([...paths].some((path) => path === "POST /v1/files")).toBe(true)

  const lines = cachedOpenApiValidator(dated!)
  let batchLines = 0
  for (const upload of fake.uploads().filter((file) => file.purpose === "batch")) {
    for (const line of upload.content.split("\n").filter((text) => text.trim() !== "")) {
      const input = JSON.parse(line) as { body: unknown }
      expect(lines.component("BatchRequestInput", input)).toBeUndefined()
      expect(spec.component("CreateChatCompletionRequest", input.body)).toBeUndefined()
      batchLines++
    }
  }
  const downloads = fake.log.entries.filter(
    (entry) => /\/v1\/files\/[^/]+\/content$/.test(entry.path) && typeof entry.response === "string",
  )
  for (const download of downloads)
    for (const line of (download.response as string).split("\n").filter((text) => text.trim() !== "")) {
      const output = JSON.parse(line) as { response: { status_code: number; body: unknown } | null }
      expect(lines.component("BatchRequestOutput", output)).toBeUndefined()
      if (output.response?.status_code === 200)
        expect(spec.component("CreateChatCompletionResponse", output.response.body)).toBeUndefined()
      batchLines++
    }
  expect(batchLines).toBeGreaterThan(0)
}

describe.skipIf(current === undefined || dated === undefined)(
  "OpenAI traffic against OpenAI's OpenAPI spec",
  () => {
    it("has the pinned spec to check against", () => {
      expect(current).toMatch(/openapi\.yaml$/)
    })
  },
)

if (current !== undefined && dated !== undefined)
  ProviderContract.suite(
    "openai (traffic checked against the OpenAPI spec)",
    (environment) =>
      Layer.succeed(
        Provider,
        make({
          apiKey: environment.apiKey,
          model: environment.model,
          baseUrl: environment.baseUrl,
          timeoutMs: environment.timeoutMs,
        }),
      ),
    { vendor: "openai", fakeOptions: { captureResponses: true }, traffic: checkTraffic },
  )
