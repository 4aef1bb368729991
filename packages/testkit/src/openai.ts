import { inputTokens, outputTokens } from "./metering.js"
import { hash32 } from "./random.js"
import { contentText, limitText, optionalNumber, parseMultipart, record, respond } from "./respond.js"
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
import type { FakeAnswer, Responder, SurveyMessage, SurveyRequest, TokenChoice } from "./survey.js"
import { trainedResponder } from "./trained.js"
import { openAiChatProblem } from "./vendor-rules.js"

/**
 * A fake of the OpenAI API as the `openai` SDK speaks it: chat completions, responses, files,
 * fine-tuning jobs and batches. Models answer through the fake's responder.
 */

/** OpenAI reports dated snapshots: `gpt-4o-mini` → `gpt-4o-mini-2026-01-15`. */
export const openAiModelVersion = (model: string): string =>
  /\d{4}-\d{2}-\d{2}$/.test(model) || model.startsWith("ft:") ? model : `${model}-2026-01-15`

interface StoredFile {
  readonly id: string
  readonly filename: string
  readonly purpose: string
  readonly content: Buffer
  readonly createdAt: number
}

interface FineTuneJob {
  readonly id: string
  readonly model: string
  readonly trainingFile: string
  readonly validationFile: string | null
  readonly suffix: string | null
  readonly seed: number
  readonly hyperparameters: Record<string, unknown>
  readonly createdAt: number
  readonly fileError: string | undefined
  readonly trainingTokens: number
  readonly metadata: Readonly<Record<string, string>> | null
  cancelledAt?: number
}

/** OpenAI metadata: string values only (anything else is dropped, as the fake has no use for it). */
const stringRecord = (value: unknown): Record<string, string> | null => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null
  const entries = Object.entries(value).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string",
  )
  return entries.length === 0 ? null : Object.fromEntries(entries)
}

interface Batch {
  readonly id: string
  readonly endpoint: string
  readonly inputFileId: string
  readonly completionWindow: string
  readonly metadata: unknown
  readonly createdAt: number
  cancelledAt?: number
  outputFileId?: string | null
  errorFileId?: string | null
  counts?: { total: number; completed: number; failed: number }
}

const seconds = (milliseconds: number): number => Math.floor(milliseconds / 1000)

/**
 * An object without its unset (null) fields, `metadata` apart: OpenAI's OpenAPI document gives most optional
 * fields of batches as optional, not nullable.
 */
const withoutNulls = <T extends { readonly id: string }>(value: T): Partial<T> & { readonly id: string } =>
  Object.fromEntries(
    Object.entries(value).filter(([key, field]) => field !== null || key === "metadata"),
  ) as Partial<T> & { readonly id: string }

const bytesOf = (token: string): Array<number> => [...Buffer.from(token, "utf8")]

const logprobEntry = (choice: TokenChoice, top: ReadonlyArray<TokenChoice>) => ({
  token: choice.token,
  logprob: choice.logprob,
  bytes: bytesOf(choice.token),
  top_logprobs: top.map((candidate) => ({
    token: candidate.token,
    logprob: candidate.logprob,
    bytes: bytesOf(candidate.token),
  })),
})

const chatMessages = (body: Record<string, unknown>): ReadonlyArray<SurveyMessage> =>
  (Array.isArray(body.messages) ? body.messages : []).map((message) => {
    const m = record(message)
    const role = m.role === "assistant" ? "assistant" : m.role === "user" ? "user" : "system"
    return { role, content: contentText(m.content) }
  })

const responsesMessages = (body: Record<string, unknown>): ReadonlyArray<SurveyMessage> => {
  const messages: Array<SurveyMessage> = []
  if (typeof body.instructions === "string") messages.push({ role: "system", content: body.instructions })
  if (typeof body.input === "string") messages.push({ role: "user", content: body.input })
  else if (Array.isArray(body.input)) {
    for (const item of body.input) {
      const m = record(item)
      const role = m.role === "assistant" ? "assistant" : m.role === "user" ? "user" : "system"
      messages.push({ role, content: contentText(m.content) })
    }
  }
  return messages
}

