import { describe, expect, it } from "@effect/vitest"
import type { SyntheticRespondent } from "@standin/core"
import { entropy } from "@standin/stats"
import { MetricContract } from "@standin/testkit/metric-contract"
import { metricFixture, uniformSynthetic } from "@standin/testkit/metric-fixture"
import { Effect } from "effect"
import { metric } from "../src/index.js"

MetricContract.suite(metric)

const options = ["Strongly disagree", "Somewhat disagree", "Neutral", "Somewhat agree", "Strongly agree"]
const counts = (answers: ReadonlyArray<unknown>) => options.map((o) => answers.filter((a) => a === o).length)

describe("heterogeneity metric", () => {
  it.effect("entropies match a direct computation and the headline is their mean discrepancy", () =>
    Effect.gen(function* () {
      const input = metricFixture({ n: 400, seed: 21, distortion: 0.7, metric: { resamples: 30 } })
      const score = yield* metric.score(input)
      const concern = score.measures.find((m) => m.key === "entropy-discrepancy|item=concern")!
      const hHuman = entropy(counts(input.human.map((h) => h.answers.concern)))!
      const hSynthetic = entropy(counts(input.synthetic.map((s) => s.answers.concern)))!
      expect(concern.human).toBeCloseTo(hHuman, 12)
      expect(concern.synthetic).toBeCloseTo(hSynthetic, 12)
      expect(concern.value).toBeCloseTo(Math.abs(hSynthetic - hHuman) / Math.log2(5), 12)
      const items = score.measures.filter((m) => m.measure === "entropy-discrepancy")
      expect(score.headline.value).toBeCloseTo(items.reduce((s, m) => s + m.value!, 0) / items.length, 12)
      // The distorted model is narrower than the humans.
      expect(hSynthetic).toBeLessThan(hHuman)
    }),
  )

  it.effect("counts unique belief patterns at equal n, subsampling the side with replicates", () =>
    Effect.gen(function* () {
      const input = metricFixture({
        n: 300,
        seed: 22,
        replicates: 3,
        distortion: 0.2,
        metric: { resamples: 0 },
      })
      const score = yield* metric.score(input)
      const patterns = score.measures.find((m) => m.measure === "pattern-discrepancy")!
      expect(patterns.n).toBe(300)
      const humanPatterns = new Set(input.human.map((h) => `${h.answers.understand}|${h.answers.concern}`))
        .size
      expect(patterns.human).toBe(humanPatterns)
      const allSynthetic = new Set(input.synthetic.map((s) => `${s.answers.understand}|${s.answers.concern}`))
        .size
      expect(patterns.synthetic).toBeLessThanOrEqual(allSynthetic)
      expect(patterns.value).toBeCloseTo(Math.abs(Math.log(patterns.synthetic! / patterns.human!)), 12)
      expect(score.details?.patterns).toMatchObject({
        human: humanPatterns,
        ratio: patterns.synthetic! / humanPatterns,
      })
      // Seeded: the same subsample every time.
      expect((yield* metric.score(input)).measures).toEqual(score.measures)
    }),
  )

  it.effect("detects total mode collapse and keeps the entropy discrepancy finite", () =>
    Effect.gen(function* () {
      const input = metricFixture({ n: 200, seed: 23, metric: { resamples: 20 } })
      const synthetic: Array<SyntheticRespondent> = input.synthetic.map((s) => ({
        ...s,
        answers: { understand: "Somewhat agree", concern: "Strongly agree", share: "Decline" },
      }))
      const score = yield* metric.score({ ...input, synthetic })
      expect(score.measures.find((m) => m.measure === "mode-collapse-share")!.value).toBe(1)
      expect(score.measures.find((m) => m.measure === "pattern-discrepancy")!.synthetic).toBe(1)
      for (const m of score.measures.filter((m) => m.measure === "entropy-discrepancy")) {
        expect(m.synthetic).toBe(0)
        expect(m.value).toBeGreaterThan(0)
        expect(m.value).toBeLessThanOrEqual(1)
      }
      const variance = score.measures.filter((m) => m.measure === "variance-discrepancy")
      expect(variance.length).toBe(4 * 3)
      for (const m of variance) expect(m.synthetic).toBe(0)
    }),
  )

  it.effect("flags a saturated pattern count: both sides reach all 25 patterns two 5-point items allow", () =>
    Effect.gen(function* () {
      const base = metricFixture({ n: 1000, seed: 61, metric: { resamples: 20 } })
      // Both sides answer the belief items uniformly: at n = 1,000 every one of the 25 patterns occurs.
      const uniformHumans = uniformSynthetic(base.human, 64)
      const human = base.human.map((h, index) => ({ ...h, answers: uniformHumans[index]!.answers }))
      const score = yield* metric.score({ ...base, human, synthetic: uniformSynthetic(base.human, 65) })
      const patterns = score.measures.find((m) => m.measure === "pattern-discrepancy")!
      expect(patterns.human).toBe(25)
      expect(patterns.synthetic).toBe(25)
      expect(patterns.flagged).toBe("saturated")
      expect(patterns.note).toMatch(/saturated: both sides reach all 25 patterns .*understand × concern/)
      expect(
        (score.details as { patterns: { possible: number; saturated: boolean } }).patterns,
      ).toMatchObject({
        possible: 25,
        saturated: true,
      })
      expect(score.headlineReplicates).toHaveLength(20)
    }),
  )

  it.effect("does not flag a count below the possible patterns; notes when one side alone saturates", () =>
    Effect.gen(function* () {
      const input = metricFixture({ n: 2000, seed: 62, distortion: 1, metric: { resamples: 0 } })
      const score = yield* metric.score(input)
      const patterns = score.measures.find((m) => m.measure === "pattern-discrepancy")!
      expect(patterns.synthetic!).toBeLessThan(25)
      expect(patterns.flagged).toBeUndefined()
      if (patterns.human === 25)
        expect(patterns.note).toMatch(/the human count reaches all 25 possible patterns/)
      const small = metricFixture({ n: 40, seed: 63, distortion: 1, metric: { resamples: 0 } })
      const few = (yield* metric.score(small)).measures.find((m) => m.measure === "pattern-discrepancy")!
      expect(few.human!).toBeLessThan(25)
      expect(few.flagged).toBeUndefined()
      expect(few.note ?? "").not.toMatch(/saturated/)
    }),
  )
})
