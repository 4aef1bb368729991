import type { ProviderPlugin, ProviderSpec } from "@standin/core"
import { baseUrlOf, decodeProviderOptions, requiredApiKey, vendorProviderLayer } from "@standin/provider-kit"
import { descriptor } from "./descriptor.js"
import { AnthropicOptions } from "./options.js"
import { make } from "./provider.js"

/** The key from ANTHROPIC_API_KEY, as a Redacted; a missing or empty variable is a PluginConfigError naming it. */
export const apiKey = requiredApiKey(descriptor.id, descriptor.keyEnv, "use Claude models")

/** spec.baseUrl, else ANTHROPIC_BASE_URL, else the SDK's default. */
export const baseUrl = (spec: ProviderSpec) => baseUrlOf(spec, descriptor.baseUrlEnv)

/** The Anthropic provider for `anthropic:<model>`. */
export const layer = vendorProviderLayer({
  descriptor,
  example: "anthropic:claude-sonnet-4-5",
  apiKey,
  baseUrl,
  options: (spec) => decodeProviderOptions(descriptor.id, AnthropicOptions, spec.options),
  make,
})

export const plugin: ProviderPlugin = { descriptor, layer }
