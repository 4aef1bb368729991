import { Provider } from "@standin/core"
import { type FakeServer, ProviderContract } from "@standin/testkit"
import { checkAnthropicTraffic } from "@standin/testkit/vendor-shapes"
import { Layer } from "effect"
import { expect } from "vitest"
import { make } from "../src/index.js"

/**
 * The traffic of a whole contract run — messages for every elicitation, message batches and their results,
 * faults and all — checked against the official `@anthropic-ai/sdk`'s declared request and response types
 * (Anthropic publishes no OpenAPI document in its SDK).
 */
/**
 * One known divergence, kept visible rather than hidden: the pinned SDK (1.14.0) no longer declares `temperature`,
 * `top_p` or `top_k` on message requests. The API refuses them (400) on the models released after Opus 4.6, to
 * which the plugin sends none (their capability rows say `temperature: false`, and the fake refuses them too),
 * but still accepts them on older models, to which the plugin sends `temperature` (or `top_p`) when asked, as the
 * contract run does. These two fields, and only these, pass.
 */
const undeclaredSampling =
  /: unknown field "(temperature|top_p)" of (MessagesAPI\.)?MessageCreateParamsNonStreaming$/

const checkTraffic = (fake: FakeServer) => {
  const report = checkAnthropicTraffic(fake.log.entries)
  expect(report.problems.filter((problem) => !undeclaredSampling.test(problem))).toEqual([])
  const paths = new Set(fake.log.entries.map((entry) => `${entry.method} ${entry.path.split("?")[0]!}`))
  expect(paths.has("POST /v1/messages")).toBe(true)
  expect(paths.has("POST /v1/messages/batches")).toBe(true)
  expect(report.checked).toBeGreaterThan(20)
}

ProviderContract.suite(
  "anthropic (traffic checked against the @anthropic-ai/sdk types)",
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
  { vendor: "anthropic", fakeOptions: { captureResponses: true }, traffic: checkTraffic },
)
