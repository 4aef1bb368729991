import { TwinConversation } from "@standin/core"
import { Result, Schema } from "effect"
import { LeaderboardError } from "./errors.js"
import { describeSchemaError } from "./load.js"

/** Twins the site publishes per entry (the first by twin id), and how many one page of the browser holds. */
export const twinsShown = 200
export const twinsPerPage = 25

const decodeLine = Schema.decodeUnknownResult(TwinConversation)

/**
 * Reads an entry's conversations file (JSON lines) and keeps the first `twinsShown` twins by id (then
 * replicate), split into pages of `twinsPerPage`. A line that is not a twin's conversation fails with its
 * file and line number.
 */
export const twinPages = (
  file: string,
  text: string,
): Result.Result<
  { readonly total: number; readonly pages: ReadonlyArray<ReadonlyArray<TwinConversation>> },
  LeaderboardError
> => {
  const twins: Array<TwinConversation> = []
  const lines = text.split("\n")
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue
    const problem = (message: string) =>
      Result.fail(
        new LeaderboardError({
          reason: "invalid-results",
          file,
          message: `line ${index + 1}: not a twin's conversation: ${message}`,
        }),
      )
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch (error) {
      return problem(error instanceof Error ? error.message : String(error))
    }
    const decoded = decodeLine(parsed)
    if (Result.isFailure(decoded)) return problem(describeSchemaError(decoded.failure))
    twins.push(decoded.success)
  }
  const shown = [...twins]
    .sort((a, b) => (a.twinId < b.twinId ? -1 : a.twinId > b.twinId ? 1 : a.replicate - b.replicate))
    .slice(0, twinsShown)
  const pages: Array<ReadonlyArray<TwinConversation>> = []
  for (let start = 0; start < shown.length; start += twinsPerPage)
    pages.push(shown.slice(start, start + twinsPerPage))
  return Result.succeed({ total: twins.length, pages })
}
