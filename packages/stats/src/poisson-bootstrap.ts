/**
 * The Poisson(1) bootstrap keyed by unit id. Resample r gives the unit with id `id` the weight
 * Poisson(1)⁻¹(u), u a uniform made by hashing (seed, r, id). A unit's weight therefore depends only on the
 * seed, the round and its own id — not on its position or on which other units are present — so two
 * computations with the same seed (a model and its floor, or a ceiling scored on half of the holdout) put every
 * shared unit on the same weight in every resample, and their replicates can be paired. As n grows the Poisson
 * bootstrap agrees with the multinomial (n draws with replacement) bootstrap; its total weight varies around n
 * (Hanley & MacGibbon 2006; Chamandy et al. 2012).
 */

/** murmur3's 32-bit finaliser: a bijection on 32-bit integers with full avalanche. */
const mix32 = (value: number): number => {
  let z = value | 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/** 32-bit FNV-1a hash of a string's UTF-16 code units, mixed. */
export const hashId = (id: string): number => {
  let hash = 0x811c9dc5
  for (let index = 0; index < id.length; index++) hash = Math.imul(hash ^ id.charCodeAt(index), 0x01000193)
  return mix32(hash)
}

/** One hash per id, computed once and reused for every resample. */
export const idHashes = (ids: ReadonlyArray<string>): Uint32Array => Uint32Array.from(ids, hashId)

/** A seed of any finite value folded to 32 bits (as makeRandom does). */
const foldSeed = (seed: number): number => {
  const low = Math.floor(seed) | 0
  const high = Math.floor(seed / 4294967296) | 0
  return mix32(low ^ Math.imul(high, 0x27d4eb2d) ^ 0x5bd1e995)
}

/** Upper cumulative bounds of Poisson(1), scaled to 2^32: weight w while u < bounds[w]. */
const poissonBounds: ReadonlyArray<number> = (() => {
  const bounds: Array<number> = []
  let probability = Math.exp(-1)
  let cumulative = 0
  for (let k = 0; k < 20; k++) {
    cumulative += probability
    bounds.push(Math.min(4294967296, cumulative * 4294967296))
    probability /= k + 1
  }
  bounds[bounds.length - 1] = 4294967296
  return bounds
})()

/** Poisson(1) by inverse CDF of a uniform 32-bit integer. */
export const poissonOne = (uniform32: number): number => {
  let weight = 0
  while (uniform32 >= poissonBounds[weight]!) weight++
  return weight
}

/**
 * The weights of resample `round` (0-based) for units with the given id hashes: out[i] is the Poisson(1) weight
 * of unit i, a pure function of (seed, round, hashes[i]).
 */
export const poissonWeights = (
  seed: number,
  hashes: Uint32Array,
  round: number,
  out: Float64Array = new Float64Array(hashes.length),
): Float64Array => {
  const seedKey = foldSeed(seed)
  // Two keys per round, both depending on seed and round, so rounds and seeds give unrelated streams.
  const roundKey = mix32(seedKey + Math.imul(round + 1, 0x9e3779b9))
  const roundKey2 = mix32(roundKey ^ 0x68e31da4)
  for (let index = 0; index < hashes.length; index++) {
    const uniform = mix32(mix32(hashes[index]! ^ roundKey) + roundKey2)
    out[index] = poissonOne(uniform)
  }
  return out
}
