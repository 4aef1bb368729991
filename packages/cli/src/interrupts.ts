import { Effect } from "effect"

/**
 * Ctrl-C and SIGTERM. Outside a run with paid calls, a signal interrupts the command at once. During
 * one (`whileDraining`), the first signal stops new calls and lets the calls already sent come back
 * and be stored, for at most `drainSeconds()`, then interrupts; a second signal stops at once. The
 * process leaves with 130 after SIGINT and 143 after SIGTERM (128 + the signal's number).
 */
export type StopSignal = "SIGINT" | "SIGTERM"

export const signalExitCode = (signal: StopSignal): number => (signal === "SIGINT" ? 130 : 143)

/** How long a run waits for its calls in flight after the first signal: STANDIN_DRAIN_SECONDS, else 30. */
export const drainSeconds = (): number => {
  const text = process.env.STANDIN_DRAIN_SECONDS
  const value = text === undefined || text === "" ? Number.NaN : Number(text)
  return Number.isFinite(value) && value >= 0 ? value : 30
}

type Drainer = (signal: StopSignal) => void

let drainer: Drainer | undefined
let received: StopSignal | undefined
let count = 0
let interruptMain: () => void = () => {}

/** The first stop signal received, if any. */
export const receivedSignal = (): StopSignal | undefined => received

/** Set by the process's runner: how to interrupt the command's main fiber. */
export const setInterruptMain = (interrupt: () => void): void => {
  interruptMain = interrupt
}

/** Interrupts the command (once its calls are drained, or at once). */
export const interruptCommand = (): void => interruptMain()

/**
 * What to do with a signal: "drain" (a run took it), "interrupt" (interrupt the command now) or
 * "force" (the second signal: leave at once).
 */
export const receive = (signal: StopSignal): "drain" | "interrupt" | "force" => {
  count++
  received ??= signal
  if (count > 1) return "force"
  if (drainer !== undefined) {
    drainer(signal)
    return "drain"
  }
  return "interrupt"
}

/** While the scope lasts, the first stop signal goes to `drain` instead of interrupting the command. */
export const whileDraining = (drain: Drainer) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      drainer = drain
    }),
    () =>
      Effect.sync(() => {
        if (drainer === drain) drainer = undefined
      }),
  )
