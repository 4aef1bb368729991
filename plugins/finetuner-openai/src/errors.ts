import { FinetuneError, finetuneReasonForStatus, scrubSecret } from "@standin/core"
import { APIConnectionError, APIError } from "openai"

/** Maps anything the openai SDK throws to a FinetuneError with the vendor's message; the key never reaches it. */
export const toFinetuneError = (
  cause: unknown,
  secret: string | undefined,
  jobId?: string,
): FinetuneError => {
  const scrub = (text: string) => scrubSecret(text, secret)
  const job = jobId === undefined ? {} : { jobId }
  if (cause instanceof APIConnectionError)
    return new FinetuneError({
      finetuner: "openai",
      reason: "transport",
      message: scrub(`connection failed: ${cause.message}`),
      ...job,
    })
  if (cause instanceof APIError && typeof cause.status === "number")
    return new FinetuneError({
      finetuner: "openai",
      reason: finetuneReasonForStatus(cause.status),
      message: scrub(cause.message),
      ...job,
    })
  const message = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)
  return new FinetuneError({ finetuner: "openai", reason: "transport", message: scrub(message), ...job })
}
