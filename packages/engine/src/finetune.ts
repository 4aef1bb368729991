import type {
  ExperimentShape,
  FinetuneJobRef,
  FinetunerShape,
  FinetuneStatus,
  Hyperparameters,
  PreparedFinetune,
  ProviderSpec,
  Respondent,
} from "@standin/core"
import { FinetuneError, isTerminal } from "@standin/core"
import { contentHash, type StoreError, type StoreShape, sha256Hex } from "@standin/store"
import { Duration, Effect, Schedule } from "effect"
import { assertUploadSafe, buildTrainingSet, privateValues, type TrainingSet } from "./training.js"

/**
 * Finetuning from the pilot, end to end: training examples through the study's own renderer → the
 * finetuner's exact bytes → the upload gate (`assertUploadSafe`) → a job that lives in the store, keyed by
 * a hash of the request, so an interrupted `standin finetune` resumes polling the same job instead of
 * starting a second one → polling until the job ends → the provider spec of the trained model.
 */

declare const uploadSafe: unique symbol

/**
 * A prepared finetune whose bytes passed the upload gate. Only `prepareFinetune` makes one, and `submit`
 * takes nothing else: nothing reaches a vendor without the check.
 */
export interface SafeFinetune {
  readonly [uploadSafe]: true
  readonly prepared: PreparedFinetune
  /** Content address of the request (finetuner, base model, hyperparameters, file bytes): the store's key. */
  readonly key: string
  readonly training: TrainingSet
  /** Hyperparameters the finetuner does not accept (they were not sent). */
  readonly ignored: ReadonlyArray<string>
}

export interface PrepareFinetuneOptions {
  readonly experiment: ExperimentShape
  readonly finetuner: FinetunerShape
  readonly baseModel: string
  /** The pilot: the only respondents whose answers may be trained on. */
  readonly pilot: ReadonlyArray<Respondent>
  /** Every respondent of the study (pilot and holdout): their private values must never appear in an upload. */
  readonly everyone: ReadonlyArray<Respondent>
  readonly includeDemographics: boolean
  /** Share of the pilot held back as the validation file (0 for none). */
  readonly validationFraction: number
  readonly seed: number
  readonly hyperparameters: Hyperparameters
  /** Replaces the training set built from the pilot (tests plant examples here to prove the gate). */
  readonly training?: TrainingSet
}

/** Builds the training set from the pilot, lets the finetuner write its bytes, and checks them before anything leaves. */
export const prepareFinetune = (
  options: PrepareFinetuneOptions,
): Effect.Effect<SafeFinetune, FinetuneError> =>
  Effect.gen(function* () {
    const { finetuner } = options
    const study = options.experiment.definition
    // Private columns are never read into prompts or targets; a study that renders one cannot be trained on.
    const rendered = new Map<string, string>([
      ...study.persona.map((attribute): [string, string] => [
        attribute.column,
        `persona attribute "${attribute.id}"`,
      ]),
      ...study.items.map((item): [string, string] => [item.column, `item "${item.id}"`]),
      ...(study.armColumn === undefined ? [] : [[study.armColumn, "the arm"] as [string, string]]),
      ...(study.factors ?? []).map((factor): [string, string] => [factor.column, `factor "${factor.id}"`]),
    ])
    const exposed = study.privateColumns.find((column) => rendered.has(column))
    if (exposed !== undefined)
      return yield* new FinetuneError({
        finetuner: finetuner.descriptor.id,
        reason: "leakage",
        message: `column "${exposed}" is private, yet ${study.id} renders it as ${rendered.get(exposed)}: it would be uploaded. Nothing was uploaded.`,
      })
    const training =
      options.training ??
      buildTrainingSet(options.experiment, options.pilot, {
        includeDemographics: options.includeDemographics,
        validationFraction: options.validationFraction,
        seed: options.seed,
      })
    const prepared = yield* finetuner.prepare({
      study: study.id,
      baseModel: options.baseModel,
      train: training.train,
      validation: training.validation,
      hyperparameters: options.hyperparameters,
    })
    // The pilot's keys as buildTrainingSet gives them: one per pilot respondent, in order.
    const pilotKeys = new Set(
      buildTrainingSet(options.experiment, options.pilot, {
        includeDemographics: options.includeDemographics,
        validationFraction: 0,
        seed: options.seed,
      }).train.map((example) => example.respondentKey),
    )
    yield* assertUploadSafe(
      finetuner.descriptor.id,
      [...training.train, ...training.validation],
      pilotKeys,
      privateValues(study, options.everyone),
      prepared.files,
    )
    const accepted = new Set<string>(finetuner.descriptor.hyperparameters)
    const ignored = Object.keys(options.hyperparameters).filter((name) => !accepted.has(name))
    const key = contentHash({
      finetuner: finetuner.descriptor.id,
      version: finetuner.descriptor.version,
      baseModel: prepared.baseModel,
      hyperparameters: prepared.hyperparameters,
      files: prepared.files.map((file) => ({ purpose: file.purpose, sha256: sha256Hex(file.content) })),
    })
    return { prepared, key, training, ignored } as unknown as SafeFinetune
  })

