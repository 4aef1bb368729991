/**
 * The loopback fakes without the contract suite (no vitest import): for the `standin-fake` bin,
 * benchmarks, and anything else that starts a fake outside a test runner.
 */
import { startAnthropicFake } from "./anthropic.js"
import { startGoogleFake } from "./google.js"
import { startOpenAiFake } from "./openai.js"
import type { FakeOptions, FakeServer } from "./server.js"
import type { Vendor } from "./survey.js"
import { startTogetherFake } from "./together.js"

export { anthropicModelVersion, parseMessagesRequest, startAnthropicFake } from "./anthropic.js"
export { type FakeArguments, fakeUsage, parseFakeArguments, runFake } from "./cli.js"
export { type FakeClock, manualClock, realClock } from "./clock.js"
export {
  type FaultKind,
  FaultPlan,
  type FaultRate,
  type FaultSpec,
  faultKinds,
  isFaultKind,
  parseFaultSpec,
} from "./faults.js"
export { googleModelVersion, parseGenerateRequest, startGoogleFake } from "./google.js"
export { inputTokens, outputTokens, tokensForText } from "./metering.js"
export { openAiModelVersion, parseChatRequest, startOpenAiFake } from "./openai.js"
export { hash32, hashUnit, Rng } from "./random.js"
export {
  REDACTED,
  RequestLog,
  type RequestLogEntry,
  readRequestLog,
  redactHeaders,
  redactPath,
  secretHeaders,
} from "./request-log.js"
export { refusalText } from "./respond.js"
export {
  defaultJobTimings,
  FAKE_HEADER,
  type FakeOptions,
  type FakeServer,
  type JobTimings,
  type UploadedFile,
} from "./server.js"
export {
  answerDistribution,
  defaultResponder,
  type FakeAnswer,
  labelledOptions,
  personaLines,
  type Responder,
  type ResponderContext,
  type ShapeItem,
  type SurveyMessage,
  type SurveyRequest,
  type SurveyShape,
  sampleAnswer,
  surveyShape,
  type TokenChoice,
  type Vendor,
} from "./survey.js"
export { startTogetherFake } from "./together.js"
export { learnTrainingFile, nearestExamples, trainedResponder } from "./trained.js"

export const vendors: ReadonlyArray<Vendor> = ["openai", "anthropic", "google"]

/** Starts the fake for a vendor on 127.0.0.1. */
export const startVendorFake = (vendor: Vendor, options: FakeOptions = {}): Promise<FakeServer> => {
  switch (vendor) {
    case "openai":
      return startOpenAiFake(options)
    case "anthropic":
      return startAnthropicFake(options)
    case "google":
      return startGoogleFake(options)
    case "together":
      return startTogetherFake(options)
  }
}
