import type {
  BatchItemResult,
  BatchState,
  ProviderBatch,
  ProviderError,
  ProviderRequest,
} from "@standin/core"
import type { BatchRecord, StoreError, StoreShape } from "@standin/store"
import { Clock, Deferred, Effect, Fiber, type Scope } from "effect"
import type { ExecutedCall } from "../simulate.js"
import type { Reservation } from "./budget.js"
import type { CallResult, CallRunner } from "./call-runner.js"
import type { BudgetExceeded } from "./errors.js"
import { type RetryPolicy, withRetries } from "./retry.js"

/** What the batch path tells the run's display. */
export type BatchEvent =
  | {
      readonly _tag: "Submitted"
      readonly provider: string
      readonly batchId: string
      readonly requests: number
    }
  | {
      readonly _tag: "Resumed"
      readonly provider: string
      readonly batchId: string
      readonly requests: number
    }
  | {
      readonly _tag: "Ended"
      readonly provider: string
      readonly batchId: string
      readonly state: BatchState
      readonly answered: number
      /** Items that came back failed or not at all: they are called live. */
      readonly failed: number
    }
  | {
      readonly _tag: "SubmitFailed"
      readonly provider: string
      readonly requests: number
      readonly message: string
      /** Calls waiting for a batch, besides these requests, that go live with them from now on. */
      readonly alsoLive: number
    }
  | {
      /** The probe found no batch API (or could not reach it): every call of this provider goes live. */
      readonly _tag: "Unavailable"
      readonly provider: string
      readonly message: string
    }
  | {
      readonly _tag: "PollFailed"
      readonly provider: string
      readonly batchId: string
      readonly message: string
    }

export interface BatchExecutorOptions {
  /** The provider's call runner: cache, budget, live fallback, cache writes and accounts. */
  readonly runner: CallRunner
  readonly batch: ProviderBatch
  /** The provider id, as batches are filed in the store. */
  readonly provider: string
  readonly store?: StoreShape
  /** With a store: batches are filed under this run, and a restarted run resumes them by id. */
  readonly runId?: string
  /** Where the polling and submitting fibers live; they end with it (or at `finish`). */
  readonly scope: Scope.Scope
  /**
   * At most this many requests per vendor batch (default 10,000; never more than the vendor allows). A
   * large run goes out as several batches, which the vendor runs side by side: each upload, and each
   * batch's results read back at once, stay a fraction of the run.
   */
  readonly maxRequests?: number
  /** Time between status checks of running batches (default 30 s). */
  readonly pollIntervalMs?: number
  /** A batch is submitted once no request has been added for this long, or when it is full (default 250 ms). */
  readonly idleMs?: number
  /** Retries of the batch API's own calls (submit, status, results). */
  readonly retry?: Partial<RetryPolicy>
  /** Twins simulated at once (default 50,000): each waits for its batch, so many must wait together. */
  readonly concurrency?: number
  readonly onEvent?: (event: BatchEvent) => void
}

/** What a waiting call learns when its batch is collected. */
type Outcome =
  | { readonly _tag: "Answered"; readonly item: BatchItemResult }
  | { readonly _tag: "Fallback"; readonly why: string }

interface Waiter {
  readonly deferred: Deferred.Deferred<Outcome>
}

interface Queued {
  readonly key: string
  readonly request: ProviderRequest
  readonly bytes: number
}

interface Running {
  readonly record: BatchRecord
  /** Failed polls in a row. */
  failures: number
}

const batchPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxTotalWaitMs: 120_000,
}

/** The probe's own tries: a server without a batch API is found out in one round trip, a flaky one in seconds. */
const probePolicy: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 2_000,
  maxTotalWaitMs: 4_000,
}

/**
 * Whether the provider's server has its batch API, checked before any request is prepared: `undefined`
 * when it has (or the provider has no probe: the first submit finds out; or it answered 429, busy but
 * there), else the reason, after `Unavailable` has been announced. A 404 is final at once, as is no answer
 * within `timeoutMs`; transport and server errors are tried three times within a few seconds.
 */
