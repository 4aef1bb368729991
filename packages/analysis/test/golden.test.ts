import { describe, expect, it } from "@effect/vitest"
import { effectCoefficients, fitAnalysis, fitPrepared, prepareAnalysis } from "../src/index.js"
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

  it("a reweighting that leaves an outcome level without weight (a bootstrap resample) fits the levels it has", () => {
    for (const family of ["multinomial", "ordinal"] as const) {
      const spec = golden.analyses.find((analysis) => analysis.spec.family === family)!.spec
      const prepared = prepareAnalysis(goldenStudy, spec, golden.rows)
      if (!prepared.ok) throw new Error(prepared.error.message)
      const { values } = prepared.value.categories!
      const dropped = family === "multinomial" ? "Lib" : "Neither"
      const weights = values.map((value) => (value === dropped ? 0 : 1))
      const full = fitPrepared(prepared.value)
      if (!full.ok) throw new Error(full.error.message)
      const refit = fitPrepared(prepared.value, { weights, start: full.value.fit.estimates })
      if (!refit.ok) throw new Error(refit.error.message)
      expect(refit.value.outcomeLevels, family).not.toContain(dropped)
      expect(refit.value.n).toBe(values.length - values.filter((value) => value === dropped).length)
      expect(
        Object.keys(refit.value.coefficients).some((term) => term.includes(dropped)),
        family,
      ).toBe(false)
    }
  })
})
