import { createHash } from "node:crypto"
import { existsSync, statSync } from "node:fs"
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises"
import { homedir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { type DataSource, StudyDataError } from "@standin/core"
import { Config, Effect, Option } from "effect"

export interface DataLocations {
  /** STANDIN_DATA_DIR: a folder holding one sub-folder per study. */
  readonly dataDir: string | undefined
  /** The user cache: STANDIN_CACHE_DIR, else $XDG_CACHE_HOME/standin, else ~/.cache/standin. */
  readonly cacheDir: string
  /** Whether a missing file may be downloaded from its pinned upstream URL. */
  readonly allowDownload: boolean
  /** A study folder that may hold the file itself (declarative studies); looked in first. */
  readonly studyDir?: string
}

export interface ResolvedData {
  readonly path: string
  readonly sha256: string
  readonly bytes: Buffer
  readonly origin: "study-dir" | "data-dir" | "cache" | "download"
}

/** Reads where data may live from the environment. */
export const dataLocations: Effect.Effect<DataLocations> = Effect.gen(function* () {
  const dataDir = yield* Config.option(Config.String("STANDIN_DATA_DIR"))
  const cacheOverride = yield* Config.option(Config.String("STANDIN_CACHE_DIR"))
  const xdg = yield* Config.option(Config.String("XDG_CACHE_HOME"))
  const offline = yield* Config.option(Config.String("STANDIN_OFFLINE"))
  const cacheDir = Option.isSome(cacheOverride)
    ? cacheOverride.value
    : join(
        Option.getOrElse(xdg, () => join(homedir(), ".cache")),
        "standin",
      )
  return {
    dataDir: Option.isSome(dataDir) && dataDir.value.trim() !== "" ? resolve(dataDir.value) : undefined,
    cacheDir: resolve(cacheDir),
    allowDownload: !(Option.isSome(offline) && offline.value !== "" && offline.value !== "0"),
  }
}).pipe(Effect.orDie)

/**
 * The local places a study's data file is looked for, in order (study folder, STANDIN_DATA_DIR, cache),
 * and the first of them that exists, if any. Nothing is read or downloaded.
 */
export const localDataCandidates = (
  source: DataSource,
  locations: DataLocations,
): { readonly tried: ReadonlyArray<string>; readonly found: string | undefined } => {
  const tried = [
    ...(locations.studyDir === undefined ? [] : [join(locations.studyDir, source.file)]),
    ...(locations.dataDir === undefined ? [] : [join(locations.dataDir, source.directory, source.file)]),
    join(locations.cacheDir, "data", source.directory, source.file),
  ]
  return { tried, found: tried.find((path) => existsSync(path) && statSync(path).isFile()) }
}

export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex")

const checksumError = (study: string, path: string, expected: string, actual: string) =>
  new StudyDataError({
    study,
    file: path,
    message: `checksum mismatch for ${path}: expected sha256 ${expected}, got ${actual}. The file is corrupt or a different version.`,
    hint: "Replace it with the original file (see the study's SOURCE), or delete it so standin can fetch it again.",
  })

const readVerified = (study: string, path: string, expected: string) =>
  Effect.gen(function* () {
    const bytes = yield* Effect.tryPromise({
      try: () => readFile(path),
      catch: (cause) =>
        new StudyDataError({ study, file: path, message: `cannot read ${path}: ${String(cause)}` }),
    })
    const actual = sha256(bytes)
    if (actual !== expected.toLowerCase()) return yield* checksumError(study, path, expected, actual)
    return { bytes, sha256: actual }
  })

/**
 * Finds a study's data file: the study folder (when the study is one and holds the file), then
 * STANDIN_DATA_DIR, then the user cache, then a download from the pinned upstream URL (sha256-verified, written to the cache atomically). A file that is found but fails its
 * checksum is an error, never skipped: a silently different dataset would corrupt every score.
 */
export const resolveDataFile = (
  study: string,
  source: DataSource,
  locations: DataLocations,
  fetchImpl: typeof fetch = fetch,
): Effect.Effect<ResolvedData, StudyDataError> =>
  Effect.gen(function* () {
    const tried: Array<string> = []
    if (locations.studyDir !== undefined) {
      const path = join(locations.studyDir, source.file)
      tried.push(path)
      if (existsSync(path)) {
        const { bytes, sha256: digest } = yield* readVerified(study, path, source.sha256)
        return { path, bytes, sha256: digest, origin: "study-dir" as const }
      }
    }
    if (locations.dataDir !== undefined) {
      if (!existsSync(locations.dataDir) || !statSync(locations.dataDir).isDirectory()) {
        return yield* new StudyDataError({
          study,
          file: locations.dataDir,
          message: `STANDIN_DATA_DIR is set to ${locations.dataDir}, which is not a directory.`,
          hint: `Point STANDIN_DATA_DIR at the folder that contains ${source.directory}/${source.file}, or unset it.`,
        })
      }
      const path = join(locations.dataDir, source.directory, source.file)
      tried.push(path)
      if (existsSync(path)) {
        const { bytes, sha256: digest } = yield* readVerified(study, path, source.sha256)
        return { path, bytes, sha256: digest, origin: "data-dir" as const }
      }
    }
    const cached = join(locations.cacheDir, "data", source.directory, source.file)
    tried.push(cached)
    if (existsSync(cached)) {
      const { bytes, sha256: digest } = yield* readVerified(study, cached, source.sha256)
      return { path: cached, bytes, sha256: digest, origin: "cache" as const }
    }
    const hint = `Set STANDIN_DATA_DIR to a folder containing ${source.directory}/${source.file} (sha256 ${source.sha256}).`
    if (source.url === undefined || !locations.allowDownload) {
      return yield* new StudyDataError({
        study,
        file: source.file,
        message: `the data file ${source.file} was not found (looked in: ${tried.join(", ")})${
          source.url === undefined ? " and the study has no download address" : " and downloads are disabled"
        }.`,
        hint,
      })
    }
    const url = source.url
    const bytes = yield* Effect.tryPromise({
      try: async () => {
        const response = await fetchImpl(url, { signal: AbortSignal.timeout(60_000) })
        if (!response.ok) throw new Error(`HTTP ${response.status}`)
        return Buffer.from(await response.arrayBuffer())
      },
      catch: (cause) =>
        new StudyDataError({
          study,
          file: source.file,
          message: `the data file ${source.file} was not found (looked in: ${tried.join(", ")}) and downloading ${url} failed: ${
            cause instanceof Error ? cause.message : String(cause)
          }.`,
          hint,
        }),
    })
    const digest = sha256(bytes)
    if (digest !== source.sha256.toLowerCase()) return yield* checksumError(study, url, source.sha256, digest)
    const temporary = `${cached}.${process.pid}.partial`
    yield* Effect.tryPromise({
      try: async () => {
        await mkdir(dirname(cached), { recursive: true })
        await writeFile(temporary, bytes)
        await rename(temporary, cached)
      },
      catch: (cause) =>
        new StudyDataError({
          study,
          file: cached,
          message: `cannot write the downloaded data to ${cached}: ${String(cause)}`,
        }),
    }).pipe(Effect.tapError(() => Effect.promise(() => rm(temporary, { force: true }))))
    return { path: cached, bytes, sha256: digest, origin: "download" as const }
  })
