// The study's descriptive figures moved to @standin/analysis (with its analyses); re-exported for engine users.
export {
  type ArmSummary,
  armSummaries,
  type BeliefActionSummary,
  beliefActionSummaries,
  computeFigure,
  type FigureValue,
} from "@standin/analysis"
export * from "./answers.js"
export * from "./calls/index.js"
export * from "./ceiling.js"
export * from "./conversation.js"
export * from "./csv.js"
export * from "./definition-hash.js"
export * from "./distributions.js"
export * from "./fidelity.js"
export * from "./finetune.js"
export * from "./option-order.js"
export * from "./plan.js"
export * from "./random.js"
export * from "./randomiser.js"
export * from "./run.js"
export * from "./simulate.js"
export * from "./split.js"
export * from "./splits.js"
export * from "./status.js"
export * from "./sweep.js"
export * from "./training.js"
export * from "./twin-conversations.js"
export * from "./worth.js"
