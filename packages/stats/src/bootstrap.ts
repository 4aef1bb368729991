import { normalCdf, normalQuantile } from "./distribution.js"
import { makeRandom, type Random } from "./random.js"

export interface Interval {
  readonly lower: number
  readonly upper: number
  readonly level: number
  readonly method: "percentile" | "bca"
}

/**
 * One bootstrap resample of `units` units as multiplicities: out[i] is how many times unit i was drawn
 * (n draws with replacement). Statistics take these weights, so a resample never copies data.
 */
export const resampleCounts = (
  random: Random,
  units: number,
  out: Float64Array = new Float64Array(units),
) => {
  out.fill(0)
  for (let draw = 0; draw < units; draw++) out[random.nextInt(units)]! += 1
  return out
}

const finiteSorted = (values: ArrayLike<number>): Float64Array => {
  const kept: Array<number> = []
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!
    if (Number.isFinite(value)) kept.push(value)
  }
  return Float64Array.from(kept).sort()
}

/** The q-quantile of sorted values with linear interpolation (numpy's default, Hyndman–Fan type 7). */
export const quantileSorted = (sorted: ArrayLike<number>, q: number): number => {
  const n = sorted.length
  if (n === 0) return Number.NaN
  const position = Math.min(n - 1, Math.max(0, q * (n - 1)))
  const below = Math.floor(position)
  const above = Math.min(n - 1, below + 1)
  const fraction = position - below
  return sorted[below]! + fraction * (sorted[above]! - sorted[below]!)
}

/** Percentile interval of bootstrap replicates (non-finite replicates are ignored); null when none is finite. */
export const percentileInterval = (replicates: ArrayLike<number>, alpha = 0.05): Interval | null => {
  const sorted = finiteSorted(replicates)
  if (sorted.length === 0) return null
  return {
    lower: quantileSorted(sorted, alpha / 2),
    upper: quantileSorted(sorted, 1 - alpha / 2),
    level: 1 - alpha,
    method: "percentile",
  }
}

/**
 * Efron's bias-corrected and accelerated interval. `jackknife` holds the statistic with each unit left out
 * in turn (the acceleration is their skewness). Null when the bias correction is infinite (the estimate lies
 * outside every replicate) or no replicate is finite.
 */
export const bcaInterval = (
  replicates: ArrayLike<number>,
  estimate: number,
  jackknife: ArrayLike<number>,
  alpha = 0.05,
): Interval | null => {
  const sorted = finiteSorted(replicates)
  const b = sorted.length
  if (b === 0 || !Number.isFinite(estimate)) return null
  let below = 0
  let equal = 0
  for (const value of sorted) {
    if (value < estimate) below++
    else if (value === estimate) equal++
  }
  const share = (below + equal / 2) / b
  if (share <= 0 || share >= 1) return null
  const z0 = normalQuantile(share)
  let mean = 0
  let count = 0
  for (let index = 0; index < jackknife.length; index++) {
    if (Number.isFinite(jackknife[index]!)) {
      mean += jackknife[index]!
      count++
    }
  }
  mean /= Math.max(1, count)
  let squares = 0
  let cubes = 0
  for (let index = 0; index < jackknife.length; index++) {
    const value = jackknife[index]!
    if (!Number.isFinite(value)) continue
    const d = mean - value
    squares += d * d
    cubes += d * d * d
  }
  const acceleration = squares > 0 ? cubes / (6 * squares ** 1.5) : 0
  const adjust = (z: number): number => normalCdf(z0 + (z0 + z) / (1 - acceleration * (z0 + z)))
  return {
    lower: quantileSorted(sorted, adjust(normalQuantile(alpha / 2))),
    upper: quantileSorted(sorted, adjust(normalQuantile(1 - alpha / 2))),
    level: 1 - alpha,
    method: "bca",
  }
}

export interface BootstrapOptions {
  readonly seed: number
  readonly resamples: number
  /** 1 − confidence level (default 0.05). */
  readonly alpha?: number
  /** "bca" runs a leave-one-unit-out jackknife too (units more evaluations of the statistic). */
  readonly method?: "percentile" | "bca"
}

export interface BootstrapResult {
  /** The statistic on the full sample (every weight 1). */
  readonly estimate: Float64Array
  /** Replicates, row-major: replicate r of figure j is at r * figures + j. Non-finite marks a failed replicate. */
  readonly replicates: Float64Array
  readonly resamples: number
  readonly figures: number
  /** One interval per figure; null when no replicate of that figure was finite. */
  readonly intervals: ReadonlyArray<Interval | null>
  /** Failed (non-finite) replicates per figure. */
  readonly failed: Int32Array
}

/**
 * Seeded nonparametric bootstrap over units (e.g. respondents, or twins with their replicates). The statistic
 * receives one weight per unit (the number of times it was drawn) and returns a fixed number of figures;
 * a non-finite figure marks that replicate as failed for that figure.
 */
export const bootstrap = (
  units: number,
  statistic: (weights: Float64Array) => ArrayLike<number>,
  options: BootstrapOptions,
): BootstrapResult => {
  const alpha = options.alpha ?? 0.05
  const ones = new Float64Array(units).fill(1)
  const estimate = Float64Array.from(statistic(ones))
  const figures = estimate.length
  const replicates = new Float64Array(options.resamples * figures)
  const failed = new Int32Array(figures)
  const random = makeRandom(options.seed)
  const weights = new Float64Array(units)
  for (let round = 0; round < options.resamples; round++) {
    resampleCounts(random, units, weights)
    const values = statistic(weights)
    for (let figure = 0; figure < figures; figure++) {
      const value = values[figure]!
      replicates[round * figures + figure] = Number.isFinite(value) ? value : Number.NaN
      if (!Number.isFinite(value)) failed[figure]! += 1
    }
  }
  const column = (figure: number): Float64Array => {
    const out = new Float64Array(options.resamples)
    for (let round = 0; round < options.resamples; round++) out[round] = replicates[round * figures + figure]!
    return out
  }
  let jackknife: Float64Array | null = null
  if (options.method === "bca") {
    jackknife = new Float64Array(units * figures)
    const leaveOut = new Float64Array(units).fill(1)
    for (let unit = 0; unit < units; unit++) {
      leaveOut[unit] = 0
      const values = statistic(leaveOut)
      for (let figure = 0; figure < figures; figure++) jackknife[unit * figures + figure] = values[figure]!
      leaveOut[unit] = 1
    }
  }
  const intervals = Array.from({ length: figures }, (_, figure) => {
    const values = column(figure)
    if (!jackknife) return percentileInterval(values, alpha)
    const leaveOneOut = new Float64Array(units)
    for (let unit = 0; unit < units; unit++) leaveOneOut[unit] = jackknife[unit * figures + figure]!
    return bcaInterval(values, estimate[figure]!, leaveOneOut, alpha)
  })
  return { estimate, replicates, resamples: options.resamples, figures, intervals, failed }
}
