import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import {
  buildDesign,
  type DataFrame,
  type Design,
  type DesignSpec,
  fitLogit,
  fitMultinomialLogit,
  fitOls,
  fitOrderedLogit,
  fitProbit,
  hcTypes,
  type MediationEstimate,
  mediationEffects,
  withRobustCovariance,
} from "../src/index.js"

interface Estimate {
  readonly estimate: number
  readonly se: number
}
type HcSe = Record<"HC0" | "HC1" | "HC2" | "HC3", Array<number>>
interface MultinomialGolden {
  readonly categories: Array<string>
  readonly reference: string
  readonly equations: Record<string, Record<string, Estimate>>
  readonly covariance: Array<number>
  readonly logLikelihood: number
  readonly nullLogLikelihood: number
  readonly deviance: number
  readonly pseudoR2: number
}
type Effects = Record<string, { estimate: number; lower: number; upper: number; p: number }>

const here = dirname(fileURLToPath(import.meta.url))
const golden = JSON.parse(readFileSync(join(here, "golden", "estimators.json"), "utf8")) as {
  binary: ReadonlyArray<{
    name: string
    spec: DesignSpec
    frame: DataFrame
    columns: Array<string>
    probit: {
      coefficients: Record<string, Estimate>
      z: Array<number>
      p: Array<number>
      logLikelihood: number
      nullLogLikelihood: number
      pseudoR2: number
      expectedSe: Array<number>
      observedHC0Se: Array<number>
      expectedHcSe: HcSe
    }
    logit: { hcSe: HcSe }
    ols: Record<
      string,
      {
        se: Array<number>
        p: Array<number>
        lower: Array<number>
        upper: Array<number>
        covariance: Array<number>
      }
    >
  }>
  multinomial: ReadonlyArray<
    MultinomialGolden & {
      name: string
      spec: DesignSpec
      frame: DataFrame
      columns: Array<string>
      hc0Covariance: Array<number>
    }
  >
  ordered: ReadonlyArray<{
    name: string
    spec: DesignSpec
    frame: DataFrame
    levels: Array<string>
    columns: Array<string>
    coefficients: Record<string, Estimate>
    thresholds: Array<{ name: string } & Estimate>
    statsmodelsSe: Array<number>
    hc0Se: Array<number>
    logLikelihood: number
    nullLogLikelihood: number
  }>
  mediation: ReadonlyArray<{
    name: string
    model: "probit" | "logit" | "ols"
    frame: DataFrame
    mediatorSpec: DesignSpec
    outcomeSpec: DesignSpec
    sims: number
    mediatorDraws: Array<number>
    outcomeDraws: Array<number>
    errors: Array<number>
    effects: Effects
  }>
}

const close = (actual: number | undefined, expected: number, tolerance: number) => {
  expect(actual).toBeDefined()
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(tolerance)
}

const design = (frame: DataFrame, spec: DesignSpec, outcome?: string): Design => {
  const built = buildDesign(frame, spec, outcome)
  if (!built.ok) throw new Error(built.error.message)
  return built.value
}

const unwrap = <A, E extends { message: string }>(
  outcome: { ok: true; value: A } | { ok: false; error: E },
): A => {
  if (!outcome.ok) throw new Error(outcome.error.message)
  return outcome.value
}

/** The outcome column at the design's rows. */
const outcomeAt = (frame: DataFrame, column: string, built: Design) =>
  Array.from(built.rows, (row) => frame[column]![row] as string | number)

