import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ResultsFile, ResultsSchemaVersion } from "@standin/core"
import { Effect, Schema } from "effect"
import {
  aggregate,
  decodeResults,
  loadResults,
  migrateV0toV1,
  migrateV1toV2,
  migrations,
  oldestSupportedVersion,
  ResultsFileV0,
  ResultsFileV1,
} from "../src/index.js"
import { toVersion0 } from "../src/testing/index.js"
import { fixtureSetDir, legacyV0File, studies, studyFile, temporaryDir } from "./support/paths.js"

const readJson = (path: string) => readFile(path, "utf8").then((text) => JSON.parse(text) as unknown)

describe("loadResults", () => {
  it.effect("finds every results.json under a folder, in path order, decoded at the current version", () =>
    Effect.gen(function* () {
      const loaded = yield* loadResults([fixtureSetDir])
      expect(loaded.map((file) => file.results.study.id)).toEqual([...studies])
      for (const file of loaded) {
        expect(file.fromVersion).toBe(ResultsSchemaVersion)
        expect(file.path.endsWith("results.json")).toBe(true)
        expect(Schema.is(ResultsFile)(file.results)).toBe(true)
      }
    }),
  )

  it.effect("reads a file given directly once, even when a folder also holds it", () =>
    Effect.gen(function* () {
      const loaded = yield* loadResults([studyFile(studies[1]), fixtureSetDir])
      expect(loaded).toHaveLength(3)
      expect(loaded[0]!.results.study.id).toBe(studies[1])
    }),
  )

  it.effect("reads when a run happened from its run-meta.json, and labels the run with the date", () =>
    Effect.gen(function* () {
      const loaded = yield* loadResults([fixtureSetDir])
      expect(loaded.map((file) => file.meta?.finishedAt ?? null)).toEqual([
        null,
        "2026-11-30T14:05:41.000Z",
        null,
      ])
      const model = aggregate(loaded)
      const run = model.studies.find((study) => study.key === "fixture-data-sharing")!.runs[0]!
      expect(run.date).toBe("2026-11-30 14:05 UTC")
      expect(run.startedAt).toBe("2026-11-30T13:52:10.000Z")
      expect(run.label).toBe(`openai gpt-4o-mini-2024-07-18 +6 more · 2026-11-30 14:05 UTC · ${run.design}`)
      const other = model.studies.find((study) => study.key === "fixture-news-sharing")!.runs[0]!
      expect(other.date).toBeUndefined()
      expect(other.label).not.toMatch(/UTC/)
      // A malformed run-meta.json is named, not ignored.
      const dir = yield* Effect.promise(() => temporaryDir("bad-meta"))
      yield* Effect.promise(() => copyFile(studyFile(studies[1]), join(dir, "results.json")))
      yield* Effect.promise(() =>
        writeFile(join(dir, "run-meta.json"), '{"schemaVersion": 1, "startedAt": 5}'),
      )
      const error = yield* Effect.flip(loadResults([dir]))
      expect(error.reason).toBe("invalid-results")
      expect(error.file).toContain("run-meta.json")
      expect(error.message).toMatch(/^not a run-meta file: /)
    }),
  )

  it.effect("names the file that is not JSON", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.promise(() => temporaryDir("bad-json"))
      const path = join(dir, "results.json")
      yield* Effect.promise(() => writeFile(path, "{ not json"))
      const error = yield* Effect.flip(loadResults([dir]))
      expect(error._tag).toBe("LeaderboardError")
      expect(error.reason).toBe("invalid-json")
      expect(error.file).toContain("results.json")
      expect(error.message).toMatch(/not valid JSON/)
    }),
  )

  it.effect("fails on a path that does not exist and on a folder with no results", () =>
    Effect.gen(function* () {
      const missing = yield* Effect.flip(loadResults(["/nonexistent/standin/results.json"]))
      expect(missing.reason).toBe("not-found")
      expect(missing.file).toBe("/nonexistent/standin/results.json")
      const empty = yield* Effect.promise(() => temporaryDir("empty"))
      const none = yield* Effect.flip(loadResults([empty]))
      expect(none.reason).toBe("not-found")
      expect(none.message).toMatch(/no results\.json/)
      const nothing = yield* Effect.flip(loadResults([]))
      expect(nothing.reason).toBe("not-found")
    }),
  )

  it.effect("reports schema problems at their JSON path", () =>
    Effect.gen(function* () {
      const raw = (yield* Effect.promise(() => readJson(studyFile(studies[0])))) as {
        entries: Array<Record<string, unknown>>
      }
      delete raw.entries[2]!.fidelity
      raw.entries[3]!.status = "exploded"
      const error = yield* Effect.flip(decodeResults(raw, "lab/results.json"))
      expect(error.reason).toBe("invalid-results")
      expect(error.file).toBe("lab/results.json")
      expect(error.message).toContain("entries[2].fidelity")
      expect(error.message).toContain("entries[3].status")
    }),
  )

  it.effect("refuses files without a schemaVersion, and files from a newer standin", () =>
    Effect.gen(function* () {
      const none = yield* Effect.flip(decodeResults({ entries: [] }, "a.json"))
      expect(none.reason).toBe("unsupported-version")
      expect(none.message).toMatch(/no schemaVersion/)
      const newer = yield* Effect.flip(decodeResults({ schemaVersion: ResultsSchemaVersion + 1 }, "b.json"))
      expect(newer.reason).toBe("unsupported-version")
      expect(newer.message).toMatch(/newer standin/)
      const fractional = yield* Effect.flip(decodeResults({ schemaVersion: 0.5 }, "c.json"))
      expect(fractional.message).toMatch(/integer/)
      const notObject = yield* Effect.flip(decodeResults([1, 2], "d.json"))
      expect(notObject.reason).toBe("invalid-results")
    }),
  )
})

