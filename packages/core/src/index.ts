/**
 * The public surface of @standin/core, listed name by name: contracts (Provider, Finetuner, Experiment, Metric),
 * domain schemas, errors, and the few helpers every side of a contract shares. Vendor plumbing (SDK error
 * mapping, HTTP transport, configuration, `generateFor`) lives in @standin/provider-kit.
 */
export {
  type Citation,
  type Direction,
  type MeasureDescriptor,
  type MetricDescriptor,
  type MetricFamily,
  normalisedFidelity,
} from "./descriptor.js"
export {
  FinetuneError,
  InputError,
  isRetryableReason,
  MetricError,
  PluginConfigError,
  ProviderError,
  StudyDataError,
  StudyDefinitionError,
} from "./errors.js"
export {
  Experiment,
  type ExperimentDescriptor,
  type ExperimentPlugin,
  type ExperimentShape,
  ExperimentSpecVersion,
  type HumanData,
} from "./experiment.js"
export {
  FinetuneEvent,
  FinetuneJobRef,
  type FinetuneRequest,
  Finetuner,
  type FinetunerDescriptor,
  type FinetunerPlugin,
  type FinetunerShape,
  FinetunerSpecVersion,
  FinetuneState,
  FinetuneStatus,
  Hyperparameters,
  isTerminal,
  type PreparedFinetune,
  type SubmitOptions,
  TrainingExample,
  type TrainingFile,
} from "./finetuner.js"
export {
  approximateTokens,
  chatJsonl,
  chatTrainingFile,
  chatTrainingFiles,
  checkFinetuneRequest,
  finetuneReasonForStatus,
  keyedVendorCalls,
  preparedFinetune,
  sdkFinetuneError,
  trainedModelSpec,
} from "./finetuner-support.js"
export {
  ConfidenceInterval,
  defaultMetricOptions,
  IntervalMethod,
  Measure,
  Metric,
  type MetricInput,
  type MetricOptions,
  MetricScore,
  type MetricShape,
  MetricSpecVersion,
} from "./metric.js"
export {
  capabilitiesFor,
  type ModelCapabilities,
  matchesModel,
  modelElicitation,
} from "./model-capabilities.js"
export {
  parseProviderSpec,
  slugify,
} from "./plugin-spec.js"
export {
  ChatMessage,
  ItemPrompt,
  type JsonSchema,
  type RenderedPrompt,
  type RenderOptions,
} from "./prompt.js"
export {
  type BaselineRole,
  descriptorForModel,
  GenerationSettings,
  HoldoutData,
  type HoldoutDataShape,
  PilotData,
  type PilotDataShape,
  Provider,
  type ProviderCapabilities,
  type ProviderDescriptor,
  type ProviderPlugin,
  type ProviderRequest,
  type ProviderResponse,
  type ProviderShape,
  type ProviderSpec,
  ProviderSpecVersion,
  settingsWarnings,
  unsupportedElicitation,
} from "./provider.js"
export {
  type BatchItemResult,
  type BatchLimits,
  type BatchRequest,
  type BatchState,
  type BatchStatus,
  type ProviderBatch,
  ProviderBatchSpecVersion,
} from "./provider-batch.js"
export {
  Elicitation,
  FailureReason,
  OptionDistribution,
  Respondent,
  SyntheticRespondent,
  Twin,
  Usage,
  zeroUsage,
} from "./respondent.js"
export {
  AnswerDistributions,
  EntryStatus,
  Fidelity,
  FinetuneInfo,
  LearningCurvePoint,
  MetricDescriptorData,
  OptionCounts,
  PilotDesign,
  PluginInstance,
  ResultsEntry,
  ResultsFile,
  ResultsSchemaVersion,
  RunManifest,
} from "./results.js"
export {
  AnswerValue,
  BinaryScale,
  CategoricalScale,
  isOrdered,
  isValidAnswer,
  LikertScale,
  MultiSelectScale,
  NumericScale,
  Scale,
  scaleOptions,
} from "./scale.js"
export {
  findUrlCredentials,
  hasUrlCredentials,
  scrubSecret,
  scrubUrlCredentials,
  withoutUrlCredentials,
} from "./secrets.js"
export {
  AnalysisFamily,
  AnalysisSpec,
  AnalysisVariable,
  Arm,
  BeliefActionPair,
  DataSource,
  FigureSpec,
  Item,
  ItemRole,
  itemById,
  Persona,
  PersonaAttribute,
  ReferenceAnalysis,
  ReferenceCoefficient,
  ReferenceResults,
  StudyDefinition,
  VariableCoding,
  VariableSource,
} from "./study.js"
