import { APIConnectionError, APIConnectionTimeoutError, APIError } from "@anthropic-ai/sdk"
import type { ProviderError } from "@standin/core"
import { sdkProviderError } from "@standin/provider-kit"

/** Maps anything the Anthropic SDK throws to a ProviderError; the key never reaches the message. */
export const toProviderError = (provider: string, cause: unknown, secret: string): ProviderError =>
  sdkProviderError(provider, cause, secret, {
    timeout: APIConnectionTimeoutError,
    connection: APIConnectionError,
    api: APIError,
  })
