import { describe, expect, it } from "@effect/vitest"
import type { AnswerValue } from "@standin/core"
import { entropy } from "@standin/stats"
import { agreeScale, metricFixture } from "@standin/testkit/metric-fixture"
import { Effect } from "effect"
import { metric } from "../src/index.js"

/** The sum of the two 1–5 belief items: 9 possible values, 2 … 10; missing when either answer is. */
const sum = (answers: Readonly<Record<string, AnswerValue>>): number | null => {
  const scale: ReadonlyArray<string> = agreeScale
  const a = scale.indexOf(answers.concern as string)
  const b = scale.indexOf(answers.understand as string)
  return a < 0 || b < 0 ? null : a + b + 2
}

const counts = (values: ReadonlyArray<number | null>) =>
  Array.from({ length: 9 }, (_, level) => values.filter((value) => value === level + 2).length)

describe("heterogeneity metric: derived variables", () => {
  it.effect("scores a scored derived index as one more item: entropy by hand, in the headline mean", () =>
    Effect.gen(function* () {
      const base = metricFixture({
        n: 300,
        seed: 5,
        distortion: 0.6,
        invalidRate: 0.1,
        metric: { resamples: 0 },
      })
      const input = {
        ...base,
        study: {
          ...base.study,
          formatVersion: 2 as const,
          derived: [{ id: "belief", label: "Belief sum", expression: "concern + understand", score: true }],
        },
      }
      const score = yield* metric.score(input)
      const measure = score.measures.find((m) => m.key === "entropy-discrepancy|item=belief")!
      const hHuman = entropy(counts(input.human.map((h) => sum(h.answers))))!
      // A twin's invalid answer is missing, so its sum is too.
      const hSynthetic = entropy(
        counts(
          input.synthetic.map((s) =>
            s.invalidItems.includes("concern") || s.invalidItems.includes("understand")
              ? null
              : sum(s.answers),
          ),
        ),
      )!
      expect(measure.human).toBeCloseTo(hHuman, 12)
      expect(measure.synthetic).toBeCloseTo(hSynthetic, 12)
      expect(measure.value).toBeCloseTo(Math.abs(hSynthetic - hHuman) / Math.log2(9), 12)
      // Ordered: its within-level variance is compared per subgroup attribute as an item's is.
      expect(score.measures.some((m) => m.measure === "variance-discrepancy" && m.item === "belief")).toBe(
        true,
      )
      const items = score.measures.filter((m) => m.measure === "entropy-discrepancy")
      expect(items.map((m) => m.item)).toEqual(["understand", "concern", "share", "belief"])
      expect(score.headline.value).toBeCloseTo(items.reduce((s, m) => s + m.value!, 0) / items.length, 12)
      // Never a belief pattern: the derived variable is not asked.
      expect((score.details as { patterns: { items: ReadonlyArray<string> } }).patterns.items).toEqual([
        "understand",
        "concern",
      ])
    }),
  )
})
