import { Deferred, Effect } from "effect"
import { BudgetExceeded } from "./errors.js"

/** Where the budget stands. */
export interface BudgetReport {
  /** null: no limit. */
  readonly limitUsd: number | null
  /** Paid for calls that completed (cached answers cost nothing now and are not counted). */
  readonly spentUsd: number
  /** Estimated cost of the calls under way. */
  readonly inFlightUsd: number
  /** Calls holding a reservation (sent, waiting for the rate limiter, or waiting in a vendor batch). */
  readonly inFlightCalls: number
  /** Set once the limit refused a call: every later call is refused too, so a run stops cleanly. */
  readonly stopped: boolean
  readonly refusedCalls: number
  /** How far below the limit spending stopped (null without a limit). */
  readonly headroomUsd: number | null
  /** Why the run was halted (`halt`), e.g. "SIGINT"; null when it was not. */
  readonly halted: string | null
}

/** A call's claim on the budget, held from before it is sent until its cost is known. */
export interface Reservation {
  readonly estimateUsd: number
}

/**
 * A spending limit shared by every call of a run, across providers. A call is refused when what was
 * spent, plus the estimates of the calls in flight, plus its own estimate would pass the limit; so the
 * run stops within one in-flight window of the limit, and never above it while estimates hold.
 */
export interface Budget {
  readonly reserve: (estimateUsd: number | null) => Effect.Effect<Reservation, BudgetExceeded>
  /** The call completed; `actualUsd` replaces its estimate (null: its price is unknown). */
  readonly settle: (reservation: Reservation, actualUsd: number | null) => Effect.Effect<void>
  /** The call failed without being charged: give its estimate back. */
  readonly release: (reservation: Reservation) => Effect.Effect<void>
  readonly report: Effect.Effect<BudgetReport>
  /**
   * Waits until no call holds a reservation. A run that hit its limit waits for this before it stops,
   * so that every call already sent is answered and cached: nothing paid for is thrown away.
   */
  readonly drained: Effect.Effect<void>
  /**
   * Stops the run as a reached limit does, whatever its limit (e.g. on Ctrl-C): every later reservation
   * is refused, calls waiting for the rate limiter or for a retry give up (`halted` wakes them), and
   * calls already sent are answered and cached before the run stops (`drained`). Synchronous, so a
   * signal handler can call it. `why` is kept in the report.
   */
  readonly halt: (why: string) => void
  /** Completes once `halt` was called; never otherwise. */
  readonly halted: Effect.Effect<void>
  /** The refusal a halted run's waiting calls fail with. */
  readonly haltedError: () => BudgetExceeded
}

const dollars = (value: number): string => `$${value.toFixed(value < 1 ? 4 : 2)}`

/** A budget of at most `limitUsd` (none when undefined or null: then it only keeps accounts). */
export const makeBudget = (limitUsd?: number | null): Budget => {
  const limit = limitUsd ?? null
  let spent = 0
  let inFlight = 0
  let stopped = false
  let refused = 0
  let calls = 0
  let waiters: Array<Deferred.Deferred<void>> = []
  let halted: string | null = null
  const haltSignal = Deferred.makeUnsafe<void>()
  const haltedError = () =>
    new BudgetExceeded({
      limitUsd: limit ?? 0,
      spentUsd: spent,
      inFlightUsd: inFlight,
      requestedUsd: null,
      message: `the run was stopped (${halted ?? "halted"})`,
    })
  const returned = () => {
    calls = Math.max(0, calls - 1)
    if (calls === 0 && waiters.length > 0) {
      const woken = waiters
      waiters = []
      for (const waiter of woken) Deferred.doneUnsafe(waiter, Effect.void)
    }
  }

  const refuse = (requested: number | null, message: string) => {
    stopped = true
    refused++
    return Effect.fail(
      new BudgetExceeded({
        limitUsd: limit ?? 0,
        spentUsd: spent,
        inFlightUsd: inFlight,
        requestedUsd: requested,
        message,
      }),
    )
  }

  return {
    reserve: (estimateUsd) =>
      Effect.suspend(() => {
        if (halted !== null) {
          refused++
          return Effect.fail(haltedError())
        }
        if (limit === null) {
          const reservation = { estimateUsd: estimateUsd ?? 0 }
          inFlight += reservation.estimateUsd
          calls++
          return Effect.succeed(reservation)
        }
        if (stopped) {
          refused++
          return Effect.fail(
            new BudgetExceeded({
              limitUsd: limit,
              spentUsd: spent,
              inFlightUsd: inFlight,
              requestedUsd: estimateUsd,
              message: `the cost limit of ${dollars(limit)} was reached (spent ${dollars(spent)})`,
            }),
          )
        }
        if (estimateUsd === null)
          return refuse(
            null,
            "a cost limit is set but this model has no known price: add it to the price table",
          )
        if (spent + inFlight + estimateUsd > limit)
          return refuse(
            estimateUsd,
            `the cost limit of ${dollars(limit)} would be passed: spent ${dollars(spent)}, ${dollars(inFlight)} in flight, this call ~${dollars(estimateUsd)}`,
          )
        inFlight += estimateUsd
        calls++
        return Effect.succeed({ estimateUsd })
      }),
    settle: (reservation, actualUsd) =>
      Effect.sync(() => {
        inFlight = Math.max(0, inFlight - reservation.estimateUsd)
        spent += actualUsd ?? reservation.estimateUsd
        returned()
      }),
    release: (reservation) =>
      Effect.sync(() => {
        inFlight = Math.max(0, inFlight - reservation.estimateUsd)
        returned()
      }),
    report: Effect.sync(() => ({
      limitUsd: limit,
      spentUsd: spent,
      inFlightUsd: inFlight,
      inFlightCalls: calls,
      stopped,
      refusedCalls: refused,
      headroomUsd: limit === null ? null : limit - spent,
      halted,
    })),
    drained: Effect.suspend(() => {
      if (calls === 0) return Effect.void
      const waiter = Deferred.makeUnsafe<void>()
      waiters.push(waiter)
      return Deferred.await(waiter)
    }),
    halt: (why) => {
      if (halted !== null) return
      halted = why
      stopped = true
      Deferred.doneUnsafe(haltSignal, Effect.void)
    },
    halted: Deferred.await(haltSignal),
    haltedError,
  }
}
