import {
  Finetuner,
  type FinetunerShape,
  PluginConfigError,
  Provider,
  type ProviderDescriptor,
  type ProviderShape,
  type ProviderSpec,
} from "@standin/core"
import { Config, Effect, Layer, Option, Redacted, Schema } from "effect"

/**
 * The configuration steps every provider plugin's layer takes in the same way: an API key from the
 * environment (as a Redacted, never read into a message), a base URL from the spec or the SDK's own
 * variable, and vendor options decoded strictly by the plugin's schema.
 */

/** An environment variable's value when it is set and not blank. */
export const optionalEnv = <A>(config: Config.Config<A>, keep: (value: A) => boolean) =>
  Config.option(config).pipe(
    Effect.map(Option.filter(keep)),
    Effect.orElseSucceed(() => Option.none<A>()),
  )

/** The first set, non-blank key among `names` (in order), as a Redacted. */
export const optionalApiKey = (names: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    for (const name of names) {
      const key = yield* optionalEnv(Config.Redacted(name), (value) => Redacted.value(value).trim() !== "")
      if (Option.isSome(key)) return key
    }
    return Option.none<Redacted.Redacted<string>>()
  })

/**
 * The first set, non-blank key among `names`; none is a PluginConfigError that names the variables (never a
 * value) and what the key is for, e.g. "OPENAI_API_KEY is not set: export it to use OpenAI models".
 */
export const requiredApiKey = (plugin: string, names: ReadonlyArray<string>, purpose: string) =>
  optionalApiKey(names).pipe(
    Effect.flatMap((key) =>
      Option.isSome(key)
        ? Effect.succeed(key.value)
        : Effect.fail(
            new PluginConfigError({
              plugin,
              message:
                names.length === 1
                  ? `${names[0]} is not set: export it to ${purpose}`
                  : `neither ${names.join(" nor ")} is set: export one to ${purpose}`,
            }),
          ),
    ),
  )

/** `spec.baseUrl`, else the SDK's own environment variable (when it has one), else none (the SDK's default). */
export const baseUrlOf = (spec: { readonly baseUrl?: string | undefined }, env: string | undefined) =>
  spec.baseUrl !== undefined || env === undefined
    ? Effect.succeed(Option.fromUndefinedOr(spec.baseUrl))
    : optionalEnv(Config.String(env), (url) => url.trim() !== "")

