import type { ConfidenceInterval, IntervalMethod, Measure, MetricOptions } from "@standin/core"
import { idHashes, makeRandom, percentileInterval, poissonWeights } from "@standin/stats"
import { type NoncentralModel, noncentralDistanceInterval } from "./corrected.js"

/** Where a figure applies. `analysis` and `pair` only enter the key (Measure has no field for them). */
export interface Qualifiers {
  readonly analysis?: string
  readonly pair?: string
  readonly item?: string
  readonly arm?: string
  readonly attribute?: string
  readonly level?: string
  readonly term?: string
}

/**
 * One figure a metric computes from a weighting of the twins. `value` is NaN when the figure cannot be
 * computed (it becomes an unscored measure with `note`); `human` and `synthetic` are the two figures compared.
 */
export interface Figure {
  readonly measure: string
  readonly qualifiers: Qualifiers
  readonly value: number
  readonly n: number
  readonly human?: number
  readonly synthetic?: number
  readonly note?: string
  readonly flagged?: string
  /** The metric's headline aggregate: reported as MetricScore.headline, not as a measure. */
  readonly headline?: true
  /**
   * How the figure's interval is made from its replicates (always their percentile interval): a figure whose
   * replicates are not plain recomputations (e.g. re-centred bias-corrected distances) names its method and
   * says how in words. Default: a plain percentile interval.
   */
  readonly interval?: { readonly method: IntervalMethod; readonly description: string }
  /**
   * A bias-corrected distance's squared scale (see correctedDistance): `estimate` is the once-corrected squared
   * distance (plug-in minus bias; on a resample, the resample's own). When present on the full sample, the interval
   * is √max(0, quantile of the resampled estimates − shift), with `lowerShift` for the lower bound and `upperShift`
   * for the upper one (both from the full sample).
   */
  readonly squared?: { readonly estimate: number; readonly lowerShift: number; readonly upperShift: number }
  /**
   * A distance whose plug-in square follows a non-central chi-square (see NoncentralModel): when present on the full
   * sample, the interval inverts that model (noncentralDistanceInterval) instead of using the replicates, which are
   * still computed (for the headline's replicates and paired comparisons). Takes precedence over `squared`.
   */
  readonly noncentral?: NoncentralModel
}

/** What `compute` is evaluating: the full sample (every weight 1) or one bootstrap resample. */
export interface ComputeContext {
  readonly resample: boolean
  /**
   * The resample's number (0, 1, …) when `resample`: with the seed and the twins' ids it fixes the weights, so
   * work that depends only on the human side (the same for every entry scored against the same humans) can be
   * kept and reused by it.
   */
  readonly round?: number
}

const qualifierOrder = ["analysis", "pair", "item", "arm", "attribute", "level", "term"] as const

/** `measure|item=concern|arm=all`: unique within a score. */
export const figureKey = (measure: string, qualifiers: Qualifiers): string =>
  [
    measure,
    ...qualifierOrder
      .filter((name) => qualifiers[name] !== undefined)
      .map((name) => `${name}=${qualifiers[name]}`),
  ].join("|")

const finiteOrNull = (value: number | undefined): number | null =>
  value === undefined || !Number.isFinite(value) ? null : value

export interface BootstrappedFigures {
  readonly figures: ReadonlyArray<Figure>
  readonly intervals: ReadonlyArray<ConfidenceInterval | null>
  /** Per figure, why its interval is missing or was adjusted, if so. */
  readonly intervalNotes: ReadonlyArray<string | undefined>
  /**
   * The headline figure's replicate on every resample r (NaN where it could not be computed); empty when no
   * resample was requested or no figure is the headline. Its percentile interval is the headline's interval
   * (before any widening to include the estimate).
   */
  readonly headlineReplicates: ReadonlyArray<number>
  /** Every figure's replicates (index r = resample r; NaN where not computable); empty without resamples. */
  readonly replicates: ReadonlyArray<Float64Array>
}

/**
 * Evaluate `compute` on the full sample (every twin weight 1) and on `options.resamples` seeded Poisson(1)
 * bootstrap resamples of twins (a twin carries its human and all its synthetic replicates). A twin's weight in
 * resample r depends only on the seed, r and its id (`twinIds[i]` is twin i's id), so every entry scored with
 * the same seed resamples the shared twins alike and replicates can be paired across entries (see
 * `poissonWeights` in @standin/stats). Every figure gets the percentile interval of its replicates (re-centred for a
 * figure with `squared`; by inverting the model for one with `noncentral`), labelled with the figure's `interval`
 * method (default "percentile"). Replicates where a figure is not computable are left out
 * of its interval; when more than half are, the interval is null. An interval that misses the estimate itself
 * (possible for a bounded statistic near its bound) is widened to include it, and said so.
 */
