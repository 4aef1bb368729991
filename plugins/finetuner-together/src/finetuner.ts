import {
  chatTrainingFiles,
  checkFinetuneRequest,
  FinetuneError,
  type FinetuneJobRef,
  type FinetuneRequest,
  type FinetunerShape,
  type FinetuneState,
  type FinetuneStatus,
  finetuneReasonForStatus,
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
import Together from "together-ai"
import type { FinetuneResponse } from "together-ai/resources/fine-tuning"
import { DEFAULT_BASE_URL, DEFAULTS, descriptor } from "./descriptor.js"
import { toFinetuneError } from "./errors.js"
import { loraPriceFor } from "./prices.js"

export interface TogetherFinetunerConfig {
  /** Absent when TOGETHER_API_KEY is not set: `prepare` (a dry run) still works, vendor calls fail with `auth`. */
  readonly apiKey: Redacted.Redacted<string> | undefined
  /** Together's API base URL (default https://api.together.xyz/v1); the trained model is called there too. */
  readonly baseUrl?: string
  readonly timeoutMs?: number
}

const states: Readonly<Record<FinetuneResponse["status"], FinetuneState>> = {
  pending: "validating",
  queued: "queued",
  running: "running",
  compressing: "running",
  uploading: "running",
  cancel_requested: "running",
  cancelled: "cancelled",
  error: "failed",
  completed: "succeeded",
}

/** The start of an uploaded file's name that ties it to one finetune (what `find` looks for after a crash). */
const tokenPrefix = (token: string): string => `${token.replace(/[^A-Za-z0-9]/g, "").slice(0, 16)}-`

/** Together suffixes: at most 64 characters; letters, digits and dashes are safe in a model name. */
const suffixOf = (suffix: string): string => suffix.replace(/[^A-Za-z0-9-]+/g, "-").slice(0, 64)

export const make = (config: TogetherFinetunerConfig): FinetunerShape => {
  const baseUrl = (config.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
  const call = keyedVendorCalls({
    finetuner: descriptor.id,
    apiKey: config.apiKey,
    missingKey: "TOGETHER_API_KEY is not set: export it to finetune on Together (a --dry-run needs no key)",
    client: (key) =>
      new Together({ apiKey: key, baseURL: baseUrl, maxRetries: 2, timeout: config.timeoutMs ?? 120_000 }),
    toError: toFinetuneError,
  })

  /**
   * Together's two-step upload, spoken directly: the SDK's `files.upload` helper (0.52) cannot be used — in
   * its ESM build its Node imports are `require` calls that come back undefined, it ignores the client's base
   * URL (it reads TOGETHER_API_BASE_URL once, at import), and it streams a body without the `duplex` option
   * Node 20's fetch requires. The bytes are sent as a buffer: exactly the prepared content.
   */
  const upload = (file: TrainingFile, filename: string) =>
    call(undefined, async (_client, key) => {
      const query = new URLSearchParams({
        file_name: filename,
        file_type: "jsonl",
        purpose: "fine-tune",
      })
      const named = await fetch(`${baseUrl}/files?${query}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Bearer ${key}` },
        body: query.toString(),
        redirect: "manual",
      })
      const location = named.headers.get("location")
      const id = named.headers.get("x-together-file-id")
      if (named.status !== 302 || location === null || id === null) {
        const text = await named.text().catch(() => "")
        throw new FinetuneError({
          finetuner: descriptor.id,
          reason: named.status === 302 ? "server" : finetuneReasonForStatus(named.status),
          message: `uploading ${file.filename} was refused (${named.status}): ${vendorMessage(text)}`,
        })
      }
      const bytes = Buffer.from(file.content, "utf8")
      const put = await fetch(location, {
        method: "PUT",
        headers: { "content-type": "application/octet-stream", "content-length": String(bytes.length) },
        body: bytes,
      })
      if (put.status !== 200)
        throw new FinetuneError({
          finetuner: descriptor.id,
          reason: finetuneReasonForStatus(put.status),
          message: `uploading ${file.filename} failed (${put.status} ${put.statusText})`,
        })
      return id
    })

  const prepare = (request: FinetuneRequest): Effect.Effect<PreparedFinetune, FinetuneError> =>
    Effect.gen(function* () {
      yield* checkFinetuneRequest(descriptor.id, request)
      const files = chatTrainingFiles(request, `standin-${slugify(request.study)}-`)
      const given = request.hyperparameters
      const hyperparameters = {
        epochs: given.epochs ?? DEFAULTS.epochs,
        ...(given.batchSize === undefined ? {} : { batchSize: given.batchSize }),
        learningRate: given.learningRate ?? DEFAULTS.learningRate,
        loraRank: given.loraRank ?? DEFAULTS.loraRank,
        loraAlpha: given.loraAlpha ?? DEFAULTS.loraAlpha,
        ...(given.seed === undefined ? {} : { seed: given.seed }),
        ...(given.suffix === undefined ? {} : { suffix: suffixOf(given.suffix) }),
      }
      return preparedFinetune(descriptor.id, request, files, hyperparameters, loraPriceFor(request.baseModel))
    })

  const submit = (
    prepared: PreparedFinetune,
    options: SubmitOptions = {},
  ): Effect.Effect<FinetuneJobRef, FinetuneError> =>
    Effect.gen(function* () {
      const fileIds: Array<string> = []
      const idOf: Partial<Record<TrainingFile["purpose"], string>> = {}
      for (const file of prepared.files) {
        const id = yield* upload(
          file,
          options.token === undefined ? file.filename : `${tokenPrefix(options.token)}${file.filename}`,
        )
        fileIds.push(id)
        idOf[file.purpose] = id
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
        client.fineTuning.create({
          model: prepared.baseModel,
          training_file: training,
          ...(idOf.validation === undefined ? {} : { validation_file: idOf.validation, n_evals: 1 }),
          n_epochs: h.epochs ?? DEFAULTS.epochs,
          ...(h.batchSize === undefined ? {} : { batch_size: h.batchSize }),
          learning_rate: h.learningRate ?? DEFAULTS.learningRate,
          ...(h.seed === undefined ? {} : { random_seed: h.seed }),
          ...(h.suffix === undefined ? {} : { suffix: h.suffix }),
          training_type: {
            type: "Lora",
            lora_r: h.loraRank ?? DEFAULTS.loraRank,
            lora_alpha: h.loraAlpha ?? DEFAULTS.loraAlpha,
          },
          // Loss on the answers only: the prompt is the same renderer's text for everyone.
          training_method: { method: "sft", train_on_inputs: "auto" },
        }),
      )
      return { finetuner: descriptor.id, jobId: job.id, fileIds }
    })

  // Together jobs carry no metadata: a job is recognised by its training file, uploaded under a name that
  // starts with the token.
  const find = (token: string): Effect.Effect<FinetuneJobRef | undefined, FinetuneError> =>
    call(undefined, async (client) => {
      const prefix = tokenPrefix(token)
      const tagged = new Set(
        (await client.files.list()).data
          .filter((file) => file.filename.startsWith(prefix))
          .map((file) => file.id),
      )
      if (tagged.size === 0) return undefined
      const job = (await client.fineTuning.list()).data
        .filter(
          (candidate) =>
            candidate.training_file !== undefined &&
            tagged.has(candidate.training_file) &&
            !["cancelled", "cancel_requested", "error"].includes(candidate.status),
        )
        .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0]
      if (job?.training_file === undefined) return undefined
      const fileIds = [job.training_file, ...(job.validation_file === undefined ? [] : [job.validation_file])]
      return { finetuner: descriptor.id, jobId: job.id, fileIds }
    })

  const status = (ref: FinetuneJobRef): Effect.Effect<FinetuneStatus, FinetuneError> =>
    Effect.gen(function* () {
      const { data: job, response } = yield* call(ref.jobId, (client) =>
        client.fineTuning.retrieve(ref.jobId).withResponse(),
      )
      const listed =
        job.events ?? (yield* call(ref.jobId, (client) => client.fineTuning.listEvents(ref.jobId))).data
      const events = listed
        .map((event) => ({
          at: Date.parse(event.created_at),
          level: event.level ?? "info",
          message: event.message,
        }))
        .sort((a, b) => a.at - b.at)
      const state = states[job.status] ?? "running"
      const lastError = [...listed]
        .reverse()
        .find((event) => event.level === "error" || event.type === "job_error")
      const checkpoints =
        state === "succeeded"
          ? yield* call(ref.jobId, (client) => client.fineTuning.listCheckpoints(ref.jobId))
          : undefined
      const error =
        state === "failed"
          ? (lastError?.message ?? "the job failed (Together gave no message)")
          : state === "cancelled"
            ? (events.at(-1)?.message ?? "the job was cancelled")
            : undefined
      const model = job.model_output_name
      return {
        state,
        events,
        ...(state === "succeeded" && model !== undefined ? { model } : {}),
        ...(error === undefined ? {} : { error }),
        ...(state === "succeeded" && job.token_count !== undefined
          ? { trainedTokens: job.token_count * (job.epochs_completed ?? job.n_epochs ?? 1) }
          : {}),
        ...(checkpoints === undefined
          ? {}
          : {
              checkpoints: checkpoints.data.map((checkpoint) =>
                model === undefined ? checkpoint.path : `${model}:${checkpoint.step}`,
              ),
            }),
        ...(response.headers.get(FAKE_VENDOR_HEADER) === "1" ? { fake: true } : {}),
      }
    })

  const cancel = (ref: FinetuneJobRef): Effect.Effect<FinetuneStatus, FinetuneError> =>
    Effect.flatMap(
      call(ref.jobId, (client) => client.fineTuning.cancel(ref.jobId)),
      () => status(ref),
    )

  /** The trained model through Together's OpenAI-compatible chat API, with the key from TOGETHER_API_KEY. */
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
        baseUrl,
        options: { "openai-compatible": { keyEnv: "TOGETHER_API_KEY" } },
      },
    })

  return { descriptor, prepare, submit, find, status, cancel, providerSpec }
}

/** Together's error body is `{"error": {"message": …}}`; anything else is shown as it came, shortened. */
const vendorMessage = (text: string): string => {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown }; message?: unknown }
    const message = parsed.error?.message ?? parsed.message
    if (typeof message === "string") return message
  } catch {}
  return text.slice(0, 300) || "no message"
}
