import {
  type ConfidenceInterval,
  type Fidelity,
  type MetricScore,
  normalisedFidelity,
  type PairedComparison,
} from "@standin/core"
import { percentileInterval } from "@standin/stats"

/**
 * Normalised fidelity, computed the way a methodologist would want it:
 *
 * - On every bootstrap resample r, fidelity_r = (floor_r − model_r) / (floor_r − ceiling_r), with the floor,
 *   the ceiling and the model scored on the same resample (their metrics' `headlineReplicates`: resample r
 *   weighs each twin by a weight keyed by (seed, r, twin id), so the ceiling, scored on a subset of twins,
 *   shares the resample). The formula needs no direction: for a higher-is-better headline (e.g. sign-recovery
 *   F1) numerator and denominator both change sign. The interval is the percentile interval of fidelity_r, so
 *   floor and ceiling noise is in it.
 * - The overall fidelity is the mean over metrics; its interval is the percentile interval of the
 *   per-resample mean (not the mean of per-metric bounds).
 * - The valid-answer rate v enters fidelity: the invalid share of twins counts at the floor (0, an answer
 *   that carries no information about the humans), so a fidelity f ≥ 0 becomes v·f. A fidelity below 0 is
 *   left as it is: refusing never lifts a score that is already worse than the floor.
 *
 * Where a metric gives no per-resample values, the model's interval is mapped onto the floor–ceiling scale
 * with floor and ceiling held fixed (the description says so).
 */

/** A fidelity with its per-resample values (in memory only: results keep the interval and the SE). */
export interface ResampledFidelity {
  readonly fidelity: Fidelity
  readonly replicates?: ReadonlyArray<number>
}

/** The share of resamples that must be scorable for an interval to be reported. */
const minScorableShare = 0.5

/** The valid-answer adjustment: the invalid share of twins counts at the floor (0); never lifts f < 0. */
export const adjustForValidRate = (value: number, validRate: number): number =>
  value >= 0 ? validRate * value : value

/** What a fidelity outside [0, 1] means, for the `flag` field and the terminal summary. */
export const fidelityFlag = (value: number | null): string | undefined => {
  if (value === null || !Number.isFinite(value)) return undefined
  if (value < 0)
    return "below 0: further from the human holdout than uniform random answers (the floor) on this measure"
  if (value > 1)
    return "above 1: closer to the human holdout than another sample of different real people of this size (the ceiling); within sampling noise unless the interval lies above 1"
  return undefined
}

const standardDeviation = (values: ReadonlyArray<number>): number | undefined => {
  const finite = values.filter(Number.isFinite)
  if (finite.length < 2) return undefined
  const mean = finite.reduce((a, b) => a + b, 0) / finite.length
  return Math.sqrt(finite.reduce((a, b) => a + (b - mean) ** 2, 0) / (finite.length - 1))
}

/** Percentile interval of resampled values, or null when too few resamples could be scored. */
const resampledInterval = (
  replicates: ReadonlyArray<number>,
  level: number,
  description: string,
): ConfidenceInterval | null => {
  const scorable = replicates.filter(Number.isFinite).length
  if (replicates.length === 0 || scorable < minScorableShare * replicates.length) return null
  const interval = percentileInterval(replicates, 1 - level)
  if (interval === null) return null
  const dropped = replicates.length - scorable
  return {
    lower: interval.lower,
    upper: interval.upper,
    level,
    method: "resampled-fidelity",
    description:
      dropped === 0
        ? description
        : `${description} (${dropped} of ${replicates.length} resamples unscorable)`,
  }
}

const withAdjustment = (
  raw: number | null,
  validRate: number,
): Pick<Fidelity, "value" | "unadjusted" | "flag"> => {
  if (raw === null) return { value: null }
  const value = adjustForValidRate(raw, validRate)
  const flag = fidelityFlag(value)
  return { value, ...(value === raw ? {} : { unadjusted: raw }), ...(flag === undefined ? {} : { flag }) }
}

/**
 * The per-resample fidelities of a model's score between floor and ceiling (NaN where a resample is not
 * scorable), or undefined when any of the three lacks per-resample values or they disagree in length.
 */
export const fidelityReplicates = (
  model: MetricScore,
  floor: MetricScore,
  ceiling: MetricScore,
): Array<number> | undefined => {
  const m = model.headlineReplicates
  const f = floor.headlineReplicates
  const c = ceiling.headlineReplicates
  if (m === undefined || f === undefined || c === undefined) return undefined
  if (m.length === 0 || m.length !== f.length || m.length !== c.length) return undefined
  return m.map((value, r) => normalisedFidelity(value, f[r]!, c[r]!) ?? Number.NaN)
}

