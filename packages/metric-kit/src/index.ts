export {
  biasCorrectedInterval,
  correctedDistance,
  type NoncentralModel,
  noncentralDistanceInterval,
  noncentralInterval,
  noncentralModel,
  squaredScale,
} from "./corrected.js"
export { withDerivedItems } from "./derived.js"
export {
  type BootstrappedFigures,
  bootstrapFigures,
  type ComputeContext,
  type Figure,
  figureKey,
  meanOf,
  metricRandom,
  orNaN,
  type Qualifiers,
  toHeadline,
  toMeasures,
} from "./figures.js"
export {
  type CodedItem,
  type Grouping,
  groupingAll,
  groupingByArm,
  groupingByAttribute,
  itemIndex,
  type Panel,
  preparePanel,
  type Tally,
  tally,
  tallyItems,
} from "./panel.js"
export { scoreWithHumans } from "./score.js"
