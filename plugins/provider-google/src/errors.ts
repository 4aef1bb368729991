import { ApiError } from "@google/genai"
import { type FailureReason, ProviderError, scrubSecret } from "@standin/core"
import { reasonForStatus } from "@standin/provider-kit"

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The `details` of a Google API error, from the JSON the SDK puts in `ApiError.message`. */
const errorDetails = (message: string): ReadonlyArray<Record<string, unknown>> => {
  try {
    const body: unknown = JSON.parse(message)
    const details = isRecord(body) && isRecord(body.error) ? body.error.details : undefined
    return Array.isArray(details) ? details.filter(isRecord) : []
  } catch {
    return []
  }
}

/** `"3s"`, `"1.5s"` (protobuf Duration JSON) → milliseconds. */
const durationMs = (value: unknown): number | undefined => {
  if (typeof value !== "string") return undefined
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim())
  return match?.[1] === undefined ? undefined : Math.round(Number(match[1]) * 1000)
}

/** Maps anything the @google/genai SDK throws to a ProviderError; the key never reaches the message. */
export const toProviderError = (provider: string, cause: unknown, secret: string): ProviderError => {
  const scrub = (text: string) => scrubSecret(text, secret)
  if (cause instanceof ApiError) {
    const details = errorDetails(cause.message)
    // Gemini answers a bad key with 400 INVALID_ARGUMENT and reason API_KEY_INVALID.
    const badKey = details.some((detail) => detail.reason === "API_KEY_INVALID")
    const reason: FailureReason = badKey ? "auth" : reasonForStatus(cause.status)
    const retryAfterMs =
      reason === "rate-limited"
        ? durationMs(
            details.find((detail) => String(detail["@type"]).endsWith("google.rpc.RetryInfo"))?.retryDelay,
          )
        : undefined
    return new ProviderError({
      provider,
      reason,
      status: cause.status,
      message: scrub(cause.message),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    })
  }
  if (cause instanceof Error && (cause.name === "AbortError" || cause.name === "TimeoutError")) {
    return new ProviderError({
      provider,
      reason: "timeout",
      message: scrub(`request timed out: ${cause.message}`),
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
