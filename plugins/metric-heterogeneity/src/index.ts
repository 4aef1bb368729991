import { Metric } from "@standin/core"
import { Layer } from "effect"
import { metric } from "./metric.js"

export { descriptor } from "./descriptor.js"
export {
  codePatterns,
  type HeterogeneityPlan,
  heterogeneityFigures,
  metric,
  modeCollapseThreshold,
  type PatternScratch,
  type Patterns,
  patternScratch,
  score,
  uniquePatterns,
  withinVariances,
} from "./metric.js"

/** The heterogeneity metric as core's Metric service. */
export const layer = Layer.succeed(Metric, metric)
