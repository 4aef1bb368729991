import {
  baseUrlOf,
  decodePluginOptions,
  Finetuner,
  type FinetunerPlugin,
  optionalApiKey,
} from "@standin/core"
import { Effect, Layer, Option, Schema } from "effect"
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

/**
 * The OpenAI finetuner. The key comes from OPENAI_API_KEY when present (a dry run needs none); the base URL
 * from `options.baseUrl`, else OPENAI_BASE_URL, else the SDK's default.
 */
export const layer = (options: Readonly<Record<string, unknown>> = {}) =>
  Layer.effect(
    Finetuner,
    Effect.gen(function* () {
      const decoded = yield* decodePluginOptions(descriptor.id, OpenAiFinetunerOptions, options)
      const key = yield* optionalApiKey(["OPENAI_API_KEY"])
      const baseUrl = Option.getOrUndefined(yield* baseUrlOf(decoded, "OPENAI_BASE_URL"))
      return make({
        ...decoded,
        apiKey: Option.getOrUndefined(key),
        ...(baseUrl === undefined ? {} : { baseUrl }),
      })
    }),
  )

export const plugin: FinetunerPlugin = { descriptor, layer }
