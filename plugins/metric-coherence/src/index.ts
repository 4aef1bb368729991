import { Metric } from "@standin/core"
import { Layer } from "effect"
import { metric } from "./metric.js"

export { descriptor } from "./descriptor.js"
export {
  type CoherenceSide,
  coherenceFigures,
  coherenceOf,
  metric,
  pairTables,
  type ResolvedPair,
  resolvePair,
  score,
} from "./metric.js"

/** The belief–action coherence metric as core's Metric service. */
export const layer = Layer.succeed(Metric, metric)
