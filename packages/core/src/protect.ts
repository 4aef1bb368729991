import { Schema } from "effect"

/**
 * What a respondent is told their randomiser showed, per outcome: one text is drawn (uniformly) from the outcome's
 * list, e.g. forced response `yes: ["The die shows 1."]`, `truth: ["The die shows 2.", …, "The die shows 5."]`.
 */
const Told = Schema.Array(Schema.String)

/**
 * A design that protects respondents, declared on the item that records its answer (format 2). standin draws each
 * twin's randomiser with the declared probability (seeded by the run seed, the twin and the item) and tells the twin
 * its outcome under the item's wording; humans' answers are taken as given (their randomiser is unobserved). Each
 * design yields a `prevalence` analysis with its published estimator.
 *
 * - ForcedResponse (Boruch 1971): with probability `pYes` answer the positive option, `pNo` the other, else the truth.
 * - Warner (1965): with probability `p` answer about the sensitive statement, else about its negation.
 * - Crosswise (Yu, Tian & Tang 2008): answer whether the sensitive and an innocuous statement (true with known
 *   probability `p`) are both true or both false (the positive option) or differ.
 * - List (Glynn 2013; Blair & Imai 2012): a count item; the `treatment` arm's list adds the sensitive statement to
 *   the `control` arm's `items` statements. The arm is the human's (no draw).
 */
export const ProtectedDesign = Schema.Union([
  Schema.TaggedStruct("ForcedResponse", {
    pYes: Schema.Number,
    pNo: Schema.Number,
    told: Schema.optionalKey(Schema.Struct({ yes: Told, no: Told, truth: Told })),
  }),
  Schema.TaggedStruct("Warner", {
    p: Schema.Number,
    told: Schema.optionalKey(Schema.Struct({ statement: Told, negation: Told })),
  }),
  Schema.TaggedStruct("Crosswise", {
    p: Schema.Number,
    innocuous: Schema.String,
    told: Schema.optionalKey(Schema.Struct({ true: Told, false: Told })),
  }),
  Schema.TaggedStruct("List", {
    control: Schema.String,
    treatment: Schema.String,
    items: Schema.optionalKey(Schema.Number),
  }),
])
export type ProtectedDesign = typeof ProtectedDesign.Type

/** The randomiser's outcomes of a design, with their probabilities (none for a list experiment: no draw). */
export const randomiserOutcomes = (
  design: ProtectedDesign,
): ReadonlyArray<{ readonly outcome: string; readonly probability: number }> => {
  switch (design._tag) {
    case "ForcedResponse":
      return [
        { outcome: "yes", probability: design.pYes },
        { outcome: "no", probability: design.pNo },
        { outcome: "truth", probability: 1 - design.pYes - design.pNo },
      ]
    case "Warner":
      return [
        { outcome: "statement", probability: design.p },
        { outcome: "negation", probability: 1 - design.p },
      ]
    case "Crosswise":
      return [
        { outcome: "true", probability: design.p },
        { outcome: "false", probability: 1 - design.p },
      ]
    case "List":
      return []
  }
}

/**
 * The default words a twin is told for an outcome, when the design declares no `told` texts: the rule the item's
 * wording states, applied (`positive`/`negative` are the item's options).
 */
export const defaultTold = (
  design: ProtectedDesign,
  outcome: string,
  options: { readonly positive: string; readonly negative: string },
): string => {
  switch (design._tag) {
    case "ForcedResponse":
      return outcome === "yes"
        ? `Your randomiser (only you can see it) says: answer ${JSON.stringify(options.positive)}.`
        : outcome === "no"
          ? `Your randomiser (only you can see it) says: answer ${JSON.stringify(options.negative)}.`
          : "Your randomiser (only you can see it) says: answer truthfully."
    case "Warner":
      return outcome === "statement"
        ? "Your randomiser (only you can see it) chose the first statement: answer about it."
        : "Your randomiser (only you can see it) chose the second statement: answer about it."
    case "Crosswise":
      return outcome === "true"
        ? `For you, this is true: ${JSON.stringify(design.innocuous)}.`
        : `For you, this is not true: ${JSON.stringify(design.innocuous)}.`
    case "List":
      return ""
  }
}
