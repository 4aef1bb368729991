import { type GenerateContentConfig, type GenerateContentResponse, GoogleGenAI } from "@google/genai"
import {
  type ChatMessage,
  capabilitiesFor,
  descriptorForModel,
  type ModelCapabilities,
  ProviderError,
  type ProviderRequest,
  type ProviderResponse,
  type ProviderShape,
  settingsWarnings,
  type Usage,
} from "@standin/core"
import { firstTokenDistributions, generateFor, type TokenLogprob } from "@standin/provider-kit"
import { Effect, Redacted } from "effect"
import { makeBatch } from "./batch.js"
import { descriptor as pluginDescriptor } from "./descriptor.js"
import { toProviderError } from "./errors.js"
import type { GoogleOptions } from "./options.js"
import { toGeminiSchema } from "./schema.js"

export interface GoogleConfig extends GoogleOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly model: string
  /** SDK base URL (`httpOptions.baseUrl`); the SDK default when absent. */
  readonly baseUrl?: string
}

/** Finish reasons and block reasons that mean the vendor's safety systems stopped the answer. */
const blocked = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "MODEL_ARMOR",
])

const contents = (messages: ReadonlyArray<ChatMessage>) =>
  messages
    .filter((message) => message.role !== "system")
    .map((message) => ({
      role: message.role === "assistant" ? "model" : "user",
      parts: [{ text: message.content }],
    }))

const systemInstruction = (messages: ReadonlyArray<ChatMessage>) => {
  const text = messages
    .filter((message) => message.role === "system")
    .map((message) => message.content)
    .join("\n\n")
  return text === "" ? {} : { systemInstruction: text }
}

const usageOf = (response: GenerateContentResponse): Usage => ({
  inputTokens: response.usageMetadata?.promptTokenCount ?? 0,
  // Thinking tokens are billed as output.
  outputTokens:
    (response.usageMetadata?.candidatesTokenCount ?? 0) + (response.usageMetadata?.thoughtsTokenCount ?? 0),
})

/**
 * The thinking and token limit of a one-token logprob ask, which must not spend its token thinking: thinking off
 * where the model allows it (2.5 Flash thinks by default), else the smallest budget it takes (or the configured
 * one, if larger) with room for the answer's one token on top; nothing for models that do not think.
 */
export const logprobThinking = (
  row: ModelCapabilities | undefined,
  configuredBudget: number | undefined,
): GenerateContentConfig => {
  if (row?.thinking === "optional") return { thinkingConfig: { thinkingBudget: 0 }, maxOutputTokens: 1 }
  if (row?.thinking === "always" && row.minThinkingBudget !== undefined) {
    const budget = Math.max(row.minThinkingBudget, configuredBudget ?? 0)
    return { thinkingConfig: { thinkingBudget: budget }, maxOutputTokens: budget + 1 }
  }
  return { maxOutputTokens: 1 }
}

