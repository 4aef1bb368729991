import { describe, expect, it } from "@effect/vitest"
import { jsDivergence, jsDivergenceBias, noncentralChiSquareCdf } from "@standin/stats"
import { MetricContract } from "@standin/testkit/metric-contract"
import { metricFixture, simulateSynthetic } from "@standin/testkit/metric-fixture"
import { Effect } from "effect"
import { levelRms, levelRmsInterval, metric } from "../src/index.js"

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
      const worsts = score.measures
        .filter((m) => m.measure === "worst-level" && m.attribute !== undefined)
        .map((m) => m.value!)
      expect(worsts).toHaveLength(4)
      // The secondary overall figure (the headline before 0.5.0): the mean over attributes of the worst level.
      const meanWorst = score.measures.find((m) => m.key === "worst-level")!
      expect(meanWorst.value).toBeCloseTo(worsts.reduce((a, b) => a + b, 0) / worsts.length, 12)
      expect(score.headline.measure).toBe("level-rms")
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

  it.effect(
    "headline: the RMS over ranked levels of the corrected level distances, each level weighted equally",
    () =>
      Effect.gen(function* () {
        const score = yield* metric.score(input)
        const cells = (score.details as { cells: Record<string, Array<{ level: string; ranked: boolean }>> })
          .cells
        const items = input.study.items
        // Per ranked level: the mean over items of (plug-in JSD − its bias), from the raw answers.
        const levelSquared: Array<number> = []
        for (const [attribute, levels] of Object.entries(cells)) {
          for (const { level, ranked } of levels) {
            if (!ranked) continue
            const members = input.human.filter((h) => {
              const value = h.persona[attribute]
              return typeof value === "string" ? value === level : (value ?? []).includes(level)
            })
            const ids = new Set(members.map((h) => h.id))
            const twins = input.synthetic.filter((s) => ids.has(s.twinId))
            const perItem = items.flatMap((item) => {
              if (item.scale._tag === "Numeric") return []
              const options: ReadonlyArray<string> = item.scale.options
              const count = (answers: ReadonlyArray<unknown>) =>
                options.map((option) => answers.filter((answer) => answer === option).length)
              const human = count(members.map((h) => h.answers[item.id]))
              const synthetic = count(twins.map((s) => s.answers[item.id]))
              const total = (counts: ReadonlyArray<number>) => counts.reduce((a, b) => a + b, 0)
              if (total(human) === 0 || total(synthetic) === 0) return []
              return [
                jsDivergence(human, synthetic)! -
                  jsDivergenceBias(human, synthetic, total(human), total(synthetic))!,
              ]
            })
            levelSquared.push(perItem.reduce((a, b) => a + b, 0) / perItem.length)
          }
        }
        expect(levelSquared.length).toBeGreaterThan(10)
        const expected = Math.sqrt(Math.max(0, levelSquared.reduce((a, b) => a + b, 0) / levelSquared.length))
        expect(score.headline.value).toBeCloseTo(expected, 12)
        expect(score.headline.value).toBeGreaterThan(0)
        const rankedLevels = score.measures.filter(
          (m) => m.measure === "level-js-distance" && m.flagged === undefined && m.value !== null,
        )
        expect(rankedLevels).toHaveLength(levelSquared.length)
        expect(score.headline.ci!.lower).toBeLessThanOrEqual(score.headline.value!)
        expect(score.headline.ci!.upper).toBeGreaterThan(score.headline.value!)
      }),
  )

  describe("levelRms", () => {
    const values = (jsDivergence: number, jsBias: number, df: number, jsNoiseScale: number) =>
      ({ jsDivergence, jsBias, df, jsNoiseScale }) as Parameters<typeof levelRms>[0][number]["values"][number]
    const context = { resample: false }

    it("weights levels equally whatever their number of scored items", () => {
      const one = { values: [values(0.02, 0.01, 1, 0.001)], index: 0 }
      const three = {
        values: [values(0.05, 0.01, 1, 0.001), values(0.05, 0.01, 1, 0.001), values(0.05, 0.01, 1, 0.001)],
        index: 1,
      }
      const result = levelRms([one, three], () => 0, context)
      // Level figures 0.01 and 0.04 on the squared scale: √((0.01 + 0.04) / 2).
      expect(result.value).toBeCloseTo(Math.sqrt(0.025), 12)
      // On a resample the bias is removed twice (re-centring the bootstrap on the corrected estimate).
      expect(levelRms([one, three], () => 0, { resample: true }).value).toBeCloseTo(Math.sqrt(0.015), 12)
    })

    it("counts the covariance of levels that share people in the noise model", () => {
      const level = (index: number) => ({ values: [values(0.01, 0.004, 4, 0.001)], index })
      const independent = levelRms([level(0), level(1)], () => 0, context).moments!
      const identical = levelRms([level(0), level(1)], () => 1, context).moments!
      const half = levelRms([level(0), level(1)], () => 0.5, context).moments!
      // Weights 1/2, scale 0.001, 4 df: null mean Σ w·s·df = 0.004 however the levels overlap.
      for (const moments of [independent, identical, half]) {
        expect(moments.observed).toBeCloseTo(0.01, 12)
        expect(moments.nullMean).toBeCloseTo(0.004, 12)
      }
      // Null variance Σ w w′ 2 df s s′ ρ²: two independent levels 2 · (1/4) · 8e-6; the same people twice doubles
      // it; ρ = 0.5 adds a quarter of the cross terms.
      expect(independent.nullVariance).toBeCloseTo(4e-6, 15)
      expect(identical.nullVariance).toBeCloseTo(8e-6, 15)
      expect(half.nullVariance).toBeCloseTo(5e-6, 15)
      // Slope Σ w w′ √(s s′) ρ: the aligned true differences covary with ρ, not ρ².
      expect(independent.slope).toBeCloseTo(0.0005, 15)
      expect(identical.slope).toBeCloseTo(0.001, 15)
      expect(half.slope).toBeCloseTo(0.00075, 15)
    })

    it("inverts the model: the observed value is the 97.5% and 2.5% quantile at the bounds", () => {
      const moments = { observed: 0.012, nullMean: 0.004, nullVariance: 5e-6, slope: 0.00075 }
      const interval = levelRmsInterval(moments, 0.05)!
      const cdf = (truth: number) => {
        const mean = moments.nullMean + truth
        const variance = moments.nullVariance + 4 * moments.slope * truth
        // A scaled chi-square g·χ²_h with that mean and variance: g = v / (2m), h = 2m² / v.
        return noncentralChiSquareCdf(
          moments.observed / (variance / (2 * mean)),
          (2 * mean * mean) / variance,
          0,
        )
      }
      expect(interval.lower).toBeGreaterThan(0)
      expect(cdf(interval.lower ** 2)).toBeCloseTo(0.975, 8)
      expect(cdf(interval.upper ** 2)).toBeCloseTo(0.025, 8)
      // The corrected estimate √(observed − null mean) lies inside.
      expect(interval.lower).toBeLessThan(Math.sqrt(0.008))
      expect(interval.upper).toBeGreaterThan(Math.sqrt(0.008))
      // An observed value below the null's 97.5% quantile: no detectable difference, the interval reaches 0.
      expect(levelRmsInterval({ ...moments, observed: 0.005 }, 0.05)!.lower).toBe(0)
      // More slope (levels sharing people, aligned differences): a wider interval at the same estimate.
      expect(levelRmsInterval({ ...moments, slope: 0.002 }, 0.05)!.upper).toBeGreaterThan(interval.upper)
    })

    it("is NaN with no scored level", () => {
      expect(levelRms([], () => 0, context).value).toBeNaN()
      expect(
        levelRms([{ values: [values(Number.NaN, 0, 1, 0.001)], index: 0 }], () => 0, context).value,
      ).toBeNaN()
    })
  })

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
      // The headline (RMS over ranked levels) reaches 0 for a perfect model: no detectable difference.
      expect(score.headline.ci!.lower).toBe(0)
      expect(score.headline.ci!.description).toMatch(/Patnaik/)
      // A worst level is a maximum over levels: its simultaneous interval still reaches 0 for a perfect model.
      for (const worst of score.measures.filter((m) => m.measure === "worst-level")) {
        expect(worst.ci!.lower).toBe(0)
        expect(worst.ci!.description).toMatch(/Bonferroni/)
      }
      expect(score.headlineReplicates).toHaveLength(200)
    }),
  )
})
