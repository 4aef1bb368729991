import { describe, expect, it } from "@effect/vitest"
import type { SyntheticRespondent } from "@standin/core"
import { logOddsRatio, makeRandom, phi, phiVariance, shuffleInPlace } from "@standin/stats"
import { MetricContract } from "@standin/testkit/metric-contract"
import { metricFixture, uniformSynthetic } from "@standin/testkit/metric-fixture"
import { Effect } from "effect"
import { coherenceOf, metric } from "../src/index.js"

MetricContract.suite(metric)

const believes = (value: unknown) => value === "Somewhat agree" || value === "Strongly agree"

describe("coherence metric", () => {
  it("computes the gap, joint rate, phi and log odds ratio of a 2×2 table", () => {
    const side = coherenceOf([
      [30, 10],
      [20, 40],
    ])
    expect(side.gap).toBeCloseTo(0.75, 12)
    expect(side.joint).toBeCloseTo(0.3, 12)
    expect(side.phi).toBeCloseTo(
      phi([
        [30, 10],
        [20, 40],
      ])!,
      12,
    )
    expect(side.logOddsRatio).toBeCloseTo(Math.log((30 * 40) / (10 * 20)), 12)
    expect(side.corrected).toBe(false)
  })

  it.effect("matches a direct count of concerned sharers, human and synthetic", () =>
    Effect.gen(function* () {
      const input = metricFixture({
        n: 500,
        seed: 31,
        replicates: 2,
        invalidRate: 0.1,
        distortion: 0.8,
        metric: { resamples: 30 },
      })
      const score = yield* metric.score(input)
      const gapOf = (rows: ReadonlyArray<{ answers: Record<string, unknown> }>) => {
        const valid = rows.filter((r) => r.answers.concern != null && r.answers.share != null)
        const believers = valid.filter((r) => believes(r.answers.concern))
        return believers.filter((r) => r.answers.share === "Consent to share").length / believers.length
      }
      const gap = score.measures.find((m) => m.key === "gap-difference|pair=concern-share|item=concern")!
      expect(gap.human).toBeCloseTo(gapOf(input.human), 12)
      expect(gap.synthetic).toBeCloseTo(gapOf(input.synthetic), 12)
      expect(gap.value).toBeCloseTo(Math.abs(gap.synthetic! - gap.human!), 12)
      const phiMeasure = score.measures.find(
        (m) => m.key === "phi-difference|pair=concern-share|item=concern",
      )!
      const tables = (
        score.details as { pairs: Array<{ human: { table: never }; synthetic: { table: never } }> }
      ).pairs[0]!
      const variance = phiVariance(tables.human.table)! + phiVariance(tables.synthetic.table)!
      const expected = Math.sqrt(Math.max(0, (phiMeasure.synthetic! - phiMeasure.human!) ** 2 - variance))
      expect(phiMeasure.value).toBeCloseTo(expected, 12)
      expect(phiMeasure.ci!.method).toBe("bias-corrected")
      // One pair: the headline is that pair's corrected phi difference.
      expect(score.headline.measure).toBe("phi-difference")
      expect(score.headline.value).toBeCloseTo(expected, 12)
      expect(score.headlineReplicates).toHaveLength(30)
    }),
  )

  it.effect(
    "a model whose believers always act against the belief: phi unscored with a note, log OR Haldane-corrected",
    () =>
      Effect.gen(function* () {
        const input = metricFixture({ n: 200, seed: 32, metric: { resamples: 20 } })
        const synthetic: Array<SyntheticRespondent> = input.synthetic.map((s) => ({
          ...s,
          answers: { ...s.answers, concern: "Strongly agree", share: "Consent to share" },
        }))
        const score = yield* metric.score({ ...input, synthetic })
        const gap = score.measures.find((m) => m.measure === "gap-difference")!
        expect(gap.synthetic).toBe(1)
        const phiMeasure = score.measures.find((m) => m.measure === "phi-difference")!
        expect(phiMeasure.value).toBeNull()
        expect(phiMeasure.note).toMatch(/unscored: phi is undefined for the synthetic answers/)
        const odds = score.measures.find((m) => m.measure === "log-odds-ratio-difference")!
        expect(odds.note).toMatch(/0\.5 added to every cell of the synthetic table/)
        expect(odds.synthetic).toBeCloseTo(
          logOddsRatio([
            [200, 0],
            [0, 0],
          ])!.estimate,
          12,
        )
      }),
  )

  it.effect(
    "a responder that draws belief and action independently scores like the uniform floor; a coherent one near 0",
    () =>
      Effect.gen(function* () {
        const input = metricFixture({ n: 3000, seed: 33, distortion: 0, metric: { resamples: 0 } })
        // Independent: every synthetic twin keeps its belief but takes the action of a random other twin.
        const random = makeRandom(34)
        const order = Int32Array.from(input.synthetic, (_, index) => index)
        shuffleInPlace(random, order)
        const independent: Array<SyntheticRespondent> = input.synthetic.map((s, index) => ({
          ...s,
          answers: { ...s.answers, share: input.synthetic[order[index]!]!.answers.share ?? null },
        }))
        const coherent = yield* metric.score(input)
        const marginal = yield* metric.score({ ...input, synthetic: independent })
        const floor = yield* metric.score({ ...input, synthetic: uniformSynthetic(input.human, 35) })
        const humanPhi = Math.abs(
          marginal.measures.find((m) => m.measure === "phi-difference" && m.item === "concern")!.human!,
        )
        expect(humanPhi).toBeGreaterThan(0.1)
        expect(Math.abs(marginal.headline.value! - floor.headline.value!)).toBeLessThan(0.05)
        expect(marginal.headline.value!).toBeGreaterThan(0.7 * humanPhi)
        expect(coherent.headline.value!).toBeLessThan(0.3 * marginal.headline.value!)
      }),
  )
})