/** One metric's fidelity for one entry. */
export const metricFidelity = (
  score: MetricScore | undefined,
  floor: MetricScore | undefined,
  ceiling: MetricScore | undefined,
  validRate: number,
): ResampledFidelity => {
  const value = score?.headline.value
  const low = floor?.headline.value
  const high = ceiling?.headline.value
  if (score === undefined || floor === undefined || ceiling === undefined)
    return { fidelity: { value: null, ci: null } }
  if (value == null || low == null || high == null) return { fidelity: { value: null, ci: null } }
  const raw = normalisedFidelity(value, low, high)
  const adjusted = withAdjustment(raw, validRate)
  if (raw === null) return { fidelity: { value: null, ci: null } }
  const level = score.headline.ci?.level ?? 0.95
  const replicates = fidelityReplicates(score, floor, ceiling)
  if (replicates !== undefined) {
    const adjustedReplicates = replicates.map((f) =>
      Number.isFinite(f) ? adjustForValidRate(f, validRate) : Number.NaN,
    )
    const se = standardDeviation(adjustedReplicates)
    return {
      fidelity: {
        ...adjusted,
        ci: resampledInterval(
          adjustedReplicates,
          level,
          "percentile interval of the fidelity recomputed on each bootstrap resample, with floor, ceiling and model on the same resample",
        ),
        ...(se === undefined ? {} : { se }),
      },
      replicates: adjustedReplicates,
    }
  }
  // No per-resample values: map the model's interval, floor and ceiling held fixed.
  const ci = score.headline.ci
  if (ci == null) return { fidelity: { ...adjusted, ci: null } }
  const a = normalisedFidelity(ci.lower, low, high)
  const b = normalisedFidelity(ci.upper, low, high)
  if (a === null || b === null) return { fidelity: { ...adjusted, ci: null } }
  const lower = adjustForValidRate(Math.min(a, b), validRate)
  const upper = adjustForValidRate(Math.max(a, b), validRate)
  return {
    fidelity: {
      ...adjusted,
      ci: {
        lower,
        upper,
        level: ci.level,
        method: ci.method,
        description:
          "the model's interval mapped onto the floor–ceiling scale, floor and ceiling held fixed (the metric gave no per-resample values)",
      },
    },
  }
}

const mean = (values: ReadonlyArray<number>): number => values.reduce((a, b) => a + b, 0) / values.length

/**
 * The overall fidelity: the mean over the metrics that could be normalised. Its interval is the percentile
 * interval of the per-resample mean when every such metric has per-resample values; otherwise the mean of
 * their bounds (described as such).
 */
export const overallFidelity = (perMetric: ReadonlyArray<ResampledFidelity>): ResampledFidelity => {
  const scored = perMetric.filter((f) => f.fidelity.value !== null)
  if (scored.length === 0) return { fidelity: { value: null, ci: null } }
  const value = mean(scored.map((f) => f.fidelity.value!))
  const flag = fidelityFlag(value)
  const flagged = flag === undefined ? {} : { flag }
  const unadjusted = scored.some((f) => f.fidelity.unadjusted !== undefined)
    ? { unadjusted: mean(scored.map((f) => f.fidelity.unadjusted ?? f.fidelity.value!)) }
    : {}
  const lengths = new Set(scored.map((f) => f.replicates?.length ?? -1))
  if (lengths.size === 1 && !lengths.has(-1) && !lengths.has(0)) {
    const count = scored[0]!.replicates!.length
    const replicates = Array.from({ length: count }, (_, r) => mean(scored.map((f) => f.replicates![r]!)))
    const level = scored[0]!.fidelity.ci?.level ?? 0.95
    const se = standardDeviation(replicates)
    return {
      fidelity: {
        value,
        ci: resampledInterval(
          replicates,
          level,
          "percentile interval of the mean fidelity over metrics, recomputed on each bootstrap resample",
        ),
        ...(se === undefined ? {} : { se }),
        ...unadjusted,
        ...flagged,
      },
      replicates,
    }
  }
  const withCi = scored.filter((f) => f.fidelity.ci !== null)
  return {
    fidelity: {
      value,
      ci:
        withCi.length === scored.length
          ? {
              lower: mean(withCi.map((f) => f.fidelity.ci!.lower)),
              upper: mean(withCi.map((f) => f.fidelity.ci!.upper)),
              level: withCi[0]!.fidelity.ci!.level,
              method: withCi[0]!.fidelity.ci!.method,
              description:
                "mean of the per-metric bounds (conservative; some metric gave no per-resample values)",
            }
          : null,
      ...unadjusted,
      ...flagged,
    },
  }
}

/** An entry's overall fidelity with its per-resample values, for paired comparisons. */
export interface ComparableEntry {
  readonly id: string
  /** Reference rows (baselines) are compared but not ranked. */
  readonly reference: boolean
  readonly overall: ResampledFidelity
}

/**
 * Paired comparisons of overall fidelity: for every pair of entries with per-resample values on the same
 * resamples, the percentile interval of the per-resample difference. Ranks among non-reference entries:
 * 1 + the number of entries distinguishably better (their paired interval lies above 0).
 */
export const pairedComparisons = (
  entries: ReadonlyArray<ComparableEntry>,
): Map<string, { comparisons: Array<PairedComparison>; rank: number | null }> => {
  const out = new Map<string, { comparisons: Array<PairedComparison>; rank: number | null }>()
  const comparable = entries.filter(
    (entry) =>
      entry.overall.fidelity.value !== null &&
      entry.overall.replicates !== undefined &&
      entry.overall.replicates.length > 0,
  )
  for (const entry of comparable) {
    const comparisons: Array<PairedComparison> = []
    for (const other of comparable) {
      if (other.id === entry.id || other.overall.replicates!.length !== entry.overall.replicates!.length)
        continue
      const differences = entry.overall.replicates!.map((value, r) => value - other.overall.replicates![r]!)
      const level = entry.overall.fidelity.ci?.level ?? 0.95
      const interval = resampledInterval(
        differences,
        level,
        "percentile interval of the paired difference in overall fidelity over the same bootstrap resamples",
      )
      comparisons.push({
        entry: other.id,
        difference: entry.overall.fidelity.value! - other.overall.fidelity.value!,
        ci: interval,
        distinguishable: interval !== null && (interval.lower > 0 || interval.upper < 0),
      })
    }
    out.set(entry.id, { comparisons, rank: null })
  }
  for (const entry of comparable) {
    if (entry.reference) continue
    const own = out.get(entry.id)!
    const better = own.comparisons.filter(
      (comparison) =>
        comparison.distinguishable &&
        comparison.ci !== null &&
        comparison.ci.upper < 0 &&
        comparable.some((other) => other.id === comparison.entry && !other.reference),
    ).length
    own.rank = 1 + better
  }
  return out
}
