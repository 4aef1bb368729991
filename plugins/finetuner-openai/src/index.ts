import { Finetuner, type FinetunerPlugin, PluginConfigError } from "@standin/core"
import { Config, Effect, Layer, Option, Redacted, Schema } from "effect"
import { descriptor } from "./descriptor.js"
import { make } from "./finetuner.js"

export { DEFAULT_EPOCHS, descriptor, MINIMUM_EXAMPLES } from "./descriptor.js"
export { make, type OpenAiFinetunerConfig } from "./finetuner.js"
export { trainingPriceFor, trainingPrices } from "./prices.js"

/** Options from config, decoded strictly: a typo is an error, not a no-op. */
export const OpenAiFinetunerOptions = Schema.Struct({
  baseUrl: Schema.optionalKey(Schema.String),
  timeoutMs: Schema.optionalKey(Schema.Number),
  organization: Schema.optionalKey(Schema.String),
  project: Schema.optionalKey(Schema.String),
})

const optionalEnv = <A>(config: Config.Config<A>, keep: (value: A) => boolean) =>
  Config.option(config).pipe(
    Effect.map(Option.filter(keep)),
    Effect.orElseSucceed(() => Option.none<A>()),
  )

/**
 * The OpenAI finetuner. The key comes from OPENAI_API_KEY when present (a dry run needs none); the base URL
 * from `options.baseUrl`, else OPENAI_BASE_URL, else the SDK's default.
 */
export const layer = (options: Readonly<Record<string, unknown>> = {}) =>
  Layer.effect(
    Finetuner,
    Effect.gen(function* () {
      const decoded = yield* Schema.decodeUnknownEffect(OpenAiFinetunerOptions, {
        onExcessProperty: "error",
      })(options).pipe(
        Effect.mapError(
          (error) =>
            new PluginConfigError({ plugin: descriptor.id, message: `invalid options: ${error.message}` }),
        ),
      )
      const key = yield* optionalEnv(
        Config.Redacted("OPENAI_API_KEY"),
        (k) => Redacted.value(k).trim() !== "",
      )
      const envUrl = yield* optionalEnv(Config.String("OPENAI_BASE_URL"), (url) => url.trim() !== "")
      const baseUrl = decoded.baseUrl ?? Option.getOrUndefined(envUrl)
      return make({
        ...decoded,
        apiKey: Option.getOrUndefined(key),
        ...(baseUrl === undefined ? {} : { baseUrl }),
      })
    }),
  )

export const plugin: FinetunerPlugin = { descriptor, layer }
