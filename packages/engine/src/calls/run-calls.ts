import type { Elicitation, ProviderShape } from "@standin/core"
import type { StoreError, StoreShape } from "@standin/store"
import { Effect, type Scope } from "effect"
import type { ProviderSelection } from "../run.js"
import { type CacheReplay, type CallExecutor, directExecutor } from "../simulate.js"
import { type BatchEvent, makeBatchExecutor, probeBatch } from "./batch-executor.js"
import type { Budget } from "./budget.js"
import { makeCallRunner } from "./call-runner.js"
import type { BudgetExceeded } from "./errors.js"
import type { PriceTable } from "./price-table.js"
import type { ProgressSink } from "./progress.js"
import { limitsFor, makeRateLimiter, type RateLimiter, type RateLimits } from "./rate-limiter.js"
import type { RetryPolicy } from "./retry.js"

/** When a provider's calls go through its vendor's batch API. */
export interface BatchChoice {
  /** "always": every provider that has a batch API; "auto": those with at least `threshold` first asks. */
  readonly mode: "auto" | "always"
  readonly threshold: number
  readonly pollIntervalMs?: number
  /** At most this many requests per vendor batch. */
  readonly maxRequests?: number
  /** A partly filled batch goes out after this long without new requests. */
  readonly idleMs?: number
}

export interface RunCallsOptions {
  /** The call cache and run record; without one nothing is cached or resumable. */
  readonly store?: StoreShape
  readonly runId?: string
  readonly fresh?: boolean
  /** One budget for the whole run, across providers. */
  readonly budget: Budget
  readonly prices?: PriceTable
  /** Laid over every provider's default limits (from --concurrency, --rpm, --tpm). */
  readonly limits?: Partial<RateLimits>
  readonly retry?: Partial<RetryPolicy>
  /** Longest one try may take before it counts as a timeout. */
  readonly timeoutMs?: number
  readonly batch?: BatchChoice
  /** The run's elicitation: a batch path that does not serve it is not used. */
  readonly elicitation?: Elicitation
  /**
   * A progress display per provider, labelled with its `provider:model`; `binding` says what holds its
   * calls back (its rate limiter's `binding`).
   */
  readonly progress: (label: string, binding: () => string | undefined) => ProgressSink
  readonly onBatchEvent?: (event: BatchEvent) => void
  /** Where batch pollers live; they end with it. */
  readonly scope: Scope.Scope
}

/**
 * Whether a provider's calls would go through its batch API under `choice`: it has one, its batch path
 * serves the run's elicitation (when given), and batches are asked for or the run is large enough.
 */
export const usesBatch = (
  provider: Pick<ProviderShape, "descriptor" | "batch">,
  choice: BatchChoice | undefined,
  firstAsks: number,
  elicitation?: Elicitation,
): boolean =>
  choice !== undefined &&
  provider.batch !== undefined &&
  provider.descriptor.capabilities.batch &&
  (elicitation === undefined || provider.batch.elicitation.includes(elicitation)) &&
  (choice.mode === "always" || firstAsks >= choice.threshold)

/** Whether this run filed batches with `provider` that were still running when it stopped. */
const hasRunningBatches = (
  options: Pick<RunCallsOptions, "store" | "runId">,
  provider: string,
): Effect.Effect<boolean, StoreError> =>
  options.store === undefined || options.runId === undefined
    ? Effect.succeed(false)
    : Effect.map(options.store.listBatches({ runId: options.runId, provider }), (filed) =>
        filed.some((record) => record.status === "submitted"),
      )

/**
 * The executor factory a real run gives `runStudy`: baselines are called directly (they cost nothing);
 * every model provider gets a call runner — the cache, the run's shared budget, its provider's rate
 * limiter (one per provider id, shared by all its models), retries — and, when chosen, the vendor's
 * batch API in front of it. Re-asks are added to the provider's progress total as they happen.
 */
