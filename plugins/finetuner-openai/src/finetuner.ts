import {
  chatTrainingFiles,
  checkFinetuneRequest,
  FinetuneError,
  type FinetuneJobRef,
  type FinetuneRequest,
  type FinetunerShape,
  type FinetuneState,
  type FinetuneStatus,
  keyedVendorCalls,
  type PreparedFinetune,
  type ProviderSpec,
  preparedFinetune,
  type SubmitOptions,
  slugify,
  type TrainingFile,
  trainedModelSpec,
} from "@standin/core"
import { FAKE_VENDOR_HEADER } from "@standin/provider-kit"
import { Effect, type Redacted } from "effect"
import OpenAI, { toFile } from "openai"
import type { FineTuningJob } from "openai/resources/fine-tuning/jobs"
import { DEFAULT_EPOCHS, descriptor, MINIMUM_EXAMPLES } from "./descriptor.js"
import { toFinetuneError } from "./errors.js"
import { trainingPriceFor } from "./prices.js"

export interface OpenAiFinetunerConfig {
  /** Absent when OPENAI_API_KEY is not set: `prepare` (a dry run) still works, the vendor calls fail with `auth`. */
  readonly apiKey: Redacted.Redacted<string> | undefined
  /** SDK base URL (e.g. a loopback fake's `http://127.0.0.1:PORT/v1`); the trained model is called there too. */
  readonly baseUrl?: string
  readonly timeoutMs?: number
  readonly organization?: string
  readonly project?: string
}

const states: Readonly<Record<FineTuningJob["status"], FinetuneState>> = {
  validating_files: "validating",
  queued: "queued",
  running: "running",
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "cancelled",
}

/** The metadata key a job carries its standin token under (what `find` looks for after a crash). */
export const TOKEN_KEY = "standin_finetune"

/** OpenAI suffixes: up to 64 characters of letters, digits, dashes and underscores. */
const suffixOf = (suffix: string): string => suffix.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 64)

