import { Context, type Effect, Schema } from "effect"
import type { MetricDescriptor } from "./descriptor.js"
import type { MetricError } from "./errors.js"
import type { Respondent, SyntheticRespondent } from "./respondent.js"
import type { StudyDefinition } from "./study.js"

export const MetricSpecVersion = "1.0"

/**
 * How an interval was made:
 * - percentile / bca / basic: bootstrap intervals over respondents (basic = 2·estimate − percentiles);
 * - bias-corrected: an interval of a bias-corrected distance, from the bootstrap or by inverting the distance's
 *   noise model (the description says which; see the metric's docs);
 * - wald: estimate ± z·SE;
 * - resampled-fidelity: fidelity computed on every bootstrap resample (floor, ceiling and model on the same
 *   resample), then the percentile interval of those;
 * - splits: across repeated pilot/holdout splits, including the between-split variance.
 */
export const IntervalMethod = Schema.Literals([
  "percentile",
  "bca",
  "basic",
  "bias-corrected",
  "wald",
  "resampled-fidelity",
  "splits",
])
export type IntervalMethod = typeof IntervalMethod.Type

export const ConfidenceInterval = Schema.Struct({
  lower: Schema.Number,
  upper: Schema.Number,
  level: Schema.Number,
  method: IntervalMethod,
  /** In words, how this interval was made when it departs from its method's plain reading. */
  description: Schema.optionalKey(Schema.String),
}).pipe(
  Schema.check(
    Schema.makeFilter((interval) =>
      interval.lower <= interval.upper
        ? true
        : `an interval's lower bound (${interval.lower}) is above its upper bound (${interval.upper})`,
    ),
  ),
)
export type ConfidenceInterval = typeof ConfidenceInterval.Type

/** One scored figure, e.g. the JS distance of item `concern` in arm `shown`. */
export const Measure = Schema.Struct({
  /** The MeasureDescriptor id. */
  measure: Schema.String,
  /** Unique within the metric's score: measure id plus its qualifiers, e.g. `jsd|item=concern|arm=shown`. */
  key: Schema.String,
  item: Schema.optionalKey(Schema.String),
  arm: Schema.optionalKey(Schema.String),
  attribute: Schema.optionalKey(Schema.String),
  level: Schema.optionalKey(Schema.String),
  term: Schema.optionalKey(Schema.String),
  /** The value; null when the measure could not be scored (then `note` says why). */
  value: Schema.NullOr(Schema.Number),
  ci: Schema.NullOr(ConfidenceInterval),
  /** The human and synthetic figures the measure compares, where it compares two figures. */
  human: Schema.optionalKey(Schema.NullOr(Schema.Number)),
  synthetic: Schema.optionalKey(Schema.NullOr(Schema.Number)),
  n: Schema.Number,
  /** Shown but not ranked (e.g. a subgroup cell under the minimum size). */
  flagged: Schema.optionalKey(Schema.String),
  note: Schema.optionalKey(Schema.String),
})
export type Measure = typeof Measure.Type

export const MetricScore = Schema.Struct({
  metric: Schema.String,
  version: Schema.String,
  headline: Schema.Struct({
    measure: Schema.String,
    value: Schema.NullOr(Schema.Number),
    ci: Schema.NullOr(ConfidenceInterval),
  }),
  measures: Schema.Array(Measure),
  /** Extra structured output (e.g. fitted coefficient tables) for the leaderboard's charts. */
  details: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
  /**
   * In memory only (the engine removes it before writing results): the headline's value on each bootstrap
   * resample, index r = resample r (NaN where it could not be scored). Resample r gives every twin the same
   * weight in every entry scored with the same seed (weights are keyed by twin id), so the engine can put
   * floor, ceiling and model on the same resample.
   */
  headlineReplicates: Schema.optionalKey(Schema.Array(Schema.Number)),
})
export type MetricScore = typeof MetricScore.Type

export interface MetricOptions {
  readonly seed: number
  /** Bootstrap resamples for CIs (0 disables CIs). */
  readonly resamples: number
  /** 1 − confidence level, e.g. 0.05 for 95% intervals. */
  readonly alpha: number
  /** Subgroup cells smaller than this are flagged and not ranked. */
  readonly minCellSize: number
}

export const defaultMetricOptions: MetricOptions = { seed: 1, resamples: 1000, alpha: 0.05, minCellSize: 30 }

/**
 * A metric's input. `human[i].id` is the twin id: a synthetic respondent with `twinId === human[i].id`
 * is that human's twin (bootstraps resample twins with their humans).
 */
export interface MetricInput {
  readonly study: StudyDefinition
  readonly human: ReadonlyArray<Respondent>
  readonly synthetic: ReadonlyArray<SyntheticRespondent>
  readonly options: MetricOptions
}

/** The narrow interface a metric plugin implements: a pure scoring function plus its descriptor. */
export interface MetricShape {
  readonly descriptor: MetricDescriptor
  readonly score: (input: MetricInput) => Effect.Effect<MetricScore, MetricError>
}

export class Metric extends Context.Service<Metric, MetricShape>()("@standin/core/Metric") {}
