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
  phiVariance,
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
  jsDivergenceBias,
  normalisedWasserstein1,
  type SquaredNullExpectations,
  squaredNullExpectations,
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
export { hashId, idHashes, poissonOne, poissonWeights } from "./poisson-bootstrap.js"
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
