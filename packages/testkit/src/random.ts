/** Seeded randomness for the fakes: the same seed gives the same answers, run after run. */

/** 32-bit FNV-1a hash of a string. */
export const hash32 = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** A uniform number in [0, 1) derived from a string. */
export const hashUnit = (text: string): number => hash32(text) / 0x1_0000_0000

/** A small, fast seeded generator (mulberry32). */
export class Rng {
  private state: number
  constructor(seed: number) {
    this.state = seed >>> 0
  }
  /** A uniform number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }
  /** An index drawn with probability proportional to `weights`. */
  pick(weights: ReadonlyArray<number>): number {
    const total = weights.reduce((a, b) => a + b, 0)
    let u = this.next() * total
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i] ?? 0
      if (u < 0) return i
    }
    return weights.length - 1
  }
}
