/** Seeded randomness for the fakes: the same seed gives the same answers, run after run. */
import { mulberry32, type Uniform } from "@standin/stats"

export { hash32, hashUnit } from "@standin/stats"

/** A seeded generator for the fakes: @standin/stats' mulberry32 stream with the draws the fakes need. */
export class Rng {
  private readonly stream: Uniform
  constructor(seed: number) {
    this.stream = mulberry32(seed)
  }
  /** A uniform number in [0, 1). */
  next(): number {
    return this.stream.next()
  }
  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + this.stream.int(max - min + 1)
  }
  /** An index drawn with probability proportional to `weights` (the last index when they sum to 0). */
  pick(weights: ReadonlyArray<number>): number {
    const total = weights.reduce((a, b) => a + b, 0)
    let u = this.stream.next() * total
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i] ?? 0
      if (u < 0) return i
    }
    return weights.length - 1
  }
}
