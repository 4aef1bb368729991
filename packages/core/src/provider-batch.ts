import type { Effect } from "effect"
import type { ProviderError } from "./errors.js"
import type { ProviderRequest, ProviderResponse } from "./provider.js"
import type { Elicitation } from "./respondent.js"

/**
 * The optional batch face of the Provider contract: a vendor's asynchronous batch API (OpenAI Batch,
 * Anthropic Message Batches, Gemini batch mode), for runs too large to wait on call by call. A provider
 * that has one sets `capabilities.batch: true` and `ProviderShape.batch`; everything else (chunking,
 * polling, the cache, resuming by batch id after a restart, falling back to live calls for failed
 * items) is the engine's. Additive: a provider without it is called live.
 */
export const ProviderBatchSpecVersion = "1.1"

/** One request of a batch. `customId` comes back with its result ([A-Za-z0-9_-], at most 64 chars). */
export interface BatchRequest {
  readonly customId: string
  readonly request: ProviderRequest
}

/** What one vendor batch may hold; the engine splits larger runs into chunks within them. */
export interface BatchLimits {
  readonly maxRequests: number
  /** Most bytes of one batch's payload (the JSONL file or the request body). */
  readonly maxBytes: number
}

/**
 * Where a batch stands: `running` until the vendor is done with it; then `ended` (results ready),
 * `cancelled` or `expired` (results may hold the items that did run), or `failed` (none ran).
 */
export type BatchState = "running" | "ended" | "cancelled" | "expired" | "failed"

export interface BatchStatus {
  readonly state: BatchState
  readonly total: number
  readonly succeeded: number
  readonly failed: number
  /** The vendor's words when a batch failed or expired. */
  readonly message?: string
}

/**
 * One item's result. Decoding is finished with the request that was sent (settings warnings, option
 * labels), so that a batch answer becomes exactly the `ProviderResponse` a live call would have given;
 * an item the vendor failed fails with its `ProviderError` (the engine then calls it live).
 */
export interface BatchItemResult {
  readonly customId: string
  readonly decode: (request: ProviderRequest) => Effect.Effect<ProviderResponse, ProviderError>
}

export interface ProviderBatch {
  readonly limits: BatchLimits
  /** The elicitation methods the batch path serves (others are called live). */
  readonly elicitation: ReadonlyArray<Elicitation>
  /**
   * A cheap check that the server has this batch API (one page of at most one batch), made before any
   * request is prepared, so that a server without one (an OpenAI-compatible server, a proxy: a 404) costs
   * one round trip instead of a submitted chunk. Optional (additive in 1.1): without it, the first submit finds out.
   */
  readonly probe?: Effect.Effect<void, ProviderError>
  /** Submits one batch; `label` names it at the vendor where the API has a name or metadata field. */
  readonly submit: (
    requests: ReadonlyArray<BatchRequest>,
    options: { readonly label: string },
  ) => Effect.Effect<{ readonly batchId: string }, ProviderError>
  readonly status: (batchId: string) => Effect.Effect<BatchStatus, ProviderError>
  /**
   * The results of a batch that is no longer running, in any order. `customIds` are the batch's ids in
   * submission order, for vendors that return results by position. Items missing from the answer are
   * treated as failed.
   */
  readonly results: (
    batchId: string,
    customIds: ReadonlyArray<string>,
  ) => Effect.Effect<ReadonlyArray<BatchItemResult>, ProviderError>
  readonly cancel: (batchId: string) => Effect.Effect<void, ProviderError>
}
