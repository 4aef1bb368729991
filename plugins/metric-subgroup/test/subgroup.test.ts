import { describe, expect, it } from "@effect/vitest"
import { jsDivergence, jsDivergenceBias } from "@standin/stats"
import { MetricContract } from "@standin/testkit/metric-contract"
import { metricFixture, simulateSynthetic } from "@standin/testkit/metric-fixture"
import { Effect } from "effect"
import { metric } from "../src/index.js"

MetricContract.suite(metric)

describe("subgroup metric", () => {
  const input = metricFixture({
    n: 500,
    seed: 12,
    distortion: 0.6,
    levelFloor: 0.01,
    metric: { resamples: 40, minCellSize: 30 },
  })

  it.effect("counts a multi-race respondent in every race they selected", () =>
    Effect.gen(function* () {
      const score = yield* metric.score(input)
      const level = "Asian"
      const members = input.human.filter((h) => (h.persona.race as ReadonlyArray<string>).includes(level))
      const ids = new Set(members.map((h) => h.id))
      const options = ["Decline", "Consent to share"]
      const count = (answers: ReadonlyArray<unknown>) =>
        options.map((o) => answers.filter((a) => a === o).length)
      const human = count(members.map((h) => h.answers.share))
      const synthetic = count(input.synthetic.filter((s) => ids.has(s.twinId)).map((s) => s.answers.share))
      const n = (counts: ReadonlyArray<number>) => counts[0]! + counts[1]!
      const expected = Math.sqrt(
        Math.max(
          0,
          jsDivergence(human, synthetic)! - jsDivergenceBias(human, synthetic, n(human), n(synthetic))!,
        ),
      )
      const measure = score.measures.find(
        (m) => m.key === `js-distance|item=share|attribute=race|level=${level}`,
      )!
      expect(measure.value).toBeCloseTo(expected, 12)
      expect(measure.ci!.method).toBe("bias-corrected")
      expect(members.some((h) => (h.persona.race as ReadonlyArray<string>).length > 1)).toBe(true)
    }),
  )

  it.effect("flags small cells and ranks only the others; worst ≥ best; the gap is their difference", () =>
    Effect.gen(function* () {
      const score = yield* metric.score(input)
      const levels = score.measures.filter((m) => m.measure === "level-js-distance" && m.attribute === "race")
      const small = levels.filter((m) => m.flagged === "small-cell")
      expect(small.length).toBeGreaterThan(0)
      for (const m of small) expect(m.n).toBeLessThan(30)
      const ranked = levels.filter((m) => m.flagged === undefined && m.value !== null)
      const worst = score.measures.find((m) => m.measure === "worst-level" && m.attribute === "race")!
      const best = score.measures.find((m) => m.measure === "best-level" && m.attribute === "race")!
      const gap = score.measures.find((m) => m.measure === "level-gap" && m.attribute === "race")!
      expect(worst.value).toBe(Math.max(...ranked.map((m) => m.value!)))
      expect(best.value).toBe(Math.min(...ranked.map((m) => m.value!)))
      expect(small.map((m) => m.level)).not.toContain(worst.level)
      expect(gap.value).toBeCloseTo(worst.value! - best.value!, 12)
      const worsts = score.measures.filter((m) => m.measure === "worst-level").map((m) => m.value!)
      expect(score.headline.value).toBeCloseTo(worsts.reduce((a, b) => a + b, 0) / worsts.length, 12)
      expect(worsts).toHaveLength(4)
    }),
  )

  it.effect("ranks a level of exactly the minimum cell size and flags one a single human short", () =>
    Effect.gen(function* () {
      const base = yield* metric.score(input)
      const gender = base.measures.filter(
        (m) => m.measure === "level-js-distance" && m.attribute === "gender",
      )
      // The smallest gender level (non-binary at the fixture's level floor) sets the boundary.
      const smallest = gender.reduce((a, b) => (a.n <= b.n ? a : b))
      expect(smallest.n).toBeGreaterThan(2)
      const at = yield* metric.score({ ...input, options: { ...input.options, minCellSize: smallest.n } })
      const above = yield* metric.score({
        ...input,
        options: { ...input.options, minCellSize: smallest.n + 1 },
      })
      const level = (score: typeof at) =>
        score.measures.find(
          (m) => m.measure === "level-js-distance" && m.attribute === "gender" && m.level === smallest.level,
        )!
      expect(level(at).flagged).toBeUndefined()
      expect(level(above).flagged).toBe("small-cell")
      expect(level(above).note).toMatch(new RegExp(`fewer than ${smallest.n + 1} humans \\(${smallest.n}\\)`))
      const cells = (score: typeof at) =>
        (score.details as { cells: Record<string, Array<{ level: string; ranked: boolean }>> }).cells.gender!
      expect(cells(at).find((cell) => cell.level === smallest.level)!.ranked).toBe(true)
      expect(cells(above).find((cell) => cell.level === smallest.level)!.ranked).toBe(false)
    }),
  )

  it.effect("a model drawn from the humans' own process: no ranked level shows a detectable difference", () =>
    Effect.gen(function* () {
      const ceiling = metricFixture({ n: 3000, seed: 14, levelFloor: 0.02, metric: { resamples: 200 } })
      const input = { ...ceiling, synthetic: simulateSynthetic(ceiling.human, { seed: 15, distortion: 0 }) }
      const score = yield* metric.score(input)
      const ranked = score.measures.filter(
        (m) => m.measure === "level-js-distance" && m.flagged === undefined && m.value !== null,
      )
      expect(ranked.length).toBeGreaterThan(10)
      // Plug-in distances would shrink with cell size and exclude 0 everywhere; corrected ones reach 0.
      const reaching = ranked.filter((m) => m.ci!.lower === 0)
      expect(reaching.length / ranked.length).toBeGreaterThan(0.85)
      expect(score.headline.ci!.method).toBe("bias-corrected")
      // The worst level is a maximum over levels: its simultaneous interval still reaches 0 for a perfect model.
      expect(score.headline.ci!.lower).toBe(0)
      expect(score.headline.ci!.description).toMatch(/Bonferroni/)
      for (const worst of score.measures.filter((m) => m.measure === "worst-level"))
        expect(worst.ci!.lower).toBe(0)
      expect(score.headlineReplicates).toHaveLength(200)
    }),
  )
})
