// The fake's answers are checked against the SDK's own types at build time (`satisfies Message`).
import type { Message } from "@anthropic-ai/sdk/resources/messages/messages"
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
import { anthropicSamplingProblem, anthropicSchemaProblem } from "./vendor-rules.js"

/**
 * A fake of the Anthropic Messages API as `@anthropic-ai/sdk` speaks it: messages (with structured
 * output through `output_config.format` or a forced tool) and message batches.
 */

/** Anthropic reports the model it ran; aliases resolve to dated snapshots. */
export const anthropicModelVersion = (model: string): string =>
  /-\d{8}$/.test(model) ? model : `${model}-20260115`

const errorTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  503: "api_error",
  529: "overloaded_error",
}

const anthropicError = (status: number, message: string, requestId: string) => ({
  status,
  body: { type: "error", error: { type: errorTypes[status] ?? "api_error", message }, request_id: requestId },
  headers: { "request-id": requestId },
})

/** The tool a request forces (`tool_choice: {type: "tool", name}`), if any. */
const forcedTool = (body: Record<string, unknown>): Record<string, unknown> | undefined => {
  const choice = record(body.tool_choice)
  const tools = Array.isArray(body.tools) ? body.tools.map(record) : []
  if (choice.type === "tool") return tools.find((tool) => tool.name === choice.name)
  if (choice.type === "any" && tools.length === 1) return tools[0]
  return undefined
}

export const parseMessagesRequest = (body: unknown, endpoint = "messages"): SurveyRequest => {
  const b = record(body)
  const messages: Array<SurveyMessage> = []
  if (b.system !== undefined) messages.push({ role: "system", content: contentText(b.system) })
  for (const message of Array.isArray(b.messages) ? b.messages : []) {
    const m = record(message)
    messages.push({ role: m.role === "assistant" ? "assistant" : "user", content: contentText(m.content) })
  }
  const format = record(record(b.output_config).format)
  const tool = forcedTool(b)
  const schema =
    format.type === "json_schema"
      ? record(format.schema)
      : tool === undefined
        ? undefined
        : record(tool.input_schema)
  const temperature = optionalNumber(b.temperature)
  const topP = optionalNumber(b.top_p)
  const maxTokens = optionalNumber(b.max_tokens)
  return {
    vendor: "anthropic",
    endpoint,
    model: typeof b.model === "string" ? b.model : "",
    messages,
    ...(schema === undefined ? {} : { schema }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { topP }),
    ...(maxTokens === undefined ? {} : { maxTokens }),
    body,
  }
}

/** Checks a Messages request the way the API does before running it. */
const invalid = (body: Record<string, unknown>): string | undefined => {
  if (typeof body.model !== "string" || body.model === "") return "model: Field required"
  if (optionalNumber(body.max_tokens) === undefined) return "max_tokens: Field required"
  if (!Array.isArray(body.messages) || body.messages.length === 0) return "messages: Field required"
  const format = record(record(body.output_config).format)
  if (body.output_config !== undefined && format.type !== undefined && format.type !== "json_schema")
    return "output_config.format.type: Input should be 'json_schema'"
  if (format.type === "json_schema") {
    const problem = anthropicSchemaProblem(format.schema)
    if (problem !== undefined) return problem
  }
  return anthropicSamplingProblem(body)
}

const message = (state: FakeState, request: SurveyRequest, fault: RouteContext["fault"]): RouteResult => {
  const answer = respond(state, request, fault)
  if (typeof answer === "string") return { status: 200, body: {}, fault: answer }
  const input = inputTokens(request.messages.map((m) => m.content))
  const tool = forcedTool(record(request.body))
  const base = {
    id: state.nextId("msg_"),
    type: "message" as const,
    role: "assistant" as const,
    model: state.modelVersion(request.model),
    stop_sequence: null,
    container: null,
    diagnostics: null,
  }
  const usage = (output: number) => ({
    input_tokens: input,
    output_tokens: output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: null,
    server_tool_use: null,
    service_tier: "standard" as const,
    inference_geo: null,
    output_tokens_details: null,
    speed: null,
  })
  if (answer.refusal !== undefined) {
    return {
      status: 200,
      body: {
        ...base,
        content: [],
        stop_reason: "refusal",
        stop_details: { type: "refusal", category: "general_harms", explanation: answer.refusal },
        usage: usage(0),
      } satisfies Message,
    }
  }
  const limited = limitText(answer.text, request.maxTokens)
  const output = outputTokens(limited.text)
  if (tool !== undefined && !limited.truncated) {
    let parsed: unknown
    try {
      parsed = JSON.parse(limited.text)
    } catch {
      parsed = { answer: limited.text }
    }
    return {
      status: 200,
      body: {
        ...base,
        content: [
          {
            type: "tool_use",
            id: state.nextId("toolu_"),
            name: String(tool.name),
            input: parsed,
            caller: { type: "direct" },
          },
        ],
        stop_reason: "tool_use",
        stop_details: null,
        usage: usage(output),
      } satisfies Message,
    }
  }
  return {
    status: 200,
    body: {
      ...base,
      content: [{ type: "text", text: limited.text, citations: null }],
      stop_reason: limited.truncated ? "max_tokens" : "end_turn",
      stop_details: null,
      usage: usage(output),
    } satisfies Message,
  }
}

