import type Anthropic from "@anthropic-ai/sdk"
import type { Message, MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages/messages"
import {
  type BatchItemResult,
  type FailureReason,
  type ProviderBatch,
  ProviderError,
  type ProviderRequest,
  type ProviderResponse,
  scrubSecret,
} from "@standin/core"
import { Effect } from "effect"
import { toProviderError } from "./errors.js"

/** Message Batches limits: 100,000 requests or 256 MB per batch. */
export const batchLimits = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 } as const

export interface BatchConfig {
  readonly client: Anthropic
  readonly provider: string
  readonly secret: string
  /** The Messages parameters of a request, exactly as a live call sends them. */
  readonly params: (request: ProviderRequest) => MessageCreateParamsNonStreaming
  /** A message as the engine's response, exactly as a live call decodes it. */
  readonly decode: (
    message: Message,
    request: ProviderRequest,
  ) => Effect.Effect<ProviderResponse, ProviderError>
}

/** The failure reason of an error type in a batch result. */
const reasonOf = (type: string | undefined): FailureReason => {
  switch (type) {
    case "invalid_request_error":
    case "not_found_error":
    case "conflict_error":
      return "invalid-request"
    case "authentication_error":
    case "permission_error":
    case "billing_error":
      return "auth"
    case "rate_limit_error":
      return "rate-limited"
    case "timeout_error":
      return "timeout"
    default:
      return "server"
  }
}

/**
 * The Message Batches API behind the engine's batch contract: one `messages.batches.create` with the
 * same parameters live calls send (`custom_id` = the engine's id), results streamed back as JSONL.
 * Errored, canceled and expired items fail with their reason, and the engine calls them live.
 */
export const makeBatch = (config: BatchConfig): ProviderBatch => {
  const { client, provider, secret } = config
  const attempt = <A>(run: (signal: AbortSignal) => Promise<A>) =>
    Effect.tryPromise({ try: run, catch: (cause) => toProviderError(provider, cause, secret) })
  const failure = (reason: FailureReason, message: string) =>
    new ProviderError({ provider, reason, message: scrubSecret(message, secret) })

  return {
    limits: batchLimits,
    elicitation: ["sample", "verbalized"],
    // GET /v1/messages/batches?limit=1: a server without Message Batches answers 404
    probe: Effect.asVoid(attempt((signal) => client.messages.batches.list({ limit: 1 }, { signal }))),
    submit: (requests) =>
      Effect.map(
        attempt((signal) =>
          client.messages.batches.create(
            {
              requests: requests.map(({ customId, request }) => ({
                custom_id: customId,
                params: config.params(request),
              })),
            },
            { signal },
          ),
        ),
        (batch) => ({ batchId: batch.id }),
      ),
    status: (batchId) =>
      Effect.map(
        attempt((signal) => client.messages.batches.retrieve(batchId, {}, { signal })),
        (batch) => {
          const counts = batch.request_counts
          return {
            state: batch.processing_status === "ended" ? "ended" : "running",
            total: counts.processing + counts.succeeded + counts.errored + counts.canceled + counts.expired,
            succeeded: counts.succeeded,
            failed: counts.errored + counts.canceled + counts.expired,
          }
        },
      ),
    results: (batchId) =>
      attempt(async (signal) => {
        const items: Array<BatchItemResult> = []
        for await (const line of await client.messages.batches.results(batchId, {}, { signal })) {
          const result = line.result
          if (result.type === "succeeded") {
            const message = result.message
            items.push({ customId: line.custom_id, decode: (request) => config.decode(message, request) })
            continue
          }
          const error =
            result.type === "errored"
              ? failure(
                  reasonOf(result.error?.error?.type),
                  `batch item failed: ${result.error?.error?.message ?? "no reason given"}`,
                )
              : result.type === "expired"
                ? failure("timeout", "the batch expired before this item ran")
                : failure("server", "the batch was cancelled before this item ran")
          items.push({ customId: line.custom_id, decode: () => Effect.fail(error) })
        }
        return items
      }),
    cancel: (batchId) =>
      Effect.asVoid(attempt((signal) => client.messages.batches.cancel(batchId, {}, { signal }))),
  }
}
