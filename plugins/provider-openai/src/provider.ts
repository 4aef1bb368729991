import {
  capabilitiesFor,
  descriptorForModel,
  type JsonSchema,
  type ProviderDescriptor,
  ProviderError,
  type ProviderRequest,
  type ProviderResponse,
  type ProviderShape,
  settingsWarnings,
  type Usage,
} from "@standin/core"
import { firstTokenDistributions, generateFor, type TokenLogprob } from "@standin/provider-kit"
import { sdkFetch } from "@standin/provider-kit/node-fetch"
import { Effect, Redacted } from "effect"
import OpenAI from "openai"
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
} from "openai/resources/chat/completions"
import { makeBatch } from "./batch.js"
import { descriptor as openAiDescriptor } from "./descriptor.js"
import { toProviderError } from "./errors.js"
import type { OpenAiOptions } from "./options.js"
import { toOpenAiStrictSchema } from "./strict-schema.js"

export interface OpenAiConfig extends OpenAiOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly model: string
  /** SDK base URL, e.g. `http://127.0.0.1:8000/v1`; the SDK default when absent. */
  readonly baseUrl?: string
  /** Which plugin this is (OpenAI-compatible servers reuse this implementation). */
  readonly descriptor?: ProviderDescriptor
}

/** OpenAI's `json_schema.name` must match ^[a-zA-Z0-9_-]{1,64}$. */
const schemaName = (name: string): string => name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64) || "answers"

/** `model` plus `system_fingerprint`: the backend configuration that answered, as OpenAI reports it. */
export const modelVersionOf = (completion: Pick<ChatCompletion, "model" | "system_fingerprint">): string =>
  completion.system_fingerprint ? `${completion.model}+${completion.system_fingerprint}` : completion.model

const addUsage = (total: Usage, completion: ChatCompletion): Usage => ({
  inputTokens: total.inputTokens + (completion.usage?.prompt_tokens ?? 0),
  outputTokens: total.outputTokens + (completion.usage?.completion_tokens ?? 0),
})

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * First-token candidates from Together's logprobs shape (`logprobs` asked as a count): `tokens` and
 * `token_logprobs` per position, `top_logprobs` a token → logprob map per position (or one map).
 */
export const countShapeCandidates = (logprobs: unknown): ReadonlyArray<TokenLogprob> | undefined => {
  if (!isRecord(logprobs)) return undefined
  const top = Array.isArray(logprobs.top_logprobs) ? logprobs.top_logprobs[0] : logprobs.top_logprobs
  const candidates: Array<TokenLogprob> = isRecord(top)
    ? Object.entries(top).flatMap(([token, logprob]) =>
        typeof logprob === "number" ? [{ token, logprob }] : [],
      )
    : []
  const token = Array.isArray(logprobs.tokens) ? logprobs.tokens[0] : undefined
  const logprob = Array.isArray(logprobs.token_logprobs) ? logprobs.token_logprobs[0] : undefined
  if (typeof token === "string" && typeof logprob === "number" && !candidates.some((c) => c.token === token))
    candidates.push({ token, logprob })
  return candidates.length === 0 ? undefined : candidates
}

