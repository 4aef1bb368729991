import { Metric } from "@standin/core"
import { Layer } from "effect"
import { metric } from "./metric.js"

export {
  type Comparison,
  compareCoefficients,
  type Sign,
  signAlpha,
  signOf,
  type TermComparison,
} from "./compare.js"
export { descriptor } from "./descriptor.js"
export {
  plugInSquared,
  squaredBias,
  type WaldDistance,
  waldDistance,
  waldP,
} from "./distance.js"
export { analysisRows, bootstrapTolerance, metric, rareLevels, score, treatmentTerms } from "./metric.js"

/** The regression recovery metric as core's Metric service. */
export const layer = Layer.succeed(Metric, metric)
