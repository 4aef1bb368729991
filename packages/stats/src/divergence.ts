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