/** Builds an OpenAI (or OpenAI-compatible) provider around one SDK client. */
export const make = (config: OpenAiConfig): ProviderShape => {
  const pluginDescriptor = config.descriptor ?? openAiDescriptor
  // The plugin's capabilities narrowed to this model (no logprobs or temperature on reasoning models).
  const descriptor = descriptorForModel(pluginDescriptor, config.model)
  const row = capabilitiesFor(pluginDescriptor.models ?? [], config.model)
  const secret = Redacted.value(config.apiKey)
  const client = new OpenAI({
    apiKey: secret,
    maxRetries: 0,
    timeout: config.timeoutMs ?? 60_000,
    fetch: sdkFetch(),
    ...(config.baseUrl === undefined ? {} : { baseURL: config.baseUrl }),
    ...(config.organization === undefined ? {} : { organization: config.organization }),
    ...(config.project === undefined ? {} : { project: config.project }),
  })
  const maxTokensField =
    config.maxTokensField ?? (row?.maxTokensField === "max_tokens" ? "max_tokens" : "max_completion_tokens")
  const topLogprobs = Math.min(row?.topLogprobs || 20, Math.max(1, Math.round(config.topLogprobs ?? 20)))
  const logprobsFormat = config.logprobsFormat ?? "top_logprobs"
  const sampling = row?.temperature ?? true
  const minLabelMass = config.minLabelMass ?? 0.5
  const structured = config.structuredOutput ?? "json_schema"
  const fail = (reason: ProviderError["reason"], message: string) =>
    new ProviderError({ provider: descriptor.id, reason, message })

  const call = (body: ChatCompletionCreateParamsNonStreaming) =>
    Effect.tryPromise({
      try: (signal) => client.chat.completions.create(body, { signal }),
      catch: (cause) => toProviderError(descriptor.id, cause, secret),
    })

  const common = (request: ProviderRequest) => {
    // derived once by the engine (stats' vendorSeed): sent as it is
    const seed = request.settings.seed
    // A reasoning model rejects any temperature or top_p but the default: left out (settingsWarnings notes it).
    const temperature = sampling ? request.settings.temperature : undefined
    const topP = sampling ? request.settings.topP : undefined
    return {
      model: config.model,
      ...(temperature === undefined ? {} : { temperature }),
      ...(topP === undefined ? {} : { top_p: topP }),
      ...(seed === undefined ? {} : { seed }),
    }
  }

  const maxTokens = (limit: number | undefined) => (limit === undefined ? {} : { [maxTokensField]: limit })

  const strict = config.strict ?? true
  // Renderers share one answer schema across a run's prompts: converted once.
  const converted = new WeakMap<JsonSchema, JsonSchema | Error>()
  const vendorSchema = (schema: JsonSchema): JsonSchema | Error => {
    if (!strict) return { ...schema }
    let result = converted.get(schema)
    if (result === undefined) {
      try {
        result = toOpenAiStrictSchema(schema)
      } catch (cause) {
        result = cause instanceof Error ? cause : new Error(String(cause))
      }
      converted.set(schema, result)
    }
    return result
  }

  /** The chat-completions body of a whole-instrument ask (sample or verbalized): live and in batches. */
  const wholeBody = (request: ProviderRequest): ChatCompletionCreateParamsNonStreaming => {
    const schema = structured === "json_schema" ? vendorSchema(request.prompt.responseSchema) : undefined
    // checked by `whole` before anything is sent; a batch never gets here with an unconvertible schema
    if (schema instanceof Error) throw schema
    const responseFormat: Pick<ChatCompletionCreateParamsNonStreaming, "response_format"> =
      schema !== undefined
        ? {
            response_format: {
              type: "json_schema",
              json_schema: { name: schemaName(request.prompt.responseSchemaName), schema, strict },
            },
          }
        : structured === "json_object"
          ? { response_format: { type: "json_object" } }
          : {}
    return {
      ...common(request),
      messages: request.prompt.messages.map((message) => ({
        role: message.role,
        content: message.content,
      })),
      ...responseFormat,
      ...maxTokens(request.settings.maxTokens),
    }
  }

  /** A completion of a whole-instrument ask as the engine's response (or why it is not one). */
  const wholeResponse = (
    completion: ChatCompletion,
    warnings: Array<string>,
  ): Effect.Effect<ProviderResponse, ProviderError> => {
    const choice = completion.choices?.[0]
    if (choice === undefined) return Effect.fail(fail("malformed-output", "the response had no choices"))
    if (choice.message.refusal)
      return Effect.fail(fail("content-filtered", `the model refused: ${choice.message.refusal}`))
    if (choice.finish_reason === "content_filter")
      return Effect.fail(fail("content-filtered", "the answer was stopped by the content filter"))
    const text = choice.message.content
    if (text === null || text === undefined)
      return Effect.fail(fail("malformed-output", "the response had no content"))
    if (choice.finish_reason === "length") warnings.push("the answer was cut off at the token limit")
    return Effect.succeed({
      text,
      modelVersion: modelVersionOf(completion),
      usage: addUsage({ inputTokens: 0, outputTokens: 0 }, completion),
      warnings,
      finishReason: choice.finish_reason,
    })
  }

  /** Why a request's answer schema cannot go to this model (before anything is sent), if it cannot. */
  const schemaProblem = (request: ProviderRequest): ProviderError | undefined => {
    if (structured !== "json_schema") return undefined
    const schema = vendorSchema(request.prompt.responseSchema)
    return schema instanceof Error
      ? fail("unsupported", `the answer schema cannot be sent as a strict JSON schema: ${schema.message}`)
      : undefined
  }

  const whole = (request: ProviderRequest, warnings: Array<string>) => {
    const problem = schemaProblem(request)
    if (problem !== undefined) return Effect.fail(problem)
    return Effect.flatMap(call(wholeBody(request)), (completion) => wholeResponse(completion, warnings))
  }

  const logprobs = (request: ProviderRequest, warnings: Array<string>) =>
    firstTokenDistributions({
      provider: descriptor.id,
      request,
      warnings,
      topLogprobs,
      minLabelMass,
      askItem: (item) =>
        Effect.gen(function* () {
          // Together asks for logprobs as a count of top tokens, not a flag plus `top_logprobs`.
          const asked =
            logprobsFormat === "count"
              ? ({ logprobs: topLogprobs } as unknown as { logprobs: boolean })
              : { logprobs: true, top_logprobs: topLogprobs }
          const completion = yield* call({
            ...common(request),
            messages: item.messages.map((message) => ({ role: message.role, content: message.content })),
            ...asked,
            ...maxTokens(1),
          })
          const choice = completion.choices[0]
          if (choice?.message.refusal)
            return yield* fail("content-filtered", `the model refused: ${choice.message.refusal}`)
          const first = choice?.logprobs?.content?.[0]
          // OpenAI's shape (`logprobs.content`), else Together's (`tokens`, `token_logprobs`, `top_logprobs`).
          const candidates: Array<TokenLogprob> | undefined =
            first === undefined
              ? (countShapeCandidates(choice?.logprobs) as Array<TokenLogprob> | undefined)
              : first.top_logprobs.map((candidate) => ({
                  token: candidate.token,
                  logprob: candidate.logprob,
                }))
          if (candidates === undefined)
            return yield* fail(
              "malformed-output",
              `no logprobs came back for item ${item.itemId}: the server may not support logprobs`,
            )
          if (first !== undefined && !candidates.some((candidate) => candidate.token === first.token))
            candidates.push({ token: first.token, logprob: first.logprob })
          return {
            candidates,
            text: choice?.message.content ?? first?.token ?? "",
            usage: addUsage({ inputTokens: 0, outputTokens: 0 }, completion),
            modelVersion: modelVersionOf(completion),
          }
        }),
    })

  return {
    descriptor,
    model: config.model,
    ...(descriptor.capabilities.batch
      ? {
          batch: makeBatch({
            client,
            provider: descriptor.id,
            secret,
            body: wholeBody,
            decode: (completion, request) =>
              wholeResponse(completion, [...settingsWarnings(descriptor, request.settings, config.model)]),
          }),
        }
      : {}),
    generate: generateFor(descriptor, { whole, logprobs }, config.model),
  }
}
