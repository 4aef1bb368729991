/** What went wrong, in one paragraph a user can act on, and the exit code to leave with. */
export interface Failure {
  readonly message: string
  readonly exitCode: number
}

const tagOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : undefined

const field = (error: unknown, name: string): string | undefined => {
  if (typeof error !== "object" || error === null || !(name in error)) return undefined
  const value = (error as Record<string, unknown>)[name]
  return value === undefined ? undefined : String(value)
}

/** Formats any error the CLI can meet. Usage mistakes exit 2, everything else 1. */
export const describeFailure = (error: unknown): Failure => {
  const tag = tagOf(error)
  const message = field(error, "message") ?? String(error)
  switch (tag) {
    case "InputError":
      return { message: `standin: ${message}`, exitCode: 2 }
    case "StudyDataError": {
      const hint = field(error, "hint")
      return {
        message: `standin: cannot use the data of study "${field(error, "study")}": ${message}${hint === undefined ? "" : ` ${hint}`}`,
        exitCode: 1,
      }
    }
    case "StudyDefinitionError":
      return { message: `standin: study "${field(error, "study")}" is not valid: ${message}`, exitCode: 1 }
    case "PluginConfigError":
      return { message: `standin: ${field(error, "plugin")}: ${message}`, exitCode: 1 }
    case "MetricError":
      return { message: `standin: metric ${field(error, "metric")} failed: ${message}`, exitCode: 1 }
    case "ProviderError":
      return {
        message: `standin: provider ${field(error, "provider")} failed (${field(error, "reason")}): ${message}`,
        exitCode: 1,
      }
    case "FinetuneError":
      return {
        message: `standin: finetuning with ${field(error, "finetuner")} failed (${field(error, "reason")}): ${message}`,
        exitCode: 1,
      }
    case "LeaderboardError":
      return {
        message: `standin: cannot build the leaderboard: ${field(error, "file") ?? ""}${field(error, "file") === undefined ? "" : ": "}${message}`,
        exitCode: 1,
      }
    case "StoreError":
      return { message: `standin: the local store failed: ${message}`, exitCode: 1 }
    default:
      return { message: `standin: ${message}`, exitCode: 1 }
  }
}
