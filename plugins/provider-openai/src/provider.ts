import {
  firstTokenDistributions,
  generateFor,
  type ProviderDescriptor,
  ProviderError,
  type ProviderRequest,
  type ProviderResponse,
  type ProviderShape,
  requestSeed,
  settingsWarnings,
  type TokenLogprob,
  type Usage,
} from "@standin/core"
import { sdkFetch } from "@standin/core/node-fetch"
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

/** Builds an OpenAI (or OpenAI-compatible) provider around one SDK client. */
export const make = (config: OpenAiConfig): ProviderShape => {
  const descriptor = config.descriptor ?? openAiDescriptor
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
  const maxTokensField = config.maxTokensField ?? "max_completion_tokens"
  const topLogprobs = Math.min(20, Math.max(1, Math.round(config.topLogprobs ?? 20)))
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
    const seed = requestSeed(request)
    const { temperature, topP } = request.settings
    return {
      model: config.model,
      ...(temperature === undefined ? {} : { temperature }),
      ...(topP === undefined ? {} : { top_p: topP }),
      ...(seed === undefined ? {} : { seed }),
    }
  }

  const maxTokens = (limit: number | undefined) => (limit === undefined ? {} : { [maxTokensField]: limit })

  /** The chat-completions body of a whole-instrument ask (sample or verbalized): live and in batches. */
  const wholeBody = (request: ProviderRequest): ChatCompletionCreateParamsNonStreaming => {
    const responseFormat: Pick<ChatCompletionCreateParamsNonStreaming, "response_format"> =
      structured === "json_schema"
        ? {
            response_format: {
              type: "json_schema",
              json_schema: {
                name: schemaName(request.prompt.responseSchemaName),
                schema: { ...request.prompt.responseSchema },
                strict: config.strict ?? true,
              },
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

  const whole = (request: ProviderRequest, warnings: Array<string>) =>
    Effect.flatMap(call(wholeBody(request)), (completion) => wholeResponse(completion, warnings))

  const logprobs = (request: ProviderRequest, warnings: Array<string>) =>
    firstTokenDistributions({
      provider: descriptor.id,
      request,
      warnings,
      topLogprobs,
      minLabelMass,
      askItem: (item) =>
        Effect.gen(function* () {
          const completion = yield* call({
            ...common(request),
            messages: item.messages.map((message) => ({ role: message.role, content: message.content })),
            logprobs: true,
            top_logprobs: topLogprobs,
            ...maxTokens(1),
          })
          const choice = completion.choices[0]
          if (choice?.message.refusal)
            return yield* fail("content-filtered", `the model refused: ${choice.message.refusal}`)
          const first = choice?.logprobs?.content?.[0]
          if (first === undefined)
            return yield* fail(
              "malformed-output",
              `no logprobs came back for item ${item.itemId}: the server may not support logprobs`,
            )
          const candidates: Array<TokenLogprob> = first.top_logprobs.map((candidate) => ({
            token: candidate.token,
            logprob: candidate.logprob,
          }))
          if (!candidates.some((candidate) => candidate.token === first.token))
            candidates.push({ token: first.token, logprob: first.logprob })
          return {
            candidates,
            text: choice?.message.content ?? first.token,
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
              wholeResponse(completion, [...settingsWarnings(descriptor, request.settings)]),
          }),
        }
      : {}),
    generate: generateFor(descriptor, { whole, logprobs }),
  }
}
