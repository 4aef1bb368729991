import { type FinetuneError, sdkFinetuneError } from "@standin/core"
import { APIConnectionError, APIError } from "openai"

/** Maps anything the openai SDK throws to a FinetuneError with the vendor's message; the key never reaches it. */
export const toFinetuneError = (cause: unknown, secret: string | undefined, jobId?: string): FinetuneError =>
  sdkFinetuneError("openai", cause, secret, { connection: APIConnectionError, api: APIError }, jobId)