/** Builds the Gemini provider around one SDK client. */
export const make = (config: GoogleConfig): ProviderShape => {
  const descriptor = descriptorForModel(pluginDescriptor, config.model)
  const row = capabilitiesFor(pluginDescriptor.models ?? [], config.model)
  const secret = Redacted.value(config.apiKey)
  const client = new GoogleGenAI({
    apiKey: secret,
    vertexai: false,
    httpOptions: {
      apiVersion: config.apiVersion ?? "v1beta",
      timeout: config.timeoutMs ?? 60_000,
      ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
    },
  })
  const schemaField = config.schemaField ?? "responseJsonSchema"
  const topLogprobs = Math.min(row?.topLogprobs || 20, Math.max(1, Math.round(config.topLogprobs ?? 20)))

  const minLabelMass = config.minLabelMass ?? 0.5
  const fail = (reason: ProviderError["reason"], message: string) =>
    new ProviderError({ provider: descriptor.id, reason, message })

  const call = (messages: ReadonlyArray<ChatMessage>, generation: GenerateContentConfig) =>
    Effect.tryPromise({
      try: (signal) =>
        client.models.generateContent({
          model: config.model,
          contents: contents(messages),
          config: { ...systemInstruction(messages), ...generation, abortSignal: signal },
        }),
      catch: (cause) => toProviderError(descriptor.id, cause, secret),
    })

  const settings = (request: ProviderRequest): GenerateContentConfig => {
    // derived once by the engine (stats' vendorSeed): sent as it is
    const seed = request.settings.seed
    const { temperature, topP } = request.settings
    return {
      ...(temperature === undefined ? {} : { temperature }),
      ...(topP === undefined ? {} : { topP }),
      ...(seed === undefined ? {} : { seed }),
      ...(config.thinkingBudget === undefined
        ? {}
        : { thinkingConfig: { thinkingBudget: config.thinkingBudget } }),
    }
  }

  /** The text of the first candidate, or why there is none. */
  const textOf = (response: GenerateContentResponse) => {
    const block = response.promptFeedback?.blockReason
    if (block !== undefined) return Effect.fail(fail("content-filtered", `the prompt was blocked: ${block}`))
    const candidate = response.candidates?.[0]
    if (candidate === undefined)
      return Effect.fail(fail("malformed-output", "the response had no candidates"))
    const reason = candidate.finishReason
    if (reason !== undefined && blocked.has(reason))
      return Effect.fail(fail("content-filtered", `the answer was blocked: ${reason}`))
    const parts = candidate.content?.parts ?? []
    const text = parts
      .filter((part) => part.thought !== true && typeof part.text === "string")
      .map((part) => part.text)
      .join("")
    return Effect.succeed({ text, finishReason: reason, empty: parts.length === 0 })
  }

  /** The generation config of a whole-instrument ask (sample or verbalized): live and in batches. */
  const wholeConfig = (request: ProviderRequest): GenerateContentConfig => {
    const schema = { ...request.prompt.responseSchema }
    return {
      ...settings(request),
      responseMimeType: "application/json",
      ...(schemaField === "responseJsonSchema"
        ? { responseJsonSchema: schema }
        : { responseSchema: toGeminiSchema(schema) }),
      ...(request.settings.maxTokens === undefined ? {} : { maxOutputTokens: request.settings.maxTokens }),
    }
  }

  const whole = (request: ProviderRequest, warnings: Array<string>) =>
    Effect.flatMap(call(request.prompt.messages, wholeConfig(request)), (response) =>
      wholeResponse(response, warnings),
    )

  /** A response to a whole-instrument ask as the engine's response (or why it is not one). */
  const wholeResponse = (response: GenerateContentResponse, warnings: Array<string>) =>
    Effect.gen(function* () {
      const { text, finishReason, empty } = yield* textOf(response)
      if (empty)
        return yield* fail(
          "malformed-output",
          `the answer had no content (finish reason ${finishReason ?? "none"})`,
        )
      if (finishReason === "MAX_TOKENS") warnings.push("the answer was cut off at the token limit")
      const result: ProviderResponse = {
        text,
        modelVersion: response.modelVersion ?? config.model,
        usage: usageOf(response),
        warnings,
        ...(finishReason === undefined ? {} : { finishReason }),
      }
      return result
    })

  const logprobs = (request: ProviderRequest, warnings: Array<string>) =>
    firstTokenDistributions({
      provider: descriptor.id,
      request,
      warnings,
      topLogprobs,
      minLabelMass,
      askItem: (item) =>
        Effect.gen(function* () {
          const response = yield* call(item.messages, {
            ...settings(request),
            responseLogprobs: true,
            logprobs: topLogprobs,
            ...logprobThinking(row, config.thinkingBudget),
          })
          const { text } = yield* textOf(response)
          const result = response.candidates?.[0]?.logprobsResult
          const top = result?.topCandidates?.[0]?.candidates
          const chosen = result?.chosenCandidates?.[0]
          if (top === undefined && chosen === undefined)
            return yield* fail(
              "malformed-output",
              `no logprobs came back for item ${item.itemId}: the model may not support logprobs (or spent its one token thinking)`,
            )
          const candidates: Array<TokenLogprob> = (top ?? []).flatMap((candidate) =>
            candidate.token === undefined || candidate.logProbability === undefined
              ? []
              : [{ token: candidate.token, logprob: candidate.logProbability }],
          )
          if (
            chosen?.token !== undefined &&
            chosen.logProbability !== undefined &&
            !candidates.some((c) => c.token === chosen.token)
          )
            candidates.push({ token: chosen.token, logprob: chosen.logProbability })
          return {
            candidates,
            text,
            usage: usageOf(response),
            modelVersion: response.modelVersion ?? config.model,
          }
        }),
    })

  return {
    descriptor,
    model: config.model,
    batch: makeBatch({
      client,
      provider: descriptor.id,
      model: config.model,
      secret,
      request: (request) => ({
        contents: contents(request.prompt.messages),
        config: { ...systemInstruction(request.prompt.messages), ...wholeConfig(request) },
      }),
      decode: (response, request) =>
        wholeResponse(response, [...settingsWarnings(descriptor, request.settings, config.model)]),
    }),
    generate: generateFor(descriptor, { whole, logprobs }, config.model),
  }
}
