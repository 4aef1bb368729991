import { describe, expect, it } from "@effect/vitest"
import type { ResultsFile } from "@standin/core"
import { Effect } from "effect"
import {
  aggregate,
  checkFloorCeiling,
  combineIndependent,
  type LoadedResults,
  loadResults,
  rankCells,
  scoresDiffer,
  slug,
  weightsOf,
} from "../src/index.js"
import { fixtureSetDir, studies, studyFile } from "./support/paths.js"

const loadFixtures = loadResults([fixtureSetDir])

const variant = (
  loaded: LoadedResults,
  path: string,
  change: (results: ResultsFile) => ResultsFile,
): LoadedResults => ({
  ...loaded,
  path,
  source: path,
  results: change(structuredClone(loaded.results) as ResultsFile),
})

describe("aggregate on the fixture set", () => {
  it.effect("makes one row per model configuration and keeps the references apart", () =>
    Effect.gen(function* () {
      const model = aggregate(yield* loadFixtures)
      expect(model.rows.map((row) => row.label).sort()).toEqual(
        [
          "claude-haiku-4-5",
          "gpt-4o-mini",
          "gpt-4o-mini-2024-07-18 finetuned · n=120 · all arms · balanced by race",
          "gpt-4o-mini-2024-07-18 finetuned · n=120 · all arms · random",
          "gpt-4o-mini-2024-07-18 finetuned · n=30 · all arms · random",
          "gpt-4o-mini-2024-07-18 finetuned · n=480 · all arms · random",
          "Llama 3.1 8B Instruct",
        ].sort(),
      )
      expect(model.reference.map((row) => row.kind)).toEqual(["ceiling", "pilot", "pilot", "floor"])
      expect(model.excluded.fake).toBe(3)
      expect([...model.rows, ...model.reference].some((row) => row.label.includes("fake"))).toBe(false)
      // All studies, then per study its overall and five families.
      expect(model.columns).toHaveLength(1 + 3 * 6)
      expect(model.studies.map((study) => study.key)).toEqual([...studies])
      for (const row of [...model.rows, ...model.reference]) expect(row.key).toMatch(/^[a-z0-9.-]+$/)
      expect(new Set([...model.rows, ...model.reference].map((row) => row.key)).size).toBe(11)
      expect(model.rows.find((row) => row.label.startsWith("Llama"))!.weights).toBe("open")
      expect(model.rows.find((row) => row.label === "claude-haiku-4-5")!.weights).toBe("closed")
    }),
  )

  it.effect("tells failures, configurations that were not run and runs without a valid answer apart", () =>
    Effect.gen(function* () {
      const model = aggregate(yield* loadFixtures)
      const claude = model.rows.find((row) => row.label === "claude-haiku-4-5")!
      const failed = claude.cells["fixture-charity-default"]!
      expect(failed.status).toBe("failed")
      expect(failed.value).toBeNull()
      expect(failed.rank).toBeNull()
      expect(failed.note).toMatch(/rate-limited/)
      expect(claude.cells["fixture-charity-default|divergence"]!.status).toBe("failed")
      const large = model.rows.find((row) => row.label.includes("n=480"))!
      expect(large.cells["fixture-news-sharing"]).toBeUndefined()
      const llama = model.rows.find((row) => row.label.startsWith("Llama"))!
      const noValid = llama.cells["fixture-data-sharing"]!
      expect(noValid.status).toBe("ok")
      expect(noValid.value).toBeNull()
      expect(noValid.answers).toEqual({ valid: 0, twins: 240 })
      expect(noValid.note).toBe("ran, but no answer was valid")
      expect(noValid.rank).toBeNull()
      expect(llama.cells["fixture-charity-default"]!.answers).toEqual({ valid: 150, twins: 150 })
      const small = model.rows.find((row) => row.label.includes("n=30"))!
      expect(small.cells.overall!.value).not.toBeNull()
      expect(small.finetune).toEqual({
        finetuner: "openai",
        baseModel: "gpt-4o-mini-2024-07-18",
        size: "n=30",
        arms: "all",
        sampling: "random",
      })
    }),
  )

  it.effect("takes cells from the entries' own fidelity and never ranks reference rows", () =>
    Effect.gen(function* () {
      const loaded = yield* loadFixtures
      const model = aggregate(loaded)
      const file = loaded.find((item) => item.results.study.id === "fixture-data-sharing")!.results
      const entry = file.entries.find((item) => item.id === "gpt-4o-mini")!
      const row = model.rows.find((item) => item.label === "gpt-4o-mini")!
      expect(row.cells["fixture-data-sharing"]!.value).toBe(entry.fidelity.overall.value)
      expect(row.cells["fixture-data-sharing|regression"]!.value).toBe(
        entry.fidelity.perMetric.regression!.value,
      )
      expect(row.cells["fixture-data-sharing|regression"]!.ci!.lower).toBe(
        entry.fidelity.perMetric.regression!.ci!.lower,
      )
      for (const reference of model.reference) {
        for (const cell of Object.values(reference.cells)) expect(cell.rank).toBeNull()
      }
      const ceiling = model.reference.find((item) => item.kind === "ceiling")!
      expect(ceiling.cells["fixture-data-sharing"]!.value).toBe(1)
      expect(
        model.reference.find((item) => item.kind === "floor")!.cells["fixture-news-sharing"]!.value,
      ).toBe(0)
    }),
  )

  it.effect("ranks every column by the tie rule", () =>
    Effect.gen(function* () {
      const model = aggregate(yield* loadFixtures)
      for (const column of model.columns) {
        const ranked = model.rows.filter((row) => row.cells[column.key]?.rank != null)
        for (const row of ranked) {
          const cell = row.cells[column.key]!
          const upper = cell.ci?.upper ?? cell.value!
          const above = ranked.filter(
            (other) => (other.cells[column.key]!.ci?.lower ?? other.cells[column.key]!.value!) > upper,
          )
          expect(cell.rank).toBe(1 + above.length)
        }
      }
    }),
  )
})