/** A model must be named: `provider:<model>`; the message shows an example. */
export const requireModel = (plugin: string, spec: ProviderSpec, example: string) =>
  spec.model.trim() === ""
    ? Effect.fail(
        new PluginConfigError({ plugin, message: `no model given: use ${plugin}:<model>, e.g. ${example}` }),
      )
    : Effect.void

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * A provider's own vendor options. They have one shape: `spec.options[providerId]` (`providerOptions.openai`,
 * `providerOptions["openai-compatible"]`), so one options map can serve several providers. The flat shape (the
 * plugin's options at the top of `spec.options`), accepted before, is still read; `deprecated` says so.
 */
export const providerOptionsFor = (
  providerId: string,
  options: Readonly<Record<string, unknown>> | undefined,
): { readonly options: Readonly<Record<string, unknown>>; readonly deprecated: boolean } => {
  if (options === undefined || Object.keys(options).length === 0) return { options: {}, deprecated: false }
  const own = options[providerId]
  if (isRecord(own)) return { options: own, deprecated: false }
  return { options, deprecated: true }
}

const warned = new Set<string>()

/** The deprecation message of flat vendor options, logged once per provider and process. */
export const flatOptionsWarning = (providerId: string): string =>
  `vendor options for ${providerId} at the top of spec.options are deprecated: put them under providerOptions["${providerId}"] (spec.options["${providerId}"])`

/** `providerOptionsFor`, logging the deprecation (once per provider) when the flat shape is met. */
export const providerOptionsOf = (
  providerId: string,
  options: Readonly<Record<string, unknown>> | undefined,
) =>
  Effect.suspend(() => {
    const found = providerOptionsFor(providerId, options)
    if (!found.deprecated || warned.has(providerId)) return Effect.succeed(found.options)
    warned.add(providerId)
    return Effect.as(Effect.logWarning(flatOptionsWarning(providerId)), found.options)
  })

/** A provider's vendor options (`spec.options[providerId]`, see `providerOptionsFor`), decoded strictly. */
export const decodeProviderOptions = <S extends Schema.Constraint>(
  providerId: string,
  schema: S,
  options: Readonly<Record<string, unknown>> | undefined,
) =>
  Effect.flatMap(providerOptionsOf(providerId, options), (own) =>
    Effect.mapError(
      decodePluginOptions(providerId, schema, own),
      (error) =>
        new PluginConfigError({
          plugin: providerId,
          message: error.message.replace("invalid options", `invalid providerOptions["${providerId}"]`),
        }),
    ),
  )

/** A plugin's options (a provider's `spec.options`, a finetuner's config), decoded strictly: unknown fields are errors. */
export const decodePluginOptions = <S extends Schema.Constraint>(
  plugin: string,
  schema: S,
  options: unknown,
) =>
  Schema.decodeUnknownEffect(schema, { onExcessProperty: "error" })(options ?? {}).pipe(
    Effect.mapError(
      (error) => new PluginConfigError({ plugin, message: `invalid options: ${error.message}` }),
    ),
  )

/**
 * The layer of a vendor provider whose key is required: the model must be named (`example` shows how), then the
 * key, the base URL and the strictly decoded options go to `make`.
 */
export const vendorProviderLayer =
  <Options extends object>(plugin: {
    readonly descriptor: ProviderDescriptor
    readonly example: string
    readonly apiKey: Effect.Effect<Redacted.Redacted<string>, PluginConfigError>
    readonly baseUrl: (spec: ProviderSpec) => Effect.Effect<Option.Option<string>>
    readonly options: (spec: ProviderSpec) => Effect.Effect<Options, PluginConfigError>
    readonly make: (
      config: Options & {
        readonly apiKey: Redacted.Redacted<string>
        readonly model: string
        readonly baseUrl?: string
      },
    ) => ProviderShape
  }) =>
  (spec: ProviderSpec): Layer.Layer<Provider, PluginConfigError> =>
    Layer.effect(
      Provider,
      Effect.gen(function* () {
        yield* requireModel(plugin.descriptor.id, spec, plugin.example)
        const apiKey = yield* plugin.apiKey
        const url = yield* plugin.baseUrl(spec)
        const options = yield* plugin.options(spec)
        return plugin.make({
          ...options,
          apiKey,
          model: spec.model,
          ...(Option.isSome(url) ? { baseUrl: url.value } : {}),
        })
      }),
    )

/**
 * The layer of a vendor finetuner: options decoded strictly, the key when set (a dry run needs none), the base
 * URL from the options, else `baseUrlEnv`; then `make`.
 */
export const vendorFinetunerLayer =
  <Options extends { readonly baseUrl?: string }>(plugin: {
    readonly id: string
    readonly schema: Schema.Codec<Options, unknown>
    readonly keyEnv: string
    readonly baseUrlEnv: string
    readonly make: (
      config: Options & { readonly apiKey: Redacted.Redacted<string> | undefined; readonly baseUrl?: string },
    ) => FinetunerShape
  }) =>
  (options: Readonly<Record<string, unknown>> = {}): Layer.Layer<Finetuner, PluginConfigError> =>
    Layer.effect(
      Finetuner,
      Effect.gen(function* () {
        const decoded = yield* decodePluginOptions(plugin.id, plugin.schema, options)
        const key = yield* optionalApiKey([plugin.keyEnv])
        const baseUrl = Option.getOrUndefined(yield* baseUrlOf(decoded, plugin.baseUrlEnv))
        return plugin.make({
          ...decoded,
          apiKey: Option.getOrUndefined(key),
          ...(baseUrl === undefined ? {} : { baseUrl }),
        })
      }),
    )
