/**
 * Small dense kernels on Float64Array for the p×p systems of regression (p is tens, n is thousands: the
 * n-sized work is in the sparse accumulation of X'WX, the p-sized work here).
 */

/**
 * Cholesky factor L (lower, row-major) of a symmetric positive semi-definite matrix, walking columns in order.
 * A column whose pivot falls below `tolerance` times its diagonal is linearly dependent on the columns before
 * it: it is reported in `dependent` and zeroed, so the caller can name it.
 */
export const cholesky = (
  a: Float64Array,
  p: number,
  tolerance = 1e-10,
): { readonly factor: Float64Array; readonly dependent: ReadonlyArray<number> } => {
  const factor = new Float64Array(p * p)
  const dependent: Array<number> = []
  for (let j = 0; j < p; j++) {
    let pivot = a[j * p + j]!
    for (let k = 0; k < j; k++) pivot -= factor[j * p + k]! ** 2
    const diagonal = a[j * p + j]!
    if (!(diagonal > 0) || !(pivot > tolerance * diagonal)) {
      dependent.push(j)
      continue
    }
    const root = Math.sqrt(pivot)
    factor[j * p + j] = root
    for (let i = j + 1; i < p; i++) {
      let sum = a[i * p + j]!
      for (let k = 0; k < j; k++) sum -= factor[i * p + k]! * factor[j * p + k]!
      factor[i * p + j] = sum / root
    }
  }
  return { factor, dependent }
}

/** Solve L L' x = b for a full-rank Cholesky factor. */
export const choleskySolve = (factor: Float64Array, p: number, b: ArrayLike<number>): Float64Array => {
  const z = new Float64Array(p)
  for (let i = 0; i < p; i++) {
    let sum = b[i]!
    for (let k = 0; k < i; k++) sum -= factor[i * p + k]! * z[k]!
    z[i] = sum / factor[i * p + i]!
  }
  const x = new Float64Array(p)
  for (let i = p - 1; i >= 0; i--) {
    let sum = z[i]!
    for (let k = i + 1; k < p; k++) sum -= factor[k * p + i]! * x[k]!
    x[i] = sum / factor[i * p + i]!
  }
  return x
}

/** (L L')⁻¹ from a full-rank Cholesky factor. */
export const choleskyInverse = (factor: Float64Array, p: number): Float64Array => {
  const inverseL = new Float64Array(p * p)
  for (let j = 0; j < p; j++) {
    inverseL[j * p + j] = 1 / factor[j * p + j]!
    for (let i = j + 1; i < p; i++) {
      let sum = 0
      for (let k = j; k < i; k++) sum -= factor[i * p + k]! * inverseL[k * p + j]!
      inverseL[i * p + j] = sum / factor[i * p + i]!
    }
  }
  const out = new Float64Array(p * p)
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0
      for (let k = i; k < p; k++) sum += inverseL[k * p + i]! * inverseL[k * p + j]!
      out[i * p + j] = sum
      out[j * p + i] = sum
    }
  }
  return out
}
