import Anthropic from "@anthropic-ai/sdk"
import { transformJSONSchema } from "@anthropic-ai/sdk/lib/transform-json-schema"
import type { Message, MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages/messages"
import {
  capabilitiesFor,
  descriptorForModel,
  type JsonSchema,
  ProviderError,
  type ProviderRequest,
  type ProviderResponse,
  type ProviderShape,
  settingsWarnings,
} from "@standin/core"
import { generateFor } from "@standin/provider-kit"
import { sdkFetch } from "@standin/provider-kit/node-fetch"
import { Effect, Redacted } from "effect"
import { makeBatch } from "./batch.js"
import { descriptor as pluginDescriptor } from "./descriptor.js"
import { toProviderError } from "./errors.js"
import type { AnthropicOptions } from "./options.js"

export interface AnthropicConfig extends AnthropicOptions {
  readonly apiKey: Redacted.Redacted<string>
  readonly model: string
  /** SDK base URL without `/v1`; the SDK default when absent. */
  readonly baseUrl?: string
}

/** The tool used when structured output goes through a forced tool call. */
export const answerTool = "record_answers"

/** Warnings the SDK printed this run: each is shown once, not once per call. */
const shownWarnings = new Set<string>()

/**
 * Runs the synchronous part of an SDK call (where the SDK prints its warnings, e.g. that a model is deprecated)
 * with `console.warn` deduplicated: the first copy of each warning is printed, later copies are dropped.
 */
export const onceWarned = <A>(run: () => A): A => {
  const original = console.warn
  console.warn = (...parts: Array<unknown>) => {
    const text = parts.map(String).join(" ")
    if (shownWarnings.has(text)) return
    shownWarnings.add(text)
    original(...parts)
  }
  try {
    return run()
  } finally {
    console.warn = original
  }
}

/**
 * The answer schema in the dialect of Anthropic's structured outputs, by the SDK's own `transformJSONSchema`:
 * what the API rejects (`minimum`, `maximum`, `uniqueItems`, `minItems` above 1 …) goes into the description.
 */
export const toAnthropicSchema = (schema: JsonSchema): JsonSchema =>
  transformJSONSchema(schema as never) as JsonSchema

/** Builds the Anthropic provider around one SDK client. */
export const make = (config: AnthropicConfig): ProviderShape => {
  const descriptor = descriptorForModel(pluginDescriptor, config.model)
  const row = capabilitiesFor(pluginDescriptor.models ?? [], config.model)
  const secret = Redacted.value(config.apiKey)
  const client = new Anthropic({
    apiKey: secret,
    maxRetries: 0,
    timeout: config.timeoutMs ?? 60_000,
    fetch: sdkFetch(),
    ...(config.baseUrl === undefined ? {} : { baseURL: config.baseUrl }),
  })
  const mode = config.structuredOutput ?? (row?.structuredOutput === "json_schema" ? "json_schema" : "tool")
  // Renderers share one answer schema across a run's prompts: converted once.
  const converted = new WeakMap<JsonSchema, JsonSchema>()
  const outputSchema = (schema: JsonSchema): JsonSchema => {
    let result = converted.get(schema)
    if (result === undefined) {
      result = toAnthropicSchema(schema)
      converted.set(schema, result)
    }
    return result
  }
  const fail = (reason: ProviderError["reason"], message: string) =>
    new ProviderError({ provider: descriptor.id, reason, message })

  const body = (request: ProviderRequest, warnings: Array<string>): MessageCreateParamsNonStreaming => {
    // The newest Claude models take no sampling parameter (a 400): left out, and settingsWarnings notes it.
    const sampling = row?.temperature ?? true
    const { maxTokens } = request.settings
    const temperature = sampling ? request.settings.temperature : undefined
    const topP = sampling ? request.settings.topP : undefined
    // Current Claude models take temperature or top_p, not both: temperature wins.
    if (temperature !== undefined && topP !== undefined)
      warnings.push(
        "top_p was ignored: Claude models accept temperature or top_p, not both (temperature was sent)",
      )
    const system = request.prompt.messages
      .filter((message) => message.role === "system")
      .map((message) => message.content)
      .join("\n\n")
    const schema = request.prompt.responseSchema
    return {
      model: config.model,
      max_tokens: maxTokens ?? config.defaultMaxTokens ?? 1024,
      ...(system === "" ? {} : { system }),
      messages: request.prompt.messages
        .filter((message) => message.role !== "system")
        .map((message) => ({
          role: message.role === "assistant" ? "assistant" : "user",
          content: message.content,
        })),
      ...(temperature !== undefined ? { temperature } : topP !== undefined ? { top_p: topP } : {}),
      ...(mode === "json_schema"
        ? { output_config: { format: { type: "json_schema", schema: outputSchema(schema) } } }
        : {
            tools: [
              {
                name: answerTool,
                description: "Record the survey answers of the person described.",
                input_schema: { ...schema, type: "object" },
              },
            ],
            tool_choice: { type: "tool", name: answerTool },
          }),
    }
  }

  /** A message as the engine's response (or why it is not one): live calls and batch results alike. */
  const toResponse = (
    message: Message,
    warnings: Array<string>,
  ): Effect.Effect<ProviderResponse, ProviderError> => {
    if (message.stop_reason === "refusal") {
      const explanation = message.stop_details?.explanation
      return Effect.fail(
        fail("content-filtered", `the model refused${explanation ? `: ${explanation}` : ""}`),
      )
    }
    let text: string | undefined
    for (const block of message.content ?? []) {
      if (block.type === "tool_use" && block.name === answerTool) text = JSON.stringify(block.input)
      else if (block.type === "text") text = (text ?? "") + block.text
    }
    if (text === undefined)
      return Effect.fail(fail("malformed-output", "the response had no text or tool call"))
    if (message.stop_reason === "max_tokens") warnings.push("the answer was cut off at the token limit")
    return Effect.succeed({
      text,
      modelVersion: message.model,
      usage: { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens },
      warnings,
      ...(message.stop_reason === null ? {} : { finishReason: message.stop_reason }),
    })
  }

  const whole = (request: ProviderRequest, warnings: Array<string>) =>
    Effect.gen(function* () {
      const params = body(request, warnings)
      const message = yield* Effect.tryPromise({
        try: (signal) => onceWarned(() => client.messages.create(params, { signal })),
        catch: (cause) => toProviderError(descriptor.id, cause, secret),
      })
      return yield* toResponse(message, warnings)
    })

  return {
    descriptor,
    model: config.model,
    batch: makeBatch({
      client,
      provider: descriptor.id,
      secret,
      params: (request) => body(request, []),
      decode: (message, request) => {
        // the warnings a live call would have gathered while building its body
        const warnings = [...settingsWarnings(descriptor, request.settings, config.model)]
        body(request, warnings)
        return toResponse(message, warnings)
      },
    }),
    generate: generateFor(descriptor, { whole }, config.model),
  }
}
