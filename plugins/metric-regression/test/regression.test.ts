import { describe, expect, it } from "@effect/vitest"
import type { AnalysisSpec, SyntheticRespondent } from "@standin/core"
import type { Coefficient } from "@standin/stats"
import { MetricContract } from "@standin/testkit/metric-contract"
import {
  berkeAnalysis,
  berkeLikeStudy,
  identicalSynthetic,
  metricFixture,
} from "@standin/testkit/metric-fixture"
import { Effect } from "effect"
import { compareCoefficients, metric } from "../src/index.js"

MetricContract.suite(metric)

const coefficient = (term: string, estimate: number, p: number, se = 0.1): Coefficient => ({
  term,
  estimate,
  se,
  statistic: estimate / se,
  p,
  lower: estimate - 1.96 * se,
  upper: estimate + 1.96 * se,
})

describe("compareCoefficients", () => {
  it("counts TP, FP, FN, TN as the descriptor defines them, and computes F1 and the false-positive rate", () => {
    const human = {
      "(Intercept)": coefficient("(Intercept)", 1, 0.001),
      a: coefficient("a", 0.5, 0.001), // + / +  : TP
      b: coefficient("b", -0.5, 0.001), // − / null: FN
      c: coefficient("c", 0.5, 0.001), // + / −  : FP and FN
      d: coefficient("d", 0.01, 0.8), // null / +: FP
      e: coefficient("e", 0.01, 0.8), // null / null: TN
    }
    const synthetic = {
      "(Intercept)": coefficient("(Intercept)", -3, 0.001),
      a: coefficient("a", 0.4, 0.01),
      b: coefficient("b", -0.1, 0.3),
      c: coefficient("c", -0.6, 0.001),
      d: coefficient("d", 0.3, 0.02),
      e: coefficient("e", 0.02, 0.9),
      onlySynthetic: coefficient("onlySynthetic", 1, 0.001),
    }
    const comparison = compareCoefficients(human, synthetic)
    expect(comparison.terms.map((t) => t.term)).toEqual(["a", "b", "c", "d", "e"])
    expect(comparison.unmatched).toEqual(["onlySynthetic"])
    expect([
      comparison.truePositives,
      comparison.falsePositives,
      comparison.falseNegatives,
      comparison.trueNegatives,
    ]).toEqual([1, 2, 2, 1])
    expect(comparison.f1).toBeCloseTo((2 * 1) / (2 * 1 + 2 + 2), 12)
    expect(comparison.falsePositiveRate).toBeCloseTo(1 / 2, 12)
    const c = comparison.terms.find((t) => t.term === "c")!
    expect(c.z).toBeCloseTo(-1.1 / Math.sqrt(0.02), 12)
    expect(c.overlap).toBe(false)
    // CIs overlap for a, d, e (b's and c's are disjoint).
    expect(comparison.overlapShare).toBeCloseTo(3 / 5, 12)
    // Differences: b (z 2.83, p 0.005), c (z −7.8) and d (z 2.05, p 0.040) are significant raw; Holm keeps b and c.
    expect(comparison.significantShareRaw).toBeCloseTo(3 / 5, 12)
    expect(comparison.significantShare).toBeCloseTo(2 / 5, 12)
  })
})

