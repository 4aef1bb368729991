import { type Coefficient, holm, normalTwoSidedP } from "@standin/stats"

/** Significance level of the sign classification (+, −, null). */
export const signAlpha = 0.05

export type Sign = -1 | 0 | 1

export const signOf = (coefficient: Coefficient, alpha = signAlpha): Sign =>
  coefficient.p < alpha ? (coefficient.estimate > 0 ? 1 : coefficient.estimate < 0 ? -1 : 0) : 0

export interface TermComparison {
  readonly term: string
  readonly human: Coefficient
  readonly synthetic: Coefficient
  readonly humanSign: Sign
  readonly syntheticSign: Sign
  readonly difference: number
  readonly z: number
  readonly p: number
  readonly pHolm: number
  readonly overlap: boolean
}

export interface Comparison {
  readonly terms: ReadonlyArray<TermComparison>
  /** Terms in only one fit (a level only one side holds), left out of every figure. */
  readonly unmatched: ReadonlyArray<string>
  readonly truePositives: number
  readonly falsePositives: number
  readonly falseNegatives: number
  readonly trueNegatives: number
  /** NaN when neither fit has a significant coefficient. */
  readonly f1: number
  /** NaN when the human fit has no null coefficient. */
  readonly falsePositiveRate: number
  readonly significantShare: number
  readonly significantShareRaw: number
  readonly overlapShare: number
}

/** Compare two fits' coefficient tables (keyed by term); the intercept is left out. */
export const compareCoefficients = (
  human: Readonly<Record<string, Coefficient>>,
  synthetic: Readonly<Record<string, Coefficient>>,
  alpha = signAlpha,
): Comparison => {
  const names = Object.keys(human).filter((term) => term !== "(Intercept)")
  const shared = names.filter((term) => synthetic[term] !== undefined)
  const unmatched = [
    ...names.filter((term) => synthetic[term] === undefined),
    ...Object.keys(synthetic).filter((term) => term !== "(Intercept)" && human[term] === undefined),
  ]
  const raw = shared.map((term) => {
    const h = human[term]!
    const s = synthetic[term]!
    const difference = s.estimate - h.estimate
    const z = difference / Math.sqrt(h.se ** 2 + s.se ** 2)
    return { term, h, s, difference, z, p: normalTwoSidedP(z) }
  })
  const adjusted = holm(raw.map((entry) => entry.p))
  let truePositives = 0
  let falsePositives = 0
  let falseNegatives = 0
  let trueNegatives = 0
  let humanNull = 0
  let nullCalled = 0
  let significant = 0
  let significantRaw = 0
  let overlapping = 0
  const terms = raw.map((entry, index): TermComparison => {
    const humanSign = signOf(entry.h, alpha)
    const syntheticSign = signOf(entry.s, alpha)
    if (humanSign !== 0 && syntheticSign === humanSign) truePositives++
    if (humanSign !== 0 && syntheticSign !== humanSign) falseNegatives++
    if (syntheticSign !== 0 && syntheticSign !== humanSign) falsePositives++
    if (humanSign === 0 && syntheticSign === 0) trueNegatives++
    if (humanSign === 0) {
      humanNull++
      if (syntheticSign !== 0) nullCalled++
    }
    const overlap = entry.h.lower <= entry.s.upper && entry.s.lower <= entry.h.upper
    if (overlap) overlapping++
    if (adjusted[index]! < alpha) significant++
    if (entry.p < alpha) significantRaw++
    return {
      term: entry.term,
      human: entry.h,
      synthetic: entry.s,
      humanSign,
      syntheticSign,
      difference: entry.difference,
      z: entry.z,
      p: entry.p,
      pHolm: adjusted[index]!,
      overlap,
    }
  })
  const f1Denominator = 2 * truePositives + falsePositives + falseNegatives
  const count = terms.length
  return {
    terms,
    unmatched,
    truePositives,
    falsePositives,
    falseNegatives,
    trueNegatives,
    f1: f1Denominator > 0 ? (2 * truePositives) / f1Denominator : Number.NaN,
    falsePositiveRate: humanNull > 0 ? nullCalled / humanNull : Number.NaN,
    significantShare: count > 0 ? significant / count : Number.NaN,
    significantShareRaw: count > 0 ? significantRaw / count : Number.NaN,
    overlapShare: count > 0 ? overlapping / count : Number.NaN,
  }
}