export const parseChatRequest = (body: unknown, endpoint = "chat.completions"): SurveyRequest => {
  const b = record(body)
  const format = record(b.response_format)
  const schema = format.type === "json_schema" ? record(record(format.json_schema).schema) : undefined
  const seed = optionalNumber(b.seed)
  const temperature = optionalNumber(b.temperature)
  const topP = optionalNumber(b.top_p)
  const maxTokens = optionalNumber(b.max_completion_tokens) ?? optionalNumber(b.max_tokens)
  return {
    vendor: "openai",
    endpoint,
    model: typeof b.model === "string" ? b.model : "",
    messages: chatMessages(b),
    ...(schema === undefined ? {} : { schema }),
    ...(b.logprobs === true ? { logprobs: { top: optionalNumber(b.top_logprobs) ?? 0 } } : {}),
    ...(seed === undefined ? {} : { seed }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { topP }),
    ...(maxTokens === undefined ? {} : { maxTokens }),
    body,
  }
}

const parseResponsesRequest = (body: unknown): SurveyRequest => {
  const b = record(body)
  const format = record(record(b.text).format)
  const schema = format.type === "json_schema" ? record(format.schema) : undefined
  const temperature = optionalNumber(b.temperature)
  const topP = optionalNumber(b.top_p)
  const maxTokens = optionalNumber(b.max_output_tokens)
  const include = Array.isArray(b.include) ? b.include : []
  const top = optionalNumber(b.top_logprobs)
  const wantsLogprobs = include.includes("message.output_text.logprobs") || top !== undefined
  return {
    vendor: "openai",
    endpoint: "responses",
    model: typeof b.model === "string" ? b.model : "",
    messages: responsesMessages(b),
    ...(schema === undefined ? {} : { schema }),
    ...(wantsLogprobs ? { logprobs: { top: top ?? 0 } } : {}),
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { topP }),
    ...(maxTokens === undefined ? {} : { maxTokens }),
    body,
  }
}

const openAiError = (
  status: number,
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
) => ({
  status,
  body: { error: { message, type, param, code } },
})

