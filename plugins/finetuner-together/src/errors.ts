import { type FinetuneError, sdkFinetuneError } from "@standin/core"
import { APIConnectionError, APIError } from "together-ai"

/** Maps anything the together-ai SDK throws to a FinetuneError with Together's message; the key never reaches it. */
export const toFinetuneError = (cause: unknown, secret: string | undefined, jobId?: string): FinetuneError =>
  sdkFinetuneError("together", cause, secret, { connection: APIConnectionError, api: APIError }, jobId)
