/**
 * Divergences between two discrete distributions over the same options, given as probabilities or counts
 * (each side is normalised to sum to 1). Every function returns null when a side has no mass or the two
 * sides differ in length: an unscorable comparison is never 0.
 */

const normalise = (values: ArrayLike<number>): Float64Array | null => {
  let total = 0
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!
    if (!(value >= 0) || !Number.isFinite(value)) return null
    total += value
  }
  if (!(total > 0)) return null
  const out = new Float64Array(values.length)
  for (let index = 0; index < values.length; index++) out[index] = values[index]! / total
  return out
}

const pair = (p: ArrayLike<number>, q: ArrayLike<number>): readonly [Float64Array, Float64Array] | null => {
  if (p.length !== q.length || p.length === 0) return null
  const pn = normalise(p)
  const qn = normalise(q)
  return pn && qn ? [pn, qn] : null
}

/** Jensen–Shannon divergence in bits (base 2), in [0, 1]. */
export const jsDivergence = (p: ArrayLike<number>, q: ArrayLike<number>): number | null => {
  const normalised = pair(p, q)
  if (!normalised) return null
  const [pn, qn] = normalised
  let sum = 0
  for (let index = 0; index < pn.length; index++) {
    const a = pn[index]!
    const b = qn[index]!
    const m = (a + b) / 2
    if (a > 0) sum += a * Math.log(a / m)
    if (b > 0) sum += b * Math.log(b / m)
  }
  const value = sum / (2 * Math.LN2)
  return Math.min(1, Math.max(0, value))
}

/** Jensen–Shannon distance (the square root of the base-2 divergence), in [0, 1]; a metric. */
export const jsDistance = (p: ArrayLike<number>, q: ArrayLike<number>): number | null => {
  const divergence = jsDivergence(p, q)
  return divergence === null ? null : Math.sqrt(divergence)
}

/** Total variation distance: half the L1 distance, in [0, 1]. */
export const totalVariation = (p: ArrayLike<number>, q: ArrayLike<number>): number | null => {
  const normalised = pair(p, q)
  if (!normalised) return null
  const [pn, qn] = normalised
  let sum = 0
  for (let index = 0; index < pn.length; index++) sum += Math.abs(pn[index]! - qn[index]!)
  return Math.min(1, sum / 2)
}

/**
 * Wasserstein-1 (earth mover's) distance between two distributions on an ordered scale whose options sit at
 * 0, 1, …, k−1: the L1 distance between the cumulative distributions. In [0, k−1].
 */
export const wasserstein1 = (p: ArrayLike<number>, q: ArrayLike<number>): number | null => {
  const normalised = pair(p, q)
  if (!normalised) return null
  const [pn, qn] = normalised
  let cumulative = 0
  let sum = 0
  for (let index = 0; index < pn.length - 1; index++) {
    cumulative += pn[index]! - qn[index]!
    sum += Math.abs(cumulative)
  }
  return sum
}

/** Wasserstein-1 divided by k−1, in [0, 1]; null for a one-option scale. */
export const normalisedWasserstein1 = (p: ArrayLike<number>, q: ArrayLike<number>): number | null => {
  if (p.length < 2) return null
  const value = wasserstein1(p, q)
  return value === null ? null : Math.min(1, value / (p.length - 1))
}

/** Shannon entropy in bits; null when there is no mass. In [0, log2 k]. */
export const entropy = (p: ArrayLike<number>): number | null => {
  const pn = normalise(p)
  if (!pn) return null
  let sum = 0
  for (let index = 0; index < pn.length; index++) {
    const value = pn[index]!
    if (value > 0) sum -= value * Math.log2(value)
  }
  return Math.max(0, sum)
}

export interface DistributionComparison {
  readonly jsDistance: number
  readonly totalVariation: number
  /** Wasserstein-1 / (k − 1); NaN when not requested or k < 2. */
  readonly wasserstein: number
}

/**
 * JS distance, total variation and (for ordered scales) W1/(k−1) of two count or probability vectors in one
 * pass without allocating (the bootstrap's inner loop). Null when a side has no mass or lengths differ.
 * Each figure equals the corresponding single function's.
 */
export const compareDistributions = (
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  ordered: boolean,
): DistributionComparison | null => {
  const k = p.length
  if (k === 0 || q.length !== k) return null
  let totalP = 0
  let totalQ = 0
  for (let index = 0; index < k; index++) {
    const a = p[index]!
    const b = q[index]!
    if (!(a >= 0) || !(b >= 0) || !Number.isFinite(a) || !Number.isFinite(b)) return null
    totalP += a
    totalQ += b
  }
  if (!(totalP > 0) || !(totalQ > 0)) return null
  let divergence = 0
  let l1 = 0
  let cumulative = 0
  let transport = 0
  for (let index = 0; index < k; index++) {
    const a = p[index]! / totalP
    const b = q[index]! / totalQ
    const m = (a + b) / 2
    if (a > 0) divergence += a * Math.log(a / m)
    if (b > 0) divergence += b * Math.log(b / m)
    l1 += Math.abs(a - b)
    if (index < k - 1) {
      cumulative += a - b
      transport += Math.abs(cumulative)
    }
  }
  return {
    jsDistance: Math.sqrt(Math.min(1, Math.max(0, divergence / (2 * Math.LN2)))),
    totalVariation: Math.min(1, l1 / 2),
    wasserstein: ordered && k >= 2 ? Math.min(1, transport / (k - 1)) : Number.NaN,
  }
}