describe("cross-study means with partial coverage", () => {
  it.effect(
    "averages each configuration over the studies it was scored on and ranks on the common ones",
    () =>
      Effect.gen(function* () {
        const loaded = yield* loadFixtures
        const model = aggregate(loaded)
        // Health news sharing cannot tell its floor from its ceiling on heterogeneity (see below).
        expect(model.crossStudy).toEqual({
          headline: "overall",
          informative: ["fixture-charity-default", "fixture-data-sharing"],
          common: ["fixture-charity-default", "fixture-data-sharing"],
          flagged: ["fixture-news-sharing"],
          ranked: 5,
          unranked: 2,
        })
        const study = (row: string, key: string) => model.rows.find((r) => r.label === row)!.cells[key]!
        // Claude failed on charity-default: its mean is its one study, with coverage, and no rank.
        const claude = study("claude-haiku-4-5", "overall")
        expect(claude.value).toBe(study("claude-haiku-4-5", "fixture-data-sharing").value)
        expect(claude.coverage).toEqual({ studies: ["fixture-data-sharing"], of: 2 })
        expect(claude.rank).toBeNull()
        expect(claude.note).toBe(
          "scored on 1 of 2 studies; not ranked: not scored on Charity default nudge (fixture)",
        )
        // A complete row: the mean of its two informative studies, ranked; the flagged study is left out.
        const small = model.rows.find((row) => row.label.includes("n=30"))!
        const parts = ["fixture-charity-default", "fixture-data-sharing"].map((key) => small.cells[key]!)
        expect(small.cells.overall!.value).toBeCloseTo((parts[0]!.value! + parts[1]!.value!) / 2, 12)
        expect(small.cells.overall!.rank).not.toBeNull()
        expect(small.cells["fixture-news-sharing"]!.excluded).toMatch(
          /floor and ceiling cannot be told apart/,
        )
        // Ranked rows come first, then the unranked by their mean.
        const ranks = model.rows.map((row) => row.cells.overall!.rank)
        expect(ranks.slice(0, 5).every((rank) => rank !== null)).toBe(true)
        expect(ranks.slice(5)).toEqual([null, null])
        // Reference rows get the same means (the overview draws the pilot baselines from them).
        expect(model.reference.find((row) => row.kind === "pilot")!.cells.overall!.value).not.toBeNull()
      }),
  )

  it.effect(
    "a board of baselines only (no model rows): every informative study is common, no extra column",
    () =>
      Effect.gen(function* () {
        const loaded = yield* loadFixtures
        const baselinesOnly = loaded.map((file) =>
          variant(file, file.path, (results) => ({
            ...results,
            entries: results.entries.filter((entry) => entry.baseline !== undefined),
          })),
        )
        const model = aggregate(baselinesOnly)
        expect(model.rows).toEqual([])
        expect(model.crossStudy.common).toEqual(model.crossStudy.informative)
        expect(model.crossStudy.common.length).toBeGreaterThan(0)
        expect(model.crossStudy.headline).toBe("overall")
        expect(model.columns.map((column) => column.key)).not.toContain("common")
        expect(model.reference.find((row) => row.kind === "pilot")!.cells.overall!.value).not.toBeNull()
      }),
  )

  it.effect("adds a common-studies headline when some study was scored for fewer than half the rows", () =>
    Effect.gen(function* () {
      const loaded = yield* loadFixtures
      const sparse = loaded.map((file) =>
        file.results.study.id !== "fixture-data-sharing"
          ? file
          : variant(file, file.path, (results) => ({
              ...results,
              // Only two of the seven model rows were run on this study.
              entries: results.entries.filter(
                (entry) => entry.baseline !== undefined || ["gpt-4o-mini", "claude-haiku"].includes(entry.id),
              ),
            })),
      )
      const model = aggregate(sparse)
      expect(model.crossStudy.headline).toBe("common")
      expect(model.crossStudy.common).toEqual(["fixture-charity-default"])
      expect(model.columns.map((column) => column.key).slice(0, 2)).toEqual(["overall", "common"])
      const mini = model.rows.find((row) => row.label === "gpt-4o-mini")!
      expect(mini.cells.common!.value).toBe(mini.cells["fixture-charity-default"]!.value)
      expect(mini.cells.common!.rank).not.toBeNull()
      // The plain mean covers both studies for gpt-4o-mini but is not what ranks.
      expect(mini.cells.overall!.coverage!.studies).toHaveLength(2)
      expect(mini.cells.overall!.rank).toBeNull()
      // Claude failed on the one common study: unranked there.
      expect(model.rows.find((row) => row.label === "claude-haiku-4-5")!.cells.common!.rank).toBeNull()
    }),
  )

  it.effect("flags a study only where floor and ceiling cannot be told apart", () =>
    Effect.gen(function* () {
      const loaded = yield* loadFixtures
      const news = loaded.find((file) => file.results.study.id === "fixture-news-sharing")!
      expect(checkFloorCeiling(news.results)!.indistinguishable).toEqual(["heterogeneity"])
      expect(aggregate(loaded).studies.find((study) => study.key === "fixture-news-sharing")!.flag).toMatch(
        /^floor and ceiling cannot be told apart on heterogeneity/,
      )
      // Narrower intervals (a bigger study) separate them: nothing is flagged, all three studies count.
      const sharper = variant(news, news.path, (results) => ({
        ...results,
        entries: results.entries.map((entry) =>
          entry.baseline !== "floor" && entry.baseline !== "ceiling"
            ? entry
            : {
                ...entry,
                scores: entry.scores.map((score) =>
                  score.headline.ci === null || score.headline.value === null
                    ? score
                    : {
                        ...score,
                        headline: {
                          ...score.headline,
                          ci: {
                            ...score.headline.ci,
                            lower: score.headline.value - 0.001,
                            upper: score.headline.value + 0.001,
                          },
                        },
                      },
                ),
              },
        ),
      }))
      expect(checkFloorCeiling(sharper.results)!.indistinguishable).toEqual([])
      const model = aggregate(loaded.map((file) => (file === news ? sharper : file)))
      expect(model.crossStudy.flagged).toEqual([])
      expect(model.crossStudy.informative).toHaveLength(3)
    }),
  )

  it("tests a gap against the facing half-widths of two intervals", () => {
    const score = (value: number, lower: number, upper: number) => ({
      measure: "m",
      value,
      ci: { lower, upper, level: 0.95, method: "percentile" as const },
    })
    // gap 0.1; facing half-widths 0.06 and 0.07: √(0.0036 + 0.0049) ≈ 0.092 < 0.1
    expect(scoresDiffer(score(0.3, 0.24, 0.5), score(0.2, 0.0, 0.27))).toBe(true)
    // the far sides do not count; facing half-widths 0.08 and 0.07: ≈ 0.106 > 0.1
    expect(scoresDiffer(score(0.3, 0.22, 0.31), score(0.2, 0.19, 0.27))).toBe(false)
    expect(scoresDiffer(score(0.2, 0.19, 0.27), score(0.3, 0.22, 0.31))).toBe(false)
    expect(scoresDiffer({ measure: "m", value: 0.3, ci: null }, { measure: "m", value: 0.2, ci: null })).toBe(
      true,
    )
    expect(scoresDiffer({ measure: "m", value: null, ci: null }, score(0.2, 0.1, 0.3))).toBe(false)
  })

  it("knows open and closed weights only where the name or vendor says", () => {
    expect(weightsOf("openai-compatible", "meta-llama/Meta-Llama-3.1-8B-Instruct")).toBe("open")
    expect(weightsOf("openai", "gpt-oss-20b")).toBe("open")
    expect(weightsOf("google", "gemma-3-27b-it")).toBe("open")
    expect(weightsOf("google", "gemini-2.5-flash")).toBe("closed")
    expect(weightsOf("openai", "ft:gpt-4o-mini:lab::x", "openai")).toBe("closed")
    expect(weightsOf("openai-compatible", "my-model-ft", "together")).toBe("open")
    expect(weightsOf("openai-compatible", "model-01")).toBe("unknown")
  })
})

