import type { FailureReason } from "@standin/core"
import { Clock, Effect } from "effect"

/** What the call layer tells the progress display. */
export type CallEvent =
  /** A call finished: answered (from the cache or the provider) or failed for good with `failure`. */
  | {
      readonly _tag: "Done"
      readonly cached: boolean
      readonly costUsd: number | null
      readonly failure?: FailureReason
    }
  /** A call failed for `reason` and will be retried. */
  | { readonly _tag: "Retrying"; readonly reason: FailureReason }

export interface ProgressSnapshot {
  readonly total: number
  readonly done: number
  readonly cached: number
  readonly failed: number
  readonly costUsd: number
  /** Final failures by reason. */
  readonly failures: Readonly<Partial<Record<FailureReason, number>>>
  /** Errors that were retried, by reason. */
  readonly retries: Readonly<Partial<Record<FailureReason, number>>>
  /** Calls per second since the first one began. */
  readonly ratePerSecond: number
  /** null until a rate is known. */
  readonly etaSeconds: number | null
}

export interface ProgressSink {
  /** Announces `count` more calls to come. */
  readonly addTotal: (count: number) => Effect.Effect<void>
  readonly record: (event: CallEvent) => Effect.Effect<void>
  /** Renders the final state (and ends the live line on a terminal). */
  readonly finish: Effect.Effect<void>
  readonly snapshot: Effect.Effect<ProgressSnapshot>
}

export type ProgressMode = "tty" | "plain" | "quiet"

export interface ProgressOptions {
  /** "tty": one live line redrawn with a carriage return; "plain": a line every `intervalMs`; "quiet": nothing. */
  readonly mode: ProgressMode
  /** Where lines go (default: standard error). */
  readonly write?: (text: string) => void
  /** Milliseconds between renders (default 100 on a terminal, 10 s otherwise). */
  readonly intervalMs?: number
  /** Printed at the start of every line, e.g. the model. */
  readonly label?: string
  /** What holds calls back (e.g. the rate limiter's `binding`), shown as "held by …". */
  readonly binding?: () => string | undefined
}

/** "tty" when standard error is a terminal, else "plain"; "quiet" when asked. */
export const detectProgressMode = (quiet: boolean): ProgressMode =>
  quiet ? "quiet" : process.stderr.isTTY === true ? "tty" : "plain"

const duration = (seconds: number): string => {
  const whole = Math.max(0, Math.round(seconds))
  const hours = Math.floor(whole / 3600)
  const minutes = Math.floor((whole % 3600) / 60)
  const rest = whole % 60
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, "0")}m`
  if (minutes > 0) return `${minutes}m${String(rest).padStart(2, "0")}s`
  return `${rest}s`
}

const counts = (byReason: Readonly<Partial<Record<string, number>>>): string =>
  Object.entries(byReason)
    .filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([reason, count]) => `${reason} ${count}`)
    .join(", ")

/** One line of progress: done/total, rate, ETA, cost so far, errors by kind. */
export const renderProgress = (snapshot: ProgressSnapshot, label?: string, binding?: string): string => {
  const parts: Array<string> = []
  const percent = snapshot.total > 0 ? ` (${Math.floor((100 * snapshot.done) / snapshot.total)}%)` : ""
  parts.push(`${label === undefined ? "" : `${label} `}${snapshot.done}/${snapshot.total}${percent}`)
  parts.push(
    `${snapshot.ratePerSecond >= 10 ? snapshot.ratePerSecond.toFixed(0) : snapshot.ratePerSecond.toFixed(1)}/s`,
  )
  if (snapshot.etaSeconds !== null && snapshot.done < snapshot.total)
    parts.push(`ETA ${duration(snapshot.etaSeconds)}`)
  parts.push(`$${snapshot.costUsd.toFixed(snapshot.costUsd < 10 ? 4 : 2)}`)
  if (snapshot.cached > 0) parts.push(`cached ${snapshot.cached}`)
  if (snapshot.failed > 0) parts.push(`failed ${snapshot.failed} (${counts(snapshot.failures)})`)
  const retried = counts(snapshot.retries)
  if (retried !== "") parts.push(`retried: ${retried}`)
  if (binding !== undefined && snapshot.done < snapshot.total) parts.push(`held by ${binding}`)
  return parts.join(" · ")
}

/** A progress display. Its figures are kept in every mode; only rendering differs. */
export const makeProgress = (options: ProgressOptions): ProgressSink => {
  const write = options.write ?? ((text: string) => void process.stderr.write(text))
  const interval = options.intervalMs ?? (options.mode === "tty" ? 100 : 10_000)
  let total = 0
  let done = 0
  let cached = 0
  let failed = 0
  let cost = 0
  const failures: Partial<Record<FailureReason, number>> = {}
  const retries: Partial<Record<FailureReason, number>> = {}
  let startedAt: number | null = null
  let lastRender: number | null = null
  let finished = false

  const snapshotAt = (now: number): ProgressSnapshot => {
    const elapsed = startedAt === null ? 0 : (now - startedAt) / 1000
    const rate = elapsed > 0 ? done / elapsed : 0
    return {
      total,
      done,
      cached,
      failed,
      costUsd: cost,
      failures: { ...failures },
      retries: { ...retries },
      ratePerSecond: rate,
      etaSeconds: rate > 0 ? Math.max(0, total - done) / rate : null,
    }
  }

  const render = (now: number, final: boolean) => {
    if (options.mode === "quiet") return
    const line = renderProgress(snapshotAt(now), options.label, final ? undefined : options.binding?.())
    if (options.mode === "tty") write(`\r${line}\x1b[K${final ? "\n" : ""}`)
    else write(`${line}\n`)
    lastRender = now
  }

  const maybeRender = (now: number) => {
    if (options.mode === "quiet" || finished) return
    if (lastRender === null ? options.mode === "tty" : now - lastRender >= interval) render(now, false)
    else if (lastRender === null) lastRender = now
  }

  return {
    addTotal: (count) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        total += count
        if (startedAt === null) startedAt = now
      }),
    record: (event) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (startedAt === null) startedAt = now
        if (event._tag === "Retrying") retries[event.reason] = (retries[event.reason] ?? 0) + 1
        else {
          done++
          if (event.cached) cached++
          if (event.failure !== undefined) {
            failed++
            failures[event.failure] = (failures[event.failure] ?? 0) + 1
          }
          if (!event.cached && event.costUsd !== null) cost += event.costUsd
        }
        maybeRender(now)
      }),
    finish: Effect.map(Clock.currentTimeMillis, (now) => {
      if (finished) return
      finished = true
      render(now, true)
    }),
    snapshot: Effect.map(Clock.currentTimeMillis, snapshotAt),
  }
}

/** A sink that keeps no figures and prints nothing. */
export const silentProgress: ProgressSink = {
  addTotal: () => Effect.void,
  record: () => Effect.void,
  finish: Effect.void,
  snapshot: Effect.succeed({
    total: 0,
    done: 0,
    cached: 0,
    failed: 0,
    costUsd: 0,
    failures: {},
    retries: {},
    ratePerSecond: 0,
    etaSeconds: null,
  }),
}
