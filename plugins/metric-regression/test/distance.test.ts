import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { type AnalysisRow, fitAnalysis } from "@standin/analysis"
import type { AnalysisSpec, Respondent, StudyDefinition, SyntheticRespondent } from "@standin/core"
import { Effect } from "effect"
import { plugInSquared, scalarDistance, squaredBias, waldDistance, waldP } from "../src/distance.js"
import { metric } from "../src/index.js"

interface Expected {
  readonly terms: ReadonlyArray<string>
  readonly wald: number
  readonly df: number
  readonly scale: number
  readonly p: number
  readonly distance: number
  readonly interval: readonly [number, number]
}

/** The survey, twins and statsmodels/scipy figures written by test/golden/make_golden_distance.py. */
const golden = JSON.parse(readFileSync(join(__dirname, "golden", "distance.json"), "utf8")) as {
  readonly levels: Readonly<Record<"arm" | "gender" | "age" | "vote", ReadonlyArray<string>>>
  readonly human: ReadonlyArray<AnalysisRow>
  readonly synthetic: ReadonlyArray<AnalysisRow>
  readonly analyses: ReadonlyArray<{ readonly spec: AnalysisSpec; readonly expected: Expected }>
  readonly headline: { readonly distance: number; readonly interval: readonly [number, number] }
}

const study: StudyDefinition = {
  id: "golden-distance",
  version: "1",
  title: "A synthetic survey for the coefficient-distance goldens",
  description: "",
  citation: "",
  data: { directory: "golden-distance", file: "survey.csv", sha256: "0".repeat(64) },
  respondentId: "id",
  armColumn: "arm",
  arms: golden.levels.arm.map((id) => ({ id, label: id, value: id, stimulus: "" })),
  persona: (["gender", "age"] as const).map((id) => ({
    id,
    column: id,
    label: id,
    multiple: false,
    levels: golden.levels[id],
    template: `${id}: {value}`,
  })),
  subgroups: [],
  items: [
    {
      id: "share",
      column: "share",
      wording: "Share?",
      label: "share",
      scale: { _tag: "Binary", options: ["No", "Yes"] },
      role: "action",
    },
    {
      id: "score",
      column: "score",
      wording: "Score",
      label: "score",
      scale: { _tag: "Numeric", min: 0, max: 200, integer: false },
      role: "outcome",
    },
    {
      id: "vote",
      column: "vote",
      wording: "Vote",
      label: "vote",
      scale: { _tag: "Categorical", options: golden.levels.vote },
      role: "outcome",
    },
  ],
  preamble: "",
  beliefActionPairs: [],
  analyses: golden.analyses.map((analysis) => analysis.spec),
  figures: [],
  privateColumns: ["id"],
  trimWhitespace: true,
}

const fitOf = (spec: AnalysisSpec, rows: ReadonlyArray<AnalysisRow>) => {
  const fit = fitAnalysis(study, spec, rows)
  if (!fit.ok) throw new Error(fit.error.message)
  return fit.value
}

const relative = (actual: number, expected: number) =>
  Math.abs(actual - expected) / Math.max(1e-12, Math.abs(expected))