describe("regression metric", () => {
  it.effect(
    "shares the human side's fits across entries scored on the same humans, with the same scores",
    () =>
      Effect.gen(function* () {
        const input = metricFixture({ n: 800, seed: 45, distortion: 0.3, metric: { resamples: 20 } })
        const other = metricFixture({ n: 800, seed: 45, distortion: 0.6, metric: { resamples: 20 } })
        // two entries scored against one human array (as a run scores its entries): the second reuses the first's
        // human fits and refits; each must equal its score against a fresh copy of the humans (nothing reused)
        const first = yield* metric.score(input)
        const second = yield* metric.score({ ...other, human: input.human })
        const fresh = (of: typeof input) => metric.score({ ...of, human: input.human.map((h) => ({ ...h })) })
        expect(JSON.stringify(first)).toBe(JSON.stringify(yield* fresh(input)))
        expect(JSON.stringify(second)).toBe(JSON.stringify(yield* fresh({ ...other, human: input.human })))
        expect(JSON.stringify(second)).not.toBe(JSON.stringify(first))
      }),
  )

  it.effect("puts both coefficient tables in details and scores the treatment effect", () =>
    Effect.gen(function* () {
      const input = metricFixture({ n: 1500, seed: 43, distortion: 0.3, metric: { resamples: 30 } })
      const score = yield* metric.score(input)
      const analyses = score.details?.analyses as ReadonlyArray<{
        analysis: string
        human: { coefficients: ReadonlyArray<{ term: string }> }
        comparison: { terms: ReadonlyArray<{ term: string; z: number; pHolm: number }> }
      }>
      expect(analyses[0]!.analysis).toBe("share-model")
      expect(analyses[0]!.human.coefficients[0]!.term).toBe("(Intercept)")
      expect(analyses[0]!.comparison.terms.length).toBeGreaterThan(10)
      const treatment = score.measures.find(
        (m) => m.key === "treatment-effect-difference|analysis=share-model|term=showdata",
      )!
      expect(treatment.value).toBeCloseTo(Math.abs(treatment.synthetic! - treatment.human!), 12)
      const f1 = score.measures.find((m) => m.key === "sign-f1|analysis=share-model")!
      // The overall F1 (a secondary measure since 0.4.0) is the mean over analyses: here the one analysis's.
      expect(score.measures.find((m) => m.key === "sign-f1")!.value).toBe(f1.value)
      // The headline is the coefficient distance; over one analysis, that analysis's.
      const distance = score.measures.find((m) => m.key === "coefficient-distance|analysis=share-model")!
      expect(score.headline.measure).toBe("coefficient-distance")
      expect(score.headline.value).toBeCloseTo(distance.value!, 12)
      expect(score.headline.ci!.lower).toBeLessThanOrEqual(score.headline.value!)
      expect(score.headline.ci!.upper).toBeGreaterThan(score.headline.value!)
    }),
  )

  it.effect(
    "a synthetic fit that fails (separation) counts in the headline as a model that recovered no effect, flagged with the reason",
    () =>
      Effect.gen(function* () {
        const input = metricFixture({ n: 400, seed: 44, metric: { resamples: 10 } })
        // Every Hispanic twin consents: hispanic[Yes] (held by more than minCellSize humans) separates the outcome.
        const synthetic: Array<SyntheticRespondent> = input.synthetic.map((s) => ({
          ...s,
          answers: {
            ...s.answers,
            share: s.persona.hispanic === "Yes" ? "Consent to share" : (s.answers.share ?? null),
          },
        }))
        const score = yield* metric.score({ ...input, synthetic })
        // Not silently dropped: the failed analysis counts as a model whose every effect is 0, i.e. the human
        // coefficients' own bias-corrected distance from 0 (their Wald statistic against 0).
        const details = score.details as {
          failedFits: Array<{ analysis: string; side: string; reason: string; counted: string }>
          analyses: Array<{ distance: { against: string; wald: number; df: number; scale: number } }>
        }
        const against = details.analyses[0]!.distance
        expect(against.against).toBe("null")
        const expected = Math.sqrt(Math.max(0, against.scale * (against.wald - against.df)))
        expect(expected).toBeGreaterThan(0)
        expect(score.headline.value).toBeCloseTo(expected, 12)
        const distance = score.measures.find((m) => m.key === "coefficient-distance|analysis=share-model")!
        expect(distance.value).toBeCloseTo(expected, 12)
        expect(distance.flagged).toBe("synthetic-fit-failed")
        expect(distance.note).toMatch(
          /analysis "share-model": the synthetic fit failed: Quasi-complete separation.*hispanic\[Yes\].*recovered no effect/,
        )
        // The sign-recovery F1 counts the failure as 0, per analysis and overall.
        const f1 = score.measures.find((m) => m.key === "sign-f1|analysis=share-model")!
        expect(f1.value).toBe(0)
        expect(f1.flagged).toBe("synthetic-fit-failed")
        expect(f1.note).toMatch(/F1 0/)
        expect(score.measures.find((m) => m.key === "sign-f1")!.value).toBe(0)
        expect(details.failedFits).toEqual([
          expect.objectContaining({
            analysis: "share-model",
            side: "synthetic",
            reason: expect.stringMatching(/separation/),
            counted: expect.stringMatching(/recovered no effect/),
          }),
        ])
        for (const m of score.measures) if (m.value === null) expect(m.note).toMatch(/\S/)
        // Resamples count the failure the same way: the human refit's distance from 0, never NaN for a scorable one.
        expect(score.headlineReplicates).toHaveLength(10)
        const scored = score.headlineReplicates!.filter(Number.isFinite)
        expect(scored.length).toBeGreaterThanOrEqual(8)
        // (each re-centred on the corrected estimate, so a resample near 0 clips at 0)
        for (const replicate of scored) expect(replicate).toBeGreaterThanOrEqual(0)
        expect(scored.filter((replicate) => replicate > 0).length * 2).toBeGreaterThan(scored.length)
      }),
  )

  it.effect(
    "identical twins are at distance 0 with an interval from 0; a distorted model's interval excludes 0",
    () =>
      Effect.gen(function* () {
        const input = metricFixture({ n: 1500, seed: 49, distortion: 0.6, metric: { resamples: 5 } })
        const identical = yield* metric.score({ ...input, synthetic: identicalSynthetic(input.human) })
        expect(identical.headline.value).toBe(0)
        expect(identical.headline.ci!.lower).toBe(0)
        const details = identical.details as { analyses: Array<{ distance: { wald: number; p: number } }> }
        expect(details.analyses[0]!.distance.wald).toBeLessThan(1e-9)
        expect(details.analyses[0]!.distance.p).toBeCloseTo(1, 9)
        const distorted = yield* metric.score(input)
        expect(distorted.headline.ci!.lower).toBeGreaterThan(0)
        expect(distorted.headline.value!).toBeGreaterThan(distorted.headline.ci!.lower)
      }),
  )

  it.effect("leaves levels held by fewer than minCellSize humans out of both fits, and lists them", () =>
    Effect.gen(function* () {
      const input = metricFixture({ n: 400, seed: 46, metric: { resamples: 0, minCellSize: 30 } })
      const others = input.human.filter((h) => h.persona.gender === "Other").length
      expect(others).toBeGreaterThan(0)
      expect(others).toBeLessThan(30)
      const score = yield* metric.score(input)
      const analyses = score.details?.analyses as ReadonlyArray<{
        excludedLevels: Record<string, ReadonlyArray<string>>
        human: { coefficients: ReadonlyArray<{ term: string }>; n: number }
      }>
      expect(analyses[0]!.excludedLevels.gender).toEqual(["Other"])
      expect(analyses[0]!.human.coefficients.map((c) => c.term)).not.toContain("gender[Other]")
      expect(analyses[0]!.human.n).toBeLessThanOrEqual(400 - others)
    }),
  )
})