describe("aggregation rules", () => {
  it("ranks a row 1 + the number of rows whose interval lies wholly above its own", () => {
    const ci = (lower: number, upper: number) => ({ lower, upper, level: 0.95 })
    const ranks = rankCells([
      { value: 0.85, ci: ci(0.8, 0.9), status: "ok" },
      { value: 0.8, ci: ci(0.7, 0.85), status: "ok" },
      { value: 0.6, ci: ci(0.5, 0.75), status: "ok" },
      { value: null, ci: null, status: "ok" },
      { value: 0.99, ci: ci(0.98, 1), status: "failed" },
      { value: 0.2, ci: null, status: "ok" },
    ])
    expect(ranks).toEqual([
      { rank: 1, tied: true },
      { rank: 1, tied: true },
      { rank: 2, tied: false },
      { rank: null, tied: false },
      { rank: null, tied: false },
      { rank: 4, tied: false },
    ])
  })

  it("combines studies as independent estimates, each side on its own", () => {
    const combined = combineIndependent([
      { value: 0.8, ci: { lower: 0.7, upper: 0.9, level: 0.95 } },
      { value: 0.6, ci: { lower: 0.4, upper: 0.7, level: 0.95 } },
    ])
    expect(combined.value).toBeCloseTo(0.7, 12)
    expect(combined.ci!.lower).toBeCloseTo(0.7 - Math.sqrt(0.1 ** 2 + 0.2 ** 2) / 2, 12)
    expect(combined.ci!.upper).toBeCloseTo(0.7 + Math.sqrt(0.1 ** 2 + 0.1 ** 2) / 2, 12)
    expect(
      combineIndependent([
        { value: 1, ci: null },
        { value: 0, ci: null },
      ]),
    ).toEqual({ value: 0.5, ci: null })
  })

  it.effect("averages several metrics of one family, with the mean of their bounds", () =>
    Effect.gen(function* () {
      const [file] = yield* loadResults([studyFile("fixture-data-sharing")])
      const twoDivergences = variant(file!, "/virtual/results.json", (results) => ({
        ...results,
        metrics: [...results.metrics, { ...results.metrics[0]!, id: "divergence-extra", label: "Extra" }],
        entries: results.entries.map((entry) => ({
          ...entry,
          fidelity: {
            ...entry.fidelity,
            perMetric: {
              ...entry.fidelity.perMetric,
              "divergence-extra": {
                value: 0.5,
                ci: { lower: 0.3, upper: 0.7, level: 0.95, method: "percentile" as const },
              },
            },
          },
        })),
      }))
      const model = aggregate([twoDivergences])
      const entry = file!.results.entries.find((item) => item.id === "gpt-4o-mini")!.fidelity.perMetric
        .divergence!
      const cell = model.rows.find((row) => row.label === "gpt-4o-mini")!.cells[
        "fixture-data-sharing|divergence"
      ]!
      expect(cell.value).toBeCloseTo((entry.value! + 0.5) / 2, 12)
      expect(cell.ci!.lower).toBeCloseTo((entry.ci!.lower + 0.3) / 2, 12)
      expect(cell.note).toBe("mean of 2 metrics")
      expect(
        model.columns.find((column) => column.key === "fixture-data-sharing|divergence")!.metrics,
      ).toEqual(["divergence", "divergence-extra"])
    }),
  )

  it.effect("shows the run with the larger holdout when a configuration ran twice", () =>
    Effect.gen(function* () {
      const [file] = yield* loadResults([studyFile("fixture-data-sharing")])
      const bigger = variant(file!, "/a/results.json", (results) => ({
        ...results,
        manifest: { ...results.manifest, holdoutSize: results.manifest.holdoutSize * 2 },
        entries: results.entries.map((entry) =>
          entry.id === "gpt-4o-mini"
            ? { ...entry, fidelity: { ...entry.fidelity, overall: { value: 0.123, ci: null } } }
            : entry,
        ),
      }))
      const model = aggregate([{ ...file!, path: "/b/results.json", source: "/b/results.json" }, bigger])
      const cell = model.rows.find((row) => row.label === "gpt-4o-mini")!.cells["fixture-data-sharing"]!
      expect(cell.value).toBe(0.123)
      expect(cell.runs).toBe(2)
      expect(cell.source!.run).toBe("fixture-data-sharing-1")
      expect(model.studies[0]!.runs.map((run) => run.source)).toEqual(["a/results.json", "b/results.json"])
    }),
  )

  it.effect("keeps two versions of one study apart", () =>
    Effect.gen(function* () {
      const [file] = yield* loadResults([studyFile("fixture-data-sharing")])
      const next = variant(file!, "/z/results.json", (results) => ({
        ...results,
        study: { ...results.study, version: "2.0.0" },
      }))
      const model = aggregate([file!, next])
      expect(model.studies.map((study) => study.key)).toEqual([
        "fixture-data-sharing@1.0.0",
        "fixture-data-sharing@2.0.0",
      ])
    }),
  )

  it("slugs keys for URLs and file names", () => {
    expect(slug("model:openai:gpt-4o-mini:sample:demo")).toBe("model-openai-gpt-4o-mini-sample-demo")
    expect(slug("ft:x:y:25%:all:balanced:race")).toBe("ft-x-y-25-all-balanced-race")
    expect(slug("../..")).toBe("x")
  })
})
