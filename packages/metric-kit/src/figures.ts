import type { ConfidenceInterval, Measure, MetricOptions } from "@standin/core"
import { makeRandom, percentileInterval, resampleCounts } from "@standin/stats"

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
}

/**
 * Evaluate `compute` on the full sample (every twin weight 1) and on `options.resamples` seeded bootstrap
 * resamples of twins (a twin is drawn with its human and all its synthetic replicates), and attach a
 * percentile interval to every figure. Replicates where a figure is not computable are left out of its
 * interval; when more than half are, the interval is null. A percentile interval of a bounded, biased
 * statistic (a divergence near 0) can miss the estimate itself: it is then widened to include it, and said so.
 */
export const bootstrapFigures = (
  twins: number,
  options: MetricOptions,
  compute: (weights: Float64Array) => ReadonlyArray<Figure>,
): BootstrappedFigures => {
  const ones = new Float64Array(twins).fill(1)
  const figures = compute(ones)
  const count = figures.length
  const resamples = Math.max(0, Math.floor(options.resamples))
  if (resamples === 0) {
    return {
      figures,
      intervals: figures.map(() => null),
      intervalNotes: figures.map(() => "no bootstrap resamples requested"),
    }
  }
  const replicates = Array.from({ length: count }, () => new Float64Array(resamples))
  const random = makeRandom(options.seed)
  const weights = new Float64Array(twins)
  for (let round = 0; round < resamples; round++) {
    resampleCounts(random, twins, weights)
    const values = compute(weights)
    for (let index = 0; index < count; index++) replicates[index]![round] = values[index]?.value ?? Number.NaN
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
    const interval = percentileInterval(values, options.alpha)!
    const lower = Math.min(interval.lower, figure.value)
    const upper = Math.max(interval.upper, figure.value)
    const notes: Array<string> = []
    if (lower !== interval.lower || upper !== interval.upper) {
      notes.push("percentile interval widened to include the estimate (bootstrap bias near a bound)")
    }
    if (finite < resamples)
      notes.push(`interval from the ${finite} of ${resamples} resamples that could be scored`)
    intervals.push({ lower, upper, level: interval.level, method: "percentile" })
    intervalNotes.push(notes.length > 0 ? notes.join("; ") : undefined)
  })
  return { figures, intervals, intervalNotes }
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
