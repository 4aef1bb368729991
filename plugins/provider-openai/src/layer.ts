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
import { OpenAiOptions } from "./options.js"
import { make } from "./provider.js"

/** The key from OPENAI_API_KEY, as a Redacted; a missing or empty variable is a PluginConfigError naming it. */
export const apiKey = requiredApiKey(descriptor.id, ["OPENAI_API_KEY"], "use OpenAI models")

/** spec.baseUrl, else OPENAI_BASE_URL, else the SDK's default. */
export const baseUrl = (spec: ProviderSpec) => baseUrlOf(spec, "OPENAI_BASE_URL")

export const decodeOptions = (spec: ProviderSpec) =>
  decodePluginOptions(descriptor.id, OpenAiOptions, spec.options)

/** The OpenAI provider for `openai:<model>`. */
export const layer = (spec: ProviderSpec): Layer.Layer<Provider, PluginConfigError> =>
  Layer.effect(
    Provider,
    Effect.gen(function* () {
      yield* requireModel(descriptor.id, spec, "openai:gpt-4o-mini")
      const key = yield* apiKey
      const url = yield* baseUrl(spec)
      const options = yield* decodeOptions(spec)
      return make({
        ...options,
        apiKey: key,
        model: spec.model,
        ...(Option.isSome(url) ? { baseUrl: url.value } : {}),
      })
    }),
  )

export const plugin: ProviderPlugin = { descriptor, layer }
