import { Metric } from "@standin/core"
import { Layer } from "effect"
import { metric } from "./metric.js"

export { descriptor } from "./descriptor.js"
export {
  type LevelRmsMoments,
  levelRms,
  levelRmsInterval,
  metric,
  planSubgroups,
  type SubgroupPlan,
  score,
  subgroupFigures,
} from "./metric.js"

/** The subgroup alignment metric as core's Metric service. */
export const layer = Layer.succeed(Metric, metric)
