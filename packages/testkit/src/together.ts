import { inputTokens } from "./metering.js"
import { chatCompletion, parseChatRequest } from "./openai.js"
import { hash32 } from "./random.js"
import { contentText, optionalNumber, record } from "./respond.js"
import {
  type FakeOptions,
  type FakeServer,
  type FakeState,
  makeState,
  type RouteContext,
  type RouteResult,
  startFake,
  type UploadedFile,
  type VendorProtocol,
} from "./server.js"
import type { Responder } from "./survey.js"
import { trainedResponder } from "./trained.js"
import { togetherChatProblem } from "./vendor-rules.js"

/**
 * A fake of Together's API as the `together-ai` SDK (0.52) speaks it: the two-step file upload (a POST that
 * answers with a 302 to a signed upload URL, then a PUT of the bytes), LoRA fine-tunes with their lifecycle
 * (pending → queued → running → compressing → uploading → completed, or error / cancelled) and events,
 * checkpoints, and OpenAI-compatible chat completions — where a model this fake trained answers from its
 * own training file.
 */

interface StoredFile {
  readonly id: string
  readonly filename: string
  readonly purpose: string
  content: Buffer | undefined
  readonly createdAt: number
}

interface FineTune {
  readonly id: string
  readonly model: string
  readonly trainingFile: string
  readonly validationFile: string | null
  readonly suffix: string | null
  readonly epochs: number
  readonly batchSize: number | "max"
  readonly learningRate: number
  readonly lora: { readonly r: number; readonly alpha: number } | null
  readonly randomSeed: number | null
  readonly createdAt: number
  readonly fileError: string | undefined
  readonly tokens: number
  readonly examples: number
  cancelledAt?: number
}

/** USD per 1M trained tokens for LoRA on models up to 16B parameters (Together's published tier). */
const LORA_PRICE_PER_MILLION = 0.48

const iso = (milliseconds: number): string => new Date(milliseconds).toISOString()

const togetherError = (status: number, message: string, type: string) => ({
  status,
  body: { error: { message, type, param: null, code: null } },
})

/** Checks a conversational JSONL training file as Together's validator does. */
const checkTrainingFile = (
  content: string,
): { error: string | undefined; tokens: number; examples: number } => {
  const lines = content.split("\n").filter((line) => line.trim() !== "")
  let tokens = 0
  if (lines.length === 0) return { error: "Invalid training file: the file is empty.", tokens, examples: 0 }
  for (const [index, line] of lines.entries()) {
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      return { error: `Invalid training file: line ${index + 1} is not valid JSON.`, tokens, examples: 0 }
    }
    const messages = record(parsed).messages
    if (!Array.isArray(messages) || messages.length === 0)
      return {
        error: `Invalid training file: line ${index + 1} has no "messages" list (conversational format).`,
        tokens,
        examples: 0,
      }
    for (const message of messages) {
      const role = record(message).role
      if (role !== "system" && role !== "user" && role !== "assistant")
        return {
          error: `Invalid training file: line ${index + 1} has a message with role ${JSON.stringify(role)}.`,
          tokens,
          examples: 0,
        }
    }
    tokens += inputTokens(messages.map((message) => contentText(record(message).content)))
  }
  return { error: undefined, tokens, examples: lines.length }
}

/**
 * A chat completion with OpenAI's logprobs (`logprobs.content[]`) rewritten into Together's shape: `tokens`,
 * `token_logprobs` and `token_ids` per position, `top_logprobs` a token → logprob map per position.
 */
const togetherLogprobs = (body: unknown): unknown => {
  const completion = record(body)
  if (!Array.isArray(completion.choices)) return body
  return {
    ...completion,
    choices: completion.choices.map((choice) => {
      const c = record(choice)
      const content = record(c.logprobs).content
      if (!Array.isArray(content)) return c
      const positions = content.map(record)
      return {
        ...c,
        logprobs: {
          tokens: positions.map((position) => position.token),
          token_logprobs: positions.map((position) => position.logprob),
          token_ids: positions.map((position) => hash32(String(position.token)) % 128_000),
          top_logprobs: positions.map((position) =>
            Object.fromEntries(
              (Array.isArray(position.top_logprobs) ? position.top_logprobs : []).map((top) => [
                record(top).token,
                record(top).logprob,
              ]),
            ),
          ),
        },
      }
    }),
  }
}

