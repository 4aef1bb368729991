import { describe, expect, it } from "@effect/vitest"
import { jsDistance } from "@standin/stats"
import { MetricContract } from "@standin/testkit/metric-contract"
import {
  berkeLikeStudy,
  identicalSynthetic,
  metricFixture,
  simulateHumans,
} from "@standin/testkit/metric-fixture"
import { Effect } from "effect"
import { metric } from "../src/index.js"

MetricContract.suite(metric)

describe("divergence metric", () => {
  it.effect("scores each item pooled and per arm, and the headline is the mean pooled JS distance", () =>
    Effect.gen(function* () {
      const input = metricFixture({ n: 300, seed: 3, distortion: 0.6, metric: { resamples: 50 } })
      const score = yield* metric.score(input)
      const pooled = score.measures.filter((m) => m.measure === "js-distance" && m.arm === "all")
      expect(pooled.map((m) => m.item)).toEqual(["understand", "concern", "share"])
      expect(score.headline.value).toBeCloseTo(pooled.reduce((sum, m) => sum + m.value!, 0) / 3, 12)
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
      const expected = jsDistance(
        count(input.human.map((h) => h.answers.concern)),
        count(input.synthetic.map((s) => s.answers.concern)),
      )
      expect(pooled[1]!.value).toBeCloseTo(expected!, 12)
      expect(score.measures.filter((m) => m.item === "share" && m.measure === "wasserstein")).toHaveLength(3)
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
      const expected = jsDistance([human.length - share, share], [0.5, 0.5])
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

  it.effect("fails with a MetricError without human respondents", () =>
    Effect.gen(function* () {
      const input = metricFixture({ n: 10, seed: 5 })
      const error = yield* Effect.flip(metric.score({ ...input, human: [] }))
      expect(error._tag).toBe("MetricError")
    }),
  )
})