describe("migrations", () => {
  it("form an unbroken chain from the oldest supported version to the current one", () => {
    expect(migrations.map((migration) => migration.from)).toEqual(
      Array.from(
        { length: ResultsSchemaVersion - oldestSupportedVersion },
        (_, i) => oldestSupportedVersion + i,
      ),
    )
  })

  it.effect("load a version 0 file (the committed fixture) through the chain", () =>
    Effect.gen(function* () {
      const [legacy] = yield* loadResults([legacyV0File])
      const [current] = yield* loadResults([studyFile("fixture-data-sharing")])
      expect(legacy!.fromVersion).toBe(0)
      expect(legacy!.results.schemaVersion).toBe(ResultsSchemaVersion)
      expect(legacy!.results.generator).toEqual({ name: "standin", version: "0.0.4" })
      expect(legacy!.results.manifest.holdoutCap).toBeNull()
      const byId = new Map(current!.results.entries.map((entry) => [entry.id, entry]))
      for (const entry of legacy!.results.entries) {
        const original = byId.get(entry.id)!
        expect(entry.baseline).toBe(original.baseline)
        expect(entry.syntheticFile).toBe(original.syntheticFile)
        expect(entry.fidelity.overall.value).toBe(original.fidelity.overall.value)
        expect(entry.fidelity.overall.ci?.lower).toBe(original.fidelity.overall.ci?.lower)
        expect(entry.fidelity.perMetric).toEqual(original.fidelity.perMetric)
        expect(Object.values(entry.failures).every((count) => count === 0)).toBe(true)
      }
    }),
  )

  it("migrates each version 0 field to its version 1 form", () => {
    const v0 = Schema.decodeUnknownSync(ResultsFileV0)(
      toVersion0(
        Schema.decodeUnknownSync(ResultsFile)({ ...JSON.parse(JSON.stringify(sampleV1)), schemaVersion: 2 }),
      ),
    )
    const v1 = Schema.decodeUnknownSync(ResultsFileV1)(migrateV0toV1(v0))
    const entry = v1.entries[0]!
    expect(entry.baseline).toBe("floor")
    expect(v1.entries[1]!.baseline).toBeUndefined()
    expect(entry.fidelity.perMetric.divergence).toEqual({
      value: 0.25,
      ci: { lower: 0.1, upper: 0.4, level: 0.95, method: "percentile" },
    })
    // A measure that could not be scored stays unscored, with no interval.
    expect(v1.entries[1]!.fidelity.perMetric.divergence).toEqual({ value: null, ci: null })
  })

  it("migrates a version 1 file to version 2 unchanged but for its version", () => {
    const v1 = Schema.decodeUnknownSync(ResultsFileV1)(JSON.parse(JSON.stringify(sampleV1)))
    const v2 = Schema.decodeUnknownSync(ResultsFile)(migrateV1toV2(v1))
    expect(v2.schemaVersion).toBe(2)
    expect(v2.entries).toEqual(v1.entries)
    expect(v2.entries.every((entry) => entry.ppi === undefined)).toBe(true)
    expect(v2.manifest).toEqual(v1.manifest)
  })

  it.effect("name the file and the version when a legacy file is malformed", () =>
    Effect.gen(function* () {
      const dir = yield* Effect.promise(() => temporaryDir("legacy"))
      yield* Effect.promise(() => mkdir(join(dir, "old"), { recursive: true }))
      const path = join(dir, "old", "results.json")
      yield* Effect.promise(() => copyFile(legacyV0File, path))
      const raw = (yield* Effect.promise(() => readJson(path))) as { entries: Array<Record<string, unknown>> }
      raw.entries[0]!.kind = "oracle"
      yield* Effect.promise(() => writeFile(path, JSON.stringify(raw)))
      const error = yield* Effect.flip(loadResults([dir]))
      expect(error.reason).toBe("invalid-results")
      expect(error.file).toContain(join("old", "results.json"))
      expect(error.message).toMatch(/schemaVersion 0/)
      expect(error.message).toContain("entries[0].kind")
    }),
  )
})