export type FinetuneJobEvent =
  | { readonly _tag: "Submitting"; readonly key: string }
  | { readonly _tag: "Submitted"; readonly job: FinetuneJobRef }
  /** A job for the same request was found in the store: it is polled, never started again. */
  | { readonly _tag: "Resumed"; readonly job: FinetuneJobRef; readonly status: string }
  /**
   * A previous run stopped between uploading and recording its job, and the vendor has no job tagged with
   * this finetune: it is submitted again.
   */
  | { readonly _tag: "Interrupted"; readonly key: string }
  /** A previous run started this job but stopped before recording it: the job is adopted, not started again. */
  | { readonly _tag: "Recovered"; readonly job: FinetuneJobRef }
  /** The stored job ended failed or cancelled, and a new one was asked for (`retry`). */
  | { readonly _tag: "Retrying"; readonly previous: string; readonly status: string }
  | {
      readonly _tag: "Status"
      readonly job: FinetuneJobRef
      readonly status: FinetuneStatus
      readonly newEvents: FinetuneStatus["events"]
    }

export interface RunFinetuneOptions {
  readonly store: StoreShape
  readonly finetuner: FinetunerShape
  readonly safe: SafeFinetune
  /** Time between polls (default 30 s). */
  readonly pollInterval?: Duration.Input
  /** Stop polling after this long, leaving the job to a later run (default: poll until it ends). */
  readonly maxWait?: Duration.Input
  /** Start a new job when the stored one ended failed or cancelled (default: report that job's end again). */
  readonly retry?: boolean
  readonly onEvent?: (event: FinetuneJobEvent) => void
}

export interface FinetuneOutcome {
  readonly job: FinetuneJobRef
  readonly status: FinetuneStatus
  /** The trained model's provider spec; absent while the job is still running (after `maxWait`). */
  readonly spec?: ProviderSpec
  readonly resumed: boolean
}

const storeFailure = (finetuner: string) => (error: StoreError) =>
  new FinetuneError({
    finetuner,
    reason: "server",
    message: `the local store failed (${error.operation} on ${error.path}): ${error.message}`,
  })

/** Submits the finetune, or finds its job again in the store; then polls until it ends (or `maxWait`). */
export const runFinetune = (options: RunFinetuneOptions): Effect.Effect<FinetuneOutcome, FinetuneError> =>
  Effect.gen(function* () {
    const { store, finetuner, safe } = options
    const id = finetuner.descriptor.id
    const emit = options.onEvent ?? (() => {})
    const orFail = storeFailure(id)
    const estimate = JSON.stringify(safe.prepared.estimate)
    const existing = yield* store.getFinetuneJob(safe.key).pipe(Effect.mapError(orFail))
    let job: FinetuneJobRef
    let resumed = false
    const ended = existing?.status === "failed" || existing?.status === "cancelled"
    const record = (ref: FinetuneJobRef) =>
      store
        .putFinetuneJob({
          key: safe.key,
          finetuner: id,
          jobId: ref.jobId,
          fileIds: ref.fileIds,
          estimate,
          status: "submitted",
          lastEvent: null,
        })
        .pipe(Effect.mapError(orFail))
    // A run that stopped mid-submit may have started the job: the vendor is asked for it by its token.
    const interrupted = existing !== undefined && existing.jobId == null
    const recovered =
      interrupted && finetuner.find !== undefined ? yield* finetuner.find(safe.key) : undefined
    if (existing?.jobId != null && !(ended && options.retry === true)) {
      job = { finetuner: existing.finetuner, jobId: existing.jobId, fileIds: existing.fileIds }
      resumed = true
      emit({ _tag: "Resumed", job, status: existing.status })
    } else if (recovered !== undefined) {
      job = recovered
      resumed = true
      yield* record(job)
      emit({ _tag: "Recovered", job })
    } else {
      if (existing !== undefined && existing.jobId != null)
        emit({ _tag: "Retrying", previous: existing.jobId, status: existing.status })
      else if (interrupted) emit({ _tag: "Interrupted", key: safe.key })
      // Recorded before the upload: a crash mid-submit is seen as such by the next run.
      yield* store
        .putFinetuneJob({
          key: safe.key,
          finetuner: id,
          jobId: null,
          fileIds: [],
          estimate,
          status: "submitting",
          lastEvent: null,
        })
        .pipe(Effect.mapError(orFail))
      emit({ _tag: "Submitting", key: safe.key })
      job = yield* finetuner.submit(safe.prepared, { token: safe.key })
      yield* record(job)
      emit({ _tag: "Submitted", job })
    }

    // Transient vendor errors while polling are retried; anything else ends the wait with the vendor's message.
    const poll = finetuner.status(job).pipe(
      Effect.retry({
        while: (error) => error.retryable,
        times: 5,
        schedule: Schedule.exponential("1 second"),
      }),
    )
    const interval = Duration.fromInputUnsafe(options.pollInterval ?? "30 seconds")
    const deadline =
      options.maxWait === undefined ? undefined : Duration.toMillis(Duration.fromInputUnsafe(options.maxWait))
    let seen = 0
    let waited = 0
    let status: FinetuneStatus
    for (;;) {
      status = yield* poll
      const newEvents = status.events.slice(seen)
      seen = status.events.length
      yield* store
        .putFinetuneJob({
          key: safe.key,
          finetuner: id,
          jobId: job.jobId,
          fileIds: job.fileIds,
          estimate,
          status: status.state,
          lastEvent: status.events.at(-1)?.message ?? null,
        })
        .pipe(Effect.mapError(orFail))
      emit({ _tag: "Status", job, status, newEvents })
      if (isTerminal(status.state)) break
      if (deadline !== undefined && waited >= deadline) return { job, status, resumed }
      yield* Effect.sleep(interval)
      waited += Duration.toMillis(interval)
    }
    const spec = yield* finetuner.providerSpec(job, status)
    return { job, status, spec, resumed }
  })
