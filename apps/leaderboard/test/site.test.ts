import { cp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { runInNewContext } from "node:vm"
import { describe, expect, it } from "@effect/vitest"
import type { TwinConversation } from "@standin/core"
import { Effect } from "effect"
import {
  buildSite,
  type EntryDetail,
  type LoadedResults,
  loadResults,
  type SiteData,
  type StudyData,
  siteManifestName,
} from "../src/index.js"
import { fixtureSetDir, studies, studyFile, temporaryDir } from "./support/paths.js"

const readSiteData = async (out: string): Promise<SiteData> => {
  const window: { __STANDIN_DATA__?: SiteData } = {}
  runInNewContext(await readFile(join(out, "data.js"), "utf8"), { window })
  return window.__STANDIN_DATA__!
}

const listAll = async (folder: string, prefix = ""): Promise<Array<string>> => {
  const out: Array<string> = []
  for (const child of await readdir(folder, { withFileTypes: true })) {
    const path = prefix === "" ? child.name : `${prefix}/${child.name}`
    if (child.isDirectory()) out.push(...(await listAll(join(folder, child.name), path)))
    else out.push(path)
  }
  return out.sort()
}

describe("buildSite", () => {
  it.effect("writes the app, the data scripts and every download", () =>
    Effect.gen(function* () {
      const out = yield* Effect.promise(() => temporaryDir("site"))
      const results = yield* loadResults([fixtureSetDir])
      const site = yield* buildSite({ results, out })
      expect(site.index).toBe(join(out, "index.html"))
      const files = yield* Effect.promise(() => listAll(out))
      expect(files).toContain("index.html")
      expect(files).toContain("styles.css")
      expect(files.some((file) => /^assets\/.+\.js$/.test(file))).toBe(true)
      expect(files).toContain("data.js")
      expect(files).toContain("downloads/leaderboard.csv")
      expect(files).toContain("downloads/leaderboard-long.csv")
      expect(files).toContain(".nojekyll")
      const index = yield* Effect.promise(() => readFile(site.index, "utf8"))
      // Classic scripts only: module scripts do not load from file://.
      expect(index).not.toContain('type="module"')
      expect(index).toContain('src="./data.js"')

      const data = yield* Effect.promise(() => readSiteData(out))
      expect(data.leaderboard.rows).toHaveLength(7)
      expect(Object.keys(data.studyScripts).sort()).toEqual([...studies])
      for (const download of data.downloads.results) {
        expect(files).toContain(download.path)
        const original = yield* Effect.promise(() => readFile(studyFile(download.study)))
        expect((yield* Effect.promise(() => readFile(join(out, download.path)))).equals(original)).toBe(true)
      }
      // Each synthetic CSV copied byte for byte; none for the ceiling (human data), the fake finetune, a
      // failed entry or one without a valid answer: three baselines and six models per public study, and none
      // of the private study (fixture-charity-default), which publishes aggregates only.
      expect(data.downloads.synthetic).toHaveLength(9 + 9)
      expect(data.downloads.synthetic.some((item) => item.study === "fixture-charity-default")).toBe(false)
      expect(data.leaderboard.studies.map((study) => study.private ?? false)).toEqual([true, false, false])
      expect(
        data.downloads.synthetic.some(
          (item) => item.entry === "fake-finetune" || item.entry === "human-ceiling",
        ),
      ).toBe(false)
      for (const item of data.downloads.synthetic) {
        const original = yield* Effect.promise(() =>
          readFile(join(fixtureSetDir, item.study, `${item.entry}.csv`)),
        )
        expect((yield* Effect.promise(() => readFile(join(out, item.path)))).equals(original)).toBe(true)
      }
      // Study scripts register their data on window.
      const window: { __STANDIN_STUDIES__?: Record<string, StudyData> } = {}
      runInNewContext(
        yield* Effect.promise(() => readFile(join(out, data.studyScripts[studies[1]]!), "utf8")),
        { window },
      )
      const study = window.__STANDIN_STUDIES__![studies[1]]!
      expect(study.study.id).toBe(studies[1])
      expect(study.entries.some((entry) => entry.ref.entry === "fake-finetune")).toBe(false)
      expect(study.runs[0]!.learningCurves.map((point) => point.pilotSize).sort((a, b) => a - b)).toEqual([
        30, 120, 120, 480,
      ])
      // Measures and answer counts live in one script per entry, loaded when a chart needs them.
      const original = results.find((file) => file.results.study.id === studies[1])!.results
      for (const entry of study.entries) {
        expect(study.entries.filter((other) => other.detail === entry.detail)).toHaveLength(1)
        const holder: { __STANDIN_ENTRIES__?: Record<string, EntryDetail> } = {}
        runInNewContext(yield* Effect.promise(() => readFile(join(out, entry.detail), "utf8")), {
          window: holder,
        })
        const detail = holder.__STANDIN_ENTRIES__![`${entry.ref.run}/${entry.ref.entry}`]!
        const source = original.entries.find((item) => item.id === entry.ref.entry)!
        expect(detail.scores).toEqual(source.scores)
        expect(detail.distributions).toEqual(source.distributions)
        expect(Object.keys(entry.headlines)).toEqual(source.scores.map((score) => score.metric))
        expect("scores" in entry).toBe(false)
      }
      // The twin browser's pages: the first 200 of gpt-4o-mini's 240 twins by id, 25 per script.
      const withTwins = study.entries.filter((entry) => entry.twins !== undefined)
      expect(withTwins.map((entry) => entry.ref.entry)).toEqual(["gpt-4o-mini"])
      const twins = withTwins[0]!.twins!
      expect({ total: twins.total, shown: twins.shown, pageSize: twins.pageSize }).toEqual({
        total: 240,
        shown: 200,
        pageSize: 25,
      })
      expect(twins.pages).toHaveLength(8)
      const lines = (yield* Effect.promise(() =>
        readFile(join(fixtureSetDir, studies[1], "gpt-4o-mini.conversations.jsonl"), "utf8"),
      ))
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as TwinConversation)
      const holder: { __STANDIN_TWINS__?: Record<string, ReadonlyArray<TwinConversation>> } = {}
      for (const path of twins.pages)
        runInNewContext(yield* Effect.promise(() => readFile(join(out, path), "utf8")), { window: holder })
      const published = Object.keys(holder.__STANDIN_TWINS__!)
        .sort((a, b) => Number(a.split("/").at(-1)) - Number(b.split("/").at(-1)))
        .flatMap((key) => holder.__STANDIN_TWINS__![key]!)
      expect(published).toEqual(lines.slice(0, 200))
      // The private study's entries have no twin pages, and no twin script of it is written.
      expect(files.some((file) => file.startsWith("data/twins/") && file.includes("charity"))).toBe(false)
    }),
  )

  it.effect("names the conversations file and line that is not a twin's conversation", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.promise(() => temporaryDir("bad-twins"))
      const source = join(fixtureSetDir, "fixture-data-sharing")
      yield* Effect.promise(() => cp(source, dir, { recursive: true }))
      const file = join(dir, "gpt-4o-mini.conversations.jsonl")
      const lines = (yield* Effect.promise(() => readFile(file, "utf8"))).split("\n")
      lines[2] = JSON.stringify({ ...JSON.parse(lines[2]!), valid: "yes" })
      yield* Effect.promise(() => writeFile(file, lines.join("\n")))
      const results = yield* loadResults([dir])
      const out = yield* Effect.promise(() => temporaryDir("bad-twins-out"))
      const error = yield* Effect.flip(buildSite({ results, out }))
      expect(error.reason).toBe("invalid-results")
      expect(error.file).toBe(file)
      expect(error.message).toMatch(/^line 3: not a twin's conversation: .*valid/)
    }),
  )

  it.effect("is idempotent, updates in place and removes only what it wrote before", () =>
    Effect.gen(function* () {
      const out = yield* Effect.promise(() => temporaryDir("rebuild"))
      const all = yield* loadResults([fixtureSetDir])
      const first = yield* buildSite({ results: all, out })
      expect(first.written).toBe(first.files)
      const again = yield* buildSite({ results: all, out })
      expect(again.written).toBe(0)
      expect(again.removed).toBe(0)

      yield* Effect.promise(() => writeFile(join(out, "CNAME"), "leaderboard.example.org\n"))
      const fewer = all.filter((file) => file.results.study.id !== "fixture-news-sharing")
      const rebuilt = yield* buildSite({ results: fewer, out })
      expect(rebuilt.removed).toBeGreaterThan(0)
      const files = yield* Effect.promise(() => listAll(out))
      expect(files.some((file) => file.includes("news-sharing"))).toBe(false)
      expect(files).toContain("CNAME")
      const manifest = JSON.parse(
        yield* Effect.promise(() => readFile(join(out, siteManifestName), "utf8")),
      ) as {
        files: Array<string>
      }
      expect(manifest.files).not.toContain("CNAME")
      const data = yield* Effect.promise(() => readSiteData(out))
      expect(data.leaderboard.studies.map((study) => study.key)).toEqual([
        "fixture-charity-default",
        "fixture-data-sharing",
      ])
    }),
  )

  it.effect("names the results file whose synthetic CSV is missing, or publishes without it when asked", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.promise(() => temporaryDir("missing-csv"))
      yield* Effect.promise(() => mkdir(join(dir, "run")))
      yield* Effect.promise(() =>
        readFile(studyFile("fixture-data-sharing")).then((bytes) =>
          writeFile(join(dir, "run", "results.json"), bytes),
        ),
      )
      const results = yield* loadResults([dir])
      const out = yield* Effect.promise(() => temporaryDir("missing-out"))
      const error = yield* Effect.flip(buildSite({ results, out }))
      expect(error.reason).toBe("missing-synthetic")
      expect(error.file).toContain(join("run", "results.json"))
      expect(error.message).toMatch(/not found next to the results file/)
      const site = yield* buildSite({ results, out, missingSynthetic: "skip" })
      expect(site.warnings.length).toBeGreaterThan(0)
      expect(site.warnings[0]).toContain("results.json")
    }),
  )

  it.effect("refuses a synthetic file outside the results folder", () =>
    Effect.gen(function* () {
      const [loaded] = yield* loadResults([studyFile("fixture-data-sharing")])
      const escaping: LoadedResults = {
        ...loaded!,
        results: {
          ...loaded!.results,
          entries: loaded!.results.entries.map((entry, i) =>
            i === 0 ? { ...entry, syntheticFile: "../../../etc/passwd" } : entry,
          ),
        },
      }
      const out = yield* Effect.promise(() => temporaryDir("escape"))
      const error = yield* Effect.flip(buildSite({ results: [escaping], out }))
      expect(error.reason).toBe("missing-synthetic")
      expect(error.message).toMatch(/inside the results file's folder/)
    }),
  )

  it.effect("says how to build the app bundle when it is missing", () =>
    Effect.gen(function* () {
      const results = yield* loadResults([studyFile("fixture-data-sharing")])
      const empty = yield* Effect.promise(() => temporaryDir("no-bundle"))
      const error = yield* Effect.flip(buildSite({ results, out: join(empty, "site"), bundle: empty }))
      expect(error.reason).toBe("bundle-missing")
      expect(error.message).toMatch(/pnpm --filter @standin\/leaderboard build/)
      yield* Effect.promise(() => rm(empty, { recursive: true, force: true }))
    }),
  )
})

