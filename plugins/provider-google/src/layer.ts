import { PluginConfigError, Provider, type ProviderPlugin, type ProviderSpec } from "@standin/core"
import { Config, Effect, Layer, Option, Redacted, Schema } from "effect"
import { descriptor } from "./descriptor.js"
import { GoogleOptions } from "./options.js"
import { make } from "./provider.js"

const configError = (message: string) => new PluginConfigError({ plugin: descriptor.id, message })

const nonEmpty = (name: string) =>
  Config.option(Config.Redacted(name)).pipe(
    Effect.map(Option.filter((key) => Redacted.value(key).trim() !== "")),
    Effect.orElseSucceed(() => Option.none<Redacted.Redacted<string>>()),
  )

/**
 * The key from GOOGLE_API_KEY or GEMINI_API_KEY (GOOGLE_API_KEY first when both are set, as the SDK
 * itself does), as a Redacted; neither set is a PluginConfigError naming both.
 */
export const apiKey = Effect.gen(function* () {
  const google = yield* nonEmpty("GOOGLE_API_KEY")
  if (Option.isSome(google)) return google.value
  const gemini = yield* nonEmpty("GEMINI_API_KEY")
  if (Option.isSome(gemini)) return gemini.value
  return yield* configError(
    "neither GEMINI_API_KEY nor GOOGLE_API_KEY is set: export one to use Gemini models",
  )
})

/** spec.baseUrl, else GOOGLE_GEMINI_BASE_URL (the SDK's own variable), else the SDK's default. */
export const baseUrl = (spec: ProviderSpec) =>
  spec.baseUrl !== undefined
    ? Effect.succeed(Option.some(spec.baseUrl))
    : Config.option(Config.String("GOOGLE_GEMINI_BASE_URL")).pipe(
        Effect.map(Option.filter((url) => url.trim() !== "")),
        Effect.orElseSucceed(() => Option.none<string>()),
      )

/** The Gemini provider for `google:<model>`. */
export const layer = (spec: ProviderSpec): Layer.Layer<Provider, PluginConfigError> =>
  Layer.effect(
    Provider,
    Effect.gen(function* () {
      if (spec.model.trim() === "")
        return yield* configError("no model given: use google:<model>, e.g. google:gemini-2.5-flash")
      const key = yield* apiKey
      const url = yield* baseUrl(spec)
      const options = yield* Schema.decodeUnknownEffect(GoogleOptions, { onExcessProperty: "error" })(
        spec.options ?? {},
      ).pipe(Effect.mapError((error) => configError(`invalid options: ${error.message}`)))
      return make({
        ...options,
        apiKey: key,
        model: spec.model,
        ...(Option.isSome(url) ? { baseUrl: url.value } : {}),
      })
    }),
  )

export const plugin: ProviderPlugin = { descriptor, layer }
