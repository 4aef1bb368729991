import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import type { AnalysisSpec } from "@standin/core"
import {
  berkeAnalysis,
  berkeLikeStudy,
  berkeRespondentsFromCsv,
  simulateHumans,
} from "@standin/testkit/metric-fixture"
import { fitAnalysis } from "../src/index.js"
import { golden, goldenStudy } from "./golden-study.js"

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

describe("fitAnalysis: typed errors of the newer families", () => {
  const vote = golden.analyses.find((analysis) => analysis.spec.id === "vote-multinomial")!.spec
  const agree = golden.analyses.find((analysis) => analysis.spec.id === "agree-ordinal")!.spec
  const error = (spec: AnalysisSpec, rows = golden.rows) => {
    const fit = fitAnalysis(goldenStudy, spec, rows)
    if (fit.ok) throw new Error(`${spec.id} fitted`)
    return fit.error
  }

  it("refuses an outcome coding the family cannot model, an ordinal reference that is not the lowest level, and HC3 for a multinomial", () => {
    expect(
      error({ ...vote, outcome: { ...vote.outcome, coding: { _tag: "Indicator", levels: ["Lab"] } } }),
    ).toMatchObject({
      _tag: "InvalidAnalysis",
      variable: "vote",
      message: expect.stringMatching(/categorical/),
    })
    expect(
      error({ ...agree, outcome: { ...agree.outcome, coding: { _tag: "Categorical", reference: "Agree" } } }),
    ).toMatchObject({
      _tag: "InvalidAnalysis",
      message: expect.stringMatching(/lowest level, "Strongly disagree"/),
    })
    expect(error({ ...vote, se: "HC3" })).toMatchObject({
      _tag: "InvalidAnalysis",
      message: expect.stringMatching(/HC3 standard errors are not defined for a multinomial analysis/),
    })
  })

  it("refuses an undeclared outcome level inside the subset, and a subset on an undeclared attribute", () => {
    const rows = golden.rows.map((row, index) =>
      index === 5 ? { ...row, answers: { ...row.answers, vote: "Green" } } : row,
    )
    expect(error(vote, rows)).toMatchObject({
      _tag: "InvalidAnalysis",
      message: expect.stringMatching(/Row 5 has outcome "Green", which is not one of its levels/),
    })
    expect(
      error({ ...vote, subset: [{ source: { _tag: "Persona", attribute: "region" }, levels: ["North"] }] }),
    ).toMatchObject({ _tag: "InvalidAnalysis", variable: "subset[0]" })
  })

  it("counts rows outside the subset apart from rows dropped for a missing value", () => {
    const fit = fitAnalysis(goldenStudy, agree, golden.rows)
    if (!fit.ok) throw new Error(fit.error.message)
    const outside = golden.rows.filter((row) => row.persona.age === "55+").length
    expect(fit.value.outsideSubset).toBe(outside)
    expect(fit.value.dropped).toBeGreaterThan(0)
    expect(fit.value.n + fit.value.dropped + outside).toBe(golden.rows.length)
  })
})
