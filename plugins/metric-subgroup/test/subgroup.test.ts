import { describe, expect, it } from "@effect/vitest"
import { jsDistance } from "@standin/stats"
import { MetricContract } from "@standin/testkit/metric-contract"
import { metricFixture } from "@standin/testkit/metric-fixture"
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
      const expected = jsDistance(
        count(members.map((h) => h.answers.share)),
        count(input.synthetic.filter((s) => ids.has(s.twinId)).map((s) => s.answers.share)),
      )
      const measure = score.measures.find(
        (m) => m.key === `js-distance|item=share|attribute=race|level=${level}`,
      )!
      expect(measure.value).toBeCloseTo(expected!, 12)
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
})
