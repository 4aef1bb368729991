import { inputTokens, outputTokens } from "./metering.js"
import { contentText, limitText, optionalNumber, record, respond } from "./respond.js"
import {
  type FakeOptions,
  type FakeServer,
  type FakeState,
  makeState,
  type RouteContext,
  type RouteResult,
  startFake,
  type VendorProtocol,
} from "./server.js"
import type { SurveyMessage, SurveyRequest } from "./survey.js"
import { geminiModelProblem, geminiThinkingTokens } from "./vendor-rules.js"

/**
 * A fake of the Gemini API (generativelanguage, `v1beta`/`v1`) as `@google/genai` speaks it:
 * generateContent with JSON output and logprobs, and batch mode with inlined requests.
 */

/** Gemini reports the version it ran, e.g. `gemini-2.5-flash` → `gemini-2.5-flash-001`. */
export const googleModelVersion = (model: string): string => {
  const name = model.replace(/^(models|tunedModels)\//, "")
  return /-\d{3}$/.test(name) ? name : `${name}-001`
}

const statusNames: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
}

const googleError = (code: number, message: string, details: ReadonlyArray<unknown> = []) => ({
  status: code,
  body: {
    error: {
      code,
      message,
      status: statusNames[code] ?? "UNKNOWN",
      ...(details.length > 0 ? { details } : {}),
    },
  },
})

const partsText = (content: unknown): string => contentText(record(content).parts)