describe("regression metric: probit, multinomial and ordinal analyses, subsets and robust SEs", () => {
  const gender: AnalysisSpec["predictors"][number] = {
    id: "gender",
    source: { _tag: "Persona", attribute: "gender" },
    coding: { _tag: "Categorical", reference: "Male" },
  }
  const showdata = berkeAnalysis.predictors.find((p) => p.id === "showdata")!
  const older: AnalysisSpec["predictors"][number] = {
    id: "older",
    source: { _tag: "Persona", attribute: "age" },
    coding: { _tag: "Indicator", levels: ["45 - 54 years", "55 - 64 years", "65 or older"] },
  }
  const understand = { id: "understand", source: { _tag: "Item" as const, item: "understand" } }
  const analyses: ReadonlyArray<AnalysisSpec> = [
    { ...berkeAnalysis, id: "share-probit", family: "probit", se: "HC1" },
    {
      id: "understand-multinomial",
      label: "Understanding (multinomial)",
      family: "multinomial",
      outcome: {
        ...understand,
        coding: {
          _tag: "Categorical",
          reference: "Disagree",
          recode: {
            "Strongly disagree": "Disagree",
            "Somewhat disagree": "Disagree",
            "Somewhat agree": "Agree",
            "Strongly agree": "Agree",
          },
        },
      },
      predictors: [showdata, gender, older],
      interactions: [["showdata", "gender"]],
      treatment: "showdata",
    },
    {
      id: "understand-ordinal",
      label: "Understanding (ordered logit), women and men",
      family: "ordinal",
      outcome: { ...understand, coding: { _tag: "Categorical", reference: "Strongly disagree" } },
      predictors: [showdata, gender, older],
      interactions: [],
      subset: [{ source: { _tag: "Persona", attribute: "gender" }, levels: ["Female", "Male"] }],
      se: "HC0",
    },
  ]
  const study = { ...berkeLikeStudy, analyses }
  type Details = {
    analyses: ReadonlyArray<{
      analysis: string
      human: { n: number; coefficients: ReadonlyArray<{ term: string }> }
      comparison: { terms: ReadonlyArray<{ term: string }> } | null
    }>
  }

  it.effect(
    "with identical twins every family recovers every sign; multinomial terms are per level, thresholds and intercepts are left out",
    () =>
      Effect.gen(function* () {
        const input = metricFixture({ n: 3000, seed: 47, metric: { resamples: 0 } })
        const human = input.human
        const score = yield* metric.score({ ...input, study, synthetic: identicalSynthetic(human) })
        const details = score.details as Details
        for (const analysis of analyses) {
          const f1 = score.measures.find((m) => m.key === `sign-f1|analysis=${analysis.id}`)!
          expect(f1.value, analysis.id).toBe(1)
        }
        const byId = Object.fromEntries(details.analyses.map((analysis) => [analysis.analysis, analysis]))
        const multinomialTerms = byId["understand-multinomial"]!.comparison!.terms.map((term) => term.term)
        expect(multinomialTerms).toContain("Neutral::showdata")
        expect(multinomialTerms).toContain("Agree::showdata:gender[Female]")
        expect(multinomialTerms.some((term) => term.endsWith("(Intercept)"))).toBe(false)
        // The treatment's column in each outcome level's equation.
        const treatment = score.measures
          .filter((m) => m.key.startsWith("treatment-effect-difference|analysis=understand-multinomial"))
          .map((m) => m.key)
        expect(treatment).toEqual([
          "treatment-effect-difference|analysis=understand-multinomial|term=Neutral::showdata",
          "treatment-effect-difference|analysis=understand-multinomial|term=Agree::showdata",
        ])
        const ordinalTerms = byId["understand-ordinal"]!.comparison!.terms.map((term) => term.term)
        expect(ordinalTerms.sort()).toEqual(["gender[Female]", "older", "showdata"])
        // Thresholds are reported in the coefficient table, never compared.
        expect(byId["understand-ordinal"]!.human.coefficients.map((c) => c.term)).toContain(
          "Strongly disagree|Somewhat disagree",
        )
        const others = human.filter((h) => h.persona.gender === "Other").length
        expect(byId["understand-ordinal"]!.human.n).toBeLessThanOrEqual(human.length - others)
      }),
  )

  it.effect(
    "bootstraps every family (warm-started refits) and scores a distorted model below identical twins",
    () =>
      Effect.gen(function* () {
        const input = metricFixture({ n: 3000, seed: 48, distortion: 0.8, metric: { resamples: 12 } })
        const distorted = yield* metric.score({ ...input, study })
        const identical = yield* metric.score({ ...input, study, synthetic: identicalSynthetic(input.human) })
        // Lower is better: identical twins are at distance 0, the distorted model above it.
        expect(identical.headline.value).toBe(0)
        expect(distorted.headline.value!).toBeGreaterThan(identical.headline.value!)
        expect(distorted.headlineReplicates!.filter(Number.isFinite).length).toBeGreaterThanOrEqual(10)
        for (const analysis of analyses) {
          const f1 = distorted.measures.find((m) => m.key === `sign-f1|analysis=${analysis.id}`)!
          expect(f1.ci, analysis.id).toBeDefined()
          const distance = distorted.measures.find(
            (m) => m.key === `coefficient-distance|analysis=${analysis.id}`,
          )!
          expect(distance.value, analysis.id).toBeGreaterThanOrEqual(0)
          expect(distance.ci!.upper, analysis.id).toBeGreaterThanOrEqual(distance.value!)
        }
      }),
  )
})
