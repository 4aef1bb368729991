import type { ProviderPlugin, ProviderSpec } from "@standin/core"
import { baseUrlOf, decodeProviderOptions, requiredApiKey, vendorProviderLayer } from "@standin/provider-kit"
import { descriptor } from "./descriptor.js"
import { OpenAiOptions } from "./options.js"
import { make } from "./provider.js"

/** The key from OPENAI_API_KEY, as a Redacted; a missing or empty variable is a PluginConfigError naming it. */
export const apiKey = requiredApiKey(descriptor.id, descriptor.keyEnv, "use OpenAI models")

/** spec.baseUrl, else OPENAI_BASE_URL, else the SDK's default. */
export const baseUrl = (spec: ProviderSpec) => baseUrlOf(spec, descriptor.baseUrlEnv)

export const decodeOptions = (spec: ProviderSpec) =>
  decodeProviderOptions(descriptor.id, OpenAiOptions, spec.options)

/** The OpenAI provider for `openai:<model>`. */
export const layer = vendorProviderLayer({
  descriptor,
  example: "openai:gpt-4o-mini",
  apiKey,
  baseUrl,
  options: decodeOptions,
  make,
})

export const plugin: ProviderPlugin = { descriptor, layer }
