import { Clock, Deferred, Effect, Exit } from "effect"

export interface RateLimits {
  /** Calls in flight at once (the ceiling that adaptive concurrency climbs back to). */
  readonly maxConcurrency: number
  /** null: no request-rate limit. */
  readonly requestsPerMinute: number | null
  /** null: no token-rate limit. Counts input plus expected output tokens. */
  readonly tokensPerMinute: number | null
  /**
   * Adaptive concurrency (AIMD): halve when 429s make up most of the recent answers (`rateLimitedShare`), at
   * most once per window of calls; climb back by one per window of answers, or by one per answer (doubling
   * per window) once a whole window came back without a 429.
   */
  readonly adaptive: boolean
  /**
   * How many seconds' worth of the per-minute allowances may go out at once. Vendors enforce minute
   * quotas over shorter windows, so a full minute's burst would earn 429s.
   */
  readonly burstSeconds: number
}

/**
 * Defaults per provider id: roughly a new account's first paid tier, so that a first run is not
 * throttled by the vendor. Raise them in config to your own tier. Unknown providers get `fallback`.
 *
 * | provider | concurrency | requests/min | tokens/min |
 * |---|---|---|---|
 * | openai | 64 | 500 | 200,000 |
 * | anthropic | 16 | 50 | 50,000 |
 * | google | 32 | 1,000 | 1,000,000 |
 * | openai-compatible (local servers) | 16 | none | none |
 * | anything else (fakes, baselines) | 64 | none | none |
 */
export const vendorDefaults: Readonly<Record<string, RateLimits>> = {
  openai: {
    maxConcurrency: 64,
    requestsPerMinute: 500,
    tokensPerMinute: 200_000,
    adaptive: true,
    burstSeconds: 10,
  },
  anthropic: {
    maxConcurrency: 16,
    requestsPerMinute: 50,
    tokensPerMinute: 50_000,
    adaptive: true,
    burstSeconds: 10,
  },
  google: {
    maxConcurrency: 32,
    requestsPerMinute: 1_000,
    tokensPerMinute: 1_000_000,
    adaptive: true,
    burstSeconds: 10,
  },
  "openai-compatible": {
    maxConcurrency: 16,
    requestsPerMinute: null,
    tokensPerMinute: null,
    adaptive: true,
    burstSeconds: 10,
  },
}

export const fallbackLimits: RateLimits = {
  maxConcurrency: 64,
  requestsPerMinute: null,
  tokensPerMinute: null,
  adaptive: true,
  burstSeconds: 10,
}

/** The provider's defaults with the user's settings laid over them. */
export const limitsFor = (provider: string, overrides: Partial<RateLimits> = {}): RateLimits => ({
  ...(vendorDefaults[provider] ?? fallbackLimits),
  ...overrides,
})

/**
 * The weight of the newest answer in the running share of 429s (an exponential average over about the last 32
 * answers): random 429s at a rate well below one half (a flaky gateway, the fake's fault injection) leave it
 * far below `overloadShare`, while a vendor refusing most calls drives it over within a couple dozen answers.
 */
export const rateLimitedWeight = 1 / 32

/** The share of 429s among recent answers above which a 429 cuts concurrency: most calls are refused. */
export const overloadShare = 0.5

/**
 * The adaptive-concurrency controller on its own, with no clock: what `makeRateLimiter` consults on each
 * answer. Pure and deterministic, so its decisions are tested outcome by outcome.
 *
 * - A 429 halves the limit only when (a) 429s are more than `overloadShare` of recent answers (an exponential
 *   average weighted `rateLimitedWeight`), and (b) its permit was granted after the last cut (`epoch`): calls
 *   sent before a cut are not evidence against the new limit. Random 429s among mostly good answers are the
 *   vendor's noise: the retry waits them out (honouring `retry-after`) without starving every other call.
 * - Other failures (5xx, resets, timeouts) never cut: they say nothing about our load.
 * - A good answer adds 1/limit (one slot per window of answers); once a whole window (`limit` answers in a row)
 *   came back without a 429, each good answer adds one (the limit doubles per window) up to the ceiling, so a
 *   run recovers from a burst of 429s in a few windows instead of one slot per window.
 */
export interface ConcurrencyController {
  readonly ceiling: number
  /** The current limit (fractional; calls in flight are held under its floor, at least 1). */
  limit: number
  /** Bumped at each cut: permits of an older epoch cannot cut again. */
  epoch: number
  /** Running share of 429s among answers. */
  rateLimitedShare: number
  /** Answers in a row with no 429. */
  cleanStreak: number
}

