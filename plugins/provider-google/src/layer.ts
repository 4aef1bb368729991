import type { ProviderPlugin, ProviderSpec } from "@standin/core"
import { baseUrlOf, decodeProviderOptions, requiredApiKey, vendorProviderLayer } from "@standin/provider-kit"
import { descriptor } from "./descriptor.js"
import { GoogleOptions } from "./options.js"
import { make } from "./provider.js"

/**
 * The key from GOOGLE_API_KEY or GEMINI_API_KEY (GOOGLE_API_KEY first when both are set, as the SDK
 * itself does), as a Redacted; neither set is a PluginConfigError naming both.
 */
export const apiKey = requiredApiKey(descriptor.id, descriptor.keyEnv, "use Gemini models")

/** spec.baseUrl, else GOOGLE_GEMINI_BASE_URL (the SDK's own variable), else the SDK's default. */
export const baseUrl = (spec: ProviderSpec) => baseUrlOf(spec, descriptor.baseUrlEnv)

/** The Gemini provider for `google:<model>`. */
export const layer = vendorProviderLayer({
  descriptor,
  example: "google:gemini-2.5-flash",
  apiKey,
  baseUrl,
  options: (spec) => decodeProviderOptions(descriptor.id, GoogleOptions, spec.options),
  make,
})

export const plugin: ProviderPlugin = { descriptor, layer }
