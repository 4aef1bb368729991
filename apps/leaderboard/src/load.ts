import { readdir, readFile, realpath, stat } from "node:fs/promises"
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path"
import {
  findUrlCredentials,
  ResultsFile,
  ResultsSchemaVersion,
  RunMeta,
  runMetaFileName,
} from "@standin/core"
import { Effect, Result, Schema, SchemaIssue } from "effect"
import { LeaderboardError } from "./errors.js"
import { migrations, oldestSupportedVersion } from "./migrations.js"

/** A results file as loaded: decoded at the current schema version, with where it came from. */
export interface LoadedResults {
  /** Absolute, resolved path of the file. */
  readonly path: string
  /** The path as shown to people: relative to the working directory when inside it. */
  readonly source: string
  /** The `schemaVersion` the file was written with (older files were migrated). */
  readonly fromVersion: number
  readonly results: ResultsFile
  /** When the run happened (its `run-meta.json`, beside a results.json), if recorded. */
  readonly meta?: RunMeta
}

/** The file name `loadResults` looks for inside folders. */
export const resultsFileName = "results.json"

const formatIssues = SchemaIssue.makeFormatterStandardSchemaV1()
const maxIssuesShown = 5

const formatPath = (path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>): string => {
  let text = ""
  for (const segment of path) {
    const key = typeof segment === "object" && segment !== null ? segment.key : segment
    if (typeof key === "number") text += `[${key}]`
    else text += text === "" ? String(key) : `.${String(key)}`
  }
  return text === "" ? "(top level)" : text
}

/** "entries[2].fidelity: Missing key; …": the first few schema issues, each at its JSON path. */
export const describeSchemaError = (error: Schema.SchemaError): string => {
  const { issues } = formatIssues(error.issue)
  const shown = issues
    .slice(0, maxIssuesShown)
    .map((issue) => `${formatPath(issue.path ?? [])}: ${issue.message}`)
  const more = issues.length > maxIssuesShown ? ` (and ${issues.length - maxIssuesShown} more)` : ""
  return shown.join("; ") + more
}

const decodeCurrent = Schema.decodeUnknownResult(ResultsFile)

/**
 * Decodes a parsed results file of any supported version into the current schema, migrating it
 * step by step. `file` only names the file in errors.
 */
export const decodeResults = (
  raw: unknown,
  file: string,
): Effect.Effect<{ readonly results: ResultsFile; readonly fromVersion: number }, LeaderboardError> =>
  Effect.gen(function* () {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      return yield* new LeaderboardError({
        reason: "invalid-results",
        file,
        message: "expected a JSON object (a standin results file)",
      })
    }
    // a results file is for publishing: one that holds a credential in a URL is refused, not published
    const credential = findUrlCredentials(raw)
    if (credential !== undefined) {
      return yield* new LeaderboardError({
        reason: "invalid-results",
        file,
        message: `${credential} holds a URL with a user name or password (user-info such as http://user:password@host); remove it before building the leaderboard`,
      })
    }
    const version = (raw as { readonly schemaVersion?: unknown }).schemaVersion
    if (typeof version !== "number" || !Number.isInteger(version)) {
      return yield* new LeaderboardError({
        reason: "unsupported-version",
        file,
        message:
          version === undefined
            ? "no schemaVersion: this is not a standin results file"
            : `schemaVersion must be an integer, got ${JSON.stringify(version)}`,
      })
    }
    if (version > ResultsSchemaVersion) {
      return yield* new LeaderboardError({
        reason: "unsupported-version",
        file,
        message: `schemaVersion ${version} was written by a newer standin; this leaderboard reads versions ${oldestSupportedVersion} to ${ResultsSchemaVersion}: upgrade @standin/leaderboard`,
      })
    }
    if (version < oldestSupportedVersion) {
      return yield* new LeaderboardError({
        reason: "unsupported-version",
        file,
        message: `schemaVersion ${version} is older than the oldest supported version ${oldestSupportedVersion}`,
      })
    }
    let current: unknown = raw
    for (const migration of migrations.slice(version - oldestSupportedVersion)) {
      const decoded = Schema.decodeUnknownResult(migration.schema)(current, { errors: "all" })
      if (Result.isFailure(decoded)) {
        return yield* new LeaderboardError({
          reason: "invalid-results",
          file,
          message: `not a valid schemaVersion ${migration.from} results file: ${describeSchemaError(decoded.failure)}`,
        })
      }
      current = migration.migrate(decoded.success as never)
    }
    const decoded = decodeCurrent(current, { errors: "all" })
    if (Result.isFailure(decoded)) {
      return yield* new LeaderboardError({
        reason: "invalid-results",
        file,
        message:
          version === ResultsSchemaVersion
            ? `not a valid schemaVersion ${version} results file: ${describeSchemaError(decoded.failure)}`
            : `migrating from schemaVersion ${version} gave an invalid file (a bug in the migration): ${describeSchemaError(decoded.failure)}`,
      })
    }
    return { results: decoded.success, fromVersion: version }
  })

