import {
  OptionDistribution,
  ProviderError,
  type ProviderRequest,
  type ProviderResponse,
  type ProviderShape,
  type ProviderSpec,
  Usage,
} from "@standin/core"
import {
  type CallKeyParts,
  type CallStatusRow,
  callKey,
  type RunAnswer,
  type StoreError,
  type StoreShape,
} from "@standin/store"
import { Effect, Exit, Schema } from "effect"
import type { CacheReplay, ReplayFound, ReplayHit } from "../simulate.js"
import { type Budget, makeBudget, type Reservation } from "./budget.js"
import type { BudgetExceeded } from "./errors.js"
import { estimateCall } from "./estimate.js"
import { costOf, defaultPriceTable, type ModelPrice, type PriceTable, priceFor } from "./price-table.js"
import { type ProgressSink, silentProgress } from "./progress.js"
import {
  type CallOutcome,
  limitsFor,
  makeRateLimiter,
  type RateLimiter,
  type RateLimits,
} from "./rate-limiter.js"
import { defaultRetryPolicy, type RetryPolicy, withRetries } from "./retry.js"

export interface CallRunnerOptions {
  /** The provider plugin's narrow interface. */
  readonly provider: ProviderShape
  /** Which provider, model and endpoint (its id, model and base URL go into every cache key). */
  readonly spec: ProviderSpec
  /** The call cache; without one nothing is cached. */
  readonly store?: StoreShape
  /** Ignore cached answers (each new answer still replaces the cached one). */
  readonly fresh?: boolean
  /**
   * With a store: record each call's status under this run (begun with `store.beginRun`). The answers
   * the run already has are then read in one pass when the runner is made, so a resumed or repeated
   * run does not look them up one by one.
   */
  readonly runId?: string
  /** Overrides of the provider's default limits (ignored when `limiter` is given). */
  readonly limits?: Partial<RateLimits>
  /** A limiter shared with other runners on the same provider account; by default the runner makes its own. */
  readonly limiter?: RateLimiter
  readonly retry?: Partial<RetryPolicy>
  /** Shared across every runner of a run; by default an unlimited one that only keeps accounts. */
  readonly budget?: Budget
  /** Defaults to the bundled table. */
  readonly prices?: PriceTable
  readonly progress?: ProgressSink
  /** Longest a single try may take before it counts as a timeout (default 5 minutes). */
  readonly timeoutMs?: number
  /** Anything else the answers depend on, added to every cache key (e.g. a baseline's pilot checksum). */
  readonly keyExtra?: unknown
}

export interface CallResult {
  readonly response: ProviderResponse
  /** Read from the cache (nothing was paid for it now). */
  readonly cached: boolean
  readonly key: string
  /** What the answer cost when it was paid for (also for cached answers); null when the price is unknown. */
  readonly costUsd: number | null
}

export interface CallRunner {
  /** Cache, then budget, then rate limits, then the provider (with retries), then cache write and accounts. */
  readonly call: (
    request: ProviderRequest,
  ) => Effect.Effect<CallResult, ProviderError | BudgetExceeded | StoreError>
  /** The cache key of a request. */
  readonly keyOf: (request: ProviderRequest) => string
  /**
   * Expected tokens and cost of a request, before it is sent (cost null when the price is unknown);
   * `batch` prices it at the vendor's batch discount.
   */
  readonly estimate: (
    request: ProviderRequest,
    options?: { readonly batch?: boolean },
  ) => { readonly usage: Usage; readonly costUsd: number | null }
  /** The cached answer of a request, if there is one (never with `fresh`); counted as done when found. */
  readonly lookup: (request: ProviderRequest) => Effect.Effect<CallResult | undefined, StoreError>
  /**
   * Records an answer paid for outside `call` (a vendor batch): cache write with its status row, cost
   * (at the batch price with `batch`), progress. The budget is the caller's to settle.
   */
  readonly record: (
    request: ProviderRequest,
    response: ProviderResponse,
    options?: { readonly batch?: boolean },
  ) => Effect.Effect<CallResult, StoreError>
  /**
   * The cache for the replay path (simulate.ts): finds many answers at once without recording anything (the
   * run's own answers, read when the runner was made, then one batched store read for the rest), and commits
   * those used as `call` records a cache hit. Finds nothing with `fresh` or without a store.
   */
  readonly replay: CacheReplay<StoreError>
  /** Writes status rows of cached answers that are still buffered. Call it when the run's calls are done. */
  readonly flush: Effect.Effect<void, StoreError>
  readonly price: ModelPrice | undefined
  readonly limiter: RateLimiter
  readonly budget: Budget
}

