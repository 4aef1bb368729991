import { Provider } from "@standin/core"
import { type FakeServer, ProviderContract } from "@standin/testkit"
import { checkGeminiTraffic } from "@standin/testkit/vendor-shapes"
import { Layer } from "effect"
import { expect } from "vitest"
import { make } from "../src/index.js"

/**
 * The traffic of a whole contract run — generateContent for every elicitation, batches, faults and all — checked
 * against what the official `@google/genai` SDK can send and reads back: its request and response converters name
 * every wire field, its declared types type the fields it copies as is (Google publishes no OpenAPI document).
 */
const checkTraffic = (fake: FakeServer) => {
  const report = checkGeminiTraffic(fake.log.entries)
  expect(report.problems).toEqual([])
  const paths = new Set(
    fake.log.entries.map((entry) => entry.path.split("?")[0]!.replace(/models\/[^:]+/, "M")),
  )
  expect(paths.has("/v1beta/M:generateContent")).toBe(true)
  expect(paths.has("/v1beta/M:batchGenerateContent")).toBe(true)
  expect(report.checked).toBeGreaterThan(20)
}

ProviderContract.suite(
  "google (traffic checked against the @google/genai SDK)",
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
  { vendor: "google", fakeOptions: { captureResponses: true }, traffic: checkTraffic },
)
