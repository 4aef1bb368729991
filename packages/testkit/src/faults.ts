import type { Rng } from "./random.js"

/**
 * What can go wrong with a call, and how the fakes make it go wrong:
 * - `429`: rate limited, with `retry-after` (seconds) and `retry-after-ms` headers; `429-bare`: rate limited with
 *   no hint when to come back (no `retry-after`, as real 429s often are); `quota`: a 429 for an account with no
 *   credit left (OpenAI's `insufficient_quota`), which no wait cures;
 * - `500`, `503`, `529` (Anthropic's "overloaded"): server errors; `400`: invalid request; `401`: bad key;
 * - `reset`: the connection is destroyed before any response;
 * - `timeout`: the server never answers (the client's timeout must fire);
 * - `truncated`: a 200 whose JSON body stops halfway; `malformed`: a 200 whose body is not JSON;
 * - `refusal`: the vendor's refusal or safety block; `offscale`: an answer outside the item's options;
 * - `lowmass`: logprobs where the option labels carry little probability.
 */
export const faultKinds = [
  "429",
  "429-bare",
  "quota",
  "500",
  "503",
  "529",
  "400",
  "401",
  "reset",
  "timeout",
  "truncated",
  "malformed",
  "refusal",
  "offscale",
  "lowmass",
] as const
export type FaultKind = (typeof faultKinds)[number]

export const isFaultKind = (text: string): text is FaultKind =>
  (faultKinds as ReadonlyArray<string>).includes(text)

export interface FaultRate {
  readonly kind: FaultKind
  readonly rate: number
}

export interface FaultSpec {
  readonly rates: ReadonlyArray<FaultRate>
  /** Faults for the next requests, in order; `undefined` entries are clean calls. */
  readonly script: ReadonlyArray<FaultKind | undefined>
}

/**
 * Parses a fault SPEC, e.g. `429:0.1,500:0.05,timeout:0.02,malformed:0.02` (rates) or
 * `429,ok,reset*2` (a script for the next requests, in order). Grammar:
 *
 *     SPEC  := ENTRY ("," ENTRY)*
 *     ENTRY := KIND ":" RATE        each faultable request gets KIND with probability RATE
 *            | STEP ["*" COUNT]     the next request(s) in order get STEP (after earlier steps)
 *     STEP  := KIND | "ok"
 *
 * Rates must lie in [0, 1] and add up to at most 1. Returns an error message instead of throwing.
 */
export const parseFaultSpec = (text: string): FaultSpec | { readonly error: string } => {
  const rates: Array<FaultRate> = []
  const script: Array<FaultKind | undefined> = []
  for (const raw of text.split(",")) {
    const entry = raw.trim()
    if (entry === "") continue
    const colon = entry.indexOf(":")
    if (colon !== -1) {
      const kind = entry.slice(0, colon).trim()
      const rate = Number(entry.slice(colon + 1))
      if (!isFaultKind(kind)) return { error: `unknown fault "${kind}" (known: ${faultKinds.join(", ")})` }
      if (!Number.isFinite(rate) || rate < 0 || rate > 1)
        return { error: `fault rate for ${kind} must be in [0, 1]` }
      rates.push({ kind, rate })
      continue
    }
    const star = entry.indexOf("*")
    const step = (star === -1 ? entry : entry.slice(0, star)).trim()
    const count = star === -1 ? 1 : Number(entry.slice(star + 1))
    if (!Number.isInteger(count) || count < 1) return { error: `bad repeat count in "${entry}"` }
    if (step !== "ok" && !isFaultKind(step)) {
      return { error: `unknown fault "${step}" (known: ok, ${faultKinds.join(", ")})` }
    }
    for (let i = 0; i < count; i++) script.push(step === "ok" ? undefined : step)
  }
  const total = rates.reduce((sum, entry) => sum + entry.rate, 0)
  if (total > 1 + 1e-9) return { error: `fault rates add up to ${total}, more than 1` }
  return { rates, script }
}

/** The faults a fake will inject: a script consumed first, then independent draws at the given rates. */
export class FaultPlan {
  private rates: ReadonlyArray<FaultRate> = []
  private queue: Array<FaultKind | undefined> = []

  constructor(spec?: FaultSpec) {
    if (spec !== undefined) this.set(spec)
  }

  /** Replaces the rates and the script. */
  set(spec: FaultSpec): void {
    this.rates = spec.rates
    this.queue = [...spec.script]
  }

  /** Appends steps to the script (`undefined` = a clean call). */
  script(steps: ReadonlyArray<FaultKind | "ok" | undefined>): void {
    for (const step of steps) this.queue.push(step === "ok" ? undefined : step)
  }

  setRates(rates: ReadonlyArray<FaultRate> | Partial<Record<FaultKind, number>>): void {
    this.rates = Array.isArray(rates)
      ? (rates as ReadonlyArray<FaultRate>)
      : Object.entries(rates).flatMap(([kind, rate]) =>
          isFaultKind(kind) && typeof rate === "number" ? [{ kind, rate }] : [],
        )
  }

  clear(): void {
    this.rates = []
    this.queue = []
  }

  /** Steps left in the script. */
  get pending(): number {
    return this.queue.length
  }

  /** The fault for the next faultable request, if any. */
  draw(rng: Rng): FaultKind | undefined {
    if (this.queue.length > 0) return this.queue.shift()
    if (this.rates.length === 0) return undefined
    const u = rng.next()
    let cumulative = 0
    for (const entry of this.rates) {
      cumulative += entry.rate
      if (u < cumulative) return entry.kind
    }
    return undefined
  }
}
