import type { FinetunerPlugin } from "@standin/core"
import { vendorFinetunerLayer } from "@standin/provider-kit"
import { Schema } from "effect"
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
export const layer = vendorFinetunerLayer({
  id: descriptor.id,
  schema: OpenAiFinetunerOptions,
  keyEnv: "OPENAI_API_KEY",
  baseUrlEnv: "OPENAI_BASE_URL",
  make,
})

export const plugin: FinetunerPlugin = { descriptor, layer }
