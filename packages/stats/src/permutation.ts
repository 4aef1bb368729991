import { makeRandom } from "./random.js"

export type Alternative = "two-sided" | "greater" | "less"

export interface PermutationOptions {
  readonly seed: number
  /** Random relabellings (default 9,999). */
  readonly permutations?: number
  readonly alternative?: Alternative
  /** The statistic comparing the two groups (default: mean of x minus mean of y). */
  readonly statistic?: (x: Float64Array, y: Float64Array) => number
}

export interface PermutationResult {
  readonly statistic: number
  /** (1 + #{permuted at least as extreme}) / (1 + permutations): never 0, valid at any number of permutations. */
  readonly p: number
  readonly permutations: number
}

const meanDifference = (x: Float64Array, y: Float64Array): number => {
  let sx = 0
  let sy = 0
  for (const value of x) sx += value
  for (const value of y) sy += value
  return sx / x.length - sy / y.length
}

/** A two-sample permutation test: group labels are shuffled, the statistic recomputed, and its extremity counted. */
export const permutationTest = (
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: PermutationOptions,
): PermutationResult => {
  const statistic = options.statistic ?? meanDifference
  const permutations = options.permutations ?? 9999
  const alternative = options.alternative ?? "two-sided"
  const pooled = new Float64Array(x.length + y.length)
  for (let index = 0; index < x.length; index++) pooled[index] = x[index]!
  for (let index = 0; index < y.length; index++) pooled[x.length + index] = y[index]!
  const observed = statistic(pooled.subarray(0, x.length), pooled.subarray(x.length))
  const random = makeRandom(options.seed)
  // A relative tolerance keeps ties that differ only by rounding counted as "as extreme".
  const tolerance = 1e-12 * Math.max(1, Math.abs(observed))
  let extreme = 0
  for (let round = 0; round < permutations; round++) {
    for (let index = pooled.length - 1; index > 0; index--) {
      const other = random.nextInt(index + 1)
      const swap = pooled[index]!
      pooled[index] = pooled[other]!
      pooled[other] = swap
    }
    const value = statistic(pooled.subarray(0, x.length), pooled.subarray(x.length))
    if (
      alternative === "two-sided"
        ? Math.abs(value) >= Math.abs(observed) - tolerance
        : alternative === "greater"
          ? value >= observed - tolerance
          : value <= observed + tolerance
    )
      extreme++
  }
  return { statistic: observed, p: (1 + extreme) / (1 + permutations), permutations }
}
