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
export { type CodedOutcome, codeOutcome } from "./categorical-outcome.js"
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
export {
  type CounterfactualDesigns,
  type MediationEffects,
  type MediationError,
  type MediationEstimate,
  type MediationOptions,
  type MediationResult,
  mediate,
  mediationEffects,
  multivariateNormalDraws,
  type OutcomeModel,
} from "./mediation.js"
export {
  fitMultinomialLogit,
  type MultinomialEquation,
  type MultinomialLogitFit,
  type MultinomialLogitOptions,
} from "./multinomial.js"
export { holm } from "./multiple-testing.js"
export {
  type NoncentralityInterval,
  noncentralChiSquareCdf,
  noncentralityInterval,
} from "./noncentral.js"
export { erfcx, logNormalCdf, normalCdfPrecise, normalDensity, normalHazardRatio } from "./normal.js"
export { fitOrderedLogit, type OrderedLogitFit, type OrderedLogitOptions } from "./ordered.js"
export { fail, type Outcome, succeed } from "./outcome.js"
export {
  type Alternative,
  type PermutationOptions,
  type PermutationResult,
  permutationTest,
} from "./permutation.js"
export { hashId, idHashes, poissonOne, poissonWeights } from "./poisson-bootstrap.js"
export {
  type ClassicalOptions,
  classicalLogistic,
  classicalMean,
  classicalMeanDifference,
  classicalOls,
  crossFittedLambdas,
  differenceOfScalars,
  effectiveSampleSize,
  type MeanInput,
  type PpiCoefficients,
  type PpiError,
  type PpiMethod,
  type PpiOptions,
  type PpiScalar,
  type PpiVariant,
  ppiLogistic,
  ppiMean,
  ppiMeanDifference,
  ppiMeanLambda,
  ppiOls,
  type RegressionInput,
} from "./ppi.js"
export {
  crosswisePrevalence,
  forcedResponsePrevalence,
  listPrevalence,
  type PrevalenceEstimate,
  warnerPrevalence,
} from "./prevalence.js"
export { fitProbit, type Information, type ProbitFit, type ProbitOptions } from "./probit.js"
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
export {
  binaryRobustCovariance,
  type HcType,
  type HighLeverage,
  hcTypes,
  olsRobustCovariance,
  type RobustError,
  type RobustFit,
  sandwichCovariance,
  scoreSandwich,
  withRobustCovariance,
} from "./robust.js"
