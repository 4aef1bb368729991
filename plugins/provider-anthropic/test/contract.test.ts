import { Provider } from "@standin/core"
import { ProviderContract } from "@standin/testkit"
import { Layer } from "effect"
import { make } from "../src/index.js"

for (const structuredOutput of ["json_schema", "tool"] as const) {
  ProviderContract.suite(
    `anthropic (${structuredOutput})`,
    (environment) =>
      Layer.succeed(
        Provider,
        make({
          apiKey: environment.apiKey,
          model: environment.model,
          baseUrl: environment.baseUrl,
          timeoutMs: environment.timeoutMs,
          structuredOutput,
        }),
      ),
    { vendor: "anthropic" },
  )
}
