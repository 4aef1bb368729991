import {
  type FailureReason,
  type ItemPrompt,
  type OptionDistribution,
  ProviderError,
  type ProviderRequest,
  type ProviderResponse,
  scrubSecret,
  type Usage,
} from "@standin/core"
import { Effect } from "effect"

/**
 * Small vendor-neutral helpers that every provider plugin needs in the same form: the wait a server
 * asks for, the failure reason an HTTP status means, and first-token distributions from logprobs.
 */

/**
 * The header every testkit fake sets on its responses: a provider or finetuner that sees it labels what came
 * back as a test double (a fake finetune never reaches a leaderboard).
 */
export const FAKE_VENDOR_HEADER = "x-standin-fake"

/** Reads a header from a Fetch `Headers`, a plain record, or anything with `get`. */
export type HeaderSource =
  | { readonly get: (name: string) => string | null | undefined }
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

const header = (headers: HeaderSource | undefined, name: string): string | undefined => {
  if (headers === undefined) return undefined
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get: (name: string) => string | null | undefined }).get(name) ?? undefined
  }
  const record = headers as Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  const key = Object.keys(record).find((k) => k.toLowerCase() === name)
  const value = key === undefined ? undefined : record[key]
  return Array.isArray(value) ? value[0] : (value as string | undefined)
}

/**
 * The wait in milliseconds a server asked for: `retry-after-ms`, else `retry-after` as seconds or
 * as an HTTP date (relative to `now`). Undefined when absent or unreadable.
 */