export const runExecutors = (options: RunCallsOptions) => {
  // One limiter per provider id: every model of one vendor account shares its limits.
  const limiters = new Map<string, RateLimiter>()
  const limiterFor = (provider: string) =>
    Effect.suspend(() => {
      const known = limiters.get(provider)
      if (known !== undefined) return Effect.succeed(known)
      return Effect.tap(makeRateLimiter(limitsFor(provider, options.limits)), (made) =>
        Effect.sync(() => limiters.set(provider, made)),
      )
    })
  return (
    provider: ProviderShape,
    selection: ProviderSelection,
    plan: { readonly calls: number },
  ): Effect.Effect<CallExecutor<BudgetExceeded | StoreError>, StoreError> =>
    Effect.gen(function* () {
      if (provider.descriptor.baseline !== undefined)
        return directExecutor(provider) as CallExecutor<BudgetExceeded | StoreError>
      const limiter = yield* limiterFor(selection.spec.provider)
      const progress = options.progress(`${selection.spec.provider}:${selection.spec.model}`, limiter.binding)
      yield* progress.addTotal(plan.calls)
      const runner = yield* makeCallRunner({
        provider,
        spec: selection.spec,
        ...(options.store === undefined ? {} : { store: options.store }),
        ...(options.runId === undefined ? {} : { runId: options.runId }),
        fresh: options.fresh === true,
        limiter,
        budget: options.budget,
        progress,
        ...(options.prices === undefined ? {} : { prices: options.prices }),
        ...(options.retry === undefined ? {} : { retry: options.retry }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      })
      // the replay path counts its re-asks alike
      const replay: CacheReplay<StoreError> = {
        ...runner.replay,
        commit: (hits) =>
          Effect.andThen(
            progress.addTotal(hits.filter((hit) => hit.request.attempt > 0).length),
            runner.replay.commit(hits),
          ),
      }
      const counted = <A, E>(
        request: { readonly attempt: number },
        call: Effect.Effect<A, E>,
      ): Effect.Effect<A, E> => (request.attempt > 0 ? Effect.andThen(progress.addTotal(1), call) : call)
      const batch = provider.batch
      // A server without the batch API is found out by one cheap request, before any twin is prepared
      // for a batch: its calls then go live at once, with live concurrency. Not when this run has batches
      // running (a restart): those are waited for by id whatever a probe says, never paid for again live.
      const batched =
        batch !== undefined &&
        usesBatch(provider, options.batch, plan.calls, options.elicitation) &&
        ((yield* hasRunningBatches(options, selection.spec.provider)) ||
          (yield* probeBatch(batch, selection.spec.provider, options.onBatchEvent)) === undefined)
      if (batch !== undefined && batched) {
        const choice = options.batch!
        const executor = yield* makeBatchExecutor({
          runner,
          batch,
          provider: selection.spec.provider,
          ...(options.store === undefined ? {} : { store: options.store }),
          ...(options.runId === undefined ? {} : { runId: options.runId }),
          scope: options.scope,
          ...(choice.maxRequests === undefined ? {} : { maxRequests: choice.maxRequests }),
          ...(choice.pollIntervalMs === undefined ? {} : { pollIntervalMs: choice.pollIntervalMs }),
          ...(choice.idleMs === undefined ? {} : { idleMs: choice.idleMs }),
          ...(options.onBatchEvent === undefined ? {} : { onEvent: options.onBatchEvent }),
        })
        return {
          call: (request) => counted(request, executor.call(request)),
          concurrency: executor.concurrency,
          replay,
          finish: Effect.andThen(executor.finish, progress.finish),
        }
      }
      return {
        call: (request) => counted(request, runner.call(request)),
        // Twice the limiter's ceiling: while its calls are out, as many twins render their prompts and
        // parse their answers, so the limiter (adaptive, rate-limited) is what holds calls back.
        concurrency: 2 * limiter.limits.maxConcurrency,
        replay,
        finish: Effect.andThen(runner.flush, progress.finish),
      }
    })
}
