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
import { AnthropicOptions } from "./options.js"
import { make } from "./provider.js"

/** The key from ANTHROPIC_API_KEY, as a Redacted; a missing or empty variable is a PluginConfigError naming it. */
export const apiKey = requiredApiKey(descriptor.id, ["ANTHROPIC_API_KEY"], "use Claude models")

/** spec.baseUrl, else ANTHROPIC_BASE_URL, else the SDK's default. */
export const baseUrl = (spec: ProviderSpec) => baseUrlOf(spec, "ANTHROPIC_BASE_URL")

/** The Anthropic provider for `anthropic:<model>`. */
export const layer = (spec: ProviderSpec): Layer.Layer<Provider, PluginConfigError> =>
  Layer.effect(
    Provider,
    Effect.gen(function* () {
      yield* requireModel(descriptor.id, spec, "anthropic:claude-sonnet-4-5")
      const key = yield* apiKey
      const url = yield* baseUrl(spec)
      const options = yield* decodePluginOptions(descriptor.id, AnthropicOptions, spec.options)
      return make({
        ...options,
        apiKey: key,
        model: spec.model,
        ...(Option.isSome(url) ? { baseUrl: url.value } : {}),
      })
    }),
  )

export const plugin: ProviderPlugin = { descriptor, layer }