export const parseRetryAfter = (
  headers: HeaderSource | undefined,
  now: number = Date.now(),
): number | undefined => {
  const milliseconds = header(headers, "retry-after-ms")
  if (milliseconds !== undefined && milliseconds.trim() !== "") {
    const value = Number(milliseconds)
    if (Number.isFinite(value) && value >= 0) return Math.round(value)
  }
  const after = header(headers, "retry-after")
  if (after === undefined || after.trim() === "") return undefined
  const seconds = Number(after)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000)
  const date = Date.parse(after)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** `"6m0s"`, `"1.5s"`, `"17ms"`, `"1h2m"` (the Go durations of OpenAI's `x-ratelimit-reset-*`) → milliseconds. */
export const parseDuration = (text: string): number | undefined => {
  const trimmed = text.trim()
  if (!/^(\d+(\.\d+)?(h|ms|m|s))+$/.test(trimmed)) return undefined
  let total = 0
  for (const [, value, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) {
    const scale = unit === "h" ? 3_600_000 : unit === "m" ? 60_000 : unit === "s" ? 1000 : 1
    total += Number(value) * scale
  }
  return Math.round(total)
}

/**
 * The wait the rate-limit headers imply when a 429 carries no `retry-after`: the reset of each exhausted limit
 * (`x-ratelimit-remaining-*` at 0; OpenAI, Together and others send Go durations in `x-ratelimit-reset-*`,
 * Anthropic RFC 3339 times in `anthropic-ratelimit-*-reset`), the longest of them. Undefined when no exhausted
 * limit says when it resets: the caller then backs off on its own schedule.
 */
export const parseRateLimitReset = (
  headers: HeaderSource | undefined,
  now: number = Date.now(),
): number | undefined => {
  const waits: Array<number> = []
  for (const limit of ["requests", "tokens", "input-tokens", "output-tokens"]) {
    const openAi = header(headers, `x-ratelimit-remaining-${limit}`)
    const reset = header(headers, `x-ratelimit-reset-${limit}`)
    if (openAi !== undefined && Number(openAi) <= 0 && reset !== undefined) {
      const seconds = Number(reset)
      const wait = Number.isFinite(seconds) ? Math.round(seconds * 1000) : parseDuration(reset)
      if (wait !== undefined) waits.push(wait)
    }
    const anthropic = header(headers, `anthropic-ratelimit-${limit}-remaining`)
    const at = header(headers, `anthropic-ratelimit-${limit}-reset`)
    if (anthropic !== undefined && Number(anthropic) <= 0 && at !== undefined) {
      const date = Date.parse(at)
      if (!Number.isNaN(date)) waits.push(Math.max(0, date - now))
    }
  }
  return waits.length === 0 ? undefined : Math.max(...waits)
}

/**
 * Whether a 429 means the account has no credit left (OpenAI's and Together's `insufficient_quota`), which no
 * wait will cure: retrying only burns the retry budget, so it is reported as `auth` (the account cannot be used),
 * which stops the provider at once with the vendor's message.
 */
export const isQuotaExhausted = (error: { readonly code?: unknown; readonly type?: unknown }): boolean =>
  error.code === "insufficient_quota" || error.type === "insufficient_quota"

/** The failure reason an HTTP error status stands for. */
export const reasonForStatus = (status: number): FailureReason => {
  if (status === 401 || status === 403) return "auth"
  if (status === 408) return "timeout"
  if (status === 429) return "rate-limited"
  if (status >= 500) return "server"
  return "invalid-request"
}

/** The error classes of a Stainless-generated SDK (`openai`, `@anthropic-ai/sdk`): what `sdkProviderError` tells apart. */
export interface SdkErrorClasses {
  /** Thrown when a request timed out (a subclass of `connection`, so checked first). */
  readonly timeout: abstract new (
    ...args: never
  ) => Error
  readonly connection: abstract new (...args: never) => Error
  /** An HTTP error answer, with its status and headers. */
  readonly api: abstract new (
    ...args: never
  ) => Error & { readonly status?: number | undefined; readonly headers?: HeaderSource | undefined }
}

/**
 * Maps anything a Stainless-generated SDK throws to a ProviderError, the key scrubbed from its message: timeouts,
 * connection failures (`transport`), HTTP errors by status (with the wait a 429 asks for, from `retry-after` or
 * the rate-limit headers; a 429 for `insufficient_quota` is `auth`, never retried; `filtered` marks the vendor's
 * content-filter errors), unreadable bodies (`malformed-output`), and anything else as `transport`.
 */
export const sdkProviderError = (
  provider: string,
  cause: unknown,
  secret: string,
  classes: SdkErrorClasses,
  filtered: (error: Error & { readonly code?: unknown }) => boolean = () => false,
): ProviderError => {
  const scrub = (text: string) => scrubSecret(text, secret)
  if (cause instanceof classes.timeout)
    return new ProviderError({
      provider,
      reason: "timeout",
      message: scrub(`request timed out: ${cause.message}`),
    })
  if (cause instanceof classes.connection)
    return new ProviderError({
      provider,
      reason: "transport",
      message: scrub(`connection failed: ${cause.message}`),
    })
  if (cause instanceof classes.api && typeof cause.status === "number") {
    const quota = cause.status === 429 && isQuotaExhausted(cause as { code?: unknown; type?: unknown })
    const reason = quota ? "auth" : filtered(cause) ? "content-filtered" : reasonForStatus(cause.status)
    const retryAfterMs =
      reason === "rate-limited"
        ? (parseRetryAfter(cause.headers) ?? parseRateLimitReset(cause.headers))
        : undefined
    return new ProviderError({
      provider,
      reason,
      status: cause.status,
      message: scrub(quota ? `no quota left (insufficient_quota): ${cause.message}` : cause.message),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    })
  }
  if (cause instanceof SyntaxError)
    return new ProviderError({
      provider,
      reason: "malformed-output",
      message: scrub(`unreadable response body: ${cause.message}`),
    })
  const message = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
  return new ProviderError({ provider, reason: "transport", message: scrub(message) })
}

export interface TokenLogprob {
  readonly token: string
  readonly logprob: number
}

export interface LabelDistribution {
  /** Option → probability, renormalised over the label tokens. */
  readonly distribution: OptionDistribution
  /** Total probability the label tokens had before renormalising. */
  readonly mass: number
}

/**
 * Turns a first token's top logprobs into a distribution over an item's options. `labels[i]` is the
 * token for `options[i]`; candidates match after trimming whitespace (tokenisers differ on leading
 * spaces), and several candidates that trim to the same label add up. Undefined when no label
 * appears among the candidates.
 */
export const distributionFromLogprobs = (
  candidates: ReadonlyArray<TokenLogprob>,
  labels: ReadonlyArray<string>,
  options: ReadonlyArray<string>,
): LabelDistribution | undefined => {
  const mass = new Map<string, number>()
  for (const candidate of candidates) {
    const token = candidate.token.trim()
    if (!labels.includes(token) || !Number.isFinite(candidate.logprob)) continue
    mass.set(token, (mass.get(token) ?? 0) + Math.exp(candidate.logprob))
  }
  let total = 0
  for (const value of mass.values()) total += value
  if (total <= 0) return undefined
  const distribution: Record<string, number> = {}
  labels.forEach((label, index) => {
    const option = options[index]
    if (option !== undefined) distribution[option] = (mass.get(label) ?? 0) / total
  })
  return { distribution, mass: Math.min(1, total) }
}

/** What one item's one-token ask returned: its first-token candidates (the chosen token among them). */
export interface FirstTokenAnswer {
  readonly candidates: ReadonlyArray<TokenLogprob>
  /** The text the model gave (its first token). */
  readonly text: string
  readonly usage: Usage
  readonly modelVersion: string
}

/**
 * The `logprobs` elicitation for every vendor: one one-token ask per item (`askItem`), each first-token
 * distribution renormalised over the item's option labels (`distributionFromLogprobs`), a warning when the labels
 * carried less than `minLabelMass` of the probability, usage summed. An item none of whose labels came back among
 * the top `topLogprobs` candidates is `malformed-output`.
 */
export const firstTokenDistributions = (options: {
  readonly provider: string
  readonly request: ProviderRequest
  readonly warnings: Array<string>
  readonly topLogprobs: number
  readonly minLabelMass: number
  readonly askItem: (item: ItemPrompt) => Effect.Effect<FirstTokenAnswer, ProviderError>
}): Effect.Effect<ProviderResponse, ProviderError> =>
  Effect.gen(function* () {
    const { provider, request, warnings } = options
    const fail = (reason: FailureReason, message: string) => new ProviderError({ provider, reason, message })
    if (request.prompt.perItem.length === 0)
      return yield* fail(
        "invalid-request",
        "logprobs elicitation needs per-item prompts, and the prompt has none",
      )
    const usage = { inputTokens: 0, outputTokens: 0 }
    let modelVersion = ""
    const distributions: Record<string, OptionDistribution> = {}
    const firstTokens: Record<string, string> = {}
    for (const item of request.prompt.perItem) {
      const answer = yield* options.askItem(item)
      usage.inputTokens += answer.usage.inputTokens
      usage.outputTokens += answer.usage.outputTokens
      modelVersion ||= answer.modelVersion
      const result = distributionFromLogprobs(answer.candidates, item.labels, item.options)
      if (result === undefined)
        return yield* fail(
          "malformed-output",
          `none of the option labels (${item.labels.join(", ")}) was among the top ${options.topLogprobs} first tokens for item ${item.itemId}`,
        )
      if (result.mass < options.minLabelMass)
        warnings.push(
          `item ${item.itemId}: the option labels carried only ${(result.mass * 100).toFixed(1)}% of the first-token probability`,
        )
      distributions[item.itemId] = result.distribution
      firstTokens[item.itemId] = answer.text
    }
    return { text: JSON.stringify(firstTokens), distributions, modelVersion, usage, warnings }
  })