const zeroFailures = {
  "rate-limited": 0,
  transport: 0,
  timeout: 0,
  server: 0,
  auth: 0,
  "invalid-request": 0,
  "content-filtered": 0,
  "malformed-output": 0,
  unsupported: 0,
  budget: 0,
}

const baseEntry = {
  providerVersion: "0.1.0",
  status: "ok",
  modelVersions: [],
  warnings: [],
  counts: { twins: 10, valid: 10, invalid: 0, failed: 0, reasks: 0 },
  failures: zeroFailures,
  usage: { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: null },
  distributions: {},
  scores: [],
}

/** A minimal, hand-written version 1 file with a floor entry and a model entry. */
const sampleV1 = {
  schemaVersion: 1,
  generator: { name: "standin", version: "0.1.0" },
  study: { id: "s", version: "1", title: "S", citation: "c", items: [], arms: [] },
  manifest: {
    seed: 1,
    pilot: { size: { _tag: "Count", count: 10 }, arms: "all", sampling: { _tag: "Random" } },
    pilotSize: 10,
    holdoutSize: 10,
    holdoutCap: 10,
    splitSha256: "x",
    replicates: 1,
    elicitation: "sample",
    settings: {},
    includeDemographics: true,
    maxReasks: 1,
    bootstrapResamples: 10,
    plugins: [],
    packages: {},
    data: { file: "d.csv", sha256: "y", rows: 20 },
  },
  metrics: [],
  human: { n: 10, distributions: {} },
  entries: [
    {
      ...baseEntry,
      id: "uniform",
      label: "Uniform",
      provider: "baseline-uniform",
      model: "uniform",
      baseline: "floor",
      syntheticFile: "uniform.csv",
      fidelity: {
        perMetric: {
          divergence: { value: 0.25, ci: { lower: 0.1, upper: 0.4, level: 0.95, method: "percentile" } },
        },
        overall: { value: 0.25, ci: null },
      },
    },
    {
      ...baseEntry,
      id: "m",
      label: "M",
      provider: "p",
      model: "m",
      syntheticFile: null,
      fidelity: { perMetric: { divergence: { value: null, ci: null } }, overall: { value: null, ci: null } },
    },
  ],
}