describe("buildSite: private studies and changed definitions", () => {
  const withStudy = (
    results: ReadonlyArray<LoadedResults>,
    id: string,
    study: Partial<LoadedResults["results"]["study"]>,
  ): Array<LoadedResults> =>
    results.map((loaded) =>
      loaded.results.study.id === id
        ? { ...loaded, results: { ...loaded.results, study: { ...loaded.results.study, ...study } } }
        : loaded,
    )

  it.effect("publishes no human-derived rows of a private study, and says what it left out", () =>
    Effect.gen(function* () {
      const out = yield* Effect.promise(() => temporaryDir("site-private"))
      const loaded = yield* loadResults([fixtureSetDir])
      const privateId = loaded[0]!.results.study.id
      const site = yield* buildSite({ results: withStudy(loaded, privateId, { private: true }), out })
      const data = yield* Effect.promise(() => readSiteData(out))
      // The other studies keep their synthetic CSVs; the private one has none.
      expect(data.downloads.synthetic.some((item) => item.study === privateId)).toBe(false)
      expect(data.downloads.synthetic).toHaveLength(9 + 9)
      // Its results file is published as it is (aggregates, and an example conversation of a made-up persona).
      const download = data.downloads.results.find((item) => item.study === privateId)!
      const published = JSON.parse(yield* Effect.promise(() => readFile(join(out, download.path), "utf8")))
      expect(published.study.private).toBe(true)
      const files = yield* Effect.promise(() => listAll(out))
      expect(
        files.some((file) => file.startsWith(`downloads/${download.run}/`) && file.endsWith(".csv")),
      ).toBe(false)
      const leftOut = site.warnings.filter((warning) => warning.includes(`study "${privateId}" is private`))
      expect(leftOut.filter((warning) => warning.includes("synthetic CSV of entry"))).toHaveLength(9)
    }),
  )

  it.effect("warns when runs of one study id and version had different definitions", () =>
    Effect.gen(function* () {
      const out = yield* Effect.promise(() => temporaryDir("site-definitions"))
      const loaded = yield* loadResults([fixtureSetDir])
      const id = loaded[0]!.results.study.id
      const version = loaded[0]!.results.study.version
      const first = withStudy(loaded, id, { definitionSha256: "a".repeat(64) })
      const changed = { ...first[0]!, source: "elsewhere/results.json" }
      const twice = [
        ...first,
        {
          ...changed,
          results: {
            ...changed.results,
            study: { ...changed.results.study, definitionSha256: "b".repeat(64) },
          },
        },
      ]
      const site = yield* buildSite({ results: twice, out, missingSynthetic: "skip" })
      expect(site.warnings).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^study ${id}@${version.replaceAll(".", "\\.")} was run with 2 different definitions \\(aaaaaaaaaaaa: .*; bbbbbbbbbbbb: elsewhere/results\\.json\\); its runs are not comparable`,
          ),
        ),
      )
    }),
  )
})