interface MessageBatch {
  readonly id: string
  readonly requests: ReadonlyArray<{ readonly customId: string; readonly params: unknown }>
  readonly createdAt: number
  cancelledAt?: number
  results?: ReadonlyArray<string>
  counts?: { processing: number; succeeded: number; errored: number; canceled: number; expired: number }
}

export const anthropicProtocol = (state: FakeState): VendorProtocol => {
  const batches = new Map<string, MessageBatch>()
  const t = state.timings
  const iso = (milliseconds: number): string => new Date(milliseconds).toISOString()

  const ended = (batch: MessageBatch): boolean => {
    const now = state.clock.now()
    if (batch.cancelledAt !== undefined) return now >= batch.cancelledAt + t.validatingMs
    return now >= batch.createdAt + t.runningMs
  }

  const settle = (batch: MessageBatch): void => {
    if (batch.results !== undefined) return
    const lines: Array<string> = []
    const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 }
    const cancelled = batch.cancelledAt !== undefined && batch.cancelledAt < batch.createdAt + t.runningMs
    for (const entry of batch.requests) {
      if (cancelled) {
        counts.canceled += 1
        lines.push(JSON.stringify({ custom_id: entry.customId, result: { type: "canceled" } }))
        continue
      }
      const drawn = state.faults.draw(state.faultRng)
      const content = drawn === "refusal" || drawn === "offscale" || drawn === "lowmass" ? drawn : undefined
      const params = record(entry.params)
      const problem = invalid(params)
      const result: RouteResult =
        problem !== undefined
          ? anthropicError(400, problem, state.nextId("req_"))
          : drawn !== undefined && content === undefined
            ? { status: 200, body: {}, fault: drawn }
            : message(state, parseMessagesRequest(params, "batch:messages"), content)
      if (result.status === 200 && result.fault === undefined) {
        counts.succeeded += 1
        lines.push(
          JSON.stringify({ custom_id: entry.customId, result: { type: "succeeded", message: result.body } }),
        )
      } else {
        const status =
          result.fault !== undefined && /^\d+$/.test(result.fault)
            ? Number(result.fault)
            : result.status === 200
              ? 500
              : result.status
        counts.errored += 1
        const error = anthropicError(
          status,
          result.status === 200 ? "Internal server error" : String(record(record(result.body).error).message),
          state.nextId("req_"),
        )
        lines.push(
          JSON.stringify({ custom_id: entry.customId, result: { type: "errored", error: error.body } }),
        )
      }
    }
    batch.results = lines
    batch.counts = counts
  }

  const batchObject = (batch: MessageBatch, origin: string) => {
    const done = ended(batch)
    if (done) settle(batch)
    const endedAt =
      batch.cancelledAt !== undefined ? batch.cancelledAt + t.validatingMs : batch.createdAt + t.runningMs
    return {
      id: batch.id,
      type: "message_batch",
      processing_status: done ? "ended" : batch.cancelledAt !== undefined ? "canceling" : "in_progress",
      request_counts: batch.counts ?? {
        processing: batch.requests.length,
        succeeded: 0,
        errored: 0,
        canceled: 0,
        expired: 0,
      },
      created_at: iso(batch.createdAt),
      expires_at: iso(batch.createdAt + 24 * 3600 * 1000),
      ended_at: done ? iso(endedAt) : null,
      archived_at: null,
      cancel_initiated_at: batch.cancelledAt === undefined ? null : iso(batch.cancelledAt),
      results_url: done ? `${origin}/v1/messages/batches/${batch.id}/results` : null,
    }
  }

  const notFound = (id: string): RouteResult =>
    anthropicError(404, `Message batch ${id} not found.`, state.nextId("req_"))

  return {
    vendor: "anthropic",
    rateLimitHeaders: "anthropic-ratelimit",
    sdkBaseUrl: (origin) => origin,
    keyOf: (headers) => {
      const key = headers["x-api-key"]
      if (typeof key === "string") return key
      const authorization = headers.authorization
      return typeof authorization === "string" && authorization.startsWith("Bearer ")
        ? authorization.slice(7)
        : undefined
    },
    error: (status, text) => anthropicError(status, text, state.nextId("req_")),
    routes: [
      {
        method: "POST",
        pattern: /^\/v1\/messages$/,
        faultable: true,
        handle: (context) => {
          const body = record(context.body)
          const problem = invalid(body)
          if (problem !== undefined) return anthropicError(400, problem, state.nextId("req_"))
          const result = message(state, parseMessagesRequest(body), context.fault)
          return { ...result, headers: { "request-id": state.nextId("req_"), ...result.headers } }
        },
      },
      {
        method: "POST",
        pattern: /^\/v1\/messages\/batches$/,
        batch: true,
        faultable: false,
        handle: (context) => {
          const requests = record(context.body).requests
          if (!Array.isArray(requests) || requests.length === 0)
            return anthropicError(400, "requests: Field required", state.nextId("req_"))
          const batch: MessageBatch = {
            id: state.nextId("msgbatch_"),
            requests: requests.map((entry) => {
              const e = record(entry)
              return { customId: String(e.custom_id ?? ""), params: e.params }
            }),
            createdAt: state.clock.now(),
          }
          batches.set(batch.id, batch)
          return { status: 200, body: batchObject(batch, context.origin) }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/messages\/batches$/,
        batch: true,
        faultable: false,
        // Newest first, `limit` per page (1 to 1000, default 20), as the API pages.
        handle: (context) => {
          const text = context.query.get("limit")
          const limit = text === null ? 20 : Number(text)
          if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
            return anthropicError(400, "limit: Input should be between 1 and 1000", state.nextId("req_"))
          const all = [...batches.values()].reverse()
          const data = all.slice(0, limit).map((batch) => batchObject(batch, context.origin))
          return {
            status: 200,
            body: {
              data,
              has_more: all.length > limit,
              first_id: data[0]?.id ?? null,
              last_id: data[data.length - 1]?.id ?? null,
            },
          }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/messages\/batches\/(?<id>[^/]+)$/,
        batch: true,
        faultable: false,
        handle: (context) => {
          const batch = batches.get(context.params.id ?? "")
          return batch === undefined
            ? notFound(context.params.id ?? "")
            : { status: 200, body: batchObject(batch, context.origin) }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/messages\/batches\/(?<id>[^/]+)\/results$/,
        batch: true,
        faultable: false,
        handle: (context) => {
          const batch = batches.get(context.params.id ?? "")
          if (batch === undefined) return notFound(context.params.id ?? "")
          if (!ended(batch))
            return anthropicError(400, `Batch ${batch.id} is still in progress.`, state.nextId("req_"))
          settle(batch)
          return {
            status: 200,
            body: `${(batch.results ?? []).join("\n")}\n`,
            headers: { "content-type": "application/x-jsonl" },
          }
        },
      },
      {
        method: "POST",
        pattern: /^\/v1\/messages\/batches\/(?<id>[^/]+)\/cancel$/,
        batch: true,
        faultable: false,
        handle: (context) => {
          const batch = batches.get(context.params.id ?? "")
          if (batch === undefined) return notFound(context.params.id ?? "")
          if (!ended(batch)) batch.cancelledAt ??= state.clock.now()
          return { status: 200, body: batchObject(batch, context.origin) }
        },
      },
      {
        method: "DELETE",
        pattern: /^\/v1\/messages\/batches\/(?<id>[^/]+)$/,
        batch: true,
        faultable: false,
        handle: (context) => {
          const id = context.params.id ?? ""
          if (!batches.delete(id)) return notFound(id)
          return { status: 200, body: { id, type: "message_batch_deleted" } }
        },
      },
    ],
  }
}

/** Starts an Anthropic fake on 127.0.0.1. Its SDK base URL is `fake.baseUrl` (the origin, no `/v1`). */
export const startAnthropicFake = (options: FakeOptions = {}): Promise<FakeServer> =>
  startFake(anthropicProtocol, makeState(options, anthropicModelVersion))