describe("coefficient distance against statsmodels and scipy (test/golden/make_golden_distance.py)", () => {
  for (const { spec, expected } of golden.analyses) {
    it(`${spec.id}: ${spec.family}${spec.se ? `, ${spec.se} SEs` : ""}: Wald statistic, df, scale, p-value and distance`, () => {
      const distance = waldDistance(fitOf(spec, golden.human), fitOf(spec, golden.synthetic))!
      expect([...distance.terms].sort()).toEqual([...expected.terms].sort())
      expect(distance.df).toBe(expected.df)
      expect(distance.against).toBe("synthetic")
      expect(relative(distance.wald, expected.wald)).toBeLessThan(1e-6)
      expect(relative(distance.scale, expected.scale)).toBeLessThan(1e-12)
      expect(Math.abs(waldP(distance) - expected.p)).toBeLessThan(1e-7)
      const corrected = Math.sqrt(Math.max(0, plugInSquared(distance) - squaredBias(distance)))
      expect(Math.abs(corrected - expected.distance)).toBeLessThan(1e-7)
    })
  }

  const human: Array<Respondent> = golden.human.map(
    (row, index) => ({ ...row, id: `r${index}` }) as Respondent,
  )
  const synthetic: Array<SyntheticRespondent> = golden.synthetic.map((row, index) => ({
    twinId: `r${index}`,
    replicate: 0,
    arm: row.arm,
    persona: row.persona,
    answers: row.answers as SyntheticRespondent["answers"],
    raw: "",
    valid: true,
    invalidItems: [],
    warnings: [],
    attempts: 1,
    modelVersion: "golden",
    usage: { inputTokens: 0, outputTokens: 0 },
    elicitation: "sample",
  }))

  it.effect(
    "through the metric: each analysis's distance and interval, and the headline (root mean square over analyses, Welch–Satterthwaite interval)",
    () =>
      Effect.gen(function* () {
        const score = yield* metric.score({
          study,
          human,
          synthetic,
          options: { seed: 3, resamples: 4, alpha: 0.05, minCellSize: 1 },
        })
        for (const { spec, expected } of golden.analyses) {
          const measure = score.measures.find((m) => m.key === `coefficient-distance|analysis=${spec.id}`)!
          expect(Math.abs(measure.value! - expected.distance), spec.id).toBeLessThan(1e-7)
          expect(Math.abs(measure.ci!.lower - expected.interval[0]), spec.id).toBeLessThan(1e-6)
          expect(Math.abs(measure.ci!.upper - expected.interval[1]), spec.id).toBeLessThan(1e-6)
          expect(measure.ci!.method).toBe("bias-corrected")
        }
        expect(score.headline.measure).toBe("coefficient-distance")
        expect(Math.abs(score.headline.value! - golden.headline.distance)).toBeLessThan(1e-7)
        expect(Math.abs(score.headline.ci!.lower - golden.headline.interval[0])).toBeLessThan(1e-6)
        expect(Math.abs(score.headline.ci!.upper - golden.headline.interval[1])).toBeLessThan(1e-6)
        // The replicates are re-centred on the corrected estimate (the bias removed twice), one per resample.
        expect(score.headlineReplicates).toHaveLength(4)
        const analyses = (
          score.details as { analyses: ReadonlyArray<{ distance: { wald: number; df: number } }> }
        ).analyses
        expect(analyses.map((a) => a.distance.df)).toEqual(golden.analyses.map((a) => a.expected.df))
      }),
  )

  it("a synthetic fit that failed: the human coefficients' distance from 0, b_h′V_h⁻¹b_h with s = 1/(n_h·df)", () => {
    const spec = golden.analyses[1]!.spec
    const fit = fitOf(spec, golden.human)
    const distance = waldDistance(fit, null)!
    expect(distance.against).toBe("null")
    const effects = Object.keys(fit.coefficients).filter((term) => term !== "(Intercept)")
    expect(distance.df).toBe(effects.length)
    expect(distance.scale).toBeCloseTo(1 / (fit.n * effects.length), 15)
    // With uncorrelated coefficients the form is Σ z²; with the real covariance it is at least the largest z².
    const largest = Math.max(...effects.map((term) => fit.coefficients[term]!.statistic ** 2))
    expect(distance.wald).toBeGreaterThanOrEqual(largest * (1 - 1e-9))
  })

  it("a protected item's prevalence: one coefficient, W = Δ²/(se_h² + se_s²), df 1, s = 1/n_h + 1/n_s", () => {
    const estimate = (value: number, se: number) => ({
      term: "prevalence",
      estimate: value,
      se,
      statistic: value / se,
      p: 0.01,
      lower: value - 1.96 * se,
      upper: value + 1.96 * se,
    })
    const distance = scalarDistance(estimate(0.2, 0.03), estimate(0.35, 0.04), 400, 800, "prevalence")!
    expect(distance.wald).toBeCloseTo(0.15 ** 2 / (0.03 ** 2 + 0.04 ** 2), 12)
    expect(distance.df).toBe(1)
    expect(distance.scale).toBeCloseTo(1 / 400 + 1 / 800, 15)
    expect(waldP(distance)).toBeCloseTo(2 * (1 - 0.9986501019683699), 6) // |z| = 3, two-sided
    expect(scalarDistance(estimate(0.2, 0), estimate(0.2, 0), 10, 10, "prevalence")).toBeUndefined()
  })
})