/** A chat completion for one request, or the error the responder asked for. */
export const chatCompletion = (
  state: FakeState,
  request: SurveyRequest,
  fault: RouteContext["fault"],
  responder: Responder = state.responder,
): RouteResult => {
  const answer = respond(state, request, fault, responder)
  if (typeof answer === "string") return { status: 200, body: {}, fault: answer }
  const n = Math.max(1, optionalNumber(record(request.body).n) ?? 1)
  const answers: Array<FakeAnswer> = [answer]
  for (let i = 1; i < n; i++) {
    const more = respond(state, request, fault, responder)
    answers.push(typeof more === "string" ? answer : more)
  }
  const prompt = inputTokens(request.messages.map((message) => message.content))
  let completion = 0
  const choices = answers.map((a, index) => {
    if (a.refusal !== undefined) {
      completion += outputTokens(a.refusal)
      return {
        index,
        message: { role: "assistant", content: null, refusal: a.refusal, annotations: [] },
        logprobs: request.logprobs === undefined ? null : { content: null, refusal: [] },
        finish_reason: "stop",
      }
    }
    const limited = limitText(a.text, request.maxTokens)
    completion += outputTokens(limited.text)
    return {
      index,
      message: { role: "assistant", content: limited.text, refusal: null, annotations: [] },
      logprobs:
        request.logprobs === undefined
          ? null
          : {
              content: a.logprobs === undefined ? [] : [logprobEntry(a.logprobs.chosen, a.logprobs.top)],
              refusal: null,
            },
      finish_reason: limited.truncated ? "length" : "stop",
    }
  })
  return {
    status: 200,
    headers: { "x-request-id": state.nextId("req_") },
    body: {
      id: state.nextId("chatcmpl-"),
      object: "chat.completion",
      created: seconds(state.clock.now()),
      model: state.modelVersion(request.model),
      system_fingerprint: `fp_${(hash32(request.model) >>> 0).toString(16).padStart(8, "0")}`,
      service_tier: "default",
      choices,
      usage: {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
    },
  }
}

const responsesResult = (
  state: FakeState,
  request: SurveyRequest,
  fault: RouteContext["fault"],
): RouteResult => {
  const answer = respond(state, request, fault)
  if (typeof answer === "string") return { status: 200, body: {}, fault: answer }
  const prompt = inputTokens(request.messages.map((message) => message.content))
  const limited = limitText(answer.text, request.maxTokens)
  const content =
    answer.refusal !== undefined
      ? [{ type: "refusal", refusal: answer.refusal }]
      : [
          {
            type: "output_text",
            text: limited.text,
            annotations: [],
            logprobs:
              request.logprobs !== undefined && answer.logprobs !== undefined
                ? [logprobEntry(answer.logprobs.chosen, answer.logprobs.top)]
                : [],
          },
        ]
  const output = outputTokens(answer.refusal ?? limited.text)
  return {
    status: 200,
    headers: { "x-request-id": state.nextId("req_") },
    body: {
      id: state.nextId("resp_"),
      object: "response",
      created_at: seconds(state.clock.now()),
      status: limited.truncated ? "incomplete" : "completed",
      incomplete_details: limited.truncated ? { reason: "max_output_tokens" } : null,
      error: null,
      model: state.modelVersion(request.model),
      instructions: record(request.body).instructions ?? null,
      output: [
        { type: "message", id: state.nextId("msg_"), status: "completed", role: "assistant", content },
      ],
      parallel_tool_calls: true,
      tool_choice: "auto",
      tools: [],
      temperature: request.temperature ?? 1,
      top_p: request.topP ?? 1,
      max_output_tokens: request.maxTokens ?? null,
      text: record(request.body).text ?? { format: { type: "text" } },
      usage: {
        input_tokens: prompt,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: output,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: prompt + output,
      },
    },
  }
}

/** Checks that a fine-tuning file is chat JSONL; returns the first problem, if any, and its tokens. */
const checkTrainingFile = (content: string): { error: string | undefined; tokens: number } => {
  const lines = content.split("\n").filter((line) => line.trim() !== "")
  let tokens = 0
  if (lines.length === 0) return { error: "The training file is empty.", tokens }
  for (const [index, line] of lines.entries()) {
    let example: unknown
    try {
      example = JSON.parse(line)
    } catch {
      return { error: `Invalid file format. Line ${index + 1} is not valid JSON.`, tokens }
    }
    const messages = record(example).messages
    if (!Array.isArray(messages) || messages.length === 0) {
      return { error: `Invalid file format. Line ${index + 1}, key "messages": missing.`, tokens }
    }
    if (!messages.some((message) => record(message).role === "assistant")) {
      return { error: `Invalid file format. Line ${index + 1} has no assistant message.`, tokens }
    }
    tokens += inputTokens(messages.map((message) => contentText(record(message).content)))
  }
  return { error: undefined, tokens }
}

export const openAiProtocol = (state: FakeState): VendorProtocol => {
  const files = new Map<string, StoredFile>()
  const jobs = new Map<string, FineTuneJob>()
  const batches = new Map<string, Batch>()
  // The upload log keeps every upload's bytes, even after the file is deleted.
  const uploaded: Array<UploadedFile> = []
  const trained = new Map<string, Responder>()
  const t = state.timings

  const error = (status: number, message: string, kind: string) => {
    switch (status) {
      case 401:
        return openAiError(401, message, "invalid_request_error", "invalid_api_key")
      case 404:
        return openAiError(404, message, "invalid_request_error", kind === "not-found" ? "unknown_url" : null)
      case 429:
        return kind === "quota"
          ? openAiError(
              429,
              "You exceeded your current quota, please check your plan and billing details.",
              "insufficient_quota",
              "insufficient_quota",
            )
          : openAiError(429, message, "requests", "rate_limit_exceeded")
      case 400:
        return openAiError(400, message, "invalid_request_error", null)
      default:
        return openAiError(status, message, "server_error", null)
    }
  }

  // OpenAI's OpenAPI document gives these fields as optional, not nullable: an unset one is left out.
  const fileObject = (file: StoredFile) => ({
    id: file.id,
    object: "file",
    bytes: file.content.length,
    created_at: seconds(file.createdAt),
    filename: file.filename,
    purpose: file.purpose,
    status: "processed",
  })

  const addFile = (filename: string, purpose: string, content: Buffer): StoredFile => {
    const file = { id: state.nextId("file-"), filename, purpose, content, createdAt: state.clock.now() }
    files.set(file.id, file)
    return file
  }

  const jobStatus = (job: FineTuneJob): { status: string; endedAt?: number } => {
    const validated = job.createdAt + t.validatingMs
    const queued = validated + t.queuedMs
    const finished = queued + t.runningMs
    const now = state.clock.now()
    if (job.cancelledAt !== undefined && job.cancelledAt < finished) {
      return { status: "cancelled", endedAt: job.cancelledAt }
    }
    if (now < validated) return { status: "validating_files" }
    if (job.fileError !== undefined) return { status: "failed", endedAt: validated }
    if (now < queued) return { status: "queued" }
    if (now < finished) return { status: "running" }
    return { status: t.fineTuneOutcome, endedAt: finished }
  }

  const fineTunedModel = (job: FineTuneJob): string =>
    `ft:${job.model}:standin-fake${job.suffix === null ? "" : `:${job.suffix}`}:${job.id.slice(-8)}`

  const epochs = (job: FineTuneJob): number => {
    const n = job.hyperparameters.n_epochs
    return typeof n === "number" ? n : 3
  }

  const jobObject = (job: FineTuneJob) => {
    const { status, endedAt } = jobStatus(job)
    const succeeded = status === "succeeded"
    return {
      id: job.id,
      object: "fine_tuning.job",
      created_at: seconds(job.createdAt),
      error:
        status === "failed"
          ? {
              code: job.fileError === undefined ? "training_failed" : "invalid_training_file",
              message: job.fileError ?? "The job failed due to an internal error.",
              param: job.fileError === undefined ? null : "training_file",
            }
          : null,
      fine_tuned_model: succeeded ? fineTunedModel(job) : null,
      finished_at: endedAt === undefined ? null : seconds(endedAt),
      hyperparameters: {
        n_epochs: job.hyperparameters.n_epochs ?? "auto",
        batch_size: job.hyperparameters.batch_size ?? "auto",
        learning_rate_multiplier: job.hyperparameters.learning_rate_multiplier ?? "auto",
      },
      model: job.model,
      organization_id: "org-standin-fake",
      result_files: [],
      seed: job.seed,
      status,
      trained_tokens: succeeded ? job.trainingTokens * epochs(job) : null,
      training_file: job.trainingFile,
      validation_file: job.validationFile,
      estimated_finish: null,
      integrations: null,
      metadata: job.metadata,
      suffix: job.suffix,
      method: { type: "supervised", supervised: { hyperparameters: job.hyperparameters } },
    }
  }

  const jobEvents = (job: FineTuneJob) => {
    const events: Array<{ at: number; level: string; message: string }> = [
      { at: job.createdAt, level: "info", message: `Created fine-tuning job: ${job.id}` },
      { at: job.createdAt, level: "info", message: `Validating training file: ${job.trainingFile}` },
    ]
    const { status, endedAt } = jobStatus(job)
    const validated = job.createdAt + t.validatingMs
    const now = state.clock.now()
    if (job.fileError !== undefined && now >= validated && job.cancelledAt === undefined) {
      events.push({ at: validated, level: "error", message: job.fileError })
    } else if (now >= validated && (job.cancelledAt === undefined || job.cancelledAt >= validated)) {
      events.push({ at: validated, level: "info", message: "Files validated, moving job to queued state" })
      if (
        now >= validated + t.queuedMs &&
        (job.cancelledAt === undefined || job.cancelledAt >= validated + t.queuedMs)
      )
        events.push({ at: validated + t.queuedMs, level: "info", message: "Fine-tuning job started" })
    }
    if (status === "succeeded" && endedAt !== undefined) {
      events.push({
        at: endedAt,
        level: "info",
        message: `New fine-tuned model created: ${fineTunedModel(job)}`,
      })
      events.push({ at: endedAt, level: "info", message: "The job has successfully completed" })
    }
    if (status === "failed" && job.fileError === undefined && endedAt !== undefined)
      events.push({ at: endedAt, level: "error", message: "The job failed due to an internal error." })
    if (status === "cancelled" && endedAt !== undefined)
      events.push({ at: endedAt, level: "info", message: "The job was cancelled" })
    return events
      .map((event, index) => ({
        object: "fine_tuning.job.event",
        id: `ftevent-${job.id.slice(-8)}-${index}`,
        created_at: seconds(event.at),
        level: event.level,
        message: event.message,
        data: {},
        type: "message",
      }))
      .reverse()
  }

  const batchStatus = (batch: Batch): string => {
    const inProgress = batch.createdAt + t.validatingMs
    const completed = inProgress + t.runningMs
    const now = state.clock.now()
    if (batch.cancelledAt !== undefined && batch.cancelledAt < completed) {
      return now >= batch.cancelledAt + t.validatingMs ? "cancelled" : "cancelling"
    }
    if (now < inProgress) return "validating"
    if (now < completed) return "in_progress"
    return "completed"
  }

  /** Runs a finished batch's requests once, writing its output and error files. */
  const settleBatch = (batch: Batch): void => {
    if (batch.outputFileId !== undefined) return
    const input = files.get(batch.inputFileId)?.content.toString("utf8") ?? ""
    const outputs: Array<string> = []
    const errors: Array<string> = []
    const lines = input.split("\n").filter((line) => line.trim() !== "")
    for (const line of lines) {
      let entry: Record<string, unknown> = {}
      try {
        entry = record(JSON.parse(line))
      } catch {
        errors.push(
          JSON.stringify({
            id: state.nextId("batch_req_"),
            custom_id: null,
            response: null,
            error: { code: "invalid_json_line", message: "This line is not valid JSON." },
          }),
        )
        continue
      }
      const customId = typeof entry.custom_id === "string" ? entry.custom_id : null
      // Batch items draw from the same fault plan as live calls; transport faults become 500s.
      const drawn = state.faults.draw(state.faultRng)
      const content = drawn === "refusal" || drawn === "offscale" || drawn === "lowmass" ? drawn : undefined
      const request = parseChatRequest(entry.body, `batch:${batch.endpoint}`)
      const problem = openAiChatProblem(entry.body)
      const result: RouteResult =
        problem !== undefined
          ? openAiError(400, problem.message, "invalid_request_error", problem.code ?? null, problem.param)
          : drawn !== undefined && content === undefined
            ? { status: 200, body: {}, fault: drawn }
            : chatCompletion(state, request, content)
      const id = state.nextId("batch_req_")
      if (result.fault !== undefined) {
        const status = /^\d+$/.test(result.fault) ? Number(result.fault) : 500
        errors.push(
          JSON.stringify({
            id,
            custom_id: customId,
            response: {
              status_code: status,
              request_id: state.nextId("req_"),
              body: error(status, `The request failed (${result.fault}).`, result.fault).body,
            },
            error: null,
          }),
        )
        continue
      }
      if (result.status !== 200) {
        // a request the API rejects: its line goes to the error file with the API's error body
        errors.push(
          JSON.stringify({
            id,
            custom_id: customId,
            response: { status_code: result.status, request_id: state.nextId("req_"), body: result.body },
            error: null,
          }),
        )
        continue
      }
      outputs.push(
        JSON.stringify({
          id,
          custom_id: customId,
          response: { status_code: 200, request_id: state.nextId("req_"), body: result.body },
          error: null,
        }),
      )
    }
    batch.outputFileId =
      outputs.length > 0
        ? addFile(`${batch.id}_output.jsonl`, "batch_output", Buffer.from(`${outputs.join("\n")}\n`)).id
        : null
    batch.errorFileId =
      errors.length > 0
        ? addFile(`${batch.id}_error.jsonl`, "batch_output", Buffer.from(`${errors.join("\n")}\n`)).id
        : null
    batch.counts = { total: lines.length, completed: outputs.length, failed: errors.length }
  }

  const batchObject = (batch: Batch) => {
    const status = batchStatus(batch)
    if (status === "completed") settleBatch(batch)
    const inProgressAt = batch.createdAt + t.validatingMs
    const completedAt = inProgressAt + t.runningMs
    const total =
      files
        .get(batch.inputFileId)
        ?.content.toString("utf8")
        .split("\n")
        .filter((line) => line.trim() !== "").length ?? 0
    return withoutNulls({
      id: batch.id,
      object: "batch",
      endpoint: batch.endpoint,
      errors: null,
      input_file_id: batch.inputFileId,
      completion_window: batch.completionWindow,
      status,
      output_file_id: status === "completed" ? (batch.outputFileId ?? null) : null,
      error_file_id: status === "completed" ? (batch.errorFileId ?? null) : null,
      created_at: seconds(batch.createdAt),
      in_progress_at: status === "validating" ? null : seconds(inProgressAt),
      expires_at: seconds(batch.createdAt + 24 * 3600 * 1000),
      finalizing_at: status === "completed" ? seconds(completedAt) : null,
      completed_at: status === "completed" ? seconds(completedAt) : null,
      failed_at: null,
      expired_at: null,
      cancelling_at: batch.cancelledAt === undefined ? null : seconds(batch.cancelledAt),
      cancelled_at:
        status === "cancelled" && batch.cancelledAt !== undefined
          ? seconds(batch.cancelledAt + t.validatingMs)
          : null,
      request_counts: batch.counts ?? { total, completed: 0, failed: 0 },
      metadata: batch.metadata ?? null,
    })
  }

  /**
   * A model this fake finetuned answers from its own training file (`trained.ts`); its checkpoints too.
   * Any other model gets the fake's responder.
   */
  const responderFor = (model: string): Responder => {
    if (!model.startsWith("ft:")) return state.responder
    for (const job of jobs.values()) {
      const name = fineTunedModel(job)
      if (model !== name && !model.startsWith(`${name}:ckpt-`)) continue
      if (jobStatus(job).status !== "succeeded") break
      let responder = trained.get(job.id)
      if (responder === undefined) {
        responder = trainedResponder(files.get(job.trainingFile)?.content.toString("utf8") ?? "")
        trained.set(job.id, responder)
      }
      return responder
    }
    return state.responder
  }

  /** A `limit` query parameter: the default when absent, undefined when it is not a whole number in range. */
  const pageLimit = (text: string | null, fallback: number, max: number): number | undefined => {
    if (text === null) return fallback
    const value = Number(text)
    return Number.isInteger(value) && value >= 1 && value <= max ? value : undefined
  }

  const list = <T extends { id: string }>(data: ReadonlyArray<T>) => ({
    object: "list",
    data,
    has_more: false,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
  })

  const notFound = (what: string, id: string): RouteResult => ({
    ...openAiError(404, `No such ${what}: '${id}'`, "invalid_request_error", null),
  })

  const id = (context: RouteContext): string => context.params.id ?? ""

  return {
    vendor: "openai",
    rateLimitHeaders: "x-ratelimit",
    sdkBaseUrl: (origin) => `${origin}/v1`,
    uploads: () => [...uploaded],
    keyOf: (headers) => {
      const authorization = headers.authorization
      if (typeof authorization === "string" && authorization.startsWith("Bearer "))
        return authorization.slice(7)
      const apiKey = headers["api-key"]
      return typeof apiKey === "string" ? apiKey : undefined
    },
    error,
    routes: [
      {
        method: "POST",
        pattern: /^\/v1\/chat\/completions$/,
        faultable: true,
        handle: (context) => {
          const request = parseChatRequest(context.body)
          if (request.model === "")
            return openAiError(400, "you must provide a model parameter", "invalid_request_error", null)
          if (!Array.isArray(record(context.body).messages))
            return openAiError(
              400,
              "Missing required parameter: 'messages'.",
              "invalid_request_error",
              "missing_required_parameter",
            )
          const problem = openAiChatProblem(context.body)
          if (problem !== undefined)
            return openAiError(
              400,
              problem.message,
              "invalid_request_error",
              problem.code ?? null,
              problem.param ?? null,
            )
          return chatCompletion(state, request, context.fault, responderFor(request.model))
        },
      },
      {
        method: "POST",
        pattern: /^\/v1\/responses$/,
        faultable: true,
        handle: (context) => {
          const request = parseResponsesRequest(context.body)
          if (request.model === "")
            return openAiError(400, "Missing required parameter: 'model'.", "invalid_request_error", null)
          return responsesResult(state, request, context.fault)
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/models$/,
        faultable: false,
        handle: () => ({
          status: 200,
          body: list(
            ["gpt-4o-mini", "gpt-4.1-mini", "gpt-5-mini"].map((model) => ({
              id: model,
              object: "model",
              created: 1_700_000_000,
              owned_by: "standin-fake",
            })),
          ),
        }),
      },
      {
        method: "POST",
        pattern: /^\/v1\/files$/,
        faultable: false,
        handle: (context) => {
          const { fields, files: uploads } = parseMultipart(context.rawBody, context.headers["content-type"])
          const upload = uploads.file
          if (upload === undefined)
            return openAiError(400, "Missing required parameter: 'file'.", "invalid_request_error", null)
          if (fields.purpose === undefined)
            return openAiError(400, "Missing required parameter: 'purpose'.", "invalid_request_error", null)
          const file = addFile(upload.filename, fields.purpose, upload.content)
          uploaded.push({
            id: file.id,
            filename: file.filename,
            purpose: file.purpose,
            content: file.content.toString("utf8"),
          })
          return { status: 200, body: fileObject(file) }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/files$/,
        faultable: false,
        handle: (context) => {
          const purpose = context.query.get("purpose")
          const data = [...files.values()]
            .filter((file) => purpose === null || file.purpose === purpose)
            .map(fileObject)
          return { status: 200, body: list(data) }
        },
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
        method: "GET",
        pattern: /^\/v1\/files\/(?<id>[^/]+)\/content$/,
        faultable: false,
        handle: (context) => {
          const file = files.get(id(context))
          return file === undefined
            ? notFound("file", id(context))
            : { status: 200, body: file.content, headers: { "content-type": "application/octet-stream" } }
        },
      },
      {
        method: "DELETE",
        pattern: /^\/v1\/files\/(?<id>[^/]+)$/,
        faultable: false,
        handle: (context) => {
          if (!files.delete(id(context))) return notFound("file", id(context))
          return { status: 200, body: { id: id(context), object: "file", deleted: true } }
        },
      },
      {
        method: "POST",
        pattern: /^\/v1\/fine_tuning\/jobs$/,
        faultable: false,
        handle: (context) => {
          const body = record(context.body)
          const model = typeof body.model === "string" ? body.model : ""
          const trainingFile = typeof body.training_file === "string" ? body.training_file : ""
          if (model === "")
            return openAiError(400, "Missing required parameter: 'model'.", "invalid_request_error", null)
          const training = files.get(trainingFile)
          if (training === undefined)
            return openAiError(
              400,
              `invalid training_file: ${trainingFile}`,
              "invalid_request_error",
              "invalid_file",
            )
          const validationFile = typeof body.validation_file === "string" ? body.validation_file : null
          if (validationFile !== null && !files.has(validationFile))
            return openAiError(
              400,
              `invalid validation_file: ${validationFile}`,
              "invalid_request_error",
              "invalid_file",
            )
          const method = record(record(body.method).supervised)
          const hyperparameters = { ...record(body.hyperparameters), ...record(method.hyperparameters) }
          const check = checkTrainingFile(training.content.toString("utf8"))
          const job: FineTuneJob = {
            id: state.nextId("ftjob-"),
            model,
            trainingFile,
            validationFile,
            suffix: typeof body.suffix === "string" ? body.suffix : null,
            seed: optionalNumber(body.seed) ?? 42,
            hyperparameters,
            createdAt: state.clock.now(),
            fileError: check.error,
            trainingTokens: check.tokens,
            metadata: stringRecord(body.metadata),
          }
          jobs.set(job.id, job)
          return { status: 200, body: jobObject(job) }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/fine_tuning\/jobs$/,
        faultable: false,
        handle: (context) => {
          // `metadata[key]=value` filters, as OpenAI's list does; newest first
          const wanted = [...context.query.entries()].flatMap(([name, value]) => {
            const key = /^metadata\[(.+)\]$/.exec(name)?.[1]
            return key === undefined ? [] : [[key, value] as const]
          })
          const matching = [...jobs.values()]
            .reverse()
            .filter((job) => wanted.every(([key, value]) => job.metadata?.[key] === value))
          return { status: 200, body: list(matching.map(jobObject)) }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/fine_tuning\/jobs\/(?<id>[^/]+)$/,
        faultable: false,
        handle: (context) => {
          const job = jobs.get(id(context))
          return job === undefined
            ? notFound("fine-tuning job", id(context))
            : { status: 200, body: jobObject(job) }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/fine_tuning\/jobs\/(?<id>[^/]+)\/events$/,
        faultable: false,
        handle: (context) => {
          const job = jobs.get(id(context))
          return job === undefined
            ? notFound("fine-tuning job", id(context))
            : { status: 200, body: list(jobEvents(job)) }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/fine_tuning\/jobs\/(?<id>[^/]+)\/checkpoints$/,
        faultable: false,
        handle: (context) => {
          const job = jobs.get(id(context))
          if (job === undefined) return notFound("fine-tuning job", id(context))
          const { status, endedAt } = jobStatus(job)
          const n = epochs(job)
          const checkpoints =
            status !== "succeeded" || endedAt === undefined
              ? []
              : Array.from({ length: Math.min(3, n) }, (_, index) => {
                  const epoch = n - index
                  const step = epoch * 10
                  return {
                    object: "fine_tuning.job.checkpoint",
                    id: `ftckpt_${job.id.slice(-8)}_${epoch}`,
                    created_at: seconds(endedAt) - index,
                    fine_tuned_model_checkpoint: `${fineTunedModel(job)}:ckpt-step-${step}`,
                    fine_tuning_job_id: job.id,
                    metrics: {
                      step,
                      train_loss: 1 / (epoch + 1),
                      train_mean_token_accuracy: 1 - 1 / (epoch + 2),
                    },
                    step_number: step,
                  }
                })
          return { status: 200, body: list(checkpoints) }
        },
      },
      {
        method: "POST",
        pattern: /^\/v1\/fine_tuning\/jobs\/(?<id>[^/]+)\/cancel$/,
        faultable: false,
        handle: (context) => {
          const job = jobs.get(id(context))
          if (job === undefined) return notFound("fine-tuning job", id(context))
          const { status } = jobStatus(job)
          if (status === "succeeded" || status === "failed" || status === "cancelled")
            return openAiError(
              400,
              `Job ${job.id} has already ${status === "cancelled" ? "been cancelled" : "completed"}.`,
              "invalid_request_error",
              null,
            )
          job.cancelledAt = state.clock.now()
          return { status: 200, body: jobObject(job) }
        },
      },
      {
        method: "POST",
        pattern: /^\/v1\/batches$/,
        batch: true,
        faultable: false,
        handle: (context) => {
          const body = record(context.body)
          const inputFileId = typeof body.input_file_id === "string" ? body.input_file_id : ""
          const endpoint = typeof body.endpoint === "string" ? body.endpoint : ""
          if (!files.has(inputFileId))
            return openAiError(
              400,
              `Invalid input_file_id: ${inputFileId}`,
              "invalid_request_error",
              "invalid_file",
            )
          if (endpoint !== "/v1/chat/completions")
            return openAiError(
              400,
              `The fake serves batches for /v1/chat/completions only, not ${endpoint}.`,
              "invalid_request_error",
              null,
            )
          const batch: Batch = {
            id: state.nextId("batch_"),
            endpoint,
            inputFileId,
            completionWindow: typeof body.completion_window === "string" ? body.completion_window : "24h",
            metadata: body.metadata ?? null,
            createdAt: state.clock.now(),
          }
          batches.set(batch.id, batch)
          return { status: 200, body: batchObject(batch) }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/batches$/,
        batch: true,
        faultable: false,
        // Newest first, `limit` per page (1 to 100, default 20), `has_more` when more remain: as the API pages.
        handle: (context) => {
          const limit = pageLimit(context.query.get("limit"), 20, 100)
          if (limit === undefined)
            return openAiError(
              400,
              "limit must be an integer from 1 to 100.",
              "invalid_request_error",
              "limit",
            )
          const all = [...batches.values()].reverse()
          return {
            status: 200,
            body: { ...list(all.slice(0, limit).map(batchObject)), has_more: all.length > limit },
          }
        },
      },
      {
        method: "GET",
        pattern: /^\/v1\/batches\/(?<id>[^/]+)$/,
        batch: true,
        faultable: false,
        handle: (context) => {
          const batch = batches.get(id(context))
          return batch === undefined
            ? notFound("batch", id(context))
            : { status: 200, body: batchObject(batch) }
        },
      },
      {
        method: "POST",
        pattern: /^\/v1\/batches\/(?<id>[^/]+)\/cancel$/,
        batch: true,
        faultable: false,
        handle: (context) => {
          const batch = batches.get(id(context))
          if (batch === undefined) return notFound("batch", id(context))
          if (batchStatus(batch) === "completed")
            return openAiError(
              400,
              `Cannot cancel a batch with status 'completed'.`,
              "invalid_request_error",
              null,
            )
          batch.cancelledAt ??= state.clock.now()
          return { status: 200, body: batchObject(batch) }
        },
      },
    ],
  }
}

/** Starts an OpenAI fake on 127.0.0.1. Its SDK base URL is `fake.baseUrl` (`http://127.0.0.1:PORT/v1`). */
export const startOpenAiFake = (options: FakeOptions = {}): Promise<FakeServer> =>
  startFake(openAiProtocol, makeState(options, openAiModelVersion))
