import {
  baseUrlOf,
  decodePluginOptions,
  type PluginConfigError,
  Provider,
  type ProviderPlugin,
  type ProviderSpec,
  requiredApiKey,
  requireModel,
} from "@standin/core"
import { Effect, Layer, Option } from "effect"
import { descriptor } from "./descriptor.js"
import { GoogleOptions } from "./options.js"
import { make } from "./provider.js"

/**
 * The key from GOOGLE_API_KEY or GEMINI_API_KEY (GOOGLE_API_KEY first when both are set, as the SDK
 * itself does), as a Redacted; neither set is a PluginConfigError naming both.
 */
export const apiKey = requiredApiKey(descriptor.id, ["GOOGLE_API_KEY", "GEMINI_API_KEY"], "use Gemini models")

/** spec.baseUrl, else GOOGLE_GEMINI_BASE_URL (the SDK's own variable), else the SDK's default. */
export const baseUrl = (spec: ProviderSpec) => baseUrlOf(spec, "GOOGLE_GEMINI_BASE_URL")

/** The Gemini provider for `google:<model>`. */
export const layer = (spec: ProviderSpec): Layer.Layer<Provider, PluginConfigError> =>
  Layer.effect(
    Provider,
    Effect.gen(function* () {
      yield* requireModel(descriptor.id, spec, "google:gemini-2.5-flash")
      const key = yield* apiKey
      const url = yield* baseUrl(spec)
      const options = yield* decodePluginOptions(descriptor.id, GoogleOptions, spec.options)
      return make({
        ...options,
        apiKey: key,
        model: spec.model,
        ...(Option.isSome(url) ? { baseUrl: url.value } : {}),
      })
    }),
  )

export const plugin: ProviderPlugin = { descriptor, layer }