describe("probit matches statsmodels", () => {
  for (const c of golden.binary) {
    const built = design(c.frame, c.spec, "ybin")
    it(`"${c.name}": estimates, observed-information SEs, z, p, log-likelihoods to 1e-6`, () => {
      const fit = unwrap(fitProbit(built))
      expect(fit.columns).toEqual(c.columns)
      fit.coefficients.forEach((row, j) => {
        const reference = c.probit.coefficients[row.term]!
        close(row.estimate, reference.estimate, 1e-6)
        close(row.se, reference.se, 1e-6)
        close(row.statistic, c.probit.z[j]!, 1e-6)
        expect(Math.abs(row.p - c.probit.p[j]!)).toBeLessThanOrEqual(1e-6 * Math.max(c.probit.p[j]!, 1e-12))
      })
      close(fit.logLikelihood, c.probit.logLikelihood, 1e-6)
      close(fit.nullLogLikelihood, c.probit.nullLogLikelihood, 1e-6)
      close(fit.pseudoR2, c.probit.pseudoR2, 1e-9)
      expect(fit.information).toBe("observed")
    })
    it(`"${c.name}": expected-information SEs (GLM / R's glm) to 1e-6`, () => {
      const fit = unwrap(fitProbit(built, { information: "expected" }))
      fit.standardErrors.forEach((se, j) => {
        close(se, c.probit.expectedSe[j]!, 1e-6)
      })
      // Observed and expected information give different SEs off the canonical link.
      expect(
        Math.max(
          ...fit.standardErrors.map((se, j) => Math.abs(se - c.probit.coefficients[c.columns[j]!]!.se)),
        ),
      ).toBeGreaterThan(1e-5)
    })
    it(`"${c.name}": HC0 sandwich on the observed information = statsmodels Probit(cov_type="HC0")`, () => {
      const fit = unwrap(fitProbit(built, { covariance: "HC0" }))
      expect(fit.covarianceType).toBe("HC0")
      fit.standardErrors.forEach((se, j) => {
        close(se, c.probit.observedHC0Se[j]!, 1e-6)
      })
    })
    for (const type of hcTypes) {
      it(`"${c.name}": probit and logit ${type} on the expected information = sandwich::vcovHC`, () => {
        const probit = unwrap(fitProbit(built, { information: "expected", covariance: type }))
        probit.standardErrors.forEach((se, j) => {
          close(se, c.probit.expectedHcSe[type][j]!, 1e-6)
        })
        const logit = unwrap(withRobustCovariance(built, unwrap(fitLogit(built)), type))
        logit.standardErrors.forEach((se, j) => {
          close(se, c.logit.hcSe[type][j]!, 1e-6)
        })
        logit.coefficients.forEach((row) => {
          close(row.statistic, row.estimate / row.se, 1e-12)
        })
      })
      it(`"${c.name}": OLS ${type} SEs, covariance, t p-values and intervals = statsmodels`, () => {
        const ols = design(c.frame, c.spec, "ynum")
        const fit = unwrap(withRobustCovariance(ols, unwrap(fitOls(ols)), type))
        const reference = c.ols[type]!
        expect(fit.covarianceType).toBe(type)
        fit.covariance.forEach((value, k) => {
          close(value, reference.covariance[k]!, 1e-9)
        })
        fit.coefficients.forEach((row, j) => {
          close(row.se, reference.se[j]!, 1e-9)
          // t quantiles come from jstat (about 1e-8 absolute), so the intervals are checked to 1e-6.
          close(row.lower, reference.lower[j]!, 1e-6)
          close(row.upper, reference.upper[j]!, 1e-6)
          expect(Math.abs(row.p - reference.p[j]!)).toBeLessThanOrEqual(
            1e-6 * Math.max(reference.p[j]!, 1e-12),
          )
        })
      })
    }
  }
})

const checkMultinomial = (
  fit: ReturnType<typeof fitMultinomialLogit> & { ok: true },
  reference: MultinomialGolden,
  columns: ReadonlyArray<string>,
) => {
  const value = fit.value
  expect(value.categories).toEqual(reference.categories)
  expect(value.reference).toBe(reference.reference)
  expect(value.equations.map((e) => e.category)).toEqual(Object.keys(reference.equations))
  for (const equation of value.equations) {
    expect(equation.coefficients.map((row) => row.term)).toEqual(columns)
    for (const row of equation.coefficients) {
      const expected = reference.equations[equation.category]![row.term]!
      close(row.estimate, expected.estimate, 1e-6)
      close(row.se, expected.se, 1e-6)
    }
  }
  value.covariance.forEach((entry, k) => {
    close(entry, reference.covariance[k]!, 1e-8)
  })
  close(value.logLikelihood, reference.logLikelihood, 1e-6)
  close(value.nullLogLikelihood, reference.nullLogLikelihood, 1e-6)
  close(value.deviance, reference.deviance, 1e-6)
  close(value.pseudoR2, reference.pseudoR2, 1e-9)
}

