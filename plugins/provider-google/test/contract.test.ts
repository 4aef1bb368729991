import { Provider } from "@standin/core"
import { ProviderContract } from "@standin/testkit"
import { Layer } from "effect"
import { make } from "../src/index.js"

for (const schemaField of ["responseJsonSchema", "responseSchema"] as const) {
  ProviderContract.suite(
    `google (${schemaField})`,
    (environment) =>
      Layer.succeed(
        Provider,
        make({
          apiKey: environment.apiKey,
          model: environment.model,
          baseUrl: environment.baseUrl,
          timeoutMs: environment.timeoutMs,
          schemaField,
        }),
      ),
    { vendor: "google" },
  )
}