/**
 * A chat completion in Together's shape (the `together-ai` SDK's `ChatCompletion`): `prompt` (the echoed prompt,
 * empty unless `echo`), choices whose message holds role and content only, usage with the three token counts;
 * none of OpenAI's `system_fingerprint`, `service_tier`, `refusal`, `annotations` or token details.
 */
const togetherCompletion = (body: unknown): unknown => {
  const completion = record(body)
  if (!Array.isArray(completion.choices)) return body
  const { system_fingerprint: _fingerprint, service_tier: _tier, ...rest } = completion
  const usage = record(completion.usage)
  return {
    ...rest,
    prompt: [],
    choices: completion.choices.map((choice) => {
      const c = record(choice)
      const message = record(c.message)
      return {
        ...c,
        message: {
          role: message.role,
          content: message.content ?? null,
          // Together has no refusal field; the fake's `refusal` fault keeps OpenAI's, so refusals stay testable
          ...(typeof message.refusal === "string" ? { refusal: message.refusal } : {}),
          ...(Array.isArray(message.tool_calls) ? { tool_calls: message.tool_calls } : {}),
        },
      }
    }),
    ...(completion.usage === undefined
      ? {}
      : {
          usage: {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            total_tokens: usage.total_tokens,
          },
        }),
  }
}

/** What "max" batch size resolves to on the fake's models (Together's LoRA limit for an 8B model is of this order). */
const FAKE_MAX_BATCH_SIZE = 32

