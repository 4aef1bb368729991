import { Metric } from "@standin/core"
import { Layer } from "effect"
import { metric } from "./metric.js"

export { descriptor, wangCitation } from "./descriptor.js"
export {
  type DivergenceValues,
  divergenceFigures,
  divergences,
  groupDivergences,
  itemGroupDivergences,
  pooledJsDistance,
  pooledJsNoncentral,
  pooledJsSquared,
  syntheticDesignEffect,
  unscorableNote,
} from "./divergence.js"
export { divergenceMetricFigures, metric, score } from "./metric.js"

/** The divergence metric as core's Metric service. */
export const layer = Layer.succeed(Metric, metric)