export const makeConcurrencyController = (ceiling: number): ConcurrencyController => ({
  ceiling: Math.max(1, Math.floor(ceiling)),
  limit: Math.max(1, Math.floor(ceiling)),
  epoch: 0,
  rateLimitedShare: 0,
  cleanStreak: 0,
})

/** Updates the controller with one answer to a permit granted in `permitEpoch`. */
export const observeOutcome = (
  controller: ConcurrencyController,
  permitEpoch: number,
  outcome: CallOutcome["_tag"],
): void => {
  const limited = outcome === "RateLimited"
  controller.rateLimitedShare += rateLimitedWeight * ((limited ? 1 : 0) - controller.rateLimitedShare)
  if (limited) {
    controller.cleanStreak = 0
    if (permitEpoch === controller.epoch && controller.rateLimitedShare > overloadShare) {
      controller.limit = Math.max(1, controller.limit / 2)
      controller.epoch++
    }
    return
  }
  controller.cleanStreak++
  if (outcome !== "Succeeded" || controller.limit >= controller.ceiling) return
  const step = controller.cleanStreak >= controller.limit ? 1 : 1 / controller.limit
  controller.limit = Math.min(controller.ceiling, controller.limit + step)
}

/** Leave to send one call; handed back with `release`. */
export interface Permit {
  readonly tokens: number
  /** The concurrency epoch the permit was granted in (a 429 only halves once per epoch). */
  readonly epoch: number
}

export type CallOutcome =
  | { readonly _tag: "Succeeded"; readonly tokens: number }
  | { readonly _tag: "RateLimited" }
  | { readonly _tag: "Failed" }

export interface RateLimiterState {
  readonly inFlight: number
  /** The current (adaptive) concurrency limit. */
  readonly concurrency: number
  readonly waiting: number
  readonly requestAllowance: number | null
  readonly tokenAllowance: number | null
}

export interface RateLimiter {
  readonly limits: RateLimits
  /** Waits (first come, first served) until a call of `tokens` estimated tokens may go out. */
  readonly acquire: (tokens: number) => Effect.Effect<Permit>
  /** Hands a permit back, correcting the token bucket by the tokens actually used. */
  readonly release: (permit: Permit, outcome: CallOutcome) => Effect.Effect<void>
  readonly state: Effect.Effect<RateLimiterState>
  /**
   * What holds calls back right now, for the progress line: "concurrency" (every permit is out; with
   * "halved after 429s" when adaptive concurrency is below its ceiling), "rpm" or "tpm" (the head of
   * the queue waits for that allowance), or undefined when no call waits.
   */
  readonly binding: () => string | undefined
}

/** A refilling allowance: `capacity` at most, `perMs` added each millisecond. It may go into debt. */
class Bucket {
  level: number
  constructor(
    readonly capacity: number,
    readonly perMs: number,
    public at: number,
  ) {
    this.level = capacity
  }
  refill(now: number): void {
    if (now > this.at) {
      this.level = Math.min(this.capacity, this.level + (now - this.at) * this.perMs)
      this.at = now
    }
  }
  /** What must be available before taking `amount`: a call larger than the bucket waits for a full one. */
  need(amount: number): number {
    return Math.min(amount, this.capacity)
  }
  /** Milliseconds until `amount` can be taken (0 when it can be now). */
  waitFor(amount: number): number {
    const missing = this.need(amount) - this.level
    return missing <= 0 ? 0 : Math.ceil(missing / this.perMs)
  }
}

const perMinuteBucket = (perMinute: number | null, burstSeconds: number, now: number): Bucket | null =>
  perMinute === null || !Number.isFinite(perMinute)
    ? null
    : new Bucket(Math.max(1, (perMinute * burstSeconds) / 60), perMinute / 60_000, now)

interface Waiter {
  readonly tokens: number
  readonly deferred: Deferred.Deferred<Permit>
}

/**
 * One provider's limiter: a concurrency limit (adaptive: `ConcurrencyController`),
 * a request bucket and a token bucket (fed by each call's estimate, corrected by its actual usage).
 * Waiters are served in order; all timing goes through Effect's Clock, so TestClock drives it in tests.
 */
