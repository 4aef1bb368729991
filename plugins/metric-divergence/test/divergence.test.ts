import { describe, expect, it } from "@effect/vitest"
import { preparePanel } from "@standin/metric-kit"
import { jsDivergence, jsDivergenceBias, noncentralityInterval, quantileSorted } from "@standin/stats"
import { MetricContract } from "@standin/testkit/metric-contract"
import {
  berkeLikeStudy,
  identicalSynthetic,
  metricFixture,
  simulateHumans,
} from "@standin/testkit/metric-fixture"
import { Effect } from "effect"
import { metric, syntheticDesignEffect } from "../src/index.js"

/** The bias-corrected JS distance of two count vectors with the given sample sizes. */
const corrected = (p: ReadonlyArray<number>, q: ReadonlyArray<number>, nP: number, nQ: number) =>
  Math.sqrt(Math.max(0, jsDivergence(p, q)! - jsDivergenceBias(p, q, nP, nQ)!))

MetricContract.suite(metric)

describe("divergence metric", () => {
  it.effect(
    "scores each item pooled and per arm, bias-corrected; the headline is their root mean square",
    () =>
      Effect.gen(function* () {
        const input = metricFixture({ n: 300, seed: 3, distortion: 0.6, metric: { resamples: 50 } })
        const score = yield* metric.score(input)
        const pooled = score.measures.filter((m) => m.measure === "js-distance" && m.arm === "all")
        expect(pooled.map((m) => m.item)).toEqual(["understand", "concern", "share"])
        const details = score.details as {
          plugIn: Record<string, { jsDistance: number; jsDivergenceBias: number }>
        }
        const items = ["understand", "concern", "share"]
        const meanDivergence = items.reduce((sum, id) => sum + details.plugIn[id]!.jsDistance ** 2, 0) / 3
        const meanBias = items.reduce((sum, id) => sum + details.plugIn[id]!.jsDivergenceBias, 0) / 3
        expect(score.headline.value).toBeCloseTo(Math.sqrt(Math.max(0, meanDivergence - meanBias)), 12)
        // Recompute one item by hand.
        const options = [
          "Strongly disagree",
          "Somewhat disagree",
          "Neutral",
          "Somewhat agree",
          "Strongly agree",
        ]
        const count = (answers: ReadonlyArray<unknown>) =>
          options.map((o) => answers.filter((a) => a === o).length)
        const humanCounts = count(input.human.map((h) => h.answers.concern))
        const syntheticCounts = count(input.synthetic.map((s) => s.answers.concern))
        const expected = corrected(humanCounts, syntheticCounts, 300, 300)
        expect(pooled[1]!.value).toBeCloseTo(expected, 12)
        // The correction is real: the plug-in distance is larger.
        expect(details.plugIn.concern!.jsDistance).toBeGreaterThan(expected)
        expect(pooled[1]!.ci!.method).toBe("bias-corrected")
        expect(pooled[1]!.ci!.description).toMatch(/non-central chi-square with k − 1 degrees of freedom/)
        // The interval inverts the non-central chi-square model of the plug-in divergence, recomputed by hand.
        const effect = syntheticDesignEffect(preparePanel(input), 1)
        const seen = options.filter((_, i) => humanCounts[i]! + syntheticCounts[i]! > 0).length
        // Williams' correction of the 2 × k table (synthetic counts scaled to the effective size 300/effect).
        const total = 300 + 300 / effect
        const columns = options.reduce(
          (sum, _, i) => sum + 1 / (humanCounts[i]! + syntheticCounts[i]! / effect),
          0,
        )
        const q =
          1 + ((total * (1 / 300 + effect / 300) - 1) * (total * columns - 1)) / (6 * total * (seen - 1))
        expect(q).toBeGreaterThan(1)
        const s = (q * (1 / 300 + effect / 300)) / (8 * Math.LN2)
        const lambda = noncentralityInterval(jsDivergence(humanCounts, syntheticCounts)! / s, seen - 1, 0.05)!
        expect(pooled[1]!.ci!.lower).toBeCloseTo(Math.sqrt(s * lambda.lower), 12)
        expect(pooled[1]!.ci!.upper).toBeCloseTo(Math.sqrt(s * lambda.upper), 12)
        expect(pooled[1]!.ci!.lower).toBeGreaterThan(0)
        expect(score.measures.filter((m) => m.item === "share" && m.measure === "wasserstein")).toHaveLength(
          3,
        )
        expect(score.measures.find((m) => m.key === "js-distance|item=concern|arm=shown")).toBeDefined()
      }),
  )

  it.effect("uses the mean elicited distribution when synthetic respondents carry distributions", () =>
    Effect.gen(function* () {
      const human = simulateHumans({ n: 200, seed: 4 })
      const synthetic = identicalSynthetic(human).map((s) => ({
        ...s,
        elicitation: "logprobs" as const,
        distributions: { share: { Decline: 0.5, "Consent to share": 0.5 } },
      }))
      const score = yield* metric.score({
        study: berkeLikeStudy,
        human,
        synthetic,
        options: { seed: 1, resamples: 0, alpha: 0.05, minCellSize: 30 },
      })
      const share = human.filter((h) => h.answers.share === "Consent to share").length
      // The synthetic shares do not vary at all (design effect 0): only the human side's noise is corrected.
      const expected = corrected(
        [human.length - share, share],
        [0.5, 0.5],
        human.length,
        Number.POSITIVE_INFINITY,
      )
      expect(score.measures.find((m) => m.key === "js-distance|item=share|arm=all")!.value).toBeCloseTo(
        expected!,
        12,
      )
      // Items without distributions still use the sampled answers: identical, so 0.
      expect(score.measures.find((m) => m.key === "js-distance|item=concern|arm=all")!.value).toBe(0)
    }),
  )

  it.effect(
    "leaves an item unscored (null with a note), never 0, when every synthetic answer is invalid",
    () =>
      Effect.gen(function* () {
        const input = metricFixture({ n: 100, seed: 5, metric: { resamples: 20 } })
        const synthetic = input.synthetic.map((s) => ({
          ...s,
          answers: { ...s.answers, share: null },
          invalidItems: ["share"],
        }))
        const score = yield* metric.score({ ...input, synthetic })
        const share = score.measures.find((m) => m.key === "js-distance|item=share|arm=all")!
        expect(share.value).toBeNull()
        expect(share.note).toMatch(/unscored: no valid synthetic answers/)
        expect(score.headline.value).not.toBeNull()
      }),
  )

  it.effect("a binary item's TV and W1 interval inverts |Δp|'s 1-df non-central chi-square", () =>
    Effect.gen(function* () {
      const input = metricFixture({ n: 400, seed: 8, distortion: 1.5, metric: { resamples: 20 } })
      const score = yield* metric.score(input)
      const tv = score.measures.find((m) => m.key === "total-variation|item=share|arm=all")!
      const w1 = score.measures.find((m) => m.key === "wasserstein|item=share|arm=all")!
      expect(tv.ci!.description).toMatch(/binary item.*non-central chi-square with 1 degree/)
      expect(w1.ci!.lower).toBeCloseTo(tv.ci!.lower, 12)
      expect(w1.ci!.upper).toBeCloseTo(tv.ci!.upper, 12)
      // Recompute: Δp of "Consent to share" and its null variance p̄(1 − p̄)(1/nH + 1/nS).
      const count = (answers: ReadonlyArray<unknown>) =>
        answers.filter((a) => a === "Consent to share").length
      const human = input.human.map((h) => h.answers.share)
      const synthetic = input.synthetic.map((s) => s.answers.share)
      const nH = human.filter((a) => a !== null && a !== undefined).length
      const nS = synthetic.filter((a) => a !== null && a !== undefined).length
      const delta = count(human) / nH - count(synthetic) / nS
      const pooled = (count(human) + count(synthetic)) / (nH + nS)
      const nullVariance = pooled * (1 - pooled) * (1 / nH + 1 / nS)
      const inverted = noncentralityInterval(delta ** 2 / nullVariance, 1, 0.05)!
      expect(tv.ci!.lower).toBeCloseTo(Math.sqrt(nullVariance * inverted.lower), 6)
      expect(tv.ci!.upper).toBeCloseTo(Math.sqrt(nullVariance * inverted.upper), 6)
      expect(tv.value).toBeCloseTo(Math.sqrt(Math.max(0, delta ** 2 - nullVariance)), 6)
    }),
  )

  it.effect("fills headlineReplicates: one per resample, re-centred on the corrected estimate", () =>
    Effect.gen(function* () {
      const input = metricFixture({ n: 300, seed: 6, distortion: 0.4, metric: { resamples: 80 } })
      const score = yield* metric.score(input)
      const replicates = score.headlineReplicates!
      expect(replicates).toHaveLength(80)
      const sorted = Float64Array.from(replicates).sort()
      const ci = score.headline.ci!
      expect(ci.method).toBe("bias-corrected")
      // The replicates are centred on the corrected estimate (each removes the bias twice) ...
      expect(Math.abs(quantileSorted(sorted, 0.5) - score.headline.value!)).toBeLessThan(0.01)
      // ... while the interval inverts the noise model, not the replicates: it contains the estimate and spans
      // roughly the replicates' spread (the bootstrap's is wider near 0: its world has the plug-in's excess).
      expect(ci.description).toMatch(/test inversion/)
      expect(ci.lower).toBeLessThan(score.headline.value!)
      expect(ci.upper).toBeGreaterThan(score.headline.value!)
      const spread = quantileSorted(sorted, 0.975) - quantileSorted(sorted, 0.025)
      expect((ci.upper - ci.lower) / spread).toBeGreaterThan(0.6)
      expect((ci.upper - ci.lower) / spread).toBeLessThan(1.4)
    }),
  )

  it.effect(
    "keys resamples by twin id: a subset of the twins keeps each twin's weight in every resample",
    () =>
      Effect.gen(function* () {
        // Two entries scored on the same twins but listed in a different order give the same replicates.
        const input = metricFixture({ n: 200, seed: 8, distortion: 0.4, metric: { resamples: 30 } })
        const reversed = {
          ...input,
          human: [...input.human].reverse(),
          synthetic: [...input.synthetic].reverse(),
        }
        const first = yield* metric.score(input)
        const second = yield* metric.score(reversed)
        for (let round = 0; round < 30; round++)
          expect(second.headlineReplicates![round]).toBeCloseTo(first.headlineReplicates![round]!, 12)
      }),
  )

  it.effect(
    "a model drawn from the humans' own process has an interval that reaches 0 (no detectable difference)",
    () =>
      Effect.gen(function* () {
        const input = metricFixture({ n: 1000, seed: 9, distortion: 0, metric: { resamples: 200 } })
        const score = yield* metric.score(input)
        expect(score.headline.ci!.lower).toBe(0)
        for (const measure of score.measures.filter((m) => m.measure === "js-distance" && m.arm === "all"))
          expect(measure.ci!.lower, measure.key).toBe(0)
      }),
  )

  it("measures the synthetic design effect: 1 for one sampled answer per twin, above 1 for agreeing replicates", () => {
    const input = metricFixture({ n: 400, seed: 10, distortion: 0.3 })
    const single = preparePanel(input)
    expect(syntheticDesignEffect(single, 1)).toBeGreaterThan(0.85)
    expect(syntheticDesignEffect(single, 1)).toBeLessThan(1.15)
    // Each twin answered twice, identically: the two rows count as one.
    const doubled = preparePanel({
      ...input,
      synthetic: input.synthetic.flatMap((s) => [s, { ...s, replicate: 1 }]),
    })
    expect(syntheticDesignEffect(doubled, 1)).toBeGreaterThan(1.8)
    expect(syntheticDesignEffect(doubled, 1)).toBeLessThan(2.2)
  })

  it.effect("fails with a MetricError without human respondents", () =>
    Effect.gen(function* () {
      const input = metricFixture({ n: 10, seed: 5 })
      const error = yield* Effect.flip(metric.score({ ...input, human: [] }))
      expect(error._tag).toBe("MetricError")
    }),
  )
})
