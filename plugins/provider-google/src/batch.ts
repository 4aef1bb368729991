import type { BatchJob, GenerateContentResponse, GoogleGenAI, InlinedRequest } from "@google/genai"
import {
  type BatchItemResult,
  type BatchState,
  type FailureReason,
  type ProviderBatch,
  ProviderError,
  type ProviderRequest,
  type ProviderResponse,
  scrubSecret,
} from "@standin/core"
import { reasonForStatus } from "@standin/provider-kit"
import { Effect } from "effect"
import { toProviderError } from "./errors.js"

/** Gemini batch mode with inlined requests: the whole request must stay under 20 MB. */
export const batchLimits = { maxRequests: 50_000, maxBytes: 20 * 1024 * 1024 } as const

export interface BatchConfig {
  readonly client: GoogleGenAI
  readonly provider: string
  readonly model: string
  readonly secret: string
  /** The contents and config of a request, exactly as a live call sends them. */
  readonly request: (request: ProviderRequest) => Pick<InlinedRequest, "contents" | "config">
  /** A response as the engine's response, exactly as a live call decodes it. */
  readonly decode: (
    response: GenerateContentResponse,
    request: ProviderRequest,
  ) => Effect.Effect<ProviderResponse, ProviderError>
}

/** Item errors are google.rpc.Status values: gRPC codes, not HTTP statuses. */
const grpcReason = (code: number): FailureReason => {
  switch (code) {
    case 3: // INVALID_ARGUMENT
    case 5: // NOT_FOUND
    case 9: // FAILED_PRECONDITION
    case 11: // OUT_OF_RANGE
      return "invalid-request"
    case 4: // DEADLINE_EXCEEDED
      return "timeout"
    case 7: // PERMISSION_DENIED
    case 16: // UNAUTHENTICATED
      return "auth"
    case 8: // RESOURCE_EXHAUSTED
      return "rate-limited"
    default:
      return "server"
  }
}

const stateOf = (state: string | undefined): BatchState => {
  switch (state) {
    case "JOB_STATE_SUCCEEDED":
    case "BATCH_STATE_SUCCEEDED":
      return "ended"
    case "JOB_STATE_FAILED":
    case "BATCH_STATE_FAILED":
      return "failed"
    case "JOB_STATE_CANCELLED":
    case "BATCH_STATE_CANCELLED":
      return "cancelled"
    case "JOB_STATE_EXPIRED":
    case "BATCH_STATE_EXPIRED":
      return "expired"
    default:
      return "running"
  }
}

/**
 * Gemini batch mode behind the engine's batch contract: inlined `generateContent` requests (the same
 * contents and config live calls send), each tagged with the engine's id in `metadata.key`; responses
 * are matched by that key, else by position.
 */
export const makeBatch = (config: BatchConfig): ProviderBatch => {
  const { client, provider, secret } = config
  const attempt = <A>(run: (signal: AbortSignal) => Promise<A>) =>
    Effect.tryPromise({ try: run, catch: (cause) => toProviderError(provider, cause, secret) })
  const get = (batchId: string) =>
    attempt((signal) => client.batches.get({ name: batchId, config: { abortSignal: signal } }))
  const counts = (job: BatchJob) => {
    const responses = job.dest?.inlinedResponses ?? []
    const failed = responses.filter((entry) => entry.error !== undefined && entry.error !== null).length
    return { total: responses.length, succeeded: responses.length - failed, failed }
  }

  return {
    limits: batchLimits,
    elicitation: ["sample", "verbalized"],
    // GET {version}/batches?pageSize=1: a server without batch mode answers 404
    probe: Effect.asVoid(
      attempt((signal) => client.batches.list({ config: { pageSize: 1, abortSignal: signal } })),
    ),
    submit: (requests, options) =>
      Effect.gen(function* () {
        const job = yield* attempt((signal) =>
          client.batches.create({
            model: config.model,
            src: requests.map(({ customId, request }) => ({
              ...config.request(request),
              metadata: { key: customId },
            })),
            config: { displayName: options.label.slice(0, 128), abortSignal: signal },
          }),
        )
        if (job.name === undefined)
          return yield* new ProviderError({
            provider,
            reason: "malformed-output",
            message: "the batch was created without a name",
          })
        return { batchId: job.name }
      }),
    status: (batchId) =>
      Effect.map(get(batchId), (job) => {
        const message = job.error?.message
        return {
          state: stateOf(job.state),
          ...counts(job),
          ...(message === undefined ? {} : { message: scrubSecret(message, secret) }),
        }
      }),
    results: (batchId, customIds) =>
      Effect.map(get(batchId), (job) =>
        (job.dest?.inlinedResponses ?? []).flatMap((entry, index): Array<BatchItemResult> => {
          const customId = entry.metadata?.key ?? customIds[index]
          if (customId === undefined) return []
          const response = entry.response
          if (entry.error === undefined || entry.error === null) {
            if (response === undefined) return []
            return [{ customId, decode: (request) => config.decode(response, request) }]
          }
          const code = entry.error.code ?? 500
          const error = new ProviderError({
            provider,
            reason: code >= 100 ? reasonForStatus(code) : grpcReason(code),
            message: scrubSecret(
              `batch item failed (${code}): ${entry.error.message ?? "no reason given"}`,
              secret,
            ),
          })
          return [{ customId, decode: () => Effect.fail(error) }]
        }),
      ),
    cancel: (batchId) =>
      Effect.asVoid(
        attempt((signal) => client.batches.cancel({ name: batchId, config: { abortSignal: signal } })),
      ),
  }
}
