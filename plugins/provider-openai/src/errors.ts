import { ProviderError, parseRetryAfter, reasonForStatus, scrubSecret } from "@standin/core"
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai"

/** Maps anything the openai SDK throws to a ProviderError; the key never reaches the message. */
export const toProviderError = (provider: string, cause: unknown, secret: string): ProviderError => {
  const scrub = (text: string) => scrubSecret(text, secret)
  if (cause instanceof APIConnectionTimeoutError) {
    return new ProviderError({
      provider,
      reason: "timeout",
      message: scrub(`request timed out: ${cause.message}`),
    })
  }
  if (cause instanceof APIConnectionError) {
    return new ProviderError({
      provider,
      reason: "transport",
      message: scrub(`connection failed: ${cause.message}`),
    })
  }
  if (cause instanceof APIError && typeof cause.status === "number") {
    const filtered = cause.code === "content_filter" || cause.code === "content_policy_violation"
    const reason = filtered ? "content-filtered" : reasonForStatus(cause.status)
    const retryAfterMs = reason === "rate-limited" ? parseRetryAfter(cause.headers) : undefined
    return new ProviderError({
      provider,
      reason,
      status: cause.status,
      message: scrub(cause.message),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    })
  }
  if (cause instanceof SyntaxError) {
    return new ProviderError({
      provider,
      reason: "malformed-output",
      message: scrub(`unreadable response body: ${cause.message}`),
    })
  }
  const message = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
  return new ProviderError({ provider, reason: "transport", message: scrub(message) })
}