export const parseGenerateRequest = (
  body: unknown,
  model: string,
  endpoint = "generateContent",
): SurveyRequest => {
  const b = record(body)
  const messages: Array<SurveyMessage> = []
  if (b.systemInstruction !== undefined)
    messages.push({ role: "system", content: partsText(b.systemInstruction) })
  for (const content of Array.isArray(b.contents) ? b.contents : []) {
    const c = record(content)
    messages.push({ role: c.role === "model" ? "assistant" : "user", content: partsText(c) })
  }
  const config = record(b.generationConfig)
  const schema =
    config.responseJsonSchema !== undefined
      ? record(config.responseJsonSchema)
      : config.responseSchema !== undefined
        ? record(config.responseSchema)
        : undefined
  const seed = optionalNumber(config.seed)
  const temperature = optionalNumber(config.temperature)
  const topP = optionalNumber(config.topP)
  const maxTokens = optionalNumber(config.maxOutputTokens)
  return {
    vendor: "google",
    endpoint,
    model: model.replace(/^(models|tunedModels)\//, ""),
    messages,
    ...(schema === undefined ? {} : { schema }),
    ...(config.responseLogprobs === true ? { logprobs: { top: optionalNumber(config.logprobs) ?? 0 } } : {}),
    ...(seed === undefined ? {} : { seed }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { topP }),
    ...(maxTokens === undefined ? {} : { maxTokens }),
    body,
  }
}

/** Checks a request the way the API does (for the model it is sent to). */
const invalid = (body: Record<string, unknown>, model: string): string | undefined => {
  const modelProblem = geminiModelProblem(model.replace(/^(models|tunedModels)\//, ""), body)
  if (modelProblem !== undefined) return modelProblem
  if (!Array.isArray(body.contents) || body.contents.length === 0)
    return "* GenerateContentRequest.contents: contents is not specified"
  const config = record(body.generationConfig)
  const hasSchema = config.responseSchema !== undefined || config.responseJsonSchema !== undefined
  if (hasSchema && config.responseMimeType !== "application/json")
    return "* GenerateContentRequest.generation_config.response_mime_type: a response schema needs response_mime_type application/json"
  if (config.responseSchema !== undefined && config.responseJsonSchema !== undefined)
    return "* GenerateContentRequest.generation_config: response_schema and response_json_schema cannot both be set"
  const logprobs = optionalNumber(config.logprobs)
  if (logprobs !== undefined && (logprobs < 0 || logprobs > 20))
    return "* GenerateContentRequest.generation_config.logprobs: must be between 0 and 20"
  if (logprobs !== undefined && config.responseLogprobs !== true)
    return "* GenerateContentRequest.generation_config.logprobs: requires response_logprobs"
  return undefined
}

const generate = (state: FakeState, request: SurveyRequest, fault: RouteContext["fault"]): RouteResult => {
  const answer = respond(state, request, fault)
  if (typeof answer === "string") return { status: 200, body: {}, fault: answer }
  const prompt = inputTokens(request.messages.map((message) => message.content))
  const responseId = state.nextId("")
  const modelVersion = state.modelVersion(request.model)
  if (answer.refusal !== undefined) {
    return {
      status: 200,
      body: {
        candidates: [
          {
            finishReason: "SAFETY",
            index: 0,
            safetyRatings: [
              { category: "HARM_CATEGORY_HARASSMENT", probability: "HIGH", blocked: true },
              { category: "HARM_CATEGORY_HATE_SPEECH", probability: "NEGLIGIBLE" },
            ],
          },
        ],
        usageMetadata: { promptTokenCount: prompt, totalTokenCount: prompt },
        modelVersion,
        responseId,
      },
    }
  }
  // Thinking comes first and counts against maxOutputTokens: a small limit leaves nothing for the answer.
  const thoughts = geminiThinkingTokens(request.model, record(request.body))
  const room = request.maxTokens === undefined ? undefined : request.maxTokens - thoughts
  if (room !== undefined && room <= 0) {
    return {
      status: 200,
      body: {
        candidates: [{ content: { role: "model" }, finishReason: "MAX_TOKENS", index: 0 }],
        usageMetadata: {
          promptTokenCount: prompt,
          thoughtsTokenCount: request.maxTokens,
          totalTokenCount: prompt + (request.maxTokens ?? 0),
          promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
        },
        modelVersion,
        responseId,
      },
    }
  }
  const limited = limitText(answer.text, room)
  const output = outputTokens(limited.text)
  const logprobs =
    request.logprobs !== undefined && answer.logprobs !== undefined
      ? {
          avgLogprobs: answer.logprobs.chosen.logprob,
          logprobsResult: {
            topCandidates: [
              {
                candidates: answer.logprobs.top.map((candidate) => ({
                  token: candidate.token,
                  logProbability: candidate.logprob,
                })),
              },
            ],
            chosenCandidates: [
              { token: answer.logprobs.chosen.token, logProbability: answer.logprobs.chosen.logprob },
            ],
            logProbabilitySum: answer.logprobs.chosen.logprob,
          },
        }
      : {}
  return {
    status: 200,
    body: {
      candidates: [
        {
          content: { parts: [{ text: limited.text }], role: "model" },
          finishReason: limited.truncated ? "MAX_TOKENS" : "STOP",
          index: 0,
          ...logprobs,
        },
      ],
      usageMetadata: {
        promptTokenCount: prompt,
        candidatesTokenCount: output,
        ...(thoughts === 0 ? {} : { thoughtsTokenCount: thoughts }),
        totalTokenCount: prompt + output + thoughts,
        promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
      },
      modelVersion,
      responseId,
    },
  }
}

interface GeminiBatch {
  readonly id: string
  readonly model: string
  readonly displayName: string
  readonly requests: ReadonlyArray<{ readonly request: unknown; readonly metadata: unknown }>
  readonly createdAt: number
  cancelledAt?: number
  responses?: ReadonlyArray<unknown>
}

export const googleProtocol = (state: FakeState): VendorProtocol => {
  const batches = new Map<string, GeminiBatch>()
  const t = state.timings
  const iso = (milliseconds: number): string => new Date(milliseconds).toISOString()
  const retryDelay = `${(state.options.retryAfterMs ?? 1000) / 1000}s`

  const error = (status: number, message: string, kind: string) => {
    if (kind === "401") {
      // Gemini answers a bad key with 400 INVALID_ARGUMENT and reason API_KEY_INVALID.
      return googleError(400, "API key not valid. Please pass a valid API key.", [
        {
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason: "API_KEY_INVALID",
          domain: "googleapis.com",
          metadata: { service: "generativelanguage.googleapis.com" },
        },
      ])
    }
    if (status === 429) {
      return googleError(429, "Resource has been exhausted (e.g. check quota).", [
        { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay },
      ])
    }
    if (status === 503 || status === 529)
      return googleError(503, "The model is overloaded. Please try again later.")
    return googleError(status, message)
  }

  const state_ = (batch: GeminiBatch): string => {
    const now = state.clock.now()
    const running = batch.createdAt + t.validatingMs
    const done = running + t.runningMs
    if (batch.cancelledAt !== undefined && batch.cancelledAt < done) return "BATCH_STATE_CANCELLED"
    if (now < running) return "BATCH_STATE_PENDING"
    if (now < done) return "BATCH_STATE_RUNNING"
    return "BATCH_STATE_SUCCEEDED"
  }

  const settle = (batch: GeminiBatch): ReadonlyArray<unknown> => {
    if (batch.responses !== undefined) return batch.responses
    batch.responses = batch.requests.map((entry) => {
      const drawn = state.faults.draw(state.faultRng)
      const content = drawn === "refusal" || drawn === "offscale" || drawn === "lowmass" ? drawn : undefined
      const body = record(entry.request)
      const problem = invalid(body, batch.model)
      const result: RouteResult =
        problem !== undefined
          ? googleError(400, problem)
          : drawn !== undefined && content === undefined
            ? { status: 200, body: {}, fault: drawn }
            : generate(state, parseGenerateRequest(body, batch.model, "batch:generateContent"), content)
      const metadata = entry.metadata === undefined ? {} : { metadata: entry.metadata }
      if (result.status === 200 && result.fault === undefined) return { response: result.body, ...metadata }
      const code =
        result.fault !== undefined && /^\d+$/.test(result.fault)
          ? Number(result.fault)
          : result.status === 200
            ? 500
            : result.status
      const e = record(
        record(
          result.status === 200 ? error(code, "Internal error encountered.", String(code)).body : result.body,
        ).error,
      )
      // a google.rpc.Status (the SDK's JobError: code, message, details), not the HTTP error body's envelope
      return { error: { code: e.code, message: e.message }, ...metadata }
    })
    return batch.responses
  }

  const operation = (batch: GeminiBatch) => {
    const status = state_(batch)
    const done = status === "BATCH_STATE_SUCCEEDED" || status === "BATCH_STATE_CANCELLED"
    const output =
      status === "BATCH_STATE_SUCCEEDED"
        ? { inlinedResponses: { inlinedResponses: settle(batch) } }
        : undefined
    const metadata = {
      "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
      model: `models/${batch.model}`,
      displayName: batch.displayName,
      createTime: iso(batch.createdAt),
      updateTime: iso(state.clock.now()),
      ...(done ? { endTime: iso(batch.cancelledAt ?? batch.createdAt + t.validatingMs + t.runningMs) } : {}),
      batchStats: { requestCount: String(batch.requests.length) },
      state: status,
      name: `batches/${batch.id}`,
      ...(output === undefined ? {} : { output }),
    }
    return {
      name: `batches/${batch.id}`,
      metadata,
      done,
      ...(output === undefined
        ? {}
        : {
            response: {
              "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",
              ...output,
            },
          }),
    }
  }

  const notFound = (id: string): RouteResult => googleError(404, `Batch batches/${id} not found.`)
  const version = "(?<version>v1(?:alpha|beta)?)"
  const model = "(?<model>(?:models|tunedModels)\\/[^/:]+)"

  return {
    vendor: "google",
    sdkBaseUrl: (origin) => origin,
    keyOf: (headers, query) => {
      const key = headers["x-goog-api-key"]
      if (typeof key === "string") return key
      return query.get("key") ?? undefined
    },
    error,
    routes: [
      {
        method: "POST",
        pattern: new RegExp(`^\\/${version}\\/${model}:generateContent$`),
        faultable: true,
        handle: (context) => {
          const body = record(context.body)
          const problem = invalid(body, context.params.model ?? "")
          if (problem !== undefined) return googleError(400, problem)
          return generate(state, parseGenerateRequest(body, context.params.model ?? ""), context.fault)
        },
      },
      {
        method: "POST",
        pattern: new RegExp(`^\\/${version}\\/${model}:batchGenerateContent$`),
        batch: true,
        faultable: false,
        handle: (context) => {
          const batch = record(record(context.body).batch)
          const requests = record(record(batch.inputConfig).requests).requests
          if (!Array.isArray(requests) || requests.length === 0)
            return googleError(
              400,
              "* BatchGenerateContentRequest.batch.input_config: requests are not specified",
            )
          const created: GeminiBatch = {
            id: state.nextId("b"),
            model: (context.params.model ?? "").replace(/^(models|tunedModels)\//, ""),
            displayName: typeof batch.displayName === "string" ? batch.displayName : "",
            requests: requests.map((entry) => {
              const e = record(entry)
              return { request: e.request, metadata: e.metadata }
            }),
            createdAt: state.clock.now(),
          }
          batches.set(created.id, created)
          return { status: 200, body: operation(created) }
        },
      },
      {
        // batches.list: a page of long-running operations, newest first (`pageSize` default 50, at most 1000).
        method: "GET",
        pattern: new RegExp(`^\\/${version}\\/batches$`),
        batch: true,
        faultable: false,
        handle: (context) => {
          const text = context.query.get("pageSize")
          const size = text === null ? 50 : Number(text)
          if (!Number.isInteger(size) || size < 0)
            return googleError(400, "* pageSize must be a non-negative integer")
          const all = [...batches.values()].reverse()
          const page = all.slice(0, Math.min(size === 0 ? 50 : size, 1000))
          return {
            status: 200,
            body: {
              operations: page.map(operation),
              ...(all.length > page.length ? { nextPageToken: `page-${page.length}` } : {}),
            },
          }
        },
      },
      {
        method: "GET",
        pattern: new RegExp(`^\\/${version}\\/batches\\/(?<id>[^/:]+)$`),
        batch: true,
        faultable: false,
        handle: (context) => {
          const batch = batches.get(context.params.id ?? "")
          return batch === undefined
            ? notFound(context.params.id ?? "")
            : { status: 200, body: operation(batch) }
        },
      },
      {
        method: "POST",
        pattern: new RegExp(`^\\/${version}\\/batches\\/(?<id>[^/:]+):cancel$`),
        batch: true,
        faultable: false,
        handle: (context) => {
          const batch = batches.get(context.params.id ?? "")
          if (batch === undefined) return notFound(context.params.id ?? "")
          if (state_(batch) !== "BATCH_STATE_SUCCEEDED") batch.cancelledAt ??= state.clock.now()
          return { status: 200, body: {} }
        },
      },
      {
        method: "DELETE",
        pattern: new RegExp(`^\\/${version}\\/batches\\/(?<id>[^/:]+)$`),
        batch: true,
        faultable: false,
        handle: (context) => {
          if (!batches.delete(context.params.id ?? "")) return notFound(context.params.id ?? "")
          return { status: 200, body: {} }
        },
      },
    ],
  }
}

/** Starts a Gemini fake on 127.0.0.1. Its SDK base URL is `fake.baseUrl` (the origin). */
export const startGoogleFake = (options: FakeOptions = {}): Promise<FakeServer> =>
  startFake(googleProtocol, makeState(options, googleModelVersion))
