import type { ProviderError } from "@standin/core"
import { sdkProviderError } from "@standin/provider-kit"
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai"

/** Maps anything the openai SDK throws to a ProviderError; the key never reaches the message. */
export const toProviderError = (provider: string, cause: unknown, secret: string): ProviderError =>
  sdkProviderError(
    provider,
    cause,
    secret,
    { timeout: APIConnectionTimeoutError, connection: APIConnectionError, api: APIError },
    // a content filter's refusal comes as an HTTP error with one of these codes
    (error) => error.code === "content_filter" || error.code === "content_policy_violation",
  )
