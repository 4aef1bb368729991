import * as crypto from "node:crypto"

/**
 * A small, fast, seeded PRNG (mulberry32) for everything in a run that must be reproducible from the
 * run's seed: the split, baseline draws, sampling from elicited distributions. Streams are derived from
 * the seed and a list of keys, so the draws for one twin never depend on the order twins are processed in.
 */
export interface Random {
  /** Uniform in [0, 1). */
  readonly next: () => number
  /** Uniform integer in [0, n). */
  readonly int: (n: number) => number
}

export const mulberry32 = (seed: number): Random => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { next, int: (n) => Math.floor(next() * n) }
}

const sha256: (text: string) => Buffer =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "buffer")
    : (text) => crypto.createHash("sha256").update(text).digest()

/**
 * A 32-bit seed derived from a run seed and stream keys (sha256, so streams are independent). One-shot
 * `crypto.hash` where Node has it: it runs for every call of a run, a replay included.
 */
export const deriveSeed = (seed: number, ...keys: ReadonlyArray<string | number>): number =>
  sha256(JSON.stringify([seed, ...keys])).readUInt32LE(0)

export const streamFor = (seed: number, ...keys: ReadonlyArray<string | number>): Random =>
  mulberry32(deriveSeed(seed, ...keys))

/** `streamFor`, derived only when first drawn from (most replies draw nothing): the same draws. */
export const lazyStreamFor = (seed: number, ...keys: ReadonlyArray<string | number>): Random => {
  let stream: Random | undefined
  const next = () => {
    stream ??= streamFor(seed, ...keys)
    return stream.next()
  }
  return { next, int: (n) => Math.floor(next() * n) }
}

/** Fisher–Yates shuffle into a new array. */
export const shuffled = <A>(items: ReadonlyArray<A>, random: Random): Array<A> => {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1)
    const tmp = out[i]!
    out[i] = out[j]!
    out[j] = tmp
  }
  return out
}

/** Draws an index from unnormalised non-negative weights. */
export const drawIndex = (weights: ReadonlyArray<number>, random: Random): number => {
  let total = 0
  for (const w of weights) total += w
  if (!(total > 0)) return random.int(weights.length)
  let u = random.next() * total
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!
    if (u < 0) return i
  }
  return weights.length - 1
}
