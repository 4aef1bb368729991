import { Schema } from "effect"

/**
 * The run's cost limit refused a call: what was spent, what was in flight, and what this call was
 * estimated to cost. `requestedUsd` is null when the model has no known price (a limit cannot be
 * enforced on a model whose price is unknown, so such calls are refused rather than let through).
 */
export class BudgetExceeded extends Schema.TaggedError<BudgetExceeded>()("BudgetExceeded", {
  limitUsd: Schema.Number,
  spentUsd: Schema.Number,
  inFlightUsd: Schema.Number,
  requestedUsd: Schema.NullOr(Schema.Number),
  message: Schema.String,
}) {}