export const bootstrapFigures = (
  twinIds: ReadonlyArray<string>,
  options: MetricOptions,
  compute: (weights: Float64Array, context: ComputeContext) => ReadonlyArray<Figure>,
): BootstrappedFigures => {
  const twins = twinIds.length
  const ones = new Float64Array(twins).fill(1)
  const figures = compute(ones, { resample: false })
  const count = figures.length
  const headlineIndex = figures.findIndex((figure) => figure.headline)
  const resamples = Math.max(0, Math.floor(options.resamples))
  if (resamples === 0) {
    return {
      figures,
      intervals: figures.map(() => null),
      intervalNotes: figures.map(() => "no bootstrap resamples requested"),
      headlineReplicates: [],
      replicates: [],
    }
  }
  const replicates = Array.from({ length: count }, () => new Float64Array(resamples))
  const squaredReplicates = figures.map((figure) =>
    figure.squared !== undefined ? new Float64Array(resamples) : null,
  )
  const hashes = idHashes(twinIds)
  const weights = new Float64Array(twins)
  for (let round = 0; round < resamples; round++) {
    poissonWeights(options.seed, hashes, round, weights)
    const values = compute(weights, { resample: true, round })
    for (let index = 0; index < count; index++) {
      const value = values[index]?.value ?? Number.NaN
      replicates[index]![round] = Number.isFinite(value) ? value : Number.NaN
      const squared = squaredReplicates[index]
      if (squared) {
        const estimate = values[index]?.squared?.estimate ?? Number.NaN
        squared[round] = Number.isFinite(estimate) ? estimate : Number.NaN
      }
    }
  }
  const intervals: Array<ConfidenceInterval | null> = []
  const intervalNotes: Array<string | undefined> = []
  figures.forEach((figure, index) => {
    const values = replicates[index]!
    let finite = 0
    for (const value of values) if (Number.isFinite(value)) finite++
    if (!Number.isFinite(figure.value)) {
      intervals.push(null)
      intervalNotes.push(undefined)
      return
    }
    if (finite * 2 < resamples) {
      intervals.push(null)
      intervalNotes.push(`no interval: only ${finite} of ${resamples} resamples could be scored`)
      return
    }
    const squared = squaredReplicates[index]
    const shifted = squared && figure.squared ? percentileInterval(squared, options.alpha) : null
    const inverted = figure.noncentral ? noncentralDistanceInterval(figure.noncentral, options.alpha) : null
    const interval = inverted
      ? { ...inverted, level: 1 - options.alpha }
      : shifted && figure.squared
        ? {
            lower: Math.sqrt(Math.max(0, shifted.lower - figure.squared.lowerShift)),
            upper: Math.sqrt(Math.max(0, shifted.upper - figure.squared.upperShift)),
            level: shifted.level,
          }
        : percentileInterval(values, options.alpha)!
    const lower = Math.min(interval.lower, figure.value)
    const upper = Math.max(interval.upper, figure.value)
    const notes: Array<string> = []
    if (lower !== interval.lower || upper !== interval.upper) {
      notes.push("interval widened to include the estimate (bootstrap bias near a bound)")
    }
    if (finite < resamples && !inverted)
      notes.push(`interval from the ${finite} of ${resamples} resamples that could be scored`)
    const method = figure.interval?.method ?? "percentile"
    const description = inverted
      ? (figure.interval?.description ?? "interval by inverting the figure's non-central chi-square model")
      : `${figure.interval?.description ?? "percentile interval of the figure recomputed on each resample"} (${resamples} Poisson(1) bootstrap resamples of twins keyed by twin id, seed ${options.seed})`
    intervals.push({ lower, upper, level: interval.level, method, description })
    intervalNotes.push(notes.length > 0 ? notes.join("; ") : undefined)
  })
  return {
    figures,
    intervals,
    intervalNotes,
    headlineReplicates: headlineIndex >= 0 ? Array.from(replicates[headlineIndex]!) : [],
    replicates,
  }
}

/** Turn bootstrapped figures into core Measures; an unscored figure gets value null and a note saying why. */
export const toMeasures = (result: BootstrappedFigures): Array<Measure> =>
  result.figures.flatMap((figure, index) => {
    if (figure.headline) return []
    const value = finiteOrNull(figure.value)
    const notes = [
      value === null ? `unscored: ${figure.note ?? "the figure could not be computed"}` : figure.note,
      value === null ? undefined : result.intervalNotes[index],
    ].filter((note): note is string => note !== undefined)
    const { qualifiers } = figure
    const measure: Measure = {
      measure: figure.measure,
      key: figureKey(figure.measure, qualifiers),
      ...(qualifiers.item !== undefined ? { item: qualifiers.item } : {}),
      ...(qualifiers.arm !== undefined ? { arm: qualifiers.arm } : {}),
      ...(qualifiers.attribute !== undefined ? { attribute: qualifiers.attribute } : {}),
      ...(qualifiers.level !== undefined ? { level: qualifiers.level } : {}),
      ...(qualifiers.term !== undefined ? { term: qualifiers.term } : {}),
      value,
      ci: value === null ? null : (result.intervals[index] ?? null),
      ...(figure.human !== undefined ? { human: finiteOrNull(figure.human) } : {}),
      ...(figure.synthetic !== undefined ? { synthetic: finiteOrNull(figure.synthetic) } : {}),
      n: figure.n,
      ...(figure.flagged !== undefined ? { flagged: figure.flagged } : {}),
      ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
    }
    return [measure]
  })

/** The headline figure as MetricScore.headline (null value and CI when it could not be computed). */
export const toHeadline = (
  result: BootstrappedFigures,
  measure: string,
): { measure: string; value: number | null; ci: ConfidenceInterval | null } => {
  const index = result.figures.findIndex((figure) => figure.headline)
  const figure = result.figures[index]
  const value = figure ? finiteOrNull(figure.value) : null
  return { measure, value, ci: value === null ? null : (result.intervals[index] ?? null) }
}

/** Mean of the finite values; NaN when there is none. */
export const meanOf = (values: ReadonlyArray<number>): number => {
  let sum = 0
  let count = 0
  for (const value of values) {
    if (Number.isFinite(value)) {
      sum += value
      count++
    }
  }
  return count === 0 ? Number.NaN : sum / count
}

/** A NaN-for-null adapter for the stats functions, which return null for undefined figures. */
export const orNaN = (value: number | null | undefined): number =>
  value === null || value === undefined ? Number.NaN : value

/** A seeded stream for a metric's own random choices (e.g. subsampling), independent of the bootstrap stream. */
export const metricRandom = (options: MetricOptions, salt: number) =>
  makeRandom((options.seed ^ Math.imul(salt, 0x9e3779b1)) >>> 0)
