import { PluginConfigError, Provider, type ProviderPlugin, type ProviderSpec } from "@standin/core"
import { Config, Effect, Layer, Option, Redacted, Schema } from "effect"
import { descriptor } from "./descriptor.js"
import { OpenAiOptions } from "./options.js"
import { make } from "./provider.js"

const configError = (message: string) => new PluginConfigError({ plugin: descriptor.id, message })

/** The key from OPENAI_API_KEY, as a Redacted; a missing or empty variable is a PluginConfigError naming it. */
export const apiKey = Config.Redacted("OPENAI_API_KEY").pipe(
  Effect.mapError(() => configError("OPENAI_API_KEY is not set: export it to use OpenAI models")),
  Effect.flatMap((key) =>
    Redacted.value(key).trim() === ""
      ? Effect.fail(configError("OPENAI_API_KEY is empty: export it to use OpenAI models"))
      : Effect.succeed(key),
  ),
)

/** spec.baseUrl, else OPENAI_BASE_URL, else the SDK's default. */
export const baseUrl = (spec: ProviderSpec) =>
  spec.baseUrl !== undefined
    ? Effect.succeed(Option.some(spec.baseUrl))
    : Config.option(Config.String("OPENAI_BASE_URL")).pipe(
        Effect.map(Option.filter((url) => url.trim() !== "")),
        Effect.orElseSucceed(() => Option.none<string>()),
      )

export const decodeOptions = (spec: ProviderSpec) =>
  Schema.decodeUnknownEffect(OpenAiOptions, { onExcessProperty: "error" })(spec.options ?? {}).pipe(
    Effect.mapError((error) => configError(`invalid options: ${error.message}`)),
  )

/** The OpenAI provider for `openai:<model>`. */
export const layer = (spec: ProviderSpec): Layer.Layer<Provider, PluginConfigError> =>
  Layer.effect(
    Provider,
    Effect.gen(function* () {
      if (spec.model.trim() === "")
        return yield* configError("no model given: use openai:<model>, e.g. openai:gpt-4o-mini")
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