describe("multinomial logit matches statsmodels MNLogit", () => {
  for (const c of golden.multinomial) {
    it(`"${c.name}": ${c.categories.length} categories, reference "${c.reference}": coefficients, SEs, covariance, ℓ, deviance to 1e-6`, () => {
      const built = design(c.frame, c.spec)
      const fit = fitMultinomialLogit(built, {
        outcome: outcomeAt(c.frame, "choice", built),
        levels: c.categories,
        reference: c.reference,
      })
      if (!fit.ok) throw new Error(fit.error.message)
      checkMultinomial(fit, c, c.columns)
    })
  }
  for (const c of golden.multinomial) {
    it(`"${c.name}": HC0 = statsmodels MNLogit(cov_type="HC0") to 1e-8; HC1 = HC0 · n/(n − P)`, () => {
      const built = design(c.frame, c.spec)
      const options = {
        outcome: outcomeAt(c.frame, "choice", built),
        levels: c.categories,
        reference: c.reference,
      }
      const hc0 = unwrap(fitMultinomialLogit(built, { ...options, covariance: "HC0" }))
      expect(hc0.covarianceType).toBe("HC0")
      hc0.covariance.forEach((value, k) => {
        close(value, c.hc0Covariance[k]!, 1e-8)
      })
      const hc1 = unwrap(fitMultinomialLogit(built, { ...options, covariance: "HC1" }))
      const P = hc0.estimates.length
      hc1.covariance.forEach((value, k) => {
        close(value, (hc0.covariance[k]! * hc0.n) / (hc0.n - P), 1e-12)
      })
    })
  }
  it("frequency weights count a row that many times", () => {
    const c = golden.multinomial[0]!
    const built = design(c.frame, c.spec)
    const outcome = outcomeAt(c.frame, "choice", built)
    const weights = Array.from({ length: built.n }, (_, i) => (i % 3 === 0 ? 2 : 1))
    const weighted = unwrap(fitMultinomialLogit(built, { outcome, weights }))
    const rows: Array<number> = []
    weights.forEach((w, i) => {
      for (let k = 0; k < w; k++) rows.push(built.rows[i]!)
    })
    const expanded: DataFrame = Object.fromEntries(
      Object.entries(c.frame).map(([k, v]) => [k, rows.map((r) => v[r])]),
    )
    const expandedDesign = design(expanded, c.spec)
    const copy = unwrap(
      fitMultinomialLogit(expandedDesign, { outcome: outcomeAt(expanded, "choice", expandedDesign) }),
    )
    weighted.estimates.forEach((value, k) => {
      close(value, copy.estimates[k]!, 1e-8)
    })
    weighted.standardErrors.forEach((value, k) => {
      close(value, copy.standardErrors[k]!, 1e-8)
    })
    expect(weighted.n).toBe(copy.n)
  })
  it("names the row of an outcome outside the levels, and a reference that is not a level", () => {
    const c = golden.multinomial[0]!
    const built = design(c.frame, c.spec)
    const outcome = outcomeAt(c.frame, "choice", built)
    const bad = [...outcome]
    bad[7] = "Green"
    const fit = fitMultinomialLogit(built, { outcome: bad, levels: c.categories })
    expect(fit.ok).toBe(false)
    if (!fit.ok) expect(fit.error.message).toMatch(/row 7 .*"Green"/)
    const reference = fitMultinomialLogit(built, { outcome, reference: "Green" })
    expect(reference.ok).toBe(false)
    if (!reference.ok) expect(reference.error.message).toMatch(/"Green" is not one of the levels/)
  })
  it("a category that predicts perfectly is a Separation error, not a wrong fit", () => {
    const n = 60
    const x = Array.from({ length: n }, (_, i) => i / n)
    const outcome = x.map((v, i) => (v < 0.3 ? "a" : i % 2 === 0 ? "b" : "c"))
    const built = design({ x }, { variables: [{ id: "x", type: "numeric" }] })
    const fit = fitMultinomialLogit(built, { outcome })
    expect(fit.ok).toBe(false)
    if (!fit.ok) expect(fit.error._tag).toBe("Separation")
  })
})

