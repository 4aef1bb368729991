/**
 * A seeded pseudo-random generator that gives the same stream on every platform: xoshiro128** on
 * 32-bit integer arithmetic (Math.imul and unsigned shifts only), seeded through splitmix32.
 * Math.random is never used, so every bootstrap, subsample and permutation is reproducible from its seed.
 */
export interface Random {
  /** A uniform 32-bit unsigned integer. */
  readonly nextUint32: () => number
  /** A uniform float in [0, 1) with 53 random bits. */
  readonly nextFloat: () => number
  /** A uniform integer in [0, bound) without modulo bias; bound must be in [1, 2^32]. */
  readonly nextInt: (bound: number) => number
  /** A standard normal deviate (Box–Muller). */
  readonly nextNormal: () => number
}

const splitmix32 = (state: { value: number }): number => {
  state.value = (state.value + 0x9e3779b9) | 0
  let z = state.value
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k))

/** Seeds may be any finite number; non-integers and values beyond 32 bits are folded in deterministically. */
export const makeRandom = (seed: number): Random => {
  const low = Math.floor(seed) | 0
  const high = Math.floor(seed / 4294967296) | 0
  const state = { value: low ^ Math.imul(high, 0x27d4eb2d) }
  let s0 = splitmix32(state)
  let s1 = splitmix32(state)
  let s2 = splitmix32(state)
  let s3 = splitmix32(state)
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0
    const t = s1 << 9
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 11)
    return result
  }

  const nextFloat = (): number => {
    const a = nextUint32() >>> 5
    const b = nextUint32() >>> 6
    return (a * 67108864 + b) / 9007199254740992
  }

  const nextInt = (bound: number): number => {
    if (bound <= 1) return 0
    // Rejection sampling on the top of the 32-bit range removes the modulo bias.
    const limit = 4294967296 - (4294967296 % bound)
    for (;;) {
      const value = nextUint32()
      if (value < limit) return value % bound
    }
  }

  let spare: number | null = null
  const nextNormal = (): number => {
    if (spare !== null) {
      const value = spare
      spare = null
      return value
    }
    let u = 0
    while (u === 0) u = nextFloat()
    const v = nextFloat()
    const radius = Math.sqrt(-2 * Math.log(u))
    spare = radius * Math.sin(2 * Math.PI * v)
    return radius * Math.cos(2 * Math.PI * v)
  }

  return { nextUint32, nextFloat, nextInt, nextNormal }
}

/** A seed for a named sub-stream, so independent parts of a computation do not share draws. */
export const deriveSeed = (seed: number, label: string): number => {
  let hash = Math.floor(seed) | 0
  for (let index = 0; index < label.length; index++) {
    hash = Math.imul(hash ^ label.charCodeAt(index), 0x01000193)
  }
  const state = { value: hash }
  return splitmix32(state)
}

/** Fisher–Yates shuffle of an index array in place. */
export const shuffleInPlace = (random: Random, values: Int32Array | Float64Array | Array<number>): void => {
  for (let index = values.length - 1; index > 0; index--) {
    const other = random.nextInt(index + 1)
    const swap = values[index]!
    values[index] = values[other]!
    values[other] = swap
  }
}

/** `size` distinct indices from [0, population), in draw order (partial Fisher–Yates). */
export const sampleWithoutReplacement = (random: Random, population: number, size: number): Int32Array => {
  const pool = new Int32Array(population)
  for (let index = 0; index < population; index++) pool[index] = index
  const take = Math.min(size, population)
  for (let index = 0; index < take; index++) {
    const other = index + random.nextInt(population - index)
    const swap = pool[index]!
    pool[index] = pool[other]!
    pool[other] = swap
  }
  return pool.slice(0, take)
}

// ---------------------------------------------------------------------------------------------
// Keyed streams: the run-level randomness of the engine, the baselines and the test fakes.

/**
 * A uniform stream from mulberry32: small and fast, for everything in a run that must be reproducible from
 * the run's seed (the split, baseline draws, option orders, sampling from elicited distributions, the fakes).
 * Streams are derived from a seed and a list of keys (`streamFor`), so the draws for one twin never depend on
 * the order twins are processed in. Statistics (bootstraps, permutations) use `makeRandom` instead.
 */
export interface Uniform {
  /** Uniform in [0, 1) (32 random bits). */
  readonly next: () => number
  /** Uniform integer in [0, n): `Math.floor(next() * n)`. */
  readonly int: (n: number) => number
}

/** mulberry32 seeded with the low 32 bits of `seed`. */
export const mulberry32 = (seed: number): Uniform => {
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

const SHA256_K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
])

const rotr = (x: number, k: number): number => (x >>> k) | (x << (32 - k))

const encoder = new TextEncoder()

/**
 * SHA-256 of a string's UTF-8 bytes (FIPS 180-4), in plain 32-bit arithmetic so the module runs unchanged in
 * Node and in a browser. Returns the eight digest words (big-endian words, as the standard writes them).
 */
