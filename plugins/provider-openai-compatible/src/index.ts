import {
  PluginConfigError,
  Provider,
  type ProviderPlugin,
  type ProviderShape,
  type ProviderSpec,
} from "@standin/core"
import {
  baseUrlOf,
  decodePluginOptions,
  optionalApiKey,
  providerOptionsFor,
  providerOptionsOf,
  requireModel,
} from "@standin/provider-kit"
import { make as makeOpenAi, type OpenAiConfig, OpenAiOptions } from "@standin/provider-openai"
import { Effect, Layer, Option, Redacted } from "effect"
import { descriptor } from "./descriptor.js"

export { descriptor } from "./descriptor.js"

/** Sent when no key is configured: local servers (vLLM, Ollama, llama.cpp) ignore the key. */
export const placeholderKey = "standin-no-key"

export type OpenAiCompatibleConfig = Omit<OpenAiConfig, "descriptor" | "baseUrl" | "apiKey"> & {
  readonly baseUrl: string
  readonly apiKey?: Redacted.Redacted<string>
}

/**
 * An OpenAI-compatible provider: the OpenAI plugin's implementation with this plugin's descriptor,
 * `max_tokens` (which every compatible server knows) unless told otherwise, and an optional key.
 */
export const make = (config: OpenAiCompatibleConfig): ProviderShape =>
  makeOpenAi({
    maxTokensField: "max_tokens",
    ...config,
    apiKey: config.apiKey ?? Redacted.make(placeholderKey),
    descriptor,
  })

const configError = (message: string) => new PluginConfigError({ plugin: descriptor.id, message })

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Where the key comes from: `providerOptions["openai-compatible"].keyEnv` (in `spec.options`) names another
 * environment variable (e.g. TOGETHER_API_KEY for a model a Together finetune returned), else
 * OPENAI_COMPATIBLE_API_KEY. Only the variable's name travels in the spec (and so in results files), never its
 * value. The flat `spec.options.keyEnv` of before is still read (deprecated).
 */
export const keyEnvOf = (spec: ProviderSpec): string | PluginConfigError => {
  const named = providerOptionsFor(descriptor.id, spec.options).options.keyEnv
  if (named === undefined) return "OPENAI_COMPATIBLE_API_KEY"
  if (typeof named !== "string" || !envName.test(named))
    return configError(
      `providerOptions["openai-compatible"].keyEnv must name an environment variable (e.g. TOGETHER_API_KEY)`,
    )
  return named
}

/** Whether a base URL is Together's API, which asks for logprobs as a count (`logprobs: 5`) and answers in its own shape. */
export const isTogether = (baseUrl: string): boolean => {
  try {
    const host = new URL(baseUrl).hostname
    return /(^|\.)together\.(xyz|ai)$/.test(host)
  } catch {
    return false
  }
}

/** The provider for `openai-compatible:<model>@<baseURL>`. */
export const layer = (spec: ProviderSpec): Layer.Layer<Provider, PluginConfigError> =>
  Layer.effect(
    Provider,
    Effect.gen(function* () {
      yield* requireModel(descriptor.id, spec, "openai-compatible:llama3.1:8b@http://localhost:11434/v1")
      const baseUrl = Option.getOrUndefined(yield* baseUrlOf(spec, "OPENAI_COMPATIBLE_BASE_URL"))
      if (baseUrl === undefined)
        return yield* configError(
          "a base URL is required: use openai-compatible:<model>@<baseURL> (e.g. @http://localhost:8000/v1) or set OPENAI_COMPATIBLE_BASE_URL",
        )
      const keyEnv = keyEnvOf(spec)
      if (typeof keyEnv !== "string") return yield* keyEnv
      const key = yield* optionalApiKey([keyEnv])
      // A named key variable is required: it means a hosted server that rejects unauthenticated calls.
      const own = yield* providerOptionsOf(descriptor.id, spec.options)
      if (own.keyEnv !== undefined && Option.isNone(key))
        return yield* configError(`${keyEnv} is not set: export it to call ${spec.model}`)
      const { keyEnv: _named, ...vendorOptions } = own
      const options = yield* decodePluginOptions(descriptor.id, OpenAiOptions, vendorOptions).pipe(
        Effect.mapError((error) =>
          configError(
            error.message.replace("invalid options", `invalid providerOptions["${descriptor.id}"]`),
          ),
        ),
      )
      return make({
        ...(isTogether(baseUrl) ? { logprobsFormat: "count" as const } : {}),
        ...options,
        model: spec.model,
        baseUrl,
        ...(Option.isSome(key) ? { apiKey: key.value } : {}),
      })
    }),
  )

export const plugin: ProviderPlugin = { descriptor, layer }