export const togetherProtocol = (state: FakeState): VendorProtocol => {
  const files = new Map<string, StoredFile>()
  const jobs = new Map<string, FineTune>()
  const uploaded: Array<UploadedFile> = []
  const trained = new Map<string, Responder>()
  const t = state.timings

  const error = (status: number, message: string, kind: string) => {
    switch (status) {
      case 401:
        return togetherError(401, message, "invalid_api_key")
      case 404:
        return togetherError(404, message, kind === "not-found" ? "not_found" : "invalid_request_error")
      case 429:
        return togetherError(429, message, "rate_limit")
      case 400:
        return togetherError(400, message, "invalid_request_error")
      default:
        return togetherError(status, message, "server_error")
    }
  }

  const fileObject = (file: StoredFile) => ({
    id: file.id,
    object: "file",
    bytes: file.content?.length ?? 0,
    created_at: Math.floor(file.createdAt / 1000),
    filename: file.filename,
    FileType: "jsonl",
    Processed: file.content !== undefined,
    purpose: file.purpose,
    processing_status: file.content === undefined ? "PENDING" : "COMPLETED",
  })

  /** The phases of a job, in clock milliseconds. */
  const phases = (job: FineTune) => {
    const validated = job.createdAt + t.validatingMs
    const started = validated + t.queuedMs
    const compressing = started + Math.round(t.runningMs * 0.8)
    const uploading = started + Math.round(t.runningMs * 0.9)
    const finished = started + t.runningMs
    return { validated, started, compressing, uploading, finished }
  }

  const statusOf = (job: FineTune): { status: string; endedAt?: number } => {
    const p = phases(job)
    const now = state.clock.now()
    if (job.cancelledAt !== undefined && job.cancelledAt < p.finished) {
      const stopped = job.cancelledAt + t.validatingMs
      return now >= stopped ? { status: "cancelled", endedAt: stopped } : { status: "cancel_requested" }
    }
    if (now < p.validated) return { status: "pending" }
    if (job.fileError !== undefined) return { status: "error", endedAt: p.validated }
    if (now < p.started) return { status: "queued" }
    if (now < p.compressing) return { status: "running" }
    if (now < p.uploading) return { status: "compressing" }
    if (now < p.finished) return { status: "uploading" }
    return t.fineTuneOutcome === "succeeded"
      ? { status: "completed", endedAt: p.finished }
      : { status: "error", endedAt: p.finished }
  }

  const outputName = (job: FineTune): string => {
    const base = job.model.split("/").pop() ?? job.model
    return `standin-fake/${base}${job.suffix === null ? "" : `-${job.suffix}`}-${job.id.slice(-6)}`
  }

  const events = (job: FineTune) => {
    const p = phases(job)
    const now = state.clock.now()
    const end = job.cancelledAt ?? Number.POSITIVE_INFINITY
    const list: Array<{ at: number; type: string; level: string; message: string }> = [
      { at: job.createdAt, type: "job_pending", level: "info", message: "Fine-tune request created" },
    ]
    const add = (at: number, type: string, level: string, message: string) => {
      if (now >= at && at <= end) list.push({ at, type, level, message })
    }
    if (job.fileError !== undefined) add(p.validated, "job_error", "error", job.fileError)
    else {
      add(
        p.validated,
        "training_data_download_complete",
        "info",
        `Training file validated: ${job.examples} examples, ${job.tokens} tokens`,
      )
      add(p.started, "training_start", "info", "Training started")
      for (let epoch = 1; epoch <= job.epochs; epoch++) {
        const at = p.started + Math.round(((p.compressing - p.started) * epoch) / job.epochs) - 1
        add(at, "epoch_complete", "info", `Epoch ${epoch}/${job.epochs} completed`)
      }
      if (t.fineTuneOutcome === "failed")
        add(p.finished, "job_error", "error", "Training failed: the worker ran out of GPU memory.")
      else {
        add(p.compressing, "model_compressing", "info", "Compressing the LoRA adapter")
        add(p.uploading, "model_uploading", "info", "Uploading the adapter")
        add(p.finished, "job_complete", "info", `Fine-tune completed: model ${outputName(job)}`)
      }
    }
    if (job.cancelledAt !== undefined && job.cancelledAt < p.finished) {
      list.push({
        at: job.cancelledAt,
        type: "cancel_requested",
        level: "info",
        message: "Cancel requested by the user",
      })
      if (now >= job.cancelledAt + t.validatingMs)
        list.push({
          at: job.cancelledAt + t.validatingMs,
          type: "job_stopped",
          level: "info",
          message: "Job cancelled",
        })
    }
    return list
      .sort((a, b) => a.at - b.at)
      .map((event) => ({
        object: "fine-tune-event",
        created_at: iso(event.at),
        level: event.level,
        message: event.message,
        type: event.type,
      }))
  }

  /**
   * A job as Together answers it. `full` (GET /fine-tunes/{id}, the SDK's `FinetuneResponse`) carries
   * `batch_size` as asked ("max" stays "max"), the training file's line count and the epochs done; the summaries
   * of create, list and cancel (`FineTuningCreateResponse`, `FineTuningListResponse.Data`,
   * `FineTuningCancelResponse`) carry neither count and a numeric batch size ("max" resolved to the model's).
   */
  const jobObject = (job: FineTune, full: boolean) => {
    const { status } = statusOf(job)
    const completed = status === "completed"
    return {
      id: job.id,
      status,
      user_id: "standin-fake-user",
      model: job.model,
      model_output_name: outputName(job),
      training_file: job.trainingFile,
      ...(job.validationFile === null ? {} : { validation_file: job.validationFile }),
      n_epochs: job.epochs,
      batch_size: full || typeof job.batchSize === "number" ? job.batchSize : FAKE_MAX_BATCH_SIZE,
      learning_rate: job.learningRate,
      training_type:
        job.lora === null
          ? { type: "Full" }
          : { type: "Lora", lora_r: job.lora.r, lora_alpha: job.lora.alpha, lora_dropout: 0 },
      training_method: { method: "sft", train_on_inputs: "auto" },
      created_at: iso(job.createdAt),
      updated_at: iso(state.clock.now()),
      token_count: job.tokens,
      ...(full ? { trainingfile_numlines: job.examples, epochs_completed: completed ? job.epochs : 0 } : {}),
      total_price: completed
        ? Math.round(job.tokens * job.epochs * LORA_PRICE_PER_MILLION) / 1_000_000
        : undefined,
      ...(full ? { events: events(job) } : {}),
    }
  }

  const responderFor = (model: string): Responder => {
    for (const job of jobs.values()) {
      if (model !== outputName(job)) continue
      if (statusOf(job).status !== "completed") break
      let responder = trained.get(job.id)
      if (responder === undefined) {
        responder = trainedResponder(files.get(job.trainingFile)?.content?.toString("utf8") ?? "")
        trained.set(job.id, responder)
      }
      return responder
    }
    return state.responder
  }

  const id = (context: RouteContext): string => context.params.id ?? ""
  const notFound = (what: string, key: string): RouteResult =>
    togetherError(404, `${what} ${key} not found`, "invalid_request_error")

  return {
    vendor: "together",
    rateLimitHeaders: "x-ratelimit",
    sdkBaseUrl: (origin) => `${origin}/v1`,
    keyOf: (headers) => {
      const authorization = headers.authorization
      return typeof authorization === "string" && authorization.startsWith("Bearer ")
        ? authorization.slice(7)
        : undefined
    },
    error,
    uploads: () => [...uploaded],
    routes: [
      {
        method: "POST",
        pattern: /^\/v1\/chat\/completions$/,
        faultable: true,
        handle: (context) => {
          const parsed = parseChatRequest(context.body)
          if (parsed.model === "") return togetherError(400, "model is required", "invalid_request_error")
          const problem = togetherChatProblem(context.body)
          if (problem !== undefined) return togetherError(400, problem.message, "invalid_request_error")
          // Together asks for logprobs as a count of top tokens, and answers in its own shape.
          const count = optionalNumber(record(context.body).logprobs)
          const request =
            count === undefined || count === 0 ? parsed : { ...parsed, logprobs: { top: count } }
          const result = chatCompletion(state, request, context.fault, responderFor(request.model))
          if (result.status !== 200) return result
          const body = count === undefined ? result.body : togetherLogprobs(result.body)
          return { ...result, body: togetherCompletion(body) }
        },
      },
      {
        // Step one of an upload: the file is named, and the answer points at where its bytes go.
        method: "POST",
        pattern: /^\/v1\/files$/,
        faultable: false,
        handle: (context) => {
          const fields = new URLSearchParams(
            typeof context.body === "string" ? context.body : context.rawBody.toString("utf8"),
          )
          const name = context.query.get("file_name") ?? fields.get("file_name")
          const purpose = context.query.get("purpose") ?? fields.get("purpose")
          if (name === null || purpose === null)
            return togetherError(400, "file_name and purpose are required", "invalid_request_error")
          const file: StoredFile = {
            id: `file-${state.nextId("")}`,
            filename: name,
            purpose,
            content: undefined,
            createdAt: state.clock.now(),
          }
          files.set(file.id, file)
          return {
            status: 302,
            body: "",
            headers: { location: `${context.origin}/upload/${file.id}`, "x-together-file-id": file.id },
          }
        },
      },
      {
        // Step two: the signed upload URL receives the bytes.
        method: "PUT",
        pattern: /^\/upload\/(?<id>[^/]+)$/,
        faultable: false,
        signed: true,
        handle: (context) => {
          const file = files.get(id(context))
          if (file === undefined) return notFound("upload", id(context))
          file.content = context.rawBody
          uploaded.push({
            id: file.id,
            filename: file.filename,
            purpose: file.purpose,
            content: context.rawBody.toString("utf8"),
          })
          return { status: 200, body: "" }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/files$/,
        faultable: false,
        handle: () => ({ status: 200, body: { data: [...files.values()].map(fileObject) } }),
      },
      {
        method: "GET",
        pattern: /^\/v1\/files\/(?<id>[^/]+)$/,
        faultable: false,
        handle: (context) => {
          const file = files.get(id(context))
          return file === undefined ? notFound("file", id(context)) : { status: 200, body: fileObject(file) }
        },
      },
      {
        method: "POST",
        pattern: /^\/v1\/fine-tunes$/,
        faultable: false,
        handle: (context) => {
          const body = record(context.body)
          const model = typeof body.model === "string" ? body.model : ""
          const trainingFile = typeof body.training_file === "string" ? body.training_file : ""
          if (model === "") return togetherError(400, "model is required", "invalid_request_error")
          const training = files.get(trainingFile)
          if (training?.content === undefined)
            return togetherError(
              400,
              `training_file ${trainingFile} does not exist or was not uploaded`,
              "invalid_request_error",
            )
          const validationFile = typeof body.validation_file === "string" ? body.validation_file : null
          if (validationFile !== null && files.get(validationFile)?.content === undefined)
            return togetherError(
              400,
              `validation_file ${validationFile} does not exist or was not uploaded`,
              "invalid_request_error",
            )
          const check = checkTrainingFile(training.content.toString("utf8"))
          const trainingType = record(body.training_type)
          const batch = body.batch_size
          const job: FineTune = {
            id: `ft-${state.nextId("")}`,
            model,
            trainingFile,
            validationFile,
            suffix: typeof body.suffix === "string" ? body.suffix : null,
            epochs: optionalNumber(body.n_epochs) ?? 1,
            batchSize: typeof batch === "number" ? batch : "max",
            learningRate: optionalNumber(body.learning_rate) ?? 0.00001,
            lora:
              trainingType.type === "Full"
                ? null
                : {
                    r: optionalNumber(trainingType.lora_r) ?? 8,
                    alpha: optionalNumber(trainingType.lora_alpha) ?? 16,
                  },
            randomSeed: optionalNumber(body.random_seed) ?? null,
            createdAt: state.clock.now(),
            fileError: check.error,
            tokens: check.tokens,
            examples: check.examples,
          }
          jobs.set(job.id, job)
          return { status: 200, body: jobObject(job, false) }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/fine-tunes$/,
        faultable: false,
        handle: () => ({
          status: 200,
          body: { data: [...jobs.values()].reverse().map((job) => jobObject(job, false)) },
        }),
      },
      {
        method: "GET",
        pattern: /^\/v1\/fine-tunes\/(?<id>[^/]+)$/,
        faultable: false,
        handle: (context) => {
          const job = jobs.get(id(context))
          return job === undefined
            ? notFound("fine-tune job", id(context))
            : { status: 200, body: jobObject(job, true) }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/fine-tunes\/(?<id>[^/]+)\/events$/,
        faultable: false,
        handle: (context) => {
          const job = jobs.get(id(context))
          return job === undefined
            ? notFound("fine-tune job", id(context))
            : { status: 200, body: { data: events(job) } }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/fine-tunes\/(?<id>[^/]+)\/checkpoints$/,
        faultable: false,
        handle: (context) => {
          const job = jobs.get(id(context))
          if (job === undefined) return notFound("fine-tune job", id(context))
          const { status, endedAt } = statusOf(job)
          const data =
            status !== "completed" || endedAt === undefined
              ? []
              : Array.from({ length: job.epochs }, (_, index) => {
                  const epoch = job.epochs - index
                  return {
                    checkpoint_type: epoch === job.epochs ? "Final" : `Intermediate (epoch ${epoch})`,
                    created_at: iso(endedAt - index * 1000),
                    path: `s3://standin-fake/${job.id}/checkpoint-${epoch}`,
                    step: epoch * 10,
                    checkpoint: "adapter",
                  }
                })
          return { status: 200, body: { data } }
        },
      },
      {
        method: "POST",
        pattern: /^\/v1\/fine-tunes\/(?<id>[^/]+)\/cancel$/,
        faultable: false,
        handle: (context) => {
          const job = jobs.get(id(context))
          if (job === undefined) return notFound("fine-tune job", id(context))
          const { status } = statusOf(job)
          if (status === "completed" || status === "error" || status === "cancelled")
            return togetherError(
              400,
              `Fine-tune job ${job.id} is already ${status} and cannot be cancelled.`,
              "invalid_request_error",
            )
          job.cancelledAt ??= state.clock.now()
          return { status: 200, body: jobObject(job, false) }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/models$/,
        faultable: false,
        handle: () => ({
          status: 200,
          body: ["meta-llama/Meta-Llama-3.1-8B-Instruct-Reference", "Qwen/Qwen2.5-7B-Instruct"].map(
            (model) => ({ id: model, object: "model", created: 1_700_000_000, type: "chat" }),
          ),
        }),
      },
    ],
  }
}

/** Starts a Together fake on 127.0.0.1. Its SDK base URL is `fake.baseUrl` (`http://127.0.0.1:PORT/v1`). */
export const startTogetherFake = (options: FakeOptions = {}): Promise<FakeServer> =>
  startFake(
    togetherProtocol,
    makeState(options, (model) => model),
  )
