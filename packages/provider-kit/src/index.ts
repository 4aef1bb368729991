export { type Ask, generateFor } from "./generate-for.js"
export {
  baseUrlOf,
  decodePluginOptions,
  optionalApiKey,
  optionalEnv,
  requiredApiKey,
  requireModel,
  vendorFinetunerLayer,
  vendorProviderLayer,
} from "./provider-config.js"
export {
  distributionFromLogprobs,
  FAKE_VENDOR_HEADER,
  type FirstTokenAnswer,
  firstTokenDistributions,
  type HeaderSource,
  isQuotaExhausted,
  type LabelDistribution,
  parseDuration,
  parseRateLimitReset,
  parseRetryAfter,
  reasonForStatus,
  requestSeed,
  type SdkErrorClasses,
  sdkProviderError,
  type TokenLogprob,
} from "./provider-support.js"
