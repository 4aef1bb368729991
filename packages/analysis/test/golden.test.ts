import { describe, expect, it } from "@effect/vitest"
import { effectCoefficients, fitAnalysis } from "../src/index.js"
import { golden, goldenStudy } from "./golden-study.js"

// statsmodels' ordered logit SEs come from a finite-difference Hessian; everything else is analytic.
const seTolerance = (family: string) => (family === "ordinal" ? 2e-5 : 1e-6)

describe("declared analyses against statsmodels (test/golden/make_golden_analysis.py)", () => {
  for (const { spec, expected } of golden.analyses) {
    it(`${spec.id}: ${spec.family}${spec.se ? `, ${spec.se} SEs` : ""}${spec.subset ? ", on a subset" : ""}: n, every coefficient and SE`, () => {
      const fit = fitAnalysis(goldenStudy, spec, golden.rows)
      if (!fit.ok) throw new Error(fit.error.message)
      expect(fit.value.n).toBe(expected.n)
      expect(fit.value.outsideSubset + fit.value.dropped + fit.value.n).toBe(golden.rows.length)
      expect(Object.keys(fit.value.coefficients).sort()).toEqual(Object.keys(expected.coefficients).sort())
      for (const [term, reference] of Object.entries(expected.coefficients)) {
        const coefficient = fit.value.coefficients[term]!
        expect(Math.abs(coefficient.estimate - reference.estimate), `${term} estimate`).toBeLessThan(1e-6)
        expect(Math.abs(coefficient.se - reference.se), `${term} SE`).toBeLessThan(seTolerance(spec.family))
      }
      if (expected.logLikelihood !== undefined)
        expect(Math.abs(fit.value.logLikelihood - expected.logLikelihood)).toBeLessThan(1e-6)
      if (expected.pseudoR2 !== undefined)
        expect(Math.abs(fit.value.pseudoR2! - expected.pseudoR2)).toBeLessThan(1e-8)
      if (expected.rSquared !== undefined)
        expect(Math.abs(fit.value.rSquared! - expected.rSquared)).toBeLessThan(1e-10)
      expect(fit.value.se).toBe(spec.se ?? "classical")
    })
  }

  it("keys a multinomial fit per outcome level against the baseline, and leaves intercepts and thresholds out of the effects", () => {
    const multinomial = golden.analyses.find((analysis) => analysis.spec.family === "multinomial")!.spec
    const fit = fitAnalysis(goldenStudy, multinomial, golden.rows)
    if (!fit.ok) throw new Error(fit.error.message)
    expect(fit.value.baseline).toBe("Con")
    expect(fit.value.constantTerms).toEqual(["Lab::(Intercept)", "Lib::(Intercept)"])
    expect(Object.keys(effectCoefficients(fit.value))).toContain("Lib::treated:gender[Male]")
    expect(Object.keys(effectCoefficients(fit.value))).not.toContain("Lab::(Intercept)")
    const ordinal = golden.analyses.find((analysis) => analysis.spec.family === "ordinal")!.spec
    const ordered = fitAnalysis(goldenStudy, ordinal, golden.rows)
    if (!ordered.ok) throw new Error(ordered.error.message)
    expect(ordered.value.constantTerms).toEqual([
      "Strongly disagree|Disagree",
      "Disagree|Neither",
      "Neither|Agree",
      "Agree|Strongly agree",
    ])
    expect(Object.keys(effectCoefficients(ordered.value)).sort()).toEqual(
      ["gender[Male]", "gender[Other]", "income", "treated"].sort(),
    )
  })
})