const displayPath = (absolute: string): string => {
  const fromHere = relative(process.cwd(), absolute)
  return fromHere !== "" && !fromHere.startsWith("..") && !isAbsolute(fromHere) ? fromHere : absolute
}

const ioError = (file: string, what: string) => (cause: unknown) =>
  new LeaderboardError({
    reason: (cause as { code?: string }).code === "ENOENT" ? "not-found" : "io",
    file,
    message: `${what}: ${cause instanceof Error ? cause.message : String(cause)}`,
  })

const skippedFolders = new Set(["node_modules", ".git"])

/** Every results.json under a folder, depth first, in name order (dot folders and node_modules skipped). */
const findResultsFiles = (folder: string): Effect.Effect<ReadonlyArray<string>, LeaderboardError> =>
  Effect.gen(function* () {
    const children = yield* Effect.tryPromise({
      try: () => readdir(folder, { withFileTypes: true }),
      catch: ioError(folder, "cannot list the folder"),
    })
    // A built leaderboard site republishes results.json files as downloads: never read them back in.
    if (children.some((child) => child.isFile() && child.name === ".standin-site.json")) return []
    const sorted = [...children].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const found: Array<string> = []
    for (const child of sorted) {
      const path = join(folder, child.name)
      if (child.isDirectory()) {
        if (child.name.startsWith(".") || skippedFolders.has(child.name)) continue
        found.push(...(yield* findResultsFiles(path)))
      } else if (child.isFile() && child.name === resultsFileName) {
        found.push(path)
      }
    }
    return found
  })

const decodeMeta = Schema.decodeUnknownResult(RunMeta)

/** A run's `run-meta.json` (when it ran), if the folder has one; a malformed one fails, naming the file. */
const readRunMeta = (folder: string): Effect.Effect<RunMeta | undefined, LeaderboardError> =>
  Effect.gen(function* () {
    const path = join(folder, runMetaFileName)
    const text = yield* Effect.promise(() => readFile(path, "utf8").catch(() => null))
    if (text === null) return undefined
    const problem = (message: string) =>
      new LeaderboardError({ reason: "invalid-results", file: displayPath(path), message })
    let raw: unknown
    try {
      raw = JSON.parse(text)
    } catch (cause) {
      return yield* problem(`not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`)
    }
    const decoded = decodeMeta(raw)
    if (Result.isFailure(decoded))
      return yield* problem(`not a run-meta file: ${describeSchemaError(decoded.failure)}`)
    return decoded.success
  })

/** Reads, parses and decodes one results file (any supported version). */
export const loadResultsFile = (path: string): Effect.Effect<LoadedResults, LeaderboardError> =>
  Effect.gen(function* () {
    const absolute = resolve(path)
    const source = displayPath(absolute)
    const text = yield* Effect.tryPromise({
      try: () => readFile(absolute, "utf8"),
      catch: ioError(source, "cannot read the file"),
    })
    const raw = yield* Effect.try({
      try: () => JSON.parse(text) as unknown,
      catch: (cause) =>
        new LeaderboardError({
          reason: "invalid-json",
          file: source,
          message: `not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
        }),
    })
    const { results, fromVersion } = yield* decodeResults(raw, source)
    const meta = basename(absolute) === resultsFileName ? yield* readRunMeta(dirname(absolute)) : undefined
    return { path: absolute, source, fromVersion, results, ...(meta === undefined ? {} : { meta }) }
  })

/**
 * Loads results files: each path is a file (any name) or a folder searched recursively for
 * `results.json`. Files are read once each (by resolved path), in a stable order, and every file
 * is migrated to the current schema version. Fails on the first file that cannot be used, naming it.
 */
export const loadResults = (
  paths: ReadonlyArray<string>,
): Effect.Effect<ReadonlyArray<LoadedResults>, LeaderboardError> =>
  Effect.gen(function* () {
    if (paths.length === 0) {
      return yield* new LeaderboardError({
        reason: "not-found",
        file: "",
        message: "no results given: pass results.json files or folders that contain them",
      })
    }
    const files: Array<string> = []
    for (const path of paths) {
      const absolute = resolve(path)
      const info = yield* Effect.tryPromise({
        try: () => stat(absolute),
        catch: ioError(displayPath(absolute), "cannot open"),
      })
      if (info.isDirectory()) {
        const found = yield* findResultsFiles(absolute)
        if (found.length === 0) {
          return yield* new LeaderboardError({
            reason: "not-found",
            file: displayPath(absolute),
            message: `no ${resultsFileName} in this folder or below it`,
          })
        }
        files.push(...found)
      } else {
        files.push(absolute)
      }
    }
    const seen = new Set<string>()
    const loaded: Array<LoadedResults> = []
    for (const file of files) {
      const real = yield* Effect.tryPromise({
        try: () => realpath(file),
        catch: ioError(displayPath(file), "cannot resolve"),
      })
      if (seen.has(real)) continue
      seen.add(real)
      loaded.push(yield* loadResultsFile(file))
    }
    return loaded
  })
