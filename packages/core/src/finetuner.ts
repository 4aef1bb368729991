import { Context, type Effect, type Layer, Schema } from "effect"
import type { FinetuneError, PluginConfigError } from "./errors.js"
import { ChatMessage } from "./prompt.js"
import type { ProviderSpec } from "./provider.js"

export const FinetunerSpecVersion = "1.0"

/** One training example: a pilot respondent's rendered prompt with their real answers as the target. */
export const TrainingExample = Schema.Struct({
  /**
   * Pseudonymous id of the pilot respondent, used only for the leakage check before upload;
   * it is never written into a training file.
   */
  respondentKey: Schema.String,
  messages: Schema.Array(ChatMessage),
})
export type TrainingExample = typeof TrainingExample.Type

export const Hyperparameters = Schema.Struct({
  epochs: Schema.optionalKey(Schema.Number),
  batchSize: Schema.optionalKey(Schema.Number),
  learningRateMultiplier: Schema.optionalKey(Schema.Number),
  learningRate: Schema.optionalKey(Schema.Number),
  loraRank: Schema.optionalKey(Schema.Number),
  loraAlpha: Schema.optionalKey(Schema.Number),
  seed: Schema.optionalKey(Schema.Number),
  suffix: Schema.optionalKey(Schema.String),
})
export type Hyperparameters = typeof Hyperparameters.Type

export interface FinetuneRequest {
  readonly study: string
  readonly baseModel: string
  readonly train: ReadonlyArray<TrainingExample>
  readonly validation: ReadonlyArray<TrainingExample>
  readonly hyperparameters: Hyperparameters
}

export interface TrainingFile {
  readonly purpose: "train" | "validation"
  readonly filename: string
  /** The exact bytes that will be uploaded (JSONL in the vendor's format). */
  readonly content: string
  readonly examples: number
  readonly tokens: number
}

export interface PreparedFinetune {
  readonly finetuner: string
  readonly baseModel: string
  readonly files: ReadonlyArray<TrainingFile>
  readonly hyperparameters: Hyperparameters
  /** Estimated trained tokens (tokens × epochs) and cost; cost is null when no price is known. */
  readonly estimate: { readonly trainedTokens: number; readonly costUsd: number | null }
}

export const FinetuneState = Schema.Literals([
  "validating",
  "queued",
  "running",
  "succeeded",
  "failed",
  "cancelled",
])
export type FinetuneState = typeof FinetuneState.Type

export const FinetuneJobRef = Schema.Struct({
  finetuner: Schema.String,
  jobId: Schema.String,
  fileIds: Schema.Array(Schema.String),
})
export type FinetuneJobRef = typeof FinetuneJobRef.Type

export const FinetuneEvent = Schema.Struct({
  at: Schema.Number,
  level: Schema.String,
  message: Schema.String,
})

export const FinetuneStatus = Schema.Struct({
  state: FinetuneState,
  events: Schema.Array(FinetuneEvent),
  /** The finetuned model name once succeeded. */
  model: Schema.optionalKey(Schema.String),
  /** The vendor's message on failure or cancellation. */
  error: Schema.optionalKey(Schema.String),
  trainedTokens: Schema.optionalKey(Schema.Number),
  checkpoints: Schema.optionalKey(Schema.Array(Schema.String)),
  /**
   * True when the vendor is a standin test double (the testkit fakes say so on every response): results
   * of such a model are labelled fake and never reach a leaderboard.
   */
  fake: Schema.optionalKey(Schema.Boolean),
})
export type FinetuneStatus = typeof FinetuneStatus.Type

export const isTerminal = (state: FinetuneState): boolean =>
  state === "succeeded" || state === "failed" || state === "cancelled"

export interface FinetunerDescriptor {
  readonly kind: "finetuner"
  readonly id: string
  readonly version: string
  readonly specVersion: string
  readonly label: string
  readonly description: string
  readonly keyEnv: ReadonlyArray<string>
  /** The provider id that serves the finetuned model. */
  readonly servedBy: string
  /** Hyperparameters the vendor accepts; others come back as warnings. */
  readonly hyperparameters: ReadonlyArray<keyof Hyperparameters>
}

export interface SubmitOptions {
  /** A stable id of this finetune (the engine passes the hash of its request); at most 64 characters. */
  readonly token?: string
}

/** The narrow interface a finetuner plugin implements: prepare → submit → status → cancel → provider spec. */
export interface FinetunerShape {
  readonly descriptor: FinetunerDescriptor
  readonly prepare: (request: FinetuneRequest) => Effect.Effect<PreparedFinetune, FinetuneError>
  /**
   * Uploads the files and starts the job. With a `token`, the vendor's job is tagged with it (metadata, or
   * the uploaded files' names), so that `find` can recognise it after a crash.
   */
  readonly submit: (
    prepared: PreparedFinetune,
    options?: SubmitOptions,
  ) => Effect.Effect<FinetuneJobRef, FinetuneError>
  /**
   * The newest job a `submit` with this token started that has not failed or been cancelled, if the vendor
   * has one: a run that stopped between starting a job and recording it adopts that job instead of paying
   * for a second. Finetuners whose jobs are not at a vendor leave it out.
   */
  readonly find?: (token: string) => Effect.Effect<FinetuneJobRef | undefined, FinetuneError>
  readonly status: (job: FinetuneJobRef) => Effect.Effect<FinetuneStatus, FinetuneError>
  readonly cancel: (job: FinetuneJobRef) => Effect.Effect<FinetuneStatus, FinetuneError>
  /** The provider spec that calls the finetuned model, from a succeeded status. */
  readonly providerSpec: (
    job: FinetuneJobRef,
    status: FinetuneStatus,
  ) => Effect.Effect<ProviderSpec, FinetuneError>
}

export class Finetuner extends Context.Service<Finetuner, FinetunerShape>()("@standin/core/Finetuner") {}

export interface FinetunerPlugin {
  readonly descriptor: FinetunerDescriptor
  readonly layer: (options: Readonly<Record<string, unknown>>) => Layer.Layer<Finetuner, PluginConfigError>
}