/**
 * First-order (delta-method) upward bias of the plug-in base-2 Jensen–Shannon divergence between two empirical
 * distributions from independent multinomial samples of sizes nP and nQ: E[JSD(p̂, q̂)] − JSD(p, q) ≈
 * ½ Σᵢ [(½ − pᵢ/(4mᵢ))(1 − pᵢ)/nP + (½ − qᵢ/(4mᵢ))(1 − qᵢ)/nQ] / ln 2, m = (p + q)/2, evaluated at the
 * estimates. Under q = p it is (k − 1)(1/nP + 1/nQ)/(8 ln 2), the null expectation of the plug-in divergence.
 * Null when a side has no mass, lengths differ or a size is not positive.
 */
export const jsDivergenceBias = (
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  nP: number,
  nQ: number,
): number | null => {
  const normalised = pair(p, q)
  if (!normalised || !(nP > 0) || !(nQ > 0)) return null
  const [pn, qn] = normalised
  // A size may be infinite (a side known exactly): its term is 0.
  let sumP = 0
  let sumQ = 0
  for (let index = 0; index < pn.length; index++) {
    const a = pn[index]!
    const b = qn[index]!
    const m = (a + b) / 2
    if (m <= 0) continue
    sumP += (0.5 - a / (4 * m)) * (1 - a)
    sumQ += (0.5 - b / (4 * m)) * (1 - b)
  }
  return (0.5 * (sumP / nP + sumQ / nQ)) / Math.LN2
}

/**
 * E[(Σᵢ |xᵢ|)²] for a zero-mean normal vector with covariance `covariance` (row-major, k×k):
 * Σᵢⱼ σᵢσⱼ (2/π)(√(1 − ρᵢⱼ²) + ρᵢⱼ·asin ρᵢⱼ).
 */
const expectedSquaredAbsoluteSum = (covariance: Float64Array, k: number): number => {
  let sum = 0
  for (let i = 0; i < k; i++) {
    const vi = covariance[i * k + i]!
    if (!(vi > 0)) continue
    sum += vi
    for (let j = i + 1; j < k; j++) {
      const vj = covariance[j * k + j]!
      if (!(vj > 0)) continue
      const sd = Math.sqrt(vi * vj)
      const rho = Math.max(-1, Math.min(1, covariance[i * k + j]! / sd))
      sum += 2 * sd * (2 / Math.PI) * (Math.sqrt(1 - rho * rho) + rho * Math.asin(rho))
    }
  }
  return sum
}

export interface SquaredNullExpectations {
  /** E[TV̂²] when both samples come from the pooled distribution (normal approximation). */
  readonly totalVariation: number
  /** E[(W1̂/(k−1))²] likewise; NaN when not requested or k < 2. */
  readonly wasserstein: number
}

/**
 * The expected squared plug-in total variation and normalised Wasserstein-1 between two samples of sizes nP and
 * nQ drawn from one distribution (the mean of p and q): the part of the squared plug-in distance
 * that sampling noise alone produces. Uses the multinomial covariance (1/nP + 1/nQ)(diag(m) − mmᵀ) of the
 * difference p̂ − q̂ (for W1, of its cumulative sums) and the normal approximation. Null as the other functions.
 */
export const squaredNullExpectations = (
  p: ArrayLike<number>,
  q: ArrayLike<number>,
  nP: number,
  nQ: number,
  ordered: boolean,
): SquaredNullExpectations | null => {
  const normalised = pair(p, q)
  if (!normalised || !(nP > 0) || !(nQ > 0)) return null
  const [pn, qn] = normalised
  const k = pn.length
  const scale = 1 / nP + 1 / nQ
  const m = new Float64Array(k)
  for (let index = 0; index < k; index++) m[index] = (pn[index]! + qn[index]!) / 2
  const covariance = new Float64Array(k * k)
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) covariance[i * k + j] = scale * ((i === j ? m[i]! : 0) - m[i]! * m[j]!)
  const totalVariation = expectedSquaredAbsoluteSum(covariance, k) / 4
  let wasserstein = Number.NaN
  if (ordered && k >= 2) {
    // Cumulative sums c_j = Σ_{i≤j} d_i, j < k − 1: Cov(c_a, c_b) = scale (F_min(a,b) − F_a F_b).
    const cumulative = new Float64Array(k - 1)
    let running = 0
    for (let index = 0; index < k - 1; index++) {
      running += m[index]!
      cumulative[index] = running
    }
    const size = k - 1
    const cumulativeCovariance = new Float64Array(size * size)
    for (let a = 0; a < size; a++)
      for (let b = 0; b < size; b++)
        cumulativeCovariance[a * size + b] =
          scale * (cumulative[Math.min(a, b)]! - cumulative[a]! * cumulative[b]!)
    wasserstein = expectedSquaredAbsoluteSum(cumulativeCovariance, size) / (size * size)
  }
  return { totalVariation, wasserstein }
}