describe("ordered logit matches statsmodels OrderedModel(distr='logit')", () => {
  for (const c of golden.ordered) {
    it(`"${c.name}": slopes, thresholds, SEs (analytic, checked against statsmodels' numerical Hessian) to 1e-6, ℓ to 1e-8`, () => {
      const built = design(c.frame, c.spec)
      const fit = unwrap(
        fitOrderedLogit(built, {
          outcome: outcomeAt(c.frame, "rating", built),
          ...(c.name === "four" ? { levels: c.levels } : {}),
        }),
      )
      expect(fit.levels).toEqual(c.levels)
      expect(fit.columns).toEqual(c.columns)
      for (const row of fit.coefficients) {
        close(row.estimate, c.coefficients[row.term]!.estimate, 1e-6)
        close(row.se, c.coefficients[row.term]!.se, 1e-6)
      }
      expect(fit.thresholds.map((t) => t.term)).toEqual(c.thresholds.map((t) => t.name))
      fit.thresholds.forEach((row, t) => {
        close(row.estimate, c.thresholds[t]!.estimate, 1e-6)
        close(row.se, c.thresholds[t]!.se, 1e-6)
      })
      // Slopes' SEs are parameterisation-free: compare them with statsmodels' own bse too, which come from a
      // finite-difference Hessian good to about 1e-6 (hence 5e-6 here; the analytic ones above match to 1e-6).
      fit.coefficients.forEach((row, j) => {
        close(row.se, c.statsmodelsSe[j]!, 5e-6)
      })
      close(fit.logLikelihood, c.logLikelihood, 1e-8)
      close(fit.nullLogLikelihood, c.nullLogLikelihood, 1e-8)
    })
  }
  for (const c of golden.ordered) {
    it(`"${c.name}": HC0 SEs (analytic scores; statsmodels' OrderedModel(cov_type="HC0") agrees to 5e-6) to 1e-6`, () => {
      const built = design(c.frame, c.spec)
      const fit = unwrap(
        fitOrderedLogit(built, {
          outcome: outcomeAt(c.frame, "rating", built),
          levels: c.levels,
          covariance: "HC0",
        }),
      )
      expect(fit.covarianceType).toBe("HC0")
      fit.standardErrors.forEach((se, k) => {
        close(se, c.hc0Se[k]!, 1e-6)
      })
    })
  }
  it("a warm start from the fit converges at once to the same fit; a start with unordered thresholds is ignored", () => {
    const c = golden.ordered[0]!
    const built = design(c.frame, c.spec)
    const options = { outcome: outcomeAt(c.frame, "rating", built), levels: c.levels }
    const cold = unwrap(fitOrderedLogit(built, options))
    const warm = unwrap(fitOrderedLogit(built, { ...options, start: cold.estimates }))
    expect(warm.iterations).toBe(1)
    cold.estimates.forEach((value, k) => {
      close(warm.estimates[k]!, value, 1e-9)
    })
    // The thresholds (after the slopes) negated: decreasing, outside the parameter space.
    const unordered = Float64Array.from(cold.estimates, (value, k) =>
      k < cold.columns.length ? value : -value,
    )
    const ignored = unwrap(fitOrderedLogit(built, { ...options, start: unordered }))
    expect(ignored.iterations).toBe(cold.iterations)
    close(ignored.logLikelihood, cold.logLikelihood, 1e-10)
  })
  it("an unknown level is an error naming the design row", () => {
    const c = golden.ordered[0]!
    const built = design(c.frame, c.spec)
    const outcome = outcomeAt(c.frame, "rating", built)
    outcome[3] = "huge"
    const fit = fitOrderedLogit(built, { outcome, levels: c.levels })
    expect(fit.ok).toBe(false)
    if (!fit.ok) expect(fit.error.message).toMatch(/row 3 .*"huge"/)
  })
})

describe("mediation effects match mediation::mediate's simulation loop (same draws)", () => {
  for (const c of golden.mediation) {
    it(`${c.name} outcome: ACME, ADE, total, proportions (estimates, intervals, p) to 1e-9`, () => {
      const mediator = design(c.frame, c.mediatorSpec, "m")
      const outcome = design(c.frame, c.outcomeSpec, "y")
      const set = (spec: DesignSpec, settings: Record<string, number>, y: string) =>
        design(
          {
            ...c.frame,
            ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, c.frame.m!.map(() => v)])),
          },
          spec,
          y,
        )
      expect(mediator.n).toBe(c.frame.m!.length)
      expect(outcome.n).toBe(c.frame.m!.length)
      const effects = mediationEffects({
        designs: {
          mediatorTreated: set(c.mediatorSpec, { treat: 1 }, "m"),
          mediatorControl: set(c.mediatorSpec, { treat: 0 }, "m"),
          outcomeTreated: [
            set(c.outcomeSpec, { treat: 1, m: 0 }, "y"),
            set(c.outcomeSpec, { treat: 1, m: 1 }, "y"),
          ],
          outcomeControl: [
            set(c.outcomeSpec, { treat: 0, m: 0 }, "y"),
            set(c.outcomeSpec, { treat: 0, m: 1 }, "y"),
          ],
        },
        model: c.model,
        sims: c.sims,
        mediatorDraws: Float64Array.from(c.mediatorDraws),
        outcomeDraws: Float64Array.from(c.outcomeDraws),
        errors: Float64Array.from(c.errors),
        level: 0.95,
      })
      for (const [name, reference] of Object.entries(c.effects)) {
        const actual = effects[name as keyof typeof effects] as MediationEstimate
        close(actual.estimate, reference.estimate, 1e-9)
        close(actual.lower, reference.lower, 1e-9)
        close(actual.upper, reference.upper, 1e-9)
        close(actual.p, reference.p, 1e-12)
      }
    })
  }
})
