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
  analysisFrame,
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
  fitMediation,
  type MediationFigure,
  mediationFigureLabels,
  mediationFigures,
  type ReportedMediation,
  type ReportedMediationFigure,
  reportMediation,
  simulationTolerance,
} from "./mediation.js"
export {
  describeDesign,
  estimatePrevalence,
  type PrevalenceDesign,
  type ProtectedItem,
  protectedItems,
  type ReportedPrevalence,
  reportPrevalences,
} from "./prevalence.js"
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
