import { Effect, Redacted } from "effect"
import { FinetuneError } from "./errors.js"
import type {
  FinetuneJobRef,
  FinetuneRequest,
  FinetuneStatus,
  Hyperparameters,
  PreparedFinetune,
  TrainingExample,
  TrainingFile,
} from "./finetuner.js"
import type { ProviderSpec } from "./provider.js"
import { scrubSecret } from "./secrets.js"

/**
 * Helpers every finetuner plugin needs (as @standin/provider-kit is for providers): the chat JSONL that
 * OpenAI, Together and the open-source trainers all read, a token count, and the checks every `prepare`
 * makes before it writes a byte.
 */

/** Tokens of a text by the rule the engine's estimates and the testkit fakes share: four characters each. */
export const approximateTokens = (text: string): number => Math.ceil(text.length / 4)

/**
 * One `{"messages": [...]}` line per example, the conversational format of OpenAI, Together and TRL.
 * `respondentKey` is for the leakage check only and is never written.
 */
export const chatJsonl = (examples: ReadonlyArray<TrainingExample>): string =>
  examples
    .map(
      (example) =>
        `${JSON.stringify({ messages: example.messages.map((m) => ({ role: m.role, content: m.content })) })}\n`,
    )
    .join("")

/** A training or validation file in chat JSONL, with its examples and tokens (message contents, per line). */
export const chatTrainingFile = (
  purpose: TrainingFile["purpose"],
  filename: string,
  examples: ReadonlyArray<TrainingExample>,
): TrainingFile => ({
  purpose,
  filename,
  content: chatJsonl(examples),
  examples: examples.length,
  tokens: examples.reduce(
    (sum, example) => sum + approximateTokens(example.messages.map((m) => m.content).join("")),
    0,
  ),
})

/** The chat JSONL files of a request: `<stem>train.jsonl`, and `<stem>validation.jsonl` when it has a validation split. */
export const chatTrainingFiles = (request: FinetuneRequest, stem: string): Array<TrainingFile> => [
  chatTrainingFile("train", `${stem}train.jsonl`, request.train),
  ...(request.validation.length > 0
    ? [chatTrainingFile("validation", `${stem}validation.jsonl`, request.validation)]
    : []),
]

/**
 * A prepared finetune with its estimate: trained tokens = training-file tokens × epochs, priced per million
 * trained tokens (null when no price is known).
 */
export const preparedFinetune = (
  finetuner: string,
  request: FinetuneRequest,
  files: ReadonlyArray<TrainingFile>,
  hyperparameters: Hyperparameters & { readonly epochs: number },
  usdPerMillionTokens: number | undefined,
): PreparedFinetune => {
  const trainedTokens = (files.find((file) => file.purpose === "train")?.tokens ?? 0) * hyperparameters.epochs
  return {
    finetuner,
    baseModel: request.baseModel,
    files,
    hyperparameters,
    estimate: {
      trainedTokens,
      costUsd: usdPerMillionTokens === undefined ? null : (trainedTokens * usdPerMillionTokens) / 1_000_000,
    },
  }
}

/**
 * What every `prepare` checks first: there is something to train on, every example ends with the target
 * (an assistant message), at least `minimum` examples when the vendor has a floor, and no respondent is
 * in both the training and the validation file.
 */
export const checkFinetuneRequest = (
  finetuner: string,
  request: FinetuneRequest,
  minimum = 1,
): Effect.Effect<void, FinetuneError> =>
  Effect.suspend(() => {
    const fail = (reason: FinetuneError["reason"], message: string) =>
      Effect.fail(new FinetuneError({ finetuner, reason, message }))
    if (request.train.length < Math.max(1, minimum))
      return fail(
        "invalid-request",
        `${request.train.length} training example${request.train.length === 1 ? "" : "s"}: ${finetuner} needs at least ${Math.max(1, minimum)}. Choose a larger --pilot.`,
      )
    const untargeted = [...request.train, ...request.validation].find(
      (example) => example.messages[example.messages.length - 1]?.role !== "assistant",
    )
    if (untargeted !== undefined)
      return fail(
        "invalid-request",
        `training example ${untargeted.respondentKey} does not end with the target (an assistant message).`,
      )
    const trainKeys = new Set(request.train.map((example) => example.respondentKey))
    const both = request.validation.find((example) => trainKeys.has(example.respondentKey))
    if (both !== undefined)
      return fail(
        "leakage",
        `respondent ${both.respondentKey} is in both the training and the validation file. Nothing was written.`,
      )
    return Effect.void
  })

