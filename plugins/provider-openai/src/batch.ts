import {
  type BatchItemResult,
  type BatchState,
  type ProviderBatch,
  ProviderError,
  type ProviderRequest,
  type ProviderResponse,
  scrubSecret,
} from "@standin/core"
import { reasonForStatus } from "@standin/provider-kit"
import { Effect } from "effect"
import type OpenAI from "openai"
import { toFile } from "openai"
import type { Batch } from "openai/resources/batches"
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
} from "openai/resources/chat/completions"
import { toProviderError } from "./errors.js"

/** OpenAI Batch limits: 50,000 requests and a 200 MB input file per batch. */
export const batchLimits = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 } as const

export interface BatchConfig {
  readonly client: OpenAI
  readonly provider: string
  readonly secret: string
  /** The chat-completions body of a request, exactly as a live call sends it. */
  readonly body: (request: ProviderRequest) => ChatCompletionCreateParamsNonStreaming
  /** A completion as the engine's response, exactly as a live call decodes it. */
  readonly decode: (
    completion: ChatCompletion,
    request: ProviderRequest,
  ) => Effect.Effect<ProviderResponse, ProviderError>
}

const stateOf = (status: Batch["status"]): BatchState => {
  switch (status) {
    case "completed":
      return "ended"
    case "failed":
      return "failed"
    case "expired":
      return "expired"
    case "cancelled":
      return "cancelled"
    default:
      // validating, in_progress, finalizing, cancelling
      return "running"
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * The OpenAI Batch API behind the engine's batch contract: a JSONL file of chat-completion requests
 * (`custom_id` = the engine's id) is uploaded and submitted for `/v1/chat/completions` with a 24 h
 * window; results are read back from the output and error files.
 */
export const makeBatch = (config: BatchConfig): ProviderBatch => {
  const { client, provider, secret } = config
  const attempt = <A>(run: (signal: AbortSignal) => Promise<A>) =>
    Effect.tryPromise({ try: run, catch: (cause) => toProviderError(provider, cause, secret) })
  const failure = (reason: ProviderError["reason"], message: string, status?: number) =>
    new ProviderError({
      provider,
      reason,
      message: scrubSecret(message, secret),
      ...(status === undefined ? {} : { status }),
    })

  const readLines = (fileId: string | null | undefined) =>
    fileId === null || fileId === undefined
      ? Effect.succeed([] as ReadonlyArray<unknown>)
      : Effect.map(
          attempt(async (signal) => (await client.files.content(fileId, { signal })).text()),
          (text) =>
            text.split("\n").flatMap((line) => {
              if (line.trim() === "") return []
              try {
                return [JSON.parse(line) as unknown]
              } catch {
                // an unreadable line: its item counts as missing and is called live
                return []
              }
            }),
        )

  const itemOf = (line: unknown): BatchItemResult | undefined => {
    if (!isRecord(line) || typeof line.custom_id !== "string") return undefined
    const response = isRecord(line.response) ? line.response : undefined
    const statusCode = typeof response?.status_code === "number" ? response.status_code : undefined
    if (response !== undefined && statusCode === 200 && isRecord(response.body)) {
      const completion = response.body as unknown as ChatCompletion
      return { customId: line.custom_id, decode: (request) => config.decode(completion, request) }
    }
    const body = isRecord(response?.body) ? response.body : undefined
    const vendorError = isRecord(body?.error) ? body.error : isRecord(line.error) ? line.error : undefined
    const message = `batch item failed${statusCode === undefined ? "" : ` (${statusCode})`}: ${
      typeof vendorError?.message === "string" ? vendorError.message : "no reason given"
    }`
    const error =
      statusCode === undefined
        ? failure("invalid-request", message)
        : failure(reasonForStatus(statusCode), message, statusCode)
    return { customId: line.custom_id, decode: () => Effect.fail(error) }
  }

  return {
    limits: batchLimits,
    elicitation: ["sample", "verbalized"],
    submit: (requests, options) =>
      Effect.gen(function* () {
        const lines = requests.map(({ customId, request }) =>
          JSON.stringify({
            custom_id: customId,
            method: "POST",
            url: "/v1/chat/completions",
            body: config.body(request),
          }),
        )
        const content = Buffer.from(`${lines.join("\n")}\n`, "utf8")
        const file = yield* attempt(async (signal) =>
          client.files.create(
            { file: await toFile(content, "standin-batch.jsonl"), purpose: "batch" },
            { signal },
          ),
        )
        const batch = yield* attempt((signal) =>
          client.batches.create(
            {
              input_file_id: file.id,
              endpoint: "/v1/chat/completions",
              completion_window: "24h",
              metadata: { standin: options.label.slice(0, 512) },
            },
            { signal },
          ),
        )
        return { batchId: batch.id }
      }),
    status: (batchId) =>
      Effect.map(
        attempt((signal) => client.batches.retrieve(batchId, { signal })),
        (batch) => {
          const message = batch.errors?.data?.[0]?.message
          return {
            state: stateOf(batch.status),
            total: batch.request_counts?.total ?? 0,
            succeeded: batch.request_counts?.completed ?? 0,
            failed: batch.request_counts?.failed ?? 0,
            ...(message === undefined || message === null ? {} : { message: scrubSecret(message, secret) }),
          }
        },
      ),
    results: (batchId) =>
      Effect.gen(function* () {
        const batch = yield* attempt((signal) => client.batches.retrieve(batchId, { signal }))
        const output = yield* readLines(batch.output_file_id)
        const errors = yield* readLines(batch.error_file_id)
        return [...output, ...errors].flatMap((line) => {
          const item = itemOf(line)
          return item === undefined ? [] : [item]
        })
      }),
    cancel: (batchId) => Effect.asVoid(attempt((signal) => client.batches.cancel(batchId, { signal }))),
  }
}
