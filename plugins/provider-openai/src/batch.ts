import { closeSync, mkdtempSync, openAsBlob, openSync, rmSync, writeSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { Readable } from "node:stream"
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

/** Writes one line per entry to `path`, in pieces of about 1 MB: only one piece is held at a time. */
const writeJsonl = <A>(path: string, entries: ReadonlyArray<A>, line: (entry: A) => string): void => {
  const descriptor = openSync(path, "w")
  try {
    let piece = ""
    for (const entry of entries) {
      piece += line(entry)
      if (piece.length >= 1 << 20) {
        writeSync(descriptor, piece)
        piece = ""
      }
    }
    if (piece.length > 0) writeSync(descriptor, piece)
  } finally {
    closeSync(descriptor)
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

  /** A results file's items, read line by line as it arrives (the file's text is never held whole). */
  const readItems = (fileId: string | null | undefined, into: Array<BatchItemResult>) =>
    fileId === null || fileId === undefined
      ? Effect.void
      : attempt(async (signal) => {
          const response = await client.files.content(fileId, { signal })
          if (response.body === null) return
          const lines = createInterface({ input: Readable.fromWeb(response.body), crlfDelay: Infinity })
          for await (const line of lines) {
            if (line.trim() === "") continue
            let parsed: unknown
            try {
              parsed = JSON.parse(line)
            } catch {
              // an unreadable line: its item counts as missing and is called live
              continue
            }
            const item = itemOf(parsed, line)
            if (item !== undefined) into.push(item)
          }
        })

  /**
   * One result line as an item. An answer keeps its line's text, parsed again when its call decodes it: a
   * batch's answers wait together for their calls, and the text is a fraction of the parsed object's size.
   */
  const itemOf = (line: unknown, text: string): BatchItemResult | undefined => {
    if (!isRecord(line) || typeof line.custom_id !== "string") return undefined
    const response = isRecord(line.response) ? line.response : undefined
    const statusCode = typeof response?.status_code === "number" ? response.status_code : undefined
    if (response !== undefined && statusCode === 200 && isRecord(response.body)) {
      return {
        customId: line.custom_id,
        decode: (request) =>
          Effect.suspend(() =>
            config.decode(
              (JSON.parse(text) as { response: { body: ChatCompletion } }).response.body,
              request,
            ),
          ),
      }
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
    // GET /v1/batches?limit=1: a server without the Batch API answers 404
    probe: Effect.asVoid(attempt((signal) => client.batches.list({ limit: 1 }, { signal }))),
    submit: (requests, options) =>
      Effect.gen(function* () {
        // The JSONL goes to a temporary file a line at a time and is uploaded from there (a file-backed
        // Blob, read as it is sent): a 50,000-request batch is never held in memory whole.
        const file = yield* Effect.acquireUseRelease(
          Effect.sync(() => mkdtempSync(join(tmpdir(), "standin-batch-"))),
          (directory) =>
            attempt(async (signal) => {
              const path = join(directory, "standin-batch.jsonl")
              writeJsonl(
                path,
                requests,
                ({ customId, request }) =>
                  `${JSON.stringify({ custom_id: customId, method: "POST", url: "/v1/chat/completions", body: config.body(request) })}\n`,
              )
              return client.files.create(
                { file: await toFile(await openAsBlob(path), "standin-batch.jsonl"), purpose: "batch" },
                { signal },
              )
            }),
          (directory) => Effect.sync(() => rmSync(directory, { recursive: true, force: true })),
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
        const items: Array<BatchItemResult> = []
        yield* readItems(batch.output_file_id, items)
        yield* readItems(batch.error_file_id, items)
        return items
      }),
    cancel: (batchId) => Effect.asVoid(attempt((signal) => client.batches.cancel(batchId, { signal }))),
  }
}