/** The finetune failure reason an HTTP status stands for. */
export const finetuneReasonForStatus = (status: number): FinetuneError["reason"] => {
  if (status === 401 || status === 403) return "auth"
  if (status === 429) return "rate-limited"
  if (status >= 500) return "server"
  return "invalid-request"
}

/**
 * Maps anything a Stainless-generated SDK throws (openai, together-ai) to a FinetuneError with the vendor's
 * message, the key scrubbed from it: a FinetuneError of the plugin's own (scrubbed again), connection failures
 * (`transport`), HTTP errors by status, anything else as `transport`.
 */
export const sdkFinetuneError = (
  finetuner: string,
  cause: unknown,
  secret: string | undefined,
  classes: {
    readonly connection: abstract new (...args: never) => Error
    readonly api: abstract new (...args: never) => Error & { readonly status?: number | undefined }
  },
  jobId?: string,
): FinetuneError => {
  const scrub = (text: string) => scrubSecret(text, secret)
  const job = jobId === undefined ? {} : { jobId }
  if (cause instanceof FinetuneError)
    return new FinetuneError({
      finetuner: cause.finetuner,
      reason: cause.reason,
      message: scrub(cause.message),
      ...(cause.jobId === undefined ? job : { jobId: cause.jobId }),
    })
  if (cause instanceof classes.connection)
    return new FinetuneError({
      finetuner,
      reason: "transport",
      message: scrub(`connection failed: ${cause.message}`),
      ...job,
    })
  if (cause instanceof classes.api && typeof cause.status === "number")
    return new FinetuneError({
      finetuner,
      reason: finetuneReasonForStatus(cause.status),
      message: scrub(cause.message),
      ...job,
    })
  const message = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
  return new FinetuneError({ finetuner, reason: "transport", message: scrub(message), ...job })
}

/**
 * `providerSpec` for every finetuner: the spec that calls a succeeded job's model (`spec` plus the model), or the
 * error that says why there is none — `job-cancelled`, `job-failed` with the vendor's message, or `job-failed`
 * with `unfinished` while the job is still going.
 */
export const trainedModelSpec = (options: {
  readonly finetuner: string
  readonly ref: FinetuneJobRef
  readonly status: FinetuneStatus
  readonly spec: Omit<ProviderSpec, "model">
  /** What to do while the job has not finished (default: "there is no model to call yet"). */
  readonly unfinished?: string
}): Effect.Effect<ProviderSpec, FinetuneError> => {
  const { ref, status } = options
  if (status.state === "succeeded" && status.model !== undefined)
    return Effect.succeed({ ...options.spec, model: status.model })
  const ended = status.state === "failed" || status.state === "cancelled"
  return Effect.fail(
    new FinetuneError({
      finetuner: options.finetuner,
      reason: status.state === "cancelled" ? "job-cancelled" : "job-failed",
      message: ended
        ? (status.error ?? `the job ended ${status.state}`)
        : `job ${ref.jobId} has not finished (${status.state}): ${options.unfinished ?? "there is no model to call yet"}`,
      jobId: ref.jobId,
    }),
  )
}

/**
 * A finetuner's vendor calls, through a client made on first use. Without a key every call fails with `auth` and
 * `missingKey` (which variable to set), so `prepare` — a dry run — works without one; anything a call throws goes
 * through `toError` with the key, to be scrubbed.
 */
export const keyedVendorCalls = <Client>(options: {
  readonly finetuner: string
  readonly apiKey: Redacted.Redacted<string> | undefined
  readonly missingKey: string
  readonly client: (key: string) => Client
  readonly toError: (cause: unknown, secret: string | undefined, jobId?: string) => FinetuneError
}) => {
  const secret = options.apiKey === undefined ? undefined : Redacted.value(options.apiKey)
  let client: Client | undefined
  return <A>(
    jobId: string | undefined,
    run: (client: Client, key: string) => Promise<A>,
  ): Effect.Effect<A, FinetuneError> => {
    if (secret === undefined)
      return Effect.fail(
        new FinetuneError({
          finetuner: options.finetuner,
          reason: "auth",
          message: options.missingKey,
          ...(jobId === undefined ? {} : { jobId }),
        }),
      )
    client ??= options.client(secret)
    const made = client
    return Effect.tryPromise({
      try: () => run(made, secret),
      catch: (cause) => options.toError(cause, secret, jobId),
    })
  }
}
