import type { FaultKind } from "./faults.js"
import type { FakeState, RouteContext } from "./server.js"
import type { FakeAnswer, Responder, SurveyRequest } from "./survey.js"

export const refusalText = "I'm sorry, but I can't help with that request."

/**
 * Runs the responder for a generation request, acting out content faults. `responder` overrides the fake's
 * own (a finetuned model answers from its training file).
 */
export const respond = (
  state: FakeState,
  request: SurveyRequest,
  fault: RouteContext["fault"],
  responder: Responder = state.responder,
): FakeAnswer | FaultKind => {
  if (fault === "refusal") return { text: "", refusal: refusalText }
  const answer = responder(request, {
    rng: state.answerRng,
    seed: state.seed,
    ...(fault === undefined ? {} : { fault }),
  })
  // A responder that asks for a content fault gets it acted out, like a drawn one.
  if (answer === "refusal") return { text: "", refusal: refusalText }
  if ((answer === "offscale" || answer === "lowmass") && fault === undefined)
    return respond(state, request, answer, responder)
  return answer
}

/** Cuts an answer to `maxTokens` tokens (four characters each), as a length-limited model would. */
export const limitText = (
  text: string,
  maxTokens: number | undefined,
): { text: string; truncated: boolean } =>
  maxTokens !== undefined && text.length > maxTokens * 4
    ? { text: text.slice(0, Math.max(0, maxTokens * 4)), truncated: true }
    : { text, truncated: false }

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

export const record = (value: unknown): Record<string, unknown> => (isRecord(value) ? value : {})

export const optionalNumber = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined

/** Text of a message content: a string, or an array of text parts. */
export const contentText = (content: unknown): string => {
  if (typeof content === "string") return content
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        const p = record(part)
        return typeof p.text === "string" ? p.text : ""
      })
      .join("")
  }
  return ""
}

/** Splits a multipart/form-data body into fields and files. */
export const parseMultipart = (
  raw: Buffer,
  contentType: string | undefined,
): { fields: Record<string, string>; files: Record<string, { filename: string; content: Buffer }> } => {
  const fields: Record<string, string> = {}
  const files: Record<string, { filename: string; content: Buffer }> = {}
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? "")
  const marker = boundary?.[1] ?? boundary?.[2]
  if (marker === undefined) return { fields, files }
  const delimiter = Buffer.from(`--${marker}`)
  let start = raw.indexOf(delimiter)
  while (start !== -1) {
    const next = raw.indexOf(delimiter, start + delimiter.length)
    if (next === -1) break
    const part = raw.subarray(start + delimiter.length + 2, next - 2)
    const split = part.indexOf("\r\n\r\n")
    if (split !== -1) {
      const head = part.subarray(0, split).toString("utf8")
      const content = part.subarray(split + 4)
      const name = /name="([^"]*)"/i.exec(head)?.[1]
      const filename = /filename="([^"]*)"/i.exec(head)?.[1]
      if (name !== undefined) {
        if (filename !== undefined) files[name] = { filename, content }
        else fields[name] = content.toString("utf8")
      }
    }
    start = next
  }
  return { fields, files }
}
