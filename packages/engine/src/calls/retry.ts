import type { ProviderError } from "@standin/core"
import { Effect, Random } from "effect"

export interface RetryPolicy {
  /** Tries in all, the first included (1 = never retry). */
  readonly maxAttempts: number
  /** The first backoff window; window n is base·2ⁿ, capped at `maxDelayMs`. */
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  /** Give up once the waits of one call would add up to more than this. */
  readonly maxTotalWaitMs: number
}

/**
 * The vendors' own SDKs' backoff (OpenAI's and Anthropic's: 0.5 s doubling up to 8 s), with full jitter. A longer
 * cap (it was 60 s) only stretched a run's tail under random faults: a call that met four faults in a row waited
 * up to 31 s. Real rate limits are met by `retry-after` (always honoured, whatever the cap) and by the limiter.
 */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxTotalWaitMs: 10 * 60_000,
}

/**
 * How long to wait before retry number `retry` (0 for the first retry): full jitter, a uniform draw in
 * [0, min(max, base·2^retry)), but never less than what the server asked for with retry-after.
 */
export const backoffDelay = (
  policy: RetryPolicy,
  retry: number,
  unitRandom: number,
  retryAfterMs?: number,
): number => {
  const window = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry)
  const jittered = Math.floor(unitRandom * window)
  return retryAfterMs === undefined ? jittered : Math.max(Math.ceil(retryAfterMs), jittered)
}

/** What the retry loop tells its observer before each wait. */
export interface RetryEvent {
  readonly error: ProviderError
  /** 0 for the first retry. */
  readonly retry: number
  readonly delayMs: number
}

/**
 * Runs `attempt` until it succeeds, fails for a reason that is not retryable, or the policy's caps on
 * attempts or total wait are reached; the last error is then returned as is. Waits use Effect's
 * Clock and Random, so TestClock and a seeded Random make the schedule reproducible.
 */
export const withRetries = <A, E extends { readonly _tag: string }, R>(
  policy: RetryPolicy,
  attempt: Effect.Effect<A, E | ProviderError, R>,
  onRetry: (event: RetryEvent) => Effect.Effect<void> = () => Effect.void,
  /** Cuts a wait short when it completes (a halted run): the next try then decides. */
  wake?: Effect.Effect<void>,
): Effect.Effect<A, E | ProviderError, R> => {
  const pause = (delayMs: number) =>
    wake === undefined ? Effect.sleep(delayMs) : Effect.raceFirst(Effect.sleep(delayMs), wake)
  const loop = (retry: number, waited: number): Effect.Effect<A, E | ProviderError, R> =>
    Effect.catch(attempt, (error): Effect.Effect<A, E | ProviderError, R> => {
      if (!isProviderError(error) || !error.retryable || retry + 1 >= policy.maxAttempts)
        return Effect.fail(error)
      return Effect.flatMap(Random.next, (unit) => {
        const delayMs = backoffDelay(policy, retry, unit, error.retryAfterMs)
        if (waited + delayMs > policy.maxTotalWaitMs) return Effect.fail(error)
        return onRetry({ error, retry, delayMs }).pipe(
          Effect.andThen(pause(delayMs)),
          Effect.andThen(loop(retry + 1, waited + delayMs)),
        )
      })
    })
  return loop(0, 0)
}

const isProviderError = (error: { readonly _tag: string }): error is ProviderError =>
  error._tag === "ProviderError"
