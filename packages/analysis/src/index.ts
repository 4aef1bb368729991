export {
  type ArmSummary,
  armSummaries,
  type BeliefActionSummary,
  beliefActionSummaries,
  computeFigure,
  type FigureValue,
} from "./figures.js"
export {
  type AnalysisError,
  type AnalysisFit,
  type AnalysisSpecError,
  effectCoefficients,
  equationTerm,
  fitAnalysis,
  fitPrepared,
  levelCounts,
  type ModelFit,
  type PreparedAnalysis,
  type PrepareOptions,
  prepareAnalysis,
  type RefitOptions,
  termColumn,
} from "./fit.js"
export {
  type AnalysisProblem,
  type AnalyzeReport,
  analyzeStudy,
  checkAnalyses,
  describeSubset,
  devianceReproduces,
  printedDecimals,
  pValueReproduces,
  type ReportedAnalysis,
  type ReportedCoefficient,
  reportAnalysis,
} from "./report.js"
export {
  type AnalysisRow,
  holdsLevel,
  isMissing,
  readSource,
  type SourceReader,
} from "./variables.js"