export const sha256Words = (text: string): Uint32Array => {
  const bytes = encoder.encode(text)
  const blocks = Math.ceil((bytes.length + 9) / 64)
  const padded = new Uint8Array(blocks * 64)
  padded.set(bytes)
  padded[bytes.length] = 0x80
  const bits = bytes.length * 8
  const view = new DataView(padded.buffer)
  view.setUint32(padded.length - 8, Math.floor(bits / 4294967296))
  view.setUint32(padded.length - 4, bits >>> 0)
  const hash = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ])
  const w = new Uint32Array(64)
  for (let block = 0; block < blocks; block++) {
    for (let t = 0; t < 16; t++) w[t] = view.getUint32(block * 64 + t * 4)
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15]!
      const y = w[t - 2]!
      const s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3)
      const s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10)
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0
    }
    let a = hash[0]!
    let b = hash[1]!
    let c = hash[2]!
    let d = hash[3]!
    let e = hash[4]!
    let f = hash[5]!
    let g = hash[6]!
    let h = hash[7]!
    for (let t = 0; t < 64; t++) {
      const s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
      const choice = (e & f) ^ (~e & g)
      const temp1 = (h + s1 + choice + SHA256_K[t]! + w[t]!) | 0
      const s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
      const majority = (a & b) ^ (a & c) ^ (b & c)
      const temp2 = (s0 + majority) | 0
      h = g
      g = f
      f = e
      e = (d + temp1) | 0
      d = c
      c = b
      b = a
      a = (temp1 + temp2) | 0
    }
    hash[0] = hash[0]! + a
    hash[1] = hash[1]! + b
    hash[2] = hash[2]! + c
    hash[3] = hash[3]! + d
    hash[4] = hash[4]! + e
    hash[5] = hash[5]! + f
    hash[6] = hash[6]! + g
    hash[7] = hash[7]! + h
  }
  return hash
}

/**
 * A 32-bit seed for the stream named by a run seed and keys: the first four bytes of the SHA-256 of
 * `JSON.stringify([seed, ...keys])`, read little-endian. A cryptographic hash, so streams with different
 * keys are independent; the keys' JSON is the stream's name (so `1` and `"1"` name different streams).
 */
export const keyedSeed = (seed: number, ...keys: ReadonlyArray<string | number>): number => {
  const word = sha256Words(JSON.stringify([seed, ...keys]))[0]!
  return ((word >>> 24) | ((word >>> 8) & 0xff00) | ((word & 0xff00) << 8) | ((word & 0xff) << 24)) >>> 0
}

/** The mulberry32 stream named by a run seed and keys (`keyedSeed`). */
export const streamFor = (seed: number, ...keys: ReadonlyArray<string | number>): Uniform =>
  mulberry32(keyedSeed(seed, ...keys))

/**
 * The seed sent to the provider (and so to the vendor) for one call of a run without a seed of its own:
 * derived from the run's seed, the twin, the replicate and the re-ask attempt, in [0, 2^31 − 1) so every
 * vendor takes it. The one place this seed is derived: the engine's requests and every check of them use it.
 */
export const callSeed = (runSeed: number, twinId: string, replicate: number, attempt: number): number =>
  keyedSeed(runSeed, "call", twinId, replicate, attempt) % 2_147_483_647

/**
 * The seed a provider sends to its vendor for one call, derived here and nowhere else: a run's own
 * `settings.seed` moved by the replicate and the re-ask attempt (so replicates are decorrelated and a re-ask
 * does not repeat an invalid answer verbatim), or, when the run sets none, `callSeed`. Providers send
 * `request.settings.seed` as it is.
 */
export const vendorSeed = (
  settingsSeed: number | undefined,
  runSeed: number,
  twinId: string,
  replicate: number,
  attempt: number,
): number =>
  settingsSeed === undefined
    ? callSeed(runSeed, twinId, replicate, attempt)
    : (Math.trunc(settingsSeed) + replicate * 1_000_003 + attempt * 7_919) % 2_147_483_647

/** Fisher–Yates shuffle into a new array (draws `random.int(i + 1)` from the end down). */
export const shuffled = <A>(items: ReadonlyArray<A>, random: Uniform): Array<A> => {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1)
    const tmp = out[i]!
    out[i] = out[j]!
    out[j] = tmp
  }
  return out
}

/** Draws an index from unnormalised non-negative weights; with no positive total, a uniform index. */
export const drawIndex = (weights: ReadonlyArray<number>, random: Uniform): number => {
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

/** 32-bit FNV-1a hash of a string's UTF-16 code units. */
export const hash32 = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** A uniform number in [0, 1) derived from a string (`hash32` / 2^32). */
export const hashUnit = (text: string): number => hash32(text) / 0x1_0000_0000
