import type { FinetunerPlugin } from "@standin/core"
import { vendorFinetunerLayer } from "@standin/provider-kit"
import { Schema } from "effect"
import { descriptor } from "./descriptor.js"
import { make } from "./finetuner.js"

export { DEFAULT_BASE_URL, DEFAULTS, descriptor } from "./descriptor.js"
export { make, type TogetherFinetunerConfig } from "./finetuner.js"
export { billionsOf, loraPriceFor, loraPriceTiers } from "./prices.js"

/** Options from config, decoded strictly: a typo is an error, not a no-op. */
export const TogetherFinetunerOptions = Schema.Struct({
  baseUrl: Schema.optionalKey(Schema.String),
  timeoutMs: Schema.optionalKey(Schema.Number),
})

/**
 * The Together finetuner. The key comes from TOGETHER_API_KEY when present (a dry run needs none); the base
 * URL from `options.baseUrl`, else TOGETHER_BASE_URL (the SDK's own variable), else Together's.
 */
export const layer = vendorFinetunerLayer({
  id: descriptor.id,
  schema: TogetherFinetunerOptions,
  keyEnv: "TOGETHER_API_KEY",
  baseUrlEnv: "TOGETHER_BASE_URL",
  make,
})

export const plugin: FinetunerPlugin = { descriptor, layer }