export const probeBatch = (
  batch: ProviderBatch,
  provider: string,
  onEvent: (event: BatchEvent) => void = () => {},
  timeoutMs = 10_000,
): Effect.Effect<string | undefined> => {
  if (batch.probe === undefined) return Effect.succeed(undefined)
  return withRetries(probePolicy, batch.probe.pipe(Effect.timeout(timeoutMs))).pipe(
    Effect.match({
      onSuccess: () => undefined,
      onFailure: (error) => {
        // Rate-limited: the API is there and busy; the submit's own retries wait for it.
        if (error._tag === "ProviderError" && error.reason === "rate-limited") return undefined
        const message =
          error._tag === "ProviderError" ? error.message : `no answer within ${timeoutMs / 1000} s`
        onEvent({ _tag: "Unavailable", provider, message })
        return message
      },
    }),
  )
}

/** Requests per vendor batch unless asked otherwise (peak RSS of 50,000 batched calls: 911 MB in one batch, 821 MB in five). */
const defaultChunk = 10_000

/** Serialised lengths of shared schemas, measured once. */
const schemaBytes = new WeakMap<object, number>()

/** A generous estimate of one request's share of a batch payload, for chunking within vendor limits. */
const requestBytes = (request: ProviderRequest): number => {
  const schema = request.prompt.responseSchema
  let bytes = schemaBytes.get(schema)
  if (bytes === undefined) {
    bytes = JSON.stringify(schema).length
    schemaBytes.set(schema, bytes)
  }
  let chars = 0
  for (const message of request.prompt.messages) chars += message.content.length + 32
  // escapes, the request envelope, settings and the custom id
  return Math.ceil((chars + bytes) * 1.25) + 400
}

/**
 * Executes calls through a vendor's batch API. Calls that miss the cache queue up; a queue that is full,
 * or that has stopped growing for `idleMs`, goes out as one batch (chunks within the vendor's limits),
 * filed in the store before anything else happens; running batches are polled; when one ends, each
 * waiting call decodes its answer, which is cached under the same key a live call would use and priced
 * at the batch discount. Items the vendor failed, and batches that failed to submit or failed as a
 * whole, fall back to live calls through the runner. A restarted run finds its batches in the store and
 * waits for them by id instead of submitting them again.
 */
export const makeBatchExecutor = (
  options: BatchExecutorOptions,
): Effect.Effect<
  {
    readonly call: (
      request: ProviderRequest,
    ) => Effect.Effect<ExecutedCall, ProviderError | BudgetExceeded | StoreError>
    readonly concurrency: number
    readonly finish: Effect.Effect<void, StoreError>
  },
  StoreError
