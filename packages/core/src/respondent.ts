import { Schema } from "effect"
import { AnswerValue } from "./scale.js"
import { Persona } from "./study.js"

/** A human respondent, as parsed and validated from the study's data. */
export const Respondent = Schema.Struct({
  id: Schema.String,
  /** 1-based data row (header is row 1), for error messages. */
  row: Schema.Number,
  arm: Schema.String,
  persona: Persona,
  answers: Schema.Record(Schema.String, AnswerValue),
})
export type Respondent = typeof Respondent.Type

/** What a model (or baseline) is told about the twin it plays. Never carries the human's answers. */
export const Twin = Schema.Struct({
  /** Stable pseudonymous twin id (the human's id is private). */
  id: Schema.String,
  arm: Schema.String,
  persona: Persona,
  /** Items its human was not asked (skip logic): the twin is not asked them either. */
  skipped: Schema.optionalKey(Schema.Array(Schema.String)),
})
export type Twin = typeof Twin.Type

export const Elicitation = Schema.Literals(["sample", "logprobs", "verbalized"])
export type Elicitation = typeof Elicitation.Type

export const Usage = Schema.Struct({
  inputTokens: Schema.Number,
  outputTokens: Schema.Number,
})
export type Usage = typeof Usage.Type

export const zeroUsage: Usage = { inputTokens: 0, outputTokens: 0 }

/** A probability distribution over an item's options. */
export const OptionDistribution = Schema.Record(Schema.String, Schema.Number)
export type OptionDistribution = typeof OptionDistribution.Type

export const FailureReason = Schema.Literals([
  "rate-limited",
  "transport",
  "timeout",
  "server",
  "auth",
  "invalid-request",
  "content-filtered",
  "malformed-output",
  "unsupported",
  "budget",
])
export type FailureReason = typeof FailureReason.Type

/** One synthetic twin's answers, with everything needed to audit them. */
export const SyntheticRespondent = Schema.Struct({
  twinId: Schema.String,
  replicate: Schema.Number,
  arm: Schema.String,
  persona: Persona,
  /** Parsed answers; an item that stayed invalid after re-asks is null and listed in `invalidItems`. */
  answers: Schema.Record(Schema.String, AnswerValue),
  /** For logprobs/verbalized elicitation: the distribution each answer was drawn from. */
  distributions: Schema.optionalKey(Schema.Record(Schema.String, OptionDistribution)),
  /** The raw text of the final attempt, verbatim. */
  raw: Schema.String,
  valid: Schema.Boolean,
  invalidItems: Schema.Array(Schema.String),
  warnings: Schema.Array(Schema.String),
  attempts: Schema.Number,
  elicitation: Elicitation,
  modelVersion: Schema.String,
  usage: Usage,
  /**
   * For instruments of several pages: each page's final reply, verbatim, with the calls it took (`raw` is
   * then the last page's). A twin whose call failed for good has no turns after the failed page.
   */
  turns: Schema.optionalKey(
    Schema.Array(Schema.Struct({ page: Schema.String, raw: Schema.String, attempts: Schema.Number })),
  ),
  /** The option order this twin saw per item, when the run did not show them as the humans saw them. */
  optionOrders: Schema.optionalKey(Schema.Record(Schema.String, Schema.Array(Schema.String))),
  /** What each protected item's randomiser showed this twin (item id → outcome and the words it was told). */
  randomisers: Schema.optionalKey(
    Schema.Record(Schema.String, Schema.Struct({ outcome: Schema.String, told: Schema.String })),
  ),
  /** Set when the call failed for good (after retries); answers are then all null. */
  failure: Schema.optionalKey(Schema.Struct({ reason: FailureReason, message: Schema.String })),
})
export type SyntheticRespondent = typeof SyntheticRespondent.Type
