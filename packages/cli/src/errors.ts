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
    case "StoreError": {
      const path = field(error, "path")
      const notSqlite = /file is not a database|file is encrypted/i.test(message)
      return {
        message: notSqlite
          ? `standin: the store ${path} is not a standin store (not an SQLite database): give another --store file, or move this one away.`
          : `standin: the store ${path} failed (${field(error, "operation")}): ${message}`,
        exitCode: 1,
      }
    }
    default:
      return { message: `standin: ${message}`, exitCode: 1 }
  }
}

const reasons: Readonly<Record<string, string>> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "it is a folder, not a file",
  ENOTDIR: "a part of the path is a file, not a folder",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EEXIST: "it already exists",
  EMFILE: "too many open files",
}

/**
 * A file system error thrown by Node (it has `code`, `syscall` and `path`), as one line naming the
 * path; undefined for anything else.
 */
export const describeFileError = (error: unknown): Failure | undefined => {
  if (typeof error !== "object" || error === null) return undefined
  const { code, syscall, path } = error as { code?: unknown; syscall?: unknown; path?: unknown }
  if (typeof code !== "string" || typeof path !== "string") return undefined
  const action =
    syscall === "open" || syscall === "read" ? "read or write" : typeof syscall === "string" ? syscall : "use"
  return {
    message: `standin: cannot ${action} ${path}: ${reasons[code] ?? code}.`,
    exitCode: 1,
  }
}
