export {
  type BootstrapOptions,
  type BootstrapResult,
  bcaInterval,
  bootstrap,
  type Interval,
  percentileInterval,
  quantileSorted,
  resampleCounts,
} from "./bootstrap.js"
export {
  averageRanks,
  type LogOddsRatio,
  logOddsRatio,
  pearson,
  phi,
  spearman,
  type Table2x2,
} from "./correlation.js"
export {
  buildDesign,
  type CellValue,
  type DataFrame,
  type Design,
  type DesignError,
  type DesignSpec,
  type DesignVariable,
  designFromMatrix,
} from "./design.js"
export {
  normalCdf,
  normalQuantile,
  normalTwoSidedP,
  studentQuantile,
  studentTwoSidedP,
} from "./distribution.js"
export {
  compareDistributions,
  type DistributionComparison,
  entropy,
  jsDistance,
  jsDivergence,
  normalisedWasserstein1,
  totalVariation,
  wasserstein1,
} from "./divergence.js"
export { cholesky, choleskyInverse, choleskySolve } from "./linear-algebra.js"
export { holm } from "./multiple-testing.js"
export { fail, type Outcome, succeed } from "./outcome.js"
export {
  type Alternative,
  type PermutationOptions,
  type PermutationResult,
  permutationTest,
} from "./permutation.js"
export {
  classicalLogistic,
  classicalMean,
  classicalMeanDifference,
  classicalOls,
  differenceOfScalars,
  effectiveSampleSize,
  type MeanInput,
  type PpiCoefficients,
  type PpiError,
  type PpiMethod,
  type PpiOptions,
  type PpiScalar,
  ppiLogistic,
  ppiMean,
  ppiMeanDifference,
  ppiMeanLambda,
  ppiOls,
  type RegressionInput,
} from "./ppi.js"
export {
  deriveSeed,
  makeRandom,
  type Random,
  sampleWithoutReplacement,
  shuffleInPlace,
} from "./random.js"
export {
  type Coefficient,
  type FitError,
  type FitOptions,
  fitLogit,
  fitOls,
  type LogitFit,
  type LogitOptions,
  type OlsFit,
} from "./regression.js"