export const make = (config: OpenAiFinetunerConfig): FinetunerShape => {
  const call = keyedVendorCalls({
    finetuner: descriptor.id,
    apiKey: config.apiKey,
    missingKey: "OPENAI_API_KEY is not set: export it to finetune OpenAI models (a --dry-run needs no key)",
    client: (key) =>
      new OpenAI({
        apiKey: key,
        maxRetries: 2,
        timeout: config.timeoutMs ?? 120_000,
        ...(config.baseUrl === undefined ? {} : { baseURL: config.baseUrl }),
        ...(config.organization === undefined ? {} : { organization: config.organization }),
        ...(config.project === undefined ? {} : { project: config.project }),
      }),
    toError: toFinetuneError,
  })

  const prepare = (request: FinetuneRequest): Effect.Effect<PreparedFinetune, FinetuneError> =>
    Effect.gen(function* () {
      yield* checkFinetuneRequest(descriptor.id, request, MINIMUM_EXAMPLES)
      const files = chatTrainingFiles(request, `standin-${slugify(request.study)}-`)
      const given = request.hyperparameters
      const epochs = given.epochs ?? DEFAULT_EPOCHS
      // Only what OpenAI accepts is kept; the engine reports the rest as ignored.
      const hyperparameters = {
        epochs,
        ...(given.batchSize === undefined ? {} : { batchSize: given.batchSize }),
        ...(given.learningRateMultiplier === undefined
          ? {}
          : { learningRateMultiplier: given.learningRateMultiplier }),
        ...(given.seed === undefined ? {} : { seed: given.seed }),
        ...(given.suffix === undefined ? {} : { suffix: suffixOf(given.suffix) }),
      }
      return preparedFinetune(
        descriptor.id,
        request,
        files,
        hyperparameters,
        trainingPriceFor(request.baseModel),
      )
    })

  const submit = (
    prepared: PreparedFinetune,
    options: SubmitOptions = {},
  ): Effect.Effect<FinetuneJobRef, FinetuneError> =>
    Effect.gen(function* () {
      const fileIds: Array<string> = []
      const idOf: Partial<Record<TrainingFile["purpose"], string>> = {}
      for (const file of prepared.files) {
        const uploaded = yield* call(undefined, async (client) =>
          client.files.create({
            file: await toFile(Buffer.from(file.content, "utf8"), file.filename),
            purpose: "fine-tune",
          }),
        )
        fileIds.push(uploaded.id)
        idOf[file.purpose] = uploaded.id
      }
      const training = idOf.train
      if (training === undefined)
        return yield* new FinetuneError({
          finetuner: descriptor.id,
          reason: "invalid-request",
          message: "the prepared finetune has no training file",
        })
      const h = prepared.hyperparameters
      const job = yield* call(undefined, (client) =>
        client.fineTuning.jobs.create({
          model: prepared.baseModel,
          training_file: training,
          ...(idOf.validation === undefined ? {} : { validation_file: idOf.validation }),
          ...(h.seed === undefined ? {} : { seed: h.seed }),
          ...(h.suffix === undefined ? {} : { suffix: h.suffix }),
          ...(options.token === undefined ? {} : { metadata: { [TOKEN_KEY]: options.token } }),
          method: {
            type: "supervised",
            supervised: {
              hyperparameters: {
                ...(h.epochs === undefined ? {} : { n_epochs: h.epochs }),
                ...(h.batchSize === undefined ? {} : { batch_size: h.batchSize }),
                ...(h.learningRateMultiplier === undefined
                  ? {}
                  : { learning_rate_multiplier: h.learningRateMultiplier }),
              },
            },
          },
        }),
      )
      return { finetuner: descriptor.id, jobId: job.id, fileIds }
    })

  const status = (ref: FinetuneJobRef): Effect.Effect<FinetuneStatus, FinetuneError> =>
    Effect.gen(function* () {
      const { data: job, response } = yield* call(ref.jobId, (client) =>
        client.fineTuning.jobs.retrieve(ref.jobId).withResponse(),
      )
      const events = yield* call(ref.jobId, (client) =>
        client.fineTuning.jobs.listEvents(ref.jobId, { limit: 100 }),
      )
      const state = states[job.status] ?? "running"
      const checkpoints =
        state === "succeeded"
          ? yield* call(ref.jobId, (client) => client.fineTuning.jobs.checkpoints.list(ref.jobId))
          : undefined
      const lastEvent = events.data[0]?.message
      const error =
        state === "failed"
          ? (job.error?.message ?? lastEvent ?? "the job failed (OpenAI gave no message)")
          : state === "cancelled"
            ? (lastEvent ?? "the job was cancelled")
            : undefined
      return {
        state,
        // OpenAI lists events newest first; a status reads oldest first.
        events: [...events.data].reverse().map((event) => ({
          at: event.created_at * 1000,
          level: event.level,
          message: event.message,
        })),
        ...(job.fine_tuned_model == null ? {} : { model: job.fine_tuned_model }),
        ...(error === undefined ? {} : { error }),
        ...(job.trained_tokens == null ? {} : { trainedTokens: job.trained_tokens }),
        ...(checkpoints === undefined
          ? {}
          : { checkpoints: checkpoints.data.map((checkpoint) => checkpoint.fine_tuned_model_checkpoint) }),
        ...(response.headers.get(FAKE_VENDOR_HEADER) === "1" ? { fake: true } : {}),
      }
    })

  // Jobs are listed newest first; the metadata filter leaves only those started with this token.
  const find = (token: string): Effect.Effect<FinetuneJobRef | undefined, FinetuneError> =>
    Effect.map(
      call(undefined, (client) =>
        client.fineTuning.jobs.list({ metadata: { [TOKEN_KEY]: token }, limit: 20 }),
      ),
      (page) => {
        const job = page.data.find(
          (candidate) =>
            candidate.metadata?.[TOKEN_KEY] === token &&
            candidate.status !== "failed" &&
            candidate.status !== "cancelled",
        )
        if (job === undefined) return undefined
        const fileIds = [job.training_file, ...(job.validation_file == null ? [] : [job.validation_file])]
        return { finetuner: descriptor.id, jobId: job.id, fileIds }
      },
    )

  const cancel = (ref: FinetuneJobRef): Effect.Effect<FinetuneStatus, FinetuneError> =>
    Effect.flatMap(
      call(ref.jobId, (client) => client.fineTuning.jobs.cancel(ref.jobId)),
      () => status(ref),
    )

  const providerSpec = (
    ref: FinetuneJobRef,
    current: FinetuneStatus,
  ): Effect.Effect<ProviderSpec, FinetuneError> =>
    trainedModelSpec({
      finetuner: descriptor.id,
      ref,
      status: current,
      spec: {
        provider: descriptor.servedBy,
        ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
      },
    })

  return { descriptor, prepare, submit, find, status, cancel, providerSpec }
}
