import { access, mkdir, readdir, readFile, rm, rmdir, writeFile } from "node:fs/promises"
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path"
import { fileURLToPath } from "node:url"
import { ResultsSchemaVersion } from "@standin/core"
import { Effect, Result } from "effect"
import { aggregateDetailed, entryRefKey, slug } from "./aggregate.js"
import { leaderboardCsv, longCsv } from "./csv.js"
import { LeaderboardError } from "./errors.js"
import type { LoadedResults } from "./load.js"
import type {
  EntryDetail,
  MetricDescriptorData,
  SiteData,
  StudyData,
  StudyEntry,
  StudyRun,
  TwinPages,
} from "./model.js"
import { twinPages, twinsPerPage } from "./twins.js"

export interface BuildSiteOptions {
  /** Loaded results files (see `loadResults`). */
  readonly results: ReadonlyArray<LoadedResults>
  /** The folder to write the site into; created if missing, updated in place if built before. */
  readonly out: string
  /** An entry whose synthetic CSV is missing fails the build (default), or is published without it. */
  readonly missingSynthetic?: "fail" | "skip"
  /** The prebuilt app bundle; defaults to the one shipped with this package (dist/app). */
  readonly bundle?: string
}

export interface BuiltSite {
  /** Absolute path of the site folder. */
  readonly out: string
  /** Absolute path of its index.html (open it directly, or serve the folder). */
  readonly index: string
  /** Files the site holds, and how many this build wrote (unchanged files are left alone). */
  readonly files: number
  readonly written: number
  readonly removed: number
  /** Things a person should know, e.g. synthetic CSVs left out under `missingSynthetic: "skip"`. */
  readonly warnings: ReadonlyArray<string>
}

/** Lists the files a build wrote, so a rebuild removes the ones it no longer writes (and nothing else). */
export const siteManifestName = ".standin-site.json"

const bundleCandidates = (): ReadonlyArray<string> => [
  // dist/site.js → dist/app; src/site.ts (tests, workspace sources) → dist/app.
  fileURLToPath(new URL("./app/", import.meta.url)),
  fileURLToPath(new URL("../dist/app/", import.meta.url)),
]

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )

/** Finds the prebuilt app bundle (a folder with index.html). */
export const findBundle = (explicit?: string): Effect.Effect<string, LeaderboardError> =>
  Effect.gen(function* () {
    const candidates = explicit === undefined ? bundleCandidates() : [resolve(explicit)]
    for (const candidate of candidates) {
      if (yield* Effect.promise(() => exists(join(candidate, "index.html")))) return candidate
    }
    return yield* new LeaderboardError({
      reason: "bundle-missing",
      file: candidates[candidates.length - 1]!,
      message:
        "the leaderboard app bundle is not built (no index.html): run `pnpm --filter @standin/leaderboard build`",
    })
  })

const io = (file: string, what: string) => (cause: unknown) =>
  new LeaderboardError({
    reason: (cause as { code?: string }).code === "ENOENT" ? "not-found" : "io",
    file,
    message: `${what}: ${cause instanceof Error ? cause.message : String(cause)}`,
  })

const listFiles = (root: string, folder = root): Effect.Effect<ReadonlyArray<string>, LeaderboardError> =>
  Effect.gen(function* () {
    const children = yield* Effect.tryPromise({
      try: () => readdir(folder, { withFileTypes: true }),
      catch: io(folder, "cannot list the folder"),
    })
    const files: Array<string> = []
    for (const child of children) {
      const path = join(folder, child.name)
      if (child.isDirectory()) files.push(...(yield* listFiles(root, path)))
      else if (child.isFile()) files.push(relative(root, path).split(sep).join("/"))
    }
    return files.sort()
  })

/** A JS file that registers a value on `window` (works from file://, unlike fetch). */
const script = (assignment: string, value: unknown): string => `${assignment} = ${JSON.stringify(value)};\n`

/** Resolves an entry's synthetic CSV next to its results file; refuses paths that leave that folder. */
const syntheticPath = (resultsPath: string, syntheticFile: string): string | null => {
  const folder = dirname(resultsPath)
  const target = resolve(folder, syntheticFile)
  const inside = relative(folder, target)
  return inside === "" || inside.startsWith("..") || isAbsolute(inside) || isAbsolute(syntheticFile)
    ? null
    : target
}

