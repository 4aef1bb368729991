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
