import type { Design } from "./design.js"
import { cholesky } from "./linear-algebra.js"
import type { FitError } from "./regression.js"

/** Sparse-row kernels shared by the likelihood fits (the n-sized work; the p-sized work is linear-algebra.ts). */

/** η = Xβ for every design row. */
export const linearPredictorOf = (design: Design, beta: ArrayLike<number>, offset = 0): Float64Array => {
  const { rowStart, columnIndex, values } = design
  const eta = new Float64Array(design.n)
  for (let i = 0; i < design.n; i++) {
    let sum = 0
    for (let a = rowStart[i]!; a < rowStart[i + 1]!; a++) sum += values[a]! * beta[offset + columnIndex[a]!]!
    eta[i] = sum
  }
  return eta
}

/** X'DX (full symmetric p×p) for per-row weights d; rows with d = 0 are skipped. */
export const weightedCrossProduct = (design: Design, rowWeight: ArrayLike<number>): Float64Array => {
  const { p, rowStart, columnIndex, values } = design
  const out = new Float64Array(p * p)
  for (let i = 0; i < design.n; i++) {
    const weight = rowWeight[i]!
    if (weight === 0) continue
    const end = rowStart[i + 1]!
    for (let a = rowStart[i]!; a < end; a++) {
      const wa = weight * values[a]!
      const base = columnIndex[a]! * p
      for (let b = a; b < end; b++) out[base + columnIndex[b]!]! += wa * values[b]!
    }
  }
  for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) out[j * p + i] = out[i * p + j]!
  return out
}

/** X'v for per-row values v. */
export const weightedColumnSums = (design: Design, rowValue: ArrayLike<number>): Float64Array => {
  const { p, rowStart, columnIndex, values } = design
  const out = new Float64Array(p)
  for (let i = 0; i < design.n; i++) {
    const value = rowValue[i]!
    if (value === 0) continue
    for (let a = rowStart[i]!; a < rowStart[i + 1]!; a++) out[columnIndex[a]!]! += value * values[a]!
  }
  return out
}

/** x_i' A x_i for one design row and a symmetric row-major p×p matrix A. */
export const rowQuadraticForm = (design: Design, row: number, a: Float64Array): number => {
  const { p, rowStart, columnIndex, values } = design
  let sum = 0
  const end = rowStart[row + 1]!
  for (let s = rowStart[row]!; s < end; s++) {
    const base = columnIndex[s]! * p
    const vs = values[s]!
    sum += vs * vs * a[base + columnIndex[s]!]!
    for (let t = s + 1; t < end; t++) sum += 2 * vs * values[t]! * a[base + columnIndex[t]!]!
  }
  return sum
}

/** Frequency weights of the design rows (1 each when none were given); a negative or non-finite weight is an error. */
export const frequencyWeights = (
  design: Design,
  weights: ArrayLike<number> | undefined,
): { readonly weights: Float64Array; readonly n: number } | { readonly error: FitError } => {
  const out = new Float64Array(design.n)
  let n = 0
  for (let i = 0; i < design.n; i++) {
    const weight = weights ? weights[i]! : 1
    if (!(weight >= 0) || !Number.isFinite(weight)) {
      return {
        error: {
          _tag: "InvalidOutcome",
          message: `Row ${i} has weight ${weight}; weights must be finite and ≥ 0.`,
        },
      }
    }
    out[i] = weight
    n += weight
  }
  return { weights: out, n }
}

/** The columns of a design that are linear combinations of earlier ones (on the rows with positive weight). */
export const rankDeficiency = (design: Design, weights: ArrayLike<number>): FitError | null => {
  const { dependent } = cholesky(weightedCrossProduct(design, weights), design.p)
  if (dependent.length === 0) return null
  const columns = dependent.map((index) => design.columns[index]!)
  return {
    _tag: "RankDeficient",
    columns,
    message: `The design is rank deficient: ${columns.join(", ")} ${columns.length === 1 ? "is a linear combination" : "are linear combinations"} of earlier columns (or constant zero); drop or pool ${columns.length === 1 ? "it" : "them"}.`,
  }
}

/** Largest absolute entry. */
export const maxAbs = (values: ArrayLike<number>): number => {
  let largest = 0
  for (let j = 0; j < values.length; j++) largest = Math.max(largest, Math.abs(values[j]!))
  return largest
}

/**
 * 0/1 columns within which (where the column is 1, or — with an intercept — where it is 0) every weighted
 * observation has the same binary outcome: the likelihood then grows without bound along that column.
 */
export const separatingIndicators = (
  design: Design,
  weights: ArrayLike<number>,
  y: ArrayLike<number>,
): Array<string> => {
  const { p, rowStart, columnIndex, values } = design
  const binary = new Uint8Array(p).fill(1)
  for (let a = 0; a < values.length; a++) if (values[a] !== 1) binary[columnIndex[a]!] = 0
  const onesTrials = new Float64Array(p)
  const onesSuccesses = new Float64Array(p)
  let trials = 0
  let successes = 0
  for (let i = 0; i < design.n; i++) {
    const w = weights[i]!
    if (w === 0) continue
    trials += w
    successes += w * y[i]!
    for (let a = rowStart[i]!; a < rowStart[i + 1]!; a++) {
      onesTrials[columnIndex[a]!]! += w
      onesSuccesses[columnIndex[a]!]! += w * y[i]!
    }
  }
  const found: Array<string> = []
  for (let j = 0; j < p; j++) {
    if (!binary[j] || design.columns[j] === "(Intercept)") continue
    const ones = onesTrials[j]!
    const zeros = trials - ones
    const zerosSuccesses = successes - onesSuccesses[j]!
    const onesPure = ones > 0 && (onesSuccesses[j] === 0 || onesSuccesses[j] === ones)
    const zerosPure = design.hasIntercept && zeros > 0 && (zerosSuccesses === 0 || zerosSuccesses === zeros)
    if (onesPure || zerosPure) found.push(design.columns[j]!)
  }
  return found
}
