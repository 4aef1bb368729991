import { Schema } from "effect"

/**
 * The response scale of an item. Option order matters for ordered scales (Likert, Binary):
 * it is the order used for Wasserstein distances and for the labels shown to a model.
 */
export const LikertScale = Schema.TaggedStruct("Likert", {
  options: Schema.Array(Schema.String),
})
export const BinaryScale = Schema.TaggedStruct("Binary", {
  /** Two options; the second is the "positive" level (coded 1 in analyses). */
  options: Schema.Tuple([Schema.String, Schema.String]),
})
export const CategoricalScale = Schema.TaggedStruct("Categorical", {
  options: Schema.Array(Schema.String),
})
export const NumericScale = Schema.TaggedStruct("Numeric", {
  min: Schema.Number,
  max: Schema.Number,
  integer: Schema.Boolean,
})
export const MultiSelectScale = Schema.TaggedStruct("MultiSelect", {
  options: Schema.Array(Schema.String),
})

export const Scale = Schema.Union([
  LikertScale,
  BinaryScale,
  CategoricalScale,
  NumericScale,
  MultiSelectScale,
])
export type Scale = typeof Scale.Type

/** Options of a scale with a finite set of answers; an empty array for numeric scales. */
export const scaleOptions = (scale: Scale): ReadonlyArray<string> =>
  scale._tag === "Numeric" ? [] : (scale.options as ReadonlyArray<string>)

/** Whether distances along the option order are meaningful (Wasserstein-1 applies). */
export const isOrdered = (scale: Scale): boolean =>
  scale._tag === "Likert" || scale._tag === "Binary" || scale._tag === "Numeric"

/** A single answer: an option label, a number, several labels for multi-select, or null when missing. */
export const AnswerValue = Schema.Union([
  Schema.String,
  Schema.Number,
  Schema.Array(Schema.String),
  Schema.Null,
])
export type AnswerValue = typeof AnswerValue.Type

/** Whether a value is a valid answer on the scale (null is "missing", which is never valid). */
export const isValidAnswer = (scale: Scale, value: AnswerValue): boolean => {
  switch (scale._tag) {
    case "Numeric":
      return (
        typeof value === "number" &&
        Number.isFinite(value) &&
        value >= scale.min &&
        value <= scale.max &&
        (!scale.integer || Number.isInteger(value))
      )
    case "MultiSelect":
      return (
        Array.isArray(value) &&
        value.length > 0 &&
        new Set(value).size === value.length &&
        value.every((v) => scale.options.includes(v))
      )
    default:
      return typeof value === "string" && (scale.options as ReadonlyArray<string>).includes(value)
  }
}