/** A spec's options for its own provider, in either shape: `options[providerId]` or (deprecated) flat. */
const ownOptions = (spec: ProviderSpec): unknown => {
  const own = spec.options?.[spec.provider]
  return typeof own === "object" && own !== null && !Array.isArray(own) ? own : spec.options
}

/** The parts of a request that make up its cache key. */
export const callKeyParts = (
  spec: ProviderSpec,
  request: ProviderRequest,
  extra?: unknown,
): CallKeyParts => ({
  provider: spec.provider,
  model: request.model,
  baseUrl: spec.baseUrl,
  settings: request.settings,
  messages: request.prompt.messages,
  perItem: request.prompt.perItem,
  responseSchema: request.prompt.responseSchema,
  responseSchemaName: request.prompt.responseSchemaName,
  elicitation: request.elicitation,
  replicate: request.replicate,
  attempt: request.attempt,
  seed: request.settings.seed ?? null,
  twinId: request.twin.id,
  // every vendor option: two specs that differ only in vendor options must not share answers (secrets are dropped
  // when the key is made). Both shapes key alike — `{ [providerId]: … }` and the deprecated flat one — so moving a
  // spec to the new shape pays for nothing again.
  providerOptions: ownOptions(spec),
  extra,
})

/** A cached answer as written: strict, since it is our own data; an entry that fails is treated as a miss. */
export const CachedResponse = Schema.Struct({
  text: Schema.String,
  distributions: Schema.optionalKey(Schema.Record(Schema.String, OptionDistribution)),
  modelVersion: Schema.String,
  usage: Usage,
  warnings: Schema.Array(Schema.String),
  finishReason: Schema.optionalKey(Schema.String),
})

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * `Schema.is(CachedResponse)`, written out by hand: it runs for every answer of a replay, where the
 * generic check cost a third of the time. A test checks that both agree.
 */
export const isCachedResponse = (value: unknown): value is ProviderResponse => {
  if (!isRecord(value)) return false
  if (typeof value.text !== "string" || typeof value.modelVersion !== "string") return false
  const usage = value.usage
  if (!isRecord(usage) || typeof usage.inputTokens !== "number" || typeof usage.outputTokens !== "number")
    return false
  const warnings = value.warnings
  if (!Array.isArray(warnings)) return false
  for (const warning of warnings) if (typeof warning !== "string") return false
  if ("finishReason" in value && typeof value.finishReason !== "string") return false
  if ("distributions" in value) {
    const distributions = value.distributions
    if (!isRecord(distributions)) return false
    for (const distribution of Object.values(distributions)) {
      if (!isRecord(distribution)) return false
      for (const probability of Object.values(distribution)) if (typeof probability !== "number") return false
    }
  }
  return true
}

const decodeCached = (text: string): ProviderResponse | undefined => {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return undefined
  }
  return isCachedResponse(value) ? value : undefined
}