export const makeRateLimiter = (limits: RateLimits): Effect.Effect<RateLimiter> =>
  Effect.map(Clock.currentTimeMillis, (start) => {
    const requests = perMinuteBucket(limits.requestsPerMinute, limits.burstSeconds, start)
    const tokenBucket = perMinuteBucket(limits.tokensPerMinute, limits.burstSeconds, start)
    const controller = makeConcurrencyController(limits.maxConcurrency)
    const ceiling = controller.ceiling
    let inFlight = 0
    const queue: Array<Waiter> = []
    let timerAt: number | null = null

    const refill = (now: number) => {
      requests?.refill(now)
      tokenBucket?.refill(now)
    }
    const canRun = () => inFlight < Math.max(1, Math.floor(controller.limit))
    const waitFor = (tokens: number): number =>
      Math.max(requests?.waitFor(1) ?? 0, tokenBucket?.waitFor(tokens) ?? 0)
    const take = (tokens: number): Permit => {
      inFlight++
      if (requests !== null) requests.level -= 1
      if (tokenBucket !== null) tokenBucket.level -= tokens
      return { tokens, epoch: controller.epoch }
    }

    let binding: string | undefined
    const concurrencyBinding = () =>
      controller.limit < ceiling ? "concurrency (halved after 429s)" : "concurrency"
    /** Grants what can be granted now; returns how long the head must wait for the buckets, if it must. */
    const drain = (now: number): number | null => {
      refill(now)
      while (queue.length > 0) {
        if (!canRun()) {
          binding = concurrencyBinding()
          return null
        }
        const head = queue[0]!
        const wait = waitFor(head.tokens)
        if (wait > 0) {
          binding = (requests?.waitFor(1) ?? 0) >= (tokenBucket?.waitFor(head.tokens) ?? 0) ? "rpm" : "tpm"
          return wait
        }
        queue.shift()
        Deferred.doneUnsafe(head.deferred, Exit.succeed(take(head.tokens)))
      }
      binding = undefined
      return null
    }

    const pump: Effect.Effect<void> = Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const wait = drain(now)
      if (wait === null) return Effect.void
      const due = now + wait
      if (timerAt !== null && timerAt <= due) return Effect.void
      timerAt = due
      return Effect.asVoid(
        Effect.forkDetach(
          Effect.sleep(wait).pipe(
            Effect.andThen(
              Effect.suspend(() => {
                if (timerAt === due) timerAt = null
                return pump
              }),
            ),
          ),
        ),
      )
    })

    const acquire = (tokens: number): Effect.Effect<Permit> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        refill(now)
        if (queue.length === 0 && canRun() && waitFor(tokens) === 0) return Effect.succeed(take(tokens))
        const waiter: Waiter = { tokens, deferred: Deferred.makeUnsafe<Permit>() }
        queue.push(waiter)
        return pump.pipe(
          Effect.andThen(Deferred.await(waiter.deferred)),
          Effect.onInterrupt(() =>
            Effect.suspend(() => {
              const index = queue.indexOf(waiter)
              if (index >= 0) {
                queue.splice(index, 1)
                return pump
              }
              // granted just as it was interrupted: hand the permit back
              return Effect.flatMap(Deferred.await(waiter.deferred), (permit) =>
                release(permit, { _tag: "Failed" }),
              )
            }),
          ),
        )
      })

    const release = (permit: Permit, outcome: CallOutcome): Effect.Effect<void> =>
      Effect.suspend(() => {
        inFlight--
        if (limits.adaptive) observeOutcome(controller, permit.epoch, outcome._tag)
        switch (outcome._tag) {
          case "Succeeded":
            if (tokenBucket !== null) tokenBucket.level -= outcome.tokens - permit.tokens
            break
          case "RateLimited":
            break
          case "Failed":
            // nothing was used: give the estimated tokens back
            if (tokenBucket !== null)
              tokenBucket.level = Math.min(tokenBucket.capacity, tokenBucket.level + permit.tokens)
            break
        }
        return pump
      })

    return {
      limits,
      acquire,
      release,
      binding: () => (queue.length === 0 ? undefined : binding),
      state: Effect.map(Clock.currentTimeMillis, (now) => {
        refill(now)
        return {
          inFlight,
          concurrency: Math.max(1, Math.floor(controller.limit)),
          waiting: queue.length,
          requestAllowance: requests?.level ?? null,
          tokenAllowance: tokenBucket?.level ?? null,
        }
      }),
    }
  })

/** One limiter per provider id, shared by every runner of a run that calls that provider. */
export interface RateLimiterPool {
  readonly get: (provider: string) => Effect.Effect<RateLimiter>
}

/** A pool whose limiters use each provider's defaults with `overrides[provider]` laid over them. */
export const makeRateLimiterPool = (
  overrides: Readonly<Record<string, Partial<RateLimits>>> = {},
): RateLimiterPool => {
  const limiters = new Map<string, RateLimiter>()
  return {
    get: (provider) =>
      Effect.suspend(() => {
        const known = limiters.get(provider)
        if (known !== undefined) return Effect.succeed(known)
        return Effect.map(makeRateLimiter(limitsFor(provider, overrides[provider])), (limiter) => {
          // two fibers may have raced to make one: keep the first
          const first = limiters.get(provider) ?? limiter
          limiters.set(provider, first)
          return first
        })
      }),
  }
}
