import { Schema } from "effect"
import { FailureReason } from "./respondent.js"

const retryableReasons: ReadonlySet<FailureReason> = new Set<FailureReason>([
  "rate-limited",
  "transport",
  "timeout",
  "server",
  "malformed-output",
])

/** Whether a failure reason is worth retrying (the engine owns retries; SDK retries are off). */
export const isRetryableReason = (reason: FailureReason): boolean => retryableReasons.has(reason)

/**
 * A provider call failed. `message` must never contain a secret: providers build it from the
 * vendor's error type and message, never from request headers.
 */
export class ProviderError extends Schema.TaggedError<ProviderError>()("ProviderError", {
  provider: Schema.String,
  reason: FailureReason,
  message: Schema.String,
  status: Schema.optionalKey(Schema.Number),
  /** Server-requested wait before retrying, in milliseconds (from retry-after headers). */
  retryAfterMs: Schema.optionalKey(Schema.Number),
}) {
  get retryable(): boolean {
    return isRetryableReason(this.reason)
  }
}

/** A provider, finetuner or metric was configured wrongly (missing key, bad option, unknown model). */
export class PluginConfigError extends Schema.TaggedError<PluginConfigError>()("PluginConfigError", {
  plugin: Schema.String,
  message: Schema.String,
}) {}

/** The human data could not be found, verified or parsed. Names the file, row and column where known. */
export class StudyDataError extends Schema.TaggedError<StudyDataError>()("StudyDataError", {
  study: Schema.String,
  message: Schema.String,
  file: Schema.optionalKey(Schema.String),
  row: Schema.optionalKey(Schema.Number),
  column: Schema.optionalKey(Schema.String),
  hint: Schema.optionalKey(Schema.String),
}) {}

/** A study definition is inconsistent with itself or its data. */
export class StudyDefinitionError extends Schema.TaggedError<StudyDefinitionError>()("StudyDefinitionError", {
  study: Schema.String,
  message: Schema.String,
  field: Schema.optionalKey(Schema.String),
  file: Schema.optionalKey(Schema.String),
}) {}

/** A finetuning job failed, was cancelled, or could not be submitted. Carries the vendor's message. */
export class FinetuneError extends Schema.TaggedError<FinetuneError>()("FinetuneError", {
  finetuner: Schema.String,
  reason: Schema.Literals([
    "rate-limited",
    "transport",
    "server",
    "auth",
    "invalid-request",
    "job-failed",
    "job-cancelled",
    "leakage",
  ]),
  message: Schema.String,
  jobId: Schema.optionalKey(Schema.String),
}) {
  get retryable(): boolean {
    return this.reason === "rate-limited" || this.reason === "transport" || this.reason === "server"
  }
}

/** A metric could not be computed at all (as opposed to a single unscored measure). */
export class MetricError extends Schema.TaggedError<MetricError>()("MetricError", {
  metric: Schema.String,
  message: Schema.String,
}) {}

/** User input (flags, files) is invalid. `flag` names the offending flag or field. */
export class InputError extends Schema.TaggedError<InputError>()("InputError", {
  message: Schema.String,
  flag: Schema.optionalKey(Schema.String),
}) {}