> =>
  Effect.gen(function* () {
    const { runner, batch, store, runId, provider } = options
    const emit = options.onEvent ?? (() => {})
    const policy: RetryPolicy = { ...batchPolicy, ...options.retry }
    const maxRequests = Math.max(1, Math.min(batch.limits.maxRequests, options.maxRequests ?? defaultChunk))
    // Stay well inside the byte limit: estimates of payload sizes are rough.
    const maxBytes = Math.max(1, Math.floor(batch.limits.maxBytes * 0.8))
    const idleMs = options.idleMs ?? 250
    const pollMs = options.pollIntervalMs ?? 30_000

    const waiting = new Map<string, Waiter>()
    /** Collected results no call has asked for yet. */
    const ready = new Map<string, Outcome>()
    /** Key → the batch it is in, while that batch runs. */
    const pendingKeys = new Map<string, string>()
    const running = new Map<string, Running>()
    let queue: Array<Queued> = []
    let lastQueued = 0
    /** Set once the batch API refused a submission: from then on calls go live. */
    let refused: string | undefined

    const filed =
      store === undefined || runId === undefined ? [] : yield* store.listBatches({ runId, provider })
    let nextChunk = filed.reduce((next, record) => Math.max(next, record.chunkIndex + 1), 0)
    for (const record of filed) {
      if (record.status !== "submitted") continue
      running.set(record.batchId, { record, failures: 0 })
      for (const key of record.requestKeys) pendingKeys.set(key, record.batchId)
      emit({ _tag: "Resumed", provider, batchId: record.batchId, requests: record.requestKeys.length })
    }

    const settle = (key: string, outcome: Outcome) => {
      pendingKeys.delete(key)
      const waiter = waiting.get(key)
      if (waiter === undefined) ready.set(key, outcome)
      else {
        waiting.delete(key)
        Deferred.doneUnsafe(waiter.deferred, Effect.succeed(outcome))
      }
    }

    const file = (record: BatchRecord): Effect.Effect<void, StoreError> =>
      store === undefined || runId === undefined ? Effect.void : store.putBatch(record)

    const submit = (chunk: ReadonlyArray<Queued>) =>
      Effect.gen(function* () {
        const chunkIndex = nextChunk++
        const submitted = yield* withRetries(
          policy,
          batch.submit(
            chunk.map((entry) => ({ customId: entry.key, request: entry.request })),
            { label: `standin ${provider} ${runId ?? "adhoc"} #${chunkIndex}` },
          ),
        ).pipe(Effect.result)
        if (submitted._tag === "Failure") {
          // The batch API refused a chunk (after its retries): it would refuse the next ones too, so the
          // calls queued behind it and every later call go live now, instead of waiting to be refused.
          const message = submitted.failure.message
          refused = `the batch could not be submitted: ${message}`
          const rest = queue
          queue = []
          emit({ _tag: "SubmitFailed", provider, requests: chunk.length, message, alsoLive: rest.length })
          for (const entry of [...chunk, ...rest]) settle(entry.key, { _tag: "Fallback", why: refused })
          return
        }
        const now = yield* Clock.currentTimeMillis
        const record: BatchRecord = {
          provider,
          batchId: submitted.success.batchId,
          runId: runId ?? null,
          chunkIndex,
          requestKeys: chunk.map((entry) => entry.key),
          status: "submitted",
          submittedAt: now,
          finishedAt: null,
        }
        // Filed before anything else: a restart from here on waits for this batch instead of paying again.
        yield* file(record)
        running.set(record.batchId, { record, failures: 0 })
        for (const entry of chunk) pendingKeys.set(entry.key, record.batchId)
        emit({ _tag: "Submitted", provider, batchId: record.batchId, requests: chunk.length })
      })

    /** Takes the next chunk off the queue: as many requests as fit the vendor's limits. */
    const takeChunk = (): Array<Queued> => {
      let bytes = 0
      let count = 0
      while (count < queue.length && count < maxRequests) {
        const next = queue[count]!.bytes
        if (count > 0 && bytes + next > maxBytes) break
        bytes += next
        count++
      }
      const chunk = queue.slice(0, count)
      queue = queue.slice(count)
      return chunk
    }

    const fullChunkQueued = (): boolean => {
      if (queue.length >= maxRequests) return true
      let bytes = 0
      for (const entry of queue) {
        bytes += entry.bytes
        if (bytes > maxBytes) return true
      }
      return false
    }

    const submitter = Effect.forever(
      Effect.gen(function* () {
        yield* Effect.sleep(Math.max(1, Math.floor(idleMs / 2)))
        const now = yield* Clock.currentTimeMillis
        while (queue.length > 0 && (fullChunkQueued() || now - lastQueued >= idleMs)) {
          yield* submit(takeChunk())
        }
      }),
    )

    const collect = (entry: Running, state: BatchState, message: string | undefined) =>
      Effect.gen(function* () {
        const { record } = entry
        const results =
          state === "failed"
            ? []
            : yield* withRetries(policy, batch.results(record.batchId, record.requestKeys)).pipe(
                Effect.catch((error: ProviderError) => {
                  emit({ _tag: "PollFailed", provider, batchId: record.batchId, message: error.message })
                  return Effect.succeed([] as ReadonlyArray<BatchItemResult>)
                }),
              )
        const byId = new Map(results.map((item) => [item.customId, item]))
        let answered = 0
        for (const key of record.requestKeys) {
          const item = byId.get(key)
          if (item !== undefined) answered++
          settle(
            key,
            item !== undefined
              ? { _tag: "Answered", item }
              : {
                  _tag: "Fallback",
                  why: `batch ${record.batchId} ${state}${message === undefined ? "" : ` (${message})`} without an answer for this call`,
                },
          )
        }
        running.delete(record.batchId)
        const now = yield* Clock.currentTimeMillis
        yield* file({ ...record, status: state === "ended" ? "collected" : state, finishedAt: now })
        // Items that decode to a vendor error are counted when the waiting call decodes them.
        emit({
          _tag: "Ended",
          provider,
          batchId: record.batchId,
          state,
          answered,
          failed: record.requestKeys.length - answered,
        })
      })

    const poll = Effect.gen(function* () {
      for (const entry of [...running.values()]) {
        const status = yield* batch.status(entry.record.batchId).pipe(Effect.result)
        if (status._tag === "Failure") {
          entry.failures++
          emit({
            _tag: "PollFailed",
            provider,
            batchId: entry.record.batchId,
            message: status.failure.message,
          })
          // A batch the vendor no longer knows, or that keeps failing to answer, is given up: live calls.
          if (!status.failure.retryable || entry.failures >= policy.maxAttempts)
            yield* collect(entry, "failed", status.failure.message)
          continue
        }
        entry.failures = 0
        if (status.success.state !== "running")
          yield* collect(entry, status.success.state, status.success.message)
      }
    })

    const poller = Effect.forever(Effect.andThen(Effect.sleep(pollMs), poll))

    const fibers = [
      yield* Effect.forkIn(submitter, options.scope),
      yield* Effect.forkIn(poller, options.scope),
    ]

    const budget = runner.budget

    /** A request's batch outcome: one already collected, or a wait until its batch is (queued if need be). */
    const outcomeOf = (request: ProviderRequest, key: string): Effect.Effect<Outcome> =>
      Effect.suspend(() => {
        const known = ready.get(key)
        if (known !== undefined) {
          ready.delete(key)
          return Effect.succeed(known)
        }
        if (refused !== undefined && !pendingKeys.has(key))
          return Effect.succeed<Outcome>({ _tag: "Fallback", why: refused })
        const deferred = Deferred.makeUnsafe<Outcome>()
        waiting.set(key, { deferred })
        const wait = Deferred.await(deferred).pipe(
          Effect.onInterrupt(() =>
            Effect.sync(() => {
              waiting.delete(key)
            }),
          ),
        )
        if (pendingKeys.has(key)) return wait
        queue.push({ key, request, bytes: requestBytes(request) })
        return Effect.andThen(
          Effect.map(Clock.currentTimeMillis, (now) => {
            lastQueued = now
          }),
          wait,
        )
      })

    /**
     * Waits for a request's batch answer; the reservation is settled or released exactly once. Written
     * without generators: tens of thousands of calls wait here at once, and every generator frame a
     * waiting fiber holds is ~0.9 KB of heap each.
     */
    const viaBatch = (
      request: ProviderRequest,
      key: string,
      held: Reservation,
    ): Effect.Effect<CallResult | undefined, StoreError> => {
      let open = true
      const release = Effect.suspend(() => {
        if (!open) return Effect.void
        open = false
        return budget.release(held)
      })
      const settleWith = (costUsd: number | null) =>
        Effect.suspend(() => {
          if (!open) return Effect.void
          open = false
          return budget.settle(held, costUsd)
        })
      return outcomeOf(request, key).pipe(
        Effect.flatMap(
          (outcome): Effect.Effect<CallResult | undefined, StoreError> =>
            outcome._tag === "Answered"
              ? outcome.item.decode(request).pipe(
                  Effect.matchEffect({
                    // An item the vendor failed, or that does not decode: the caller calls it live.
                    onFailure: () => Effect.succeed(undefined),
                    onSuccess: (response) =>
                      Effect.tap(runner.record(request, response, { batch: true }), (result) =>
                        settleWith(result.costUsd),
                      ),
                  }),
                )
              : Effect.succeed(undefined),
        ),
        Effect.onExit((exit) =>
          exit._tag === "Success" && exit.value !== undefined ? Effect.void : release,
        ),
      )
    }

    const call = (
      request: ProviderRequest,
    ): Effect.Effect<CallResult, ProviderError | BudgetExceeded | StoreError> =>
      Effect.gen(function* () {
        if (!batch.elicitation.includes(request.elicitation)) return yield* runner.call(request)
        const hit = yield* runner.lookup(request)
        if (hit !== undefined) return hit
        const key = runner.keyOf(request)
        // Refused earlier: live, unless an earlier run's batch (resumed) is bringing this very answer.
        if (refused !== undefined && !pendingKeys.has(key) && !ready.has(key))
          return yield* runner.call(request)
        const reserved = yield* budget
          .reserve(runner.estimate(request, { batch: true }).costUsd)
          .pipe(Effect.result)
        // Refused: the runner refuses it too (a live call costs at least as much) and stops the run cleanly.
        if (reserved._tag === "Failure") return yield* runner.call(request)
        const answered = yield* viaBatch(request, key, reserved.success)
        // Failed in the batch (or never sent): a live call, with its own budget, limits and retries.
        return answered ?? (yield* runner.call(request))
      })

    return {
      call,
      concurrency: Math.max(1, options.concurrency ?? 50_000),
      finish: Effect.andThen(
        Effect.forEach(fibers, (fiber) => Fiber.interrupt(fiber), { discard: true }),
        runner.flush,
      ),
    }
  })
