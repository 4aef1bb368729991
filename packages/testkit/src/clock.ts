/** The clock that drives the fakes' asynchronous jobs (fine-tuning, batches). */
export interface FakeClock {
  /** Milliseconds since the epoch. */
  readonly now: () => number
  /** Moves a manual clock forward; a real clock ignores it. */
  readonly advance: (milliseconds: number) => void
  readonly manual: boolean
}

/** A clock that moves only when told to: tests step jobs through their lifecycle. */
export const manualClock = (start: number = Date.parse("2026-01-01T00:00:00Z")): FakeClock => {
  let time = start
  return {
    now: () => time,
    advance: (milliseconds) => {
      time += milliseconds
    },
    manual: true,
  }
}

/** The wall clock, for fakes started by hand. */
export const realClock = (): FakeClock => ({ now: () => Date.now(), advance: () => {}, manual: false })