const outcomeOf = (
  exit: Exit.Exit<ProviderResponse, ProviderError | BudgetExceeded | StoreError>,
): CallOutcome => {
  if (Exit.isSuccess(exit))
    return { _tag: "Succeeded", tokens: exit.value.usage.inputTokens + exit.value.usage.outputTokens }
  const failure = exit.cause.reasons.find((reason) => reason._tag === "Fail")
  return failure !== undefined &&
    failure._tag === "Fail" &&
    failure.error._tag === "ProviderError" &&
    failure.error.reason === "rate-limited"
    ? { _tag: "RateLimited" }
    : { _tag: "Failed" }
}

/** Buffered status rows of cached answers are written in batches of this size. */
const statusBatch = 512

/** Builds the call layer around one provider. */
export const makeCallRunner = (options: CallRunnerOptions): Effect.Effect<CallRunner, StoreError> =>
  Effect.gen(function* () {
    const { provider, spec, store, runId } = options
    const limiter = options.limiter ?? (yield* makeRateLimiter(limitsFor(spec.provider, options.limits)))
    const policy: RetryPolicy = { ...defaultRetryPolicy, ...options.retry }
    const budget = options.budget ?? makeBudget(null)
    const price = priceFor(options.prices ?? defaultPriceTable, spec.provider, spec.model)
    const progress = options.progress ?? silentProgress
    const timeoutMs = options.timeoutMs ?? 300_000
    const fresh = options.fresh === true
    const pending: Array<CallStatusRow> = []
    // Answers this run already recorded as ok for this provider; each is used once, then dropped.
    const known: Map<string, RunAnswer> =
      store !== undefined && runId !== undefined && !fresh
        ? yield* store.runAnswers(runId, { provider: spec.provider })
        : new Map()

    const keyOf = (request: ProviderRequest) => callKey(callKeyParts(spec, request, options.keyExtra))
    const estimate = (request: ProviderRequest, how: { readonly batch?: boolean } = {}) => {
      const usage = estimateCall(request)
      return { usage, costUsd: price === undefined ? null : costOf(price, usage, how) }
    }
    const statusRow = (
      request: ProviderRequest,
      key: string,
      failure?: { readonly reason: string; readonly message: string },
    ): CallStatusRow => ({
      runId: runId!,
      callKey: key,
      provider: spec.provider,
      model: request.model,
      twinId: request.twin.id,
      replicate: request.replicate,
      attempt: request.attempt,
      status: failure === undefined ? "ok" : "failed",
      reason: failure?.reason ?? null,
      message: failure?.message ?? null,
    })

    const flush: Effect.Effect<void, StoreError> = Effect.suspend(() => {
      if (store === undefined || pending.length === 0) return Effect.void
      return store.recordStatuses(pending.splice(0, pending.length))
    })

    const onHit = (
      request: ProviderRequest,
      key: string,
      response: ProviderResponse,
      costUsd: number | null,
      recordedInRun: boolean,
    ) => {
      const result: CallResult = { response, cached: true, key, costUsd }
      const recorded = progress.record({ _tag: "Done", cached: true, costUsd })
      if (store === undefined || runId === undefined || recordedInRun) return Effect.as(recorded, result)
      // A crash may lose these rows, and that is harmless: the answers are in the cache and a resumed
      // run writes them again. So they are written in batches, not one transaction per answer.
      pending.push(statusRow(request, key))
      return Effect.as(pending.length >= statusBatch ? Effect.andThen(recorded, flush) : recorded, result)
    }

    // A rejected key fails every call alike: once the vendor has said so, calls still waiting for the
    // limiter fail with the same error instead of sending the key again.
    let rejectedKey: ProviderError | undefined
    // A halted run (Ctrl-C) sends nothing more: a call waiting for the limiter gives up its place.
    const permit = (tokens: number) =>
      Effect.raceFirst(
        limiter.acquire(tokens),
        Effect.andThen(
          budget.halted,
          Effect.suspend(() => Effect.fail(budget.haltedError())),
        ),
      )
    // The permit goes back only once the answer is committed to the cache: calls sent but not yet
    // stored never outnumber the limiter's concurrency, so a kill -9 pays again at most that many.
    const sendOnce = (
      request: ProviderRequest,
      key: string,
      tokens: number,
    ): Effect.Effect<ProviderResponse, ProviderError | BudgetExceeded | StoreError> =>
      Effect.acquireUseRelease(
        Effect.interruptible(permit(tokens)),
        (): Effect.Effect<ProviderResponse, ProviderError | BudgetExceeded | StoreError> =>
          Effect.flatMap(
            budget.report,
            (report): Effect.Effect<ProviderResponse, ProviderError | BudgetExceeded | StoreError> =>
              report.halted !== null
                ? Effect.fail(budget.haltedError())
                : Effect.tap(send(request), (response) => persist(request, key, response)),
          ),
        (held, exit) => limiter.release(held, outcomeOf(exit)),
      )
    const send = (request: ProviderRequest): Effect.Effect<ProviderResponse, ProviderError> =>
      rejectedKey !== undefined
        ? Effect.fail(rejectedKey)
        : Effect.timeoutOrElse(provider.generate(request), {
            duration: timeoutMs,
            orElse: () =>
              Effect.fail(
                new ProviderError({
                  provider: spec.provider,
                  reason: "timeout",
                  message: `no answer within ${timeoutMs} ms`,
                }),
              ),
          }).pipe(
            // noted before the permit goes back, so the next call in line sees it
            Effect.tapError((error) =>
              Effect.sync(() => {
                if (error.reason === "auth") rejectedKey ??= error
              }),
            ),
          )

    const failed = (request: ProviderRequest, key: string, error: ProviderError | BudgetExceeded) => {
      const reason = error._tag === "ProviderError" ? error.reason : "budget"
      const recorded = progress.record({ _tag: "Done", cached: false, costUsd: null, failure: reason })
      const written =
        store === undefined || runId === undefined
          ? Effect.void
          : store.recordStatuses([statusRow(request, key, { reason, message: error.message })])
      // A refused call stops the run, but only once every call already sent has come back and been
      // cached: what was paid for is never thrown away.
      const settled = error._tag === "BudgetExceeded" ? budget.drained : Effect.void
      return Effect.andThen(Effect.andThen(Effect.andThen(recorded, written), settled), Effect.fail(error))
    }

    /** Commits an answer (with its status row) to the cache; nothing without a store. */
    const persist = (
      request: ProviderRequest,
      key: string,
      response: ProviderResponse,
      how: { readonly batch?: boolean } = {},
    ): Effect.Effect<void, StoreError> => {
      if (store === undefined) return Effect.void
      return store.putCall(
        {
          key,
          provider: spec.provider,
          model: request.model,
          response: JSON.stringify(response),
          inputTokens: response.usage.inputTokens,
          outputTokens: response.usage.outputTokens,
          costUsd: price === undefined ? null : costOf(price, response.usage, how),
          modelVersion: response.modelVersion,
        },
        runId === undefined ? undefined : statusRow(request, key),
      )
    }

    /** Progress and the call's result, for an answer already committed. */
    const recorded = (
      key: string,
      response: ProviderResponse,
      how: { readonly batch?: boolean } = {},
    ): Effect.Effect<CallResult> => {
      const costUsd = price === undefined ? null : costOf(price, response.usage, how)
      const result: CallResult = { response, cached: false, key, costUsd }
      return Effect.as(progress.record({ _tag: "Done", cached: false, costUsd }), result)
    }

    const record = (
      request: ProviderRequest,
      key: string,
      response: ProviderResponse,
      how: { readonly batch?: boolean } = {},
    ): Effect.Effect<CallResult, StoreError> =>
      Effect.andThen(persist(request, key, response, how), recorded(key, response, how))

    const live = (request: ProviderRequest, key: string) => {
      const expected = estimate(request)
      const tokens = expected.usage.inputTokens + expected.usage.outputTokens
      // The reservation is held until the answer is committed to the cache: a run stopped by its budget
      // waits for every reservation, so nothing it paid for is lost when it stops.
      let answer: ProviderResponse | undefined
      return Effect.acquireUseRelease(
        budget.reserve(expected.costUsd),
        () =>
          withRetries(
            policy,
            sendOnce(request, key, tokens),
            ({ error }) => progress.record({ _tag: "Retrying", reason: error.reason }),
            budget.halted,
          ).pipe(
            Effect.catchTag("ProviderError", (error) => failed(request, key, error)),
            Effect.tap((response) =>
              Effect.sync(() => {
                answer = response
              }),
            ),
            Effect.flatMap((response) => recorded(key, response)),
          ),
        (reservation: Reservation) =>
          answer !== undefined
            ? budget.settle(reservation, price === undefined ? null : costOf(price, answer.usage))
            : budget.release(reservation),
      ).pipe(Effect.catchTag("BudgetExceeded", (error) => failed(request, key, error)))
    }

    const cachedAnswer = (
      request: ProviderRequest,
      key: string,
    ): Effect.Effect<CallResult | undefined, StoreError> => {
      if (store === undefined || fresh) return Effect.succeed(undefined)
      const answer = known.get(key)
      if (answer !== undefined) {
        known.delete(key)
        const response = decodeCached(answer.response)
        if (response !== undefined) return onHit(request, key, response, answer.costUsd, true)
      }
      return Effect.flatMap(store.getCall(key), (hit) => {
        if (hit !== undefined) {
          const response = decodeCached(hit.response)
          if (response !== undefined) return onHit(request, key, response, hit.costUsd, false)
        }
        return Effect.succeed(undefined)
      })
    }

    // The replay path: `source` is "run" for one of the run's own answers (its status row is already written).
    const find = (keys: ReadonlyArray<string>): Effect.Effect<ReadonlyMap<string, ReplayFound>, StoreError> =>
      Effect.suspend(() => {
        const found = new Map<string, ReplayFound>()
        if (store === undefined || fresh) return Effect.succeed(found)
        const rest: Array<string> = []
        for (const key of keys) {
          const answer = known.get(key)
          const response = answer === undefined ? undefined : decodeCached(answer.response)
          if (response === undefined) rest.push(key)
          else found.set(key, { response, costUsd: answer!.costUsd, source: "run" })
        }
        if (rest.length === 0) return Effect.succeed(found)
        return Effect.map(store.getCalls(rest), (hits) => {
          for (const [key, hit] of hits) {
            const response = decodeCached(hit.response)
            if (response !== undefined) found.set(key, { response, costUsd: hit.costUsd, source: "store" })
          }
          return found
        })
      })
    const commit = (hits: ReadonlyArray<ReplayHit>): Effect.Effect<void, StoreError> =>
      Effect.suspend(() => {
        for (const hit of hits) {
          if (hit.answer.source === "run") known.delete(hit.key)
          else if (store !== undefined && runId !== undefined) pending.push(statusRow(hit.request, hit.key))
        }
        const recorded = Effect.forEach(
          hits,
          (hit) => progress.record({ _tag: "Done", cached: true, costUsd: hit.answer.costUsd }),
          { discard: true },
        )
        return pending.length >= statusBatch ? Effect.andThen(recorded, flush) : recorded
      })

    const call = (request: ProviderRequest) =>
      Effect.suspend(() => {
        const key = keyOf(request)
        return Effect.flatMap(cachedAnswer(request, key), (hit) =>
          hit === undefined ? live(request, key) : Effect.succeed(hit),
        )
      })

    return {
      call,
      keyOf,
      estimate,
      lookup: (request) => Effect.suspend(() => cachedAnswer(request, keyOf(request))),
      replay: { keyOf, find, commit },
      record: (request, response, how) =>
        Effect.suspend(() => record(request, keyOf(request), response, how)),
      flush,
      price,
      limiter,
      budget,
    }
  })
