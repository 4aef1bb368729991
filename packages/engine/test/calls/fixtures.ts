import {
  type FailureReason,
  type ProviderDescriptor,
  ProviderError,
  type ProviderRequest,
  type ProviderResponse,
  type ProviderShape,
  ProviderSpecVersion,
} from "@standin/core"
import { Effect } from "effect"

export const descriptor: ProviderDescriptor = {
  kind: "provider",
  id: "fake",
  version: "0.1.0",
  specVersion: ProviderSpecVersion,
  label: "Scripted fake",
  description: "Answers from a script, for tests.",
  capabilities: {
    logprobs: false,
    seed: true,
    structuredOutput: true,
    batch: false,
    finetune: false,
    temperature: true,
    topP: true,
    elicitation: ["sample"],
  },
  keyEnv: [],
}

/** A request for twin `index`: two items, a short system and user message. */
export const request = (index: number, overrides: Partial<ProviderRequest> = {}): ProviderRequest => ({
  model: "fake-model",
  twin: { id: `twin-${index}`, arm: "control", persona: { age: "30-39" } },
  items: [
    {
      id: "concern",
      column: "concern",
      wording: "How concerned are you?",
      label: "Concern",
      scale: { _tag: "Likert", options: ["not at all", "somewhat", "very"] },
      role: "belief",
    },
    {
      id: "consent",
      column: "consent",
      wording: "Would you share your fingerprint?",
      label: "Consent",
      scale: { _tag: "Binary", options: ["no", "yes"] },
      role: "action",
    },
  ],
  prompt: {
    messages: [
      { role: "system", content: "You are taking part in a survey. Answer as the person described." },
      {
        role: "user",
        content: `You are a person aged 30-39 (respondent ${index}). Answer both questions in JSON.`,
      },
    ],
    responseSchema: {
      type: "object",
      properties: {
        concern: { type: "string", enum: ["not at all", "somewhat", "very"] },
        consent: { type: "string", enum: ["no", "yes"] },
      },
      required: ["concern", "consent"],
      additionalProperties: false,
    },
    responseSchemaName: "answers",
    perItem: [],
  },
  settings: { temperature: 1, seed: 11 },
  elicitation: "sample",
  replicate: 0,
  attempt: 0,
  ...overrides,
})

export const answerText = (request: ProviderRequest): string =>
  JSON.stringify({ concern: "somewhat", consent: request.twin.id.endsWith("0") ? "yes" : "no" })

/** A response metered like the testkit fakes: ceil(chars / 4) tokens in and out. */
export const meteredResponse = (request: ProviderRequest): ProviderResponse => {
  const text = answerText(request)
  const inputChars = request.prompt.messages.reduce((sum, message) => sum + message.content.length, 0)
  return {
    text,
    modelVersion: "fake-model-2026-01",
    usage: { inputTokens: Math.ceil(inputChars / 4), outputTokens: Math.ceil(text.length / 4) },
    warnings: [],
  }
}

export type Scripted =
  | { readonly ok: true; readonly delayMs?: number }
  | {
      readonly ok: false
      readonly reason: FailureReason
      readonly retryAfterMs?: number
      readonly delayMs?: number
    }

/**
 * A provider that follows a script per twin: `script(twinId, tryIndex)` says what its try number
 * `tryIndex` does. It logs every try and every paid (successful) answer.
 */
export const scriptedProvider = (
  script: (twinId: string, tryIndex: number) => Scripted = () => ({ ok: true }),
) => {
  const tries = new Map<string, number>()
  const log: Array<{ readonly twinId: string; readonly ok: boolean }> = []
  let inFlight = 0
  let peakInFlight = 0
  const shape: ProviderShape = {
    descriptor,
    model: "fake-model",
    generate: (request) =>
      Effect.suspend(() => {
        const twinId = request.twin.id
        const tryIndex = tries.get(twinId) ?? 0
        tries.set(twinId, tryIndex + 1)
        const step = script(twinId, tryIndex)
        inFlight++
        peakInFlight = Math.max(peakInFlight, inFlight)
        const outcome: Effect.Effect<ProviderResponse, ProviderError> = step.ok
          ? Effect.sync(() => {
              log.push({ twinId, ok: true })
              return meteredResponse(request)
            })
          : Effect.suspend(() => {
              log.push({ twinId, ok: false })
              return Effect.fail(
                new ProviderError({
                  provider: "fake",
                  reason: step.reason,
                  message: `scripted ${step.reason}`,
                  ...(step.retryAfterMs === undefined ? {} : { retryAfterMs: step.retryAfterMs }),
                }),
              )
            })
        const delayed =
          step.delayMs === undefined ? outcome : Effect.andThen(Effect.sleep(step.delayMs), outcome)
        return Effect.ensuring(
          delayed,
          Effect.sync(() => {
            inFlight--
          }),
        )
      }),
  }
  return {
    shape,
    log,
    paid: () => log.filter((entry) => entry.ok).map((entry) => entry.twinId),
    peakInFlight: () => peakInFlight,
  }
}
