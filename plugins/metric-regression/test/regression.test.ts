import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import type { AnalysisSpec, SyntheticRespondent } from "@standin/core"
import type { Coefficient } from "@standin/stats"
import { MetricContract } from "@standin/testkit/metric-contract"
import {
  berkeAnalysis,
  berkeLikeStudy,
  berkeRespondentsFromCsv,
  metricFixture,
  simulateHumans,
} from "@standin/testkit/metric-fixture"
import { Effect } from "effect"
import { compareCoefficients, fitAnalysis, metric } from "../src/index.js"

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

describe("fitAnalysis", () => {
  it("builds the design from an AnalysisSpec: arm indicator, recoded multi-select race, interactions, dropped rows", () => {
    const humans = simulateHumans({ n: 3000, seed: 41 })
    const rows = humans.map((h, index) =>
      index < 10 ? { ...h, answers: { ...h.answers, concern: null } } : h,
    )
    const fit = fitAnalysis(berkeLikeStudy, berkeAnalysis, rows)
    if (!fit.ok) throw new Error(fit.error.message)
    expect(fit.value.n).toBe(2990)
    expect(fit.value.dropped).toBe(10)
    expect(fit.value.columns).toContain("showdata")
    expect(fit.value.columns).toContain("race[Multi/Other]")
    expect(fit.value.columns).not.toContain("race[Other]")
    expect(fit.value.columns).toContain("s1:s2")
    expect(fit.value.columns[0]).toBe("(Intercept)")
    expect(fit.value.pseudoR2).toBeGreaterThan(0)
    // Levels follow the declared order after recoding.
    const ages = fit.value.columns.filter((c) => c.startsWith("age["))
    expect(ages).toEqual([
      "age[18 - 24 years]",
      "age[25 - 34 years]",
      "age[45 - 54 years]",
      "age[55 - 64 years]",
      "age[65 or older]",
    ])
  })

  it("returns typed errors: a bad reference, a constant outcome, separation", () => {
    const humans = simulateHumans({ n: 400, seed: 42 })
    const badReference: AnalysisSpec = {
      ...berkeAnalysis,
      predictors: berkeAnalysis.predictors.map((p) =>
        p.id === "gender" ? { ...p, coding: { _tag: "Categorical" as const, reference: "Nonbinary" } } : p,
      ),
    }
    expect(fitAnalysis(berkeLikeStudy, badReference, humans)).toMatchObject({
      ok: false,
      error: { _tag: "InvalidAnalysis", variable: "gender" },
    })
    const constant = humans.map((h) => ({ ...h, answers: { ...h.answers, share: "Decline" } }))
    expect(fitAnalysis(berkeLikeStudy, berkeAnalysis, constant)).toMatchObject({
      ok: false,
      error: { _tag: "ConstantOutcome" },
    })
    const separated = humans.map((h) => ({
      ...h,
      answers: {
        ...h.answers,
        share: h.persona.gender === "Other" ? "Consent to share" : (h.answers.share ?? null),
      },
    }))
    expect(fitAnalysis(berkeLikeStudy, berkeAnalysis, separated)).toMatchObject({
      ok: false,
      error: { _tag: "Separation", columns: ["gender[Other]"] },
    })
  })

  // STANDIN_DATA_DIR, else the shared/ folder beside the repository (where CI lays it).
  it("fits a gaussian analysis by OLS and rejects a multi-select value without a `multiple` level", () => {
    const humans = simulateHumans({ n: 800, seed: 45 })
    const linear: AnalysisSpec = { ...berkeAnalysis, id: "linear", family: "gaussian" }
    const fit = fitAnalysis(berkeLikeStudy, linear, humans)
    if (!fit.ok) throw new Error(fit.error.message)
    expect(fit.value.family).toBe("gaussian")
    expect(fit.value.rSquared).toBeGreaterThan(0)
    expect(fit.value.pseudoR2).toBeUndefined()
    expect(fit.value.fit.family).toBe("gaussian")
    const noMultiple: AnalysisSpec = {
      ...berkeAnalysis,
      predictors: berkeAnalysis.predictors.map((p) =>
        p.id === "race"
          ? { ...p, coding: { _tag: "Categorical" as const, reference: "White or Caucasian" } }
          : p,
      ),
    }
    expect(fitAnalysis(berkeLikeStudy, noMultiple, humans)).toMatchObject({
      ok: false,
      error: { _tag: "InvalidAnalysis", variable: "race" },
    })
  })

  const dataDirectory =
    process.env.STANDIN_DATA_DIR ??
    join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..", "shared", "data")
  const csv = join(dataDirectory, "berke-fingerprint-consent", "survey-experiment-data.csv")
  it.runIf(existsSync(csv))(
    "reproduces the Berke et al. model through the AnalysisSpec (statsmodels values to 1e-6)",
    () => {
      const fit = fitAnalysis(
        berkeLikeStudy,
        berkeAnalysis,
        berkeRespondentsFromCsv(readFileSync(csv, "utf8")),
      )
      if (!fit.ok) throw new Error(fit.error.message)
      expect(fit.value.n).toBe(12_461)
      expect(Math.abs(fit.value.pseudoR2! - 0.0526136)).toBeLessThan(1e-6)
      const expected: Record<string, number> = {
        showdata: -0.134382,
        s1: 0.99703,
        s2: -0.877467,
        "s1:s2": -0.78106,
        "gender[Female]": -0.088494,
        "age[18 - 24 years]": 0.430001,
        "age[65 or older]": -0.23798,
        "race[Asian]": 0.173995,
        "income[Prefer not to say]": -0.63965,
      }
      for (const [term, value] of Object.entries(expected)) {
        expect(Math.abs(fit.value.coefficients[term]!.estimate - value), term).toBeLessThan(1e-6)
      }
    },
  )
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
      expect(score.headline.value).toBe(f1.value)
    }),
  )

  it.effect(
    "a synthetic fit that fails (separation) counts as F1 0 in the headline, flagged with the reason",
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
        // Not silently dropped: the failed analysis counts as recovering nothing.
        expect(score.headline.value).toBe(0)
        const f1 = score.measures.find((m) => m.measure === "sign-f1")!
        expect(f1.value).toBe(0)
        expect(f1.flagged).toBe("synthetic-fit-failed")
        expect(f1.note).toMatch(
          /analysis "share-model": the synthetic fit failed: Quasi-complete separation.*hispanic\[Yes\].*F1 0/,
        )
        const failed = (
          score.details as { failedFits: Array<{ analysis: string; side: string; reason: string }> }
        ).failedFits
        expect(failed).toEqual([
          expect.objectContaining({
            analysis: "share-model",
            side: "synthetic",
            reason: expect.stringMatching(/separation/),
          }),
        ])
        for (const m of score.measures) if (m.value === null) expect(m.note).toMatch(/\S/)
        // Resamples count the failure the same way: F1 0 (NaN only where the human refit itself has no truth).
        expect(score.headlineReplicates).toHaveLength(10)
        const scored = score.headlineReplicates!.filter(Number.isFinite)
        expect(scored.length).toBeGreaterThanOrEqual(8)
        for (const replicate of scored) expect(replicate).toBe(0)
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