/**
 * Builds the static site into `out`: the prebuilt app, `data.js` (the leaderboard model), one data
 * script per study (its entries' summaries) and one per entry (its measures and answer counts, which
 * only the charts need, so a page loads only what it shows), and the downloads (each results.json, the leaderboard CSV, each synthetic
 * CSV). Idempotent: a rebuild rewrites only files whose content changed and removes files an earlier
 * build wrote that this one no longer does; files it did not write are never touched.
 */
export const buildSite = (options: BuildSiteOptions): Effect.Effect<BuiltSite, LeaderboardError> =>
  Effect.gen(function* () {
    const out = resolve(options.out)
    const bundle = yield* findBundle(options.bundle)
    const aggregation = aggregateDetailed(options.results)
    const { model, runIds, entryRows, studyKeys } = aggregation
    const files = new Map<string, string | Uint8Array>()
    const warnings: Array<string> = []

    for (const file of yield* listFiles(bundle)) {
      files.set(
        file,
        yield* Effect.tryPromise({
          try: () => readFile(join(bundle, file)),
          catch: io(join(bundle, file), "cannot read"),
        }),
      )
    }

    const resultsDownloads: Array<SiteData["downloads"]["results"][number]> = []
    const syntheticDownloads: Array<SiteData["downloads"]["synthetic"][number]> = []
    const studyData = new Map<
      string,
      {
        study: StudyData["study"]
        metrics: Map<string, MetricDescriptorData>
        runs: StudyRun[]
        entries: StudyEntry[]
      }
    >()
    const rowKinds = new Map([...model.rows, ...model.reference].map((row) => [row.key, row.kind] as const))
    const runById = new Map(model.studies.flatMap((study) => study.runs.map((run) => [run.id, run] as const)))

    warnings.push(...definitionMismatches(options.results))
    for (const [index, loaded] of options.results.entries()) {
      const runId = runIds[index]!
      const studyKey = studyKeys[index]!
      const run = runById.get(runId)!
      const { results } = loaded
      // A private study publishes aggregates only: no synthetic CSV, no twin conversations (one private run
      // makes the study private on the site). Its example conversation uses a made-up persona, so it stays.
      const isPrivate = model.studies.find((study) => study.key === studyKey)?.private === true
      // Files of the current version are published byte for byte; older ones as migrated.
      files.set(
        run.download,
        loaded.fromVersion === ResultsSchemaVersion
          ? yield* Effect.tryPromise({
              try: () => readFile(loaded.path),
              catch: io(loaded.source, "cannot read"),
            })
          : `${JSON.stringify(results, null, 2)}\n`,
      )
      resultsDownloads.push({ run: runId, study: studyKey, path: run.download })

      const data = studyData.get(studyKey) ?? {
        study: results.study,
        metrics: new Map<string, MetricDescriptorData>(),
        runs: [],
        entries: [],
      }
      for (const metric of results.metrics) data.metrics.set(`${metric.id}@${metric.version}`, metric)
      const splits = results.splits
      data.runs.push({
        summary: run,
        human: results.human,
        ...(splits === undefined
          ? {}
          : {
              splits: {
                count: splits.count,
                seeds: splits.seeds,
                splitSha256: splits.splitSha256,
                description: splits.description,
                figures: splits.figures,
              },
            }),
        learningCurves: (results.learningCurves ?? []).flatMap((point) => {
          const row = entryRows.get(entryRefKey(runId, point.entry))
          return row === undefined ? [] : [{ ...point, row }]
        }),
      })
      const usedNames = new Set<string>()
      const usedDetails = new Set<string>()
      for (const entry of results.entries) {
        const row = entryRows.get(entryRefKey(runId, entry.id))
        if (row === undefined) continue // a fake finetune
        let download: string | null = null
        if (isPrivate && entry.syntheticFile !== null) {
          warnings.push(
            `${loaded.source}: study "${results.study.id}" is private: the synthetic CSV of entry "${entry.id}" (personas drawn from respondents) is left out of the downloads`,
          )
        } else if (entry.syntheticFile !== null) {
          const source = syntheticPath(loaded.path, entry.syntheticFile)
          const content =
            source === null
              ? null
              : yield* Effect.tryPromise({ try: () => readFile(source), catch: (cause) => cause }).pipe(
                  Effect.catch(() => Effect.succeed(null)),
                )
          if (content === null) {
            const problem =
              source === null
                ? `entry "${entry.id}": syntheticFile "${entry.syntheticFile}" must be a path inside the results file's folder`
                : `entry "${entry.id}": synthetic CSV "${entry.syntheticFile}" not found next to the results file`
            if (options.missingSynthetic !== "skip") {
              return yield* new LeaderboardError({
                reason: "missing-synthetic",
                file: loaded.source,
                message: problem,
              })
            }
            warnings.push(`${loaded.source}: ${problem}; published without it`)
          } else {
            let name = slug(entry.id)
            for (let suffix = 2; usedNames.has(name); suffix++) name = `${slug(entry.id)}-${suffix}`
            usedNames.add(name)
            download = `downloads/${runId}/${name}.csv`
            files.set(download, content)
            syntheticDownloads.push({
              run: runId,
              study: studyKey,
              entry: entry.id,
              row,
              label: entry.label,
              path: download,
            })
          }
        }
        const ref = { study: studyKey, run: runId, entry: entry.id }
        let detailName = slug(entry.id)
        for (let suffix = 2; usedDetails.has(detailName); suffix++) detailName = `${slug(entry.id)}-${suffix}`
        usedDetails.add(detailName)
        const detail = `data/entries/${runId}/${detailName}.js`
        const detailValue: EntryDetail = { distributions: entry.distributions, scores: entry.scores }
        let twins: TwinPages | undefined
        if (entry.conversationsFile !== undefined && !isPrivate) {
          const source = syntheticPath(loaded.path, entry.conversationsFile)
          const text =
            source === null
              ? null
              : yield* Effect.tryPromise({
                  try: () => readFile(source, "utf8"),
                  catch: (cause) => cause,
                }).pipe(Effect.catch(() => Effect.succeed(null)))
          if (text === null) {
            const problem =
              source === null
                ? `entry "${entry.id}": conversationsFile "${entry.conversationsFile}" must be a path inside the results file's folder`
                : `entry "${entry.id}": conversations "${entry.conversationsFile}" not found next to the results file`
            if (options.missingSynthetic !== "skip") {
              return yield* new LeaderboardError({
                reason: "missing-synthetic",
                file: loaded.source,
                message: problem,
              })
            }
            warnings.push(`${loaded.source}: ${problem}; published without its twin browser`)
          } else {
            const read = twinPages(source!, text)
            if (Result.isFailure(read)) return yield* read.failure
            const pages = read.success.pages.map((page, k) => {
              const path = `data/twins/${runId}/${detailName}-${k + 1}.js`
              files.set(
                path,
                `window.__STANDIN_TWINS__ = window.__STANDIN_TWINS__ || {};\n${script(`window.__STANDIN_TWINS__[${JSON.stringify(`${entryRefKey(runId, entry.id)}/${k + 1}`)}]`, page)}`,
              )
              return path
            })
            twins = {
              total: read.success.total,
              shown: read.success.pages.reduce((sum, page) => sum + page.length, 0),
              pageSize: twinsPerPage,
              pages,
            }
          }
        }
        files.set(
          detail,
          `window.__STANDIN_ENTRIES__ = window.__STANDIN_ENTRIES__ || {};\n${script(`window.__STANDIN_ENTRIES__[${JSON.stringify(entryRefKey(runId, entry.id))}]`, detailValue)}`,
        )
        data.entries.push({
          ref,
          row,
          label: entry.label,
          kind: rowKinds.get(row)!,
          status: entry.status,
          ...(entry.statusReason === undefined ? {} : { statusReason: entry.statusReason }),
          headlines: Object.fromEntries(entry.scores.map((score) => [score.metric, score.headline])),
          detail,
          fidelity: entry.fidelity,
          counts: entry.counts,
          usage: entry.usage,
          warnings: entry.warnings,
          modelVersions: entry.modelVersions,
          download,
          ...(twins === undefined ? {} : { twins }),
        })
      }
      data.study = results.study
      studyData.set(studyKey, data)
    }

    const studyScripts: Record<string, string> = {}
    for (const [key, data] of studyData) {
      const path = `data/study-${slug(key)}.js`
      studyScripts[key] = path
      const value: StudyData = {
        key,
        study: data.study,
        metrics: [...data.metrics.values()],
        runs: data.runs,
        entries: data.entries,
      }
      files.set(
        path,
        `window.__STANDIN_STUDIES__ = window.__STANDIN_STUDIES__ || {};\n${script(`window.__STANDIN_STUDIES__[${JSON.stringify(key)}]`, value)}`,
      )
    }
    files.set("downloads/leaderboard.csv", leaderboardCsv(model))
    files.set("downloads/leaderboard-long.csv", longCsv(options.results, aggregation))
    const site: SiteData = {
      leaderboard: model,
      studyScripts,
      downloads: {
        leaderboardCsv: "downloads/leaderboard.csv",
        longCsv: "downloads/leaderboard-long.csv",
        results: resultsDownloads,
        synthetic: syntheticDownloads,
      },
    }
    files.set("data.js", script("window.__STANDIN_DATA__", site))
    // GitHub Pages: serve the folder as is.
    files.set(".nojekyll", "")

    // Write what changed; remove what an earlier build wrote and this one does not.
    yield* Effect.tryPromise({
      try: () => mkdir(out, { recursive: true }),
      catch: io(out, "cannot create the site folder"),
    })
    const manifestPath = join(out, siteManifestName)
    const previous = yield* Effect.tryPromise({
      try: () => readFile(manifestPath, "utf8"),
      catch: (cause) => cause,
    }).pipe(
      Effect.map((text) => {
        const parsed = JSON.parse(text) as { files?: unknown }
        return Array.isArray(parsed.files)
          ? parsed.files.filter((file): file is string => typeof file === "string")
          : []
      }),
      Effect.catch(() => Effect.succeed([] as ReadonlyArray<string>)),
    )
    let written = 0
    for (const [file, content] of files) {
      const target = join(out, ...file.split("/"))
      const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content)
      const current = yield* Effect.promise(() => readFile(target).catch(() => null))
      if (current?.equals(bytes)) continue
      yield* Effect.tryPromise({
        try: async () => {
          await mkdir(dirname(target), { recursive: true })
          await writeFile(target, bytes)
        },
        catch: io(target, "cannot write"),
      })
      written += 1
    }
    let removed = 0
    for (const file of previous) {
      if (files.has(file) || file.includes("..") || isAbsolute(file)) continue
      const target = join(out, ...file.split("/"))
      yield* Effect.tryPromise({ try: () => rm(target, { force: true }), catch: io(target, "cannot remove") })
      removed += 1
      // Drop folders the removal emptied (rmdir fails harmlessly on a non-empty folder).
      for (let folder = dirname(target); folder.startsWith(out + sep); folder = dirname(folder)) {
        const emptied = yield* Effect.promise(() =>
          rmdir(folder).then(
            () => true,
            () => false,
          ),
        )
        if (!emptied) break
      }
    }
    const manifest = `${JSON.stringify({ generator: "@standin/leaderboard", files: [...files.keys()].sort() }, null, 2)}\n`
    yield* Effect.tryPromise({
      try: () => writeFile(manifestPath, manifest),
      catch: io(manifestPath, "cannot write"),
    })
    return { out, index: join(out, "index.html"), files: files.size, written, removed, warnings }
  })

/**
 * Runs of one study id and version whose definitions differ (their `definitionSha256`): they did not run
 * the same study, so the board shows them side by side with this warning.
 */
export const definitionMismatches = (results: ReadonlyArray<LoadedResults>): Array<string> => {
  const byVersion = new Map<string, Map<string, Array<string>>>()
  for (const loaded of results) {
    const hash = loaded.results.study.definitionSha256
    if (hash === undefined) continue
    const key = `${loaded.results.study.id}@${loaded.results.study.version}`
    const hashes = byVersion.get(key) ?? new Map<string, Array<string>>()
    hashes.set(hash, [...(hashes.get(hash) ?? []), loaded.source])
    byVersion.set(key, hashes)
  }
  return [...byVersion.entries()]
    .filter(([, hashes]) => hashes.size > 1)
    .map(
      ([key, hashes]) =>
        `study ${key} was run with ${hashes.size} different definitions (${[...hashes.entries()]
          .map(([hash, sources]) => `${hash.slice(0, 12)}: ${sources.join(", ")}`)
          .join("; ")}); its runs are not comparable: give a changed study a new version`,
    )
}
