import { Provider } from "@standin/core"
import { type FakeServer, ProviderContract } from "@standin/testkit"
import { checkTogetherTraffic } from "@standin/testkit/vendor-shapes"
import { Layer } from "effect"
import { expect } from "vitest"
import { make } from "../src/index.js"

/**
 * The traffic of a whole contract run against Together's fake — chat completions for every elicitation, logprobs
 * asked as Together asks them (a count) and read in Together's shape, faults and all — checked against the
 * official `together-ai` SDK's declared request and response types (Together publishes no OpenAPI document in
 * its SDK): unknown fields, missing required ones, wrong primitives and literals.
 */
const checkTraffic = (fake: FakeServer) => {
  const report = checkTogetherTraffic(fake.log.entries)
  expect(report.problems).toEqual([])
  const chats = fake.log.entries.filter(
    (entry) => entry.path === "/v1/chat/completions" && entry.status === 200,
  )
  expect(chats.some((entry) => typeof (entry.body as { logprobs?: unknown }).logprobs === "number")).toBe(
    true,
  )
  expect(report.checked).toBeGreaterThan(20)
}

ProviderContract.suite(
  "openai-compatible on Together (traffic checked against the together-ai SDK)",
  (environment) =>
    Layer.succeed(
      Provider,
      make({
        apiKey: environment.apiKey,
        model: environment.model,
        baseUrl: environment.baseUrl,
        timeoutMs: environment.timeoutMs,
        logprobsFormat: "count",
      }),
    ),
  {
    vendor: "together",
    model: "meta-llama/Llama-3.3-70B-Instruct-Turbo",
    fakeOptions: { captureResponses: true },
    traffic: checkTraffic,
  },
)
