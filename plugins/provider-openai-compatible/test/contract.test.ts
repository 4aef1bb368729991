import { Provider } from "@standin/core"
import { ProviderContract } from "@standin/testkit"
import { Layer } from "effect"
import { make } from "../src/index.js"

ProviderContract.suite(
  "openai-compatible",
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
  { vendor: "openai" },
)
