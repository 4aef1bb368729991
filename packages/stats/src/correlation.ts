/**
 * Correlations and 2×2 association measures. Functions return null when the figure is undefined
 * (a constant variable, an empty margin) rather than NaN.
 */

/** Pearson's product-moment correlation; null when either side is constant or lengths differ. */
export const pearson = (x: ArrayLike<number>, y: ArrayLike<number>): number | null => {
  const n = x.length
  if (n !== y.length || n < 2) return null
  let meanX = 0
  let meanY = 0
  for (let index = 0; index < n; index++) {
    meanX += x[index]!
    meanY += y[index]!
  }
  meanX /= n
  meanY /= n
  let sxx = 0
  let syy = 0
  let sxy = 0
  for (let index = 0; index < n; index++) {
    const dx = x[index]! - meanX
    const dy = y[index]! - meanY
    sxx += dx * dx
    syy += dy * dy
    sxy += dx * dy
  }
  if (!(sxx > 0) || !(syy > 0)) return null
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)))
}

/** Ranks 1..n with ties given their average rank. */
export const averageRanks = (values: ArrayLike<number>): Float64Array => {
  const n = values.length
  const order = Array.from({ length: n }, (_, index) => index).sort((a, b) => values[a]! - values[b]!)
  const ranks = new Float64Array(n)
  let start = 0
  while (start < n) {
    let end = start
    while (end + 1 < n && values[order[end + 1]!]! === values[order[start]!]!) end++
    const rank = (start + end) / 2 + 1
    for (let index = start; index <= end; index++) ranks[order[index]!] = rank
    start = end + 1
  }
  return ranks
}

/** Spearman's rank correlation (Pearson on average ranks, so ties are handled as scipy does). */
export const spearman = (x: ArrayLike<number>, y: ArrayLike<number>): number | null =>
  x.length !== y.length ? null : pearson(averageRanks(x), averageRanks(y))

/**
 * A 2×2 table `[[a, b], [c, d]]`: rows are the exposure (first row: exposed), columns the outcome
 * (first column: outcome present). Counts may be fractional (bootstrap weights).
 */
export type Table2x2 = readonly [readonly [number, number], readonly [number, number]]

/** The phi coefficient (the Pearson correlation of the two indicators); null when a margin is empty. */
export const phi = (table: Table2x2): number | null => {
  const [[a, b], [c, d]] = table
  const denominator = (a + b) * (c + d) * (a + c) * (b + d)
  if (!(denominator > 0)) return null
  return Math.max(-1, Math.min(1, (a * d - b * c) / Math.sqrt(denominator)))
}

export interface LogOddsRatio {
  readonly estimate: number
  readonly se: number
  /** True when a cell was 0 and the Haldane–Anscombe correction (0.5 added to every cell) was applied. */
  readonly corrected: boolean
}

/**
 * The log odds ratio log(ad / bc) with its Woolf standard error √(1/a + 1/b + 1/c + 1/d). Only when a cell is
 * 0 is 0.5 added to every cell (Haldane–Anscombe), and `corrected` says so. Null when the table is empty.
 */
export const logOddsRatio = (table: Table2x2): LogOddsRatio | null => {
  const [[a0, b0], [c0, d0]] = table
  if (!(a0 + b0 + c0 + d0 > 0)) return null
  const corrected = a0 === 0 || b0 === 0 || c0 === 0 || d0 === 0
  const shift = corrected ? 0.5 : 0
  const a = a0 + shift
  const b = b0 + shift
  const c = c0 + shift
  const d = d0 + shift
  return {
    estimate: Math.log(a) + Math.log(d) - Math.log(b) - Math.log(c),
    se: Math.sqrt(1 / a + 1 / b + 1 / c + 1 / d),
    corrected,
  }
}

/**
 * The large-sample (delta-method) variance of the plug-in phi coefficient of a 2×2 table of counts
 * (Bishop, Fienberg & Holland 1975, §11.3): with row shares r₁, r₂, column shares c₁, c₂ and n the total,
 * [1 − φ² + φ(1 + φ²/2)(r₁ − r₂)(c₁ − c₂)/√(r₁r₂c₁c₂) − ¾φ²((r₁ − r₂)²/(r₁r₂) + (c₁ − c₂)²/(c₁c₂))] / n.
 * Null when phi is undefined (an empty margin).
 */
export const phiVariance = (table: Table2x2): number | null => {
  const [[a, b], [c, d]] = table
  const n = a + b + c + d
  const value = phi(table)
  if (value === null || !(n > 0)) return null
  const r1 = (a + b) / n
  const r2 = (c + d) / n
  const c1 = (a + c) / n
  const c2 = (b + d) / n
  const product = r1 * r2 * c1 * c2
  const variance =
    1 -
    value ** 2 +
    (value * (1 + value ** 2 / 2) * (r1 - r2) * (c1 - c2)) / Math.sqrt(product) -
    0.75 * value ** 2 * ((r1 - r2) ** 2 / (r1 * r2) + (c1 - c2) ** 2 / (c1 * c2))
  return Math.max(0, variance) / n
}
