import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import {
  buildDesign,
  type DataFrame,
  type DesignSpec,
  erfcx,
  fitOls,
  fitProbit,
  logNormalCdf,
  makeRandom,
  mediate,
  multivariateNormalDraws,
  normalCdfPrecise,
  normalHazardRatio,
  normalTwoSidedP,
  withRobustCovariance,
} from "../src/index.js"

const here = dirname(fileURLToPath(import.meta.url))
const normal = (
  JSON.parse(readFileSync(join(here, "golden", "estimators.json"), "utf8")) as {
    normal: {
      x: Array<number>
      cdf: Array<number>
      logCdf: Array<number>
      hazardRatio: Array<number>
      twoSidedP: Array<number>
      z: Array<number>
      erfcx: Array<number>
    }
  }
).normal

const relative = (actual: number, expected: number, tolerance: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(Math.abs(expected), 1e-300))

describe("the normal distribution keeps its digits in the tails (scipy)", () => {
  it("Φ, log Φ, φ/Φ and two-sided p to 1e-13 relative (φ/Φ 1e-12), from x = −40 to 12", () => {
    normal.x.forEach((x, k) => {
      relative(normalCdfPrecise(x), normal.cdf[k]!, 1e-13)
      relative(logNormalCdf(x), normal.logCdf[k]!, 1e-13)
      // scipy's reference here is exp(logpdf − logcdf), itself good to about 1e-13.
      relative(normalHazardRatio(x), normal.hazardRatio[k]!, 1e-12)
      relative(normalTwoSidedP(x), normal.twoSidedP[k]!, 1e-13)
    })
  })
  it("erfcx to 1e-14 relative", () => {
    normal.z.forEach((z, k) => {
      relative(erfcx(z), normal.erfcx[k]!, 1e-14)
    })
  })
})

const simulated = (n: number, seed: number) => {
  const random = makeRandom(seed)
  const x = Array.from({ length: n }, () => random.nextNormal())
  const group = Array.from({ length: n }, () => ["a", "b", "c"][random.nextInt(3)]!)
  const y = x.map((value) => (random.nextNormal() < 0.3 + 0.8 * value ? 1 : 0))
  return { x, group, y }
}
const spec: DesignSpec = {
  variables: [
    { id: "x", type: "numeric" },
    { id: "group", type: "categorical", levels: ["a", "b", "c"], reference: "a" },
  ],
}

describe("probit edge cases", () => {
  it("frequency weights equal repeated rows", () => {
    const frame = simulated(150, 1)
    const weights = frame.x.map((_, i) => (i % 4) % 3)
    const weighted = buildDesign(frame, spec, "y")
    const expandedRows = weights.flatMap((w, i) => Array.from({ length: w }, () => i))
    const expanded: DataFrame = Object.fromEntries(
      Object.entries(frame).map(([name, values]) => [name, expandedRows.map((row) => values[row]!)]),
    )
    const copy = buildDesign(expanded, spec, "y")
    if (!weighted.ok || !copy.ok) throw new Error("design")
    const a = fitProbit(weighted.value, { weights })
    const b = fitProbit(copy.value)
    if (!a.ok || !b.ok) throw new Error("fit")
    a.value.estimates.forEach((value, j) => {
      expect(Math.abs(value - b.value.estimates[j]!)).toBeLessThan(1e-9)
    })
    a.value.standardErrors.forEach((value, j) => {
      expect(Math.abs(value - b.value.standardErrors[j]!)).toBeLessThan(1e-9)
    })
    expect(a.value.n).toBe(b.value.n)
  })
  it("names a level whose observations all share one outcome (quasi-complete separation)", () => {
    const frame = simulated(120, 2)
    const y = frame.y.map((value, i) => (frame.group[i] === "c" ? 1 : value))
    const design = buildDesign({ ...frame, y }, spec, "y")
    if (!design.ok) throw new Error("design")
    const fit = fitProbit(design.value)
    expect(fit.ok).toBe(false)
    if (!fit.ok) {
      expect(fit.error._tag).toBe("Separation")
      if (fit.error._tag === "Separation") expect(fit.error.columns).toEqual(["group[c]"])
    }
  })
  it("reports complete separation along a numeric column", () => {
    const frame = simulated(80, 3)
    const y = frame.x.map((value) => (value > 0.2 ? 1 : 0))
    const design = buildDesign({ ...frame, y }, { variables: [{ id: "x", type: "numeric" }] }, "y")
    if (!design.ok) throw new Error("design")
    const fit = fitProbit(design.value)
    expect(fit.ok).toBe(false)
    if (!fit.ok && fit.error._tag === "Separation") expect(fit.error.columns).toEqual(["x"])
    else throw new Error("expected a Separation error")
  })
  it("rejects a non-binary outcome, naming the row", () => {
    const frame = simulated(40, 4)
    const y = frame.y.map((value, i) => (i === 5 ? 2 : value))
    const design = buildDesign({ ...frame, y }, spec, "y")
    if (!design.ok) throw new Error("design")
    const fit = fitProbit(design.value)
    expect(!fit.ok && fit.error.message).toMatch(/row 5 holds 2/)
  })
  it("HC2/HC3 are refused when a row has leverage 1; HC0 still works", () => {
    const frame = simulated(30, 5)
    const group = frame.group.map((value, i) => (i === 0 ? "c" : value === "c" ? "b" : value))
    const design = buildDesign({ ...frame, group, y: frame.x.map((v, i) => v + i / 30) }, spec, "y")
    if (!design.ok) throw new Error("design")
    const ols = fitOls(design.value)
    if (!ols.ok) throw new Error("fit")
    const hc3 = withRobustCovariance(design.value, ols.value, "HC3")
    expect(!hc3.ok && hc3.error._tag).toBe("HighLeverage")
    expect(!hc3.ok && hc3.error.message).toMatch(/row 0 has leverage 1/)
    expect(withRobustCovariance(design.value, ols.value, "HC0").ok).toBe(true)
  })
})

const mediationFrame = (n: number, seed: number) => {
  const random = makeRandom(seed)
  const treat = Array.from({ length: n }, () => random.nextInt(2))
  const age = Array.from({ length: n }, () => 20 + random.nextInt(50))
  const m = treat.map((t, i) => 1 + 0.9 * t + 0.02 * age[i]! + random.nextNormal())
  const y = m.map((value, i) => 0.5 + 0.6 * value + 0.3 * treat[i]! + random.nextNormal())
  const yBinary = m.map((value, i) => (random.nextNormal() < -1.5 + 0.5 * value + 0.2 * treat[i]! ? 1 : 0))
  return { treat, age, m, y, yBinary }
}
const mediatorSpec: DesignSpec = {
  variables: [
    { id: "treat", type: "numeric" },
    { id: "age", type: "numeric" },
  ],
}
const outcomeSpec: DesignSpec = {
  variables: [
    { id: "m", type: "numeric" },
    { id: "treat", type: "numeric" },
    { id: "age", type: "numeric" },
  ],
}

describe("mediate", () => {
  it("with linear models, ACME(control) = ACME(treated) = a·b draw by draw; its mean is â·b̂ within simulation error", () => {
    const data = mediationFrame(400, 6)
    const sims = 4000
    const result = mediate({
      data,
      treatment: "treat",
      mediator: { outcome: "m", spec: mediatorSpec },
      outcome: { outcome: "y", spec: outcomeSpec, model: "ols" },
      sims,
      seed: 11,
      keepDraws: true,
    })
    if (!result.ok) throw new Error(result.error.message)
    const { draws, mediatorFit, outcomeFit } = result.value
    draws!.acmeControl.forEach((value, s) => {
      expect(Math.abs(value - draws!.acmeTreated[s]!)).toBeLessThan(1e-12)
    })
    const a = mediatorFit.estimates[1]!
    const b = outcomeFit.estimates[1]!
    const c = outcomeFit.estimates[2]!
    // Var(a·b) for independent normal draws: a²Var(b) + b²Var(a) + Var(a)Var(b).
    const va = mediatorFit.standardErrors[1]! ** 2
    const vb = outcomeFit.standardErrors[1]! ** 2
    const productSe = Math.sqrt(a * a * vb + b * b * va + va * vb)
    expect(Math.abs(result.value.acmeControl.estimate - a * b)).toBeLessThan(
      (4 * productSe) / Math.sqrt(sims),
    )
    expect(Math.abs(result.value.adeControl.estimate - c)).toBeLessThan(
      (4 * outcomeFit.standardErrors[2]!) / Math.sqrt(sims),
    )
    expect(result.value.total.estimate).toBeCloseTo(
      result.value.acmeControl.estimate + result.value.adeControl.estimate,
      12,
    )
  })
  it("with a treatment × mediator interaction, ACME(t) = a·(b + d·t): control and treated differ as they should", () => {
    const data = mediationFrame(400, 12)
    const y = data.m.map(
      (value, i) => 0.5 + 0.6 * value + 0.3 * data.treat[i]! + 0.4 * value * data.treat[i]!,
    )
    const sims = 4000
    const result = mediate({
      data: { ...data, y: y.map((value, i) => value + Math.sin(i)) },
      treatment: "treat",
      mediator: { outcome: "m", spec: mediatorSpec },
      outcome: { outcome: "y", spec: { ...outcomeSpec, interactions: [["m", "treat"]] }, model: "ols" },
      sims,
      seed: 3,
    })
    if (!result.ok) throw new Error(result.error.message)
    const { mediatorFit, outcomeFit } = result.value
    expect(outcomeFit.columns).toEqual(["(Intercept)", "m", "treat", "age", "m:treat"])
    const a = mediatorFit.estimates[1]!
    const b = outcomeFit.estimates[1]!
    const d = outcomeFit.estimates[4]!
    // 4 simulation SEs of the mean of a·c over independent normal draws: Var(a·c) = a²Var(c) + c²Var(a) + Var(a)Var(c).
    const va = mediatorFit.covariance[1 * 3 + 1]!
    const cov = outcomeFit.covariance
    const vb = cov[1 * 5 + 1]!
    const vbd = vb + cov[4 * 5 + 4]! + 2 * cov[1 * 5 + 4]!
    const bound = (c: number, vc: number) =>
      (4 * Math.sqrt(a * a * vc + c * c * va + va * vc)) / Math.sqrt(sims)
    expect(Math.abs(result.value.acmeControl.estimate - a * b)).toBeLessThan(bound(b, vb))
    expect(Math.abs(result.value.acmeTreated.estimate - a * (b + d))).toBeLessThan(bound(b + d, vbd))
    expect(result.value.acmeTreated.estimate - result.value.acmeControl.estimate).toBeGreaterThan(0.2)
  })
  it("a categorical treatment gives the same result as its 0/1 coding", () => {
    const data = mediationFrame(150, 13)
    const arm = data.treat.map((t) => (t === 1 ? "story" : "control"))
    const categorical: DesignSpec = {
      variables: [
        { id: "arm", type: "categorical", levels: ["control", "story"], reference: "control" },
        { id: "age", type: "numeric" },
      ],
    }
    const run = (treatment: "arm" | "treat") =>
      mediate({
        data: { ...data, arm },
        treatment,
        ...(treatment === "arm" ? { treatValue: "story", controlValue: "control" } : {}),
        mediator: { outcome: "m", spec: treatment === "arm" ? categorical : mediatorSpec },
        outcome: {
          outcome: "yBinary",
          spec: {
            variables: [
              { id: "m", type: "numeric" },
              ...(treatment === "arm" ? categorical : mediatorSpec).variables,
            ],
          },
          model: "probit",
        },
        sims: 200,
        seed: 5,
      })
    const byLevel = run("arm")
    const byNumber = run("treat")
    if (!byLevel.ok || !byNumber.ok) throw new Error("mediate failed")
    for (const key of ["acmeControl", "acmeTreated", "adeControl", "total"] as const) {
      expect(byLevel.value[key].estimate).toBeCloseTo(byNumber.value[key].estimate, 10)
    }
  })
  it("is reproducible from its seed and changes with it", () => {
    const data = mediationFrame(200, 7)
    const run = (seed: number) =>
      mediate({
        data,
        treatment: "treat",
        mediator: { outcome: "m", spec: mediatorSpec },
        outcome: { outcome: "yBinary", spec: outcomeSpec, model: "probit" },
        sims: 300,
        seed,
        robust: "HC3",
      })
    const first = run(1)
    const again = run(1)
    const other = run(2)
    if (!first.ok || !again.ok || !other.ok) throw new Error("mediate failed")
    expect(again.value.acmeControl).toEqual(first.value.acmeControl)
    expect(other.value.acmeControl.estimate).not.toBe(first.value.acmeControl.estimate)
    expect("covarianceType" in first.value.outcomeFit && first.value.outcomeFit.covarianceType).toBe("HC3")
    expect(first.value.robust).toBe("HC3")
  })
  it("uses only rows complete in both models", () => {
    const data = mediationFrame(120, 8)
    const age = data.age.map((value, i) => (i < 10 ? null : value))
    const result = mediate({
      data: { ...data, age },
      treatment: "treat",
      mediator: { outcome: "m", spec: mediatorSpec },
      outcome: { outcome: "yBinary", spec: outcomeSpec, model: "logit" },
      sims: 50,
      seed: 1,
    })
    expect(result.ok && result.value.n).toBe(110)
  })
  it("explains a mediator missing from the outcome model, an unknown treatment, and too few draws", () => {
    const data = mediationFrame(60, 9)
    const base = {
      data,
      treatment: "treat",
      mediator: { outcome: "m", spec: mediatorSpec },
      outcome: { outcome: "y", spec: mediatorSpec, model: "ols" as const },
      seed: 1,
    }
    const noMediator = mediate(base)
    expect(!noMediator.ok && noMediator.error.message).toMatch(/must hold the mediator "m"/)
    const noTreatment = mediate({
      ...base,
      outcome: { ...base.outcome, spec: outcomeSpec },
      treatment: "dose",
    })
    expect(!noTreatment.ok && noTreatment.error.message).toMatch(/no treatment column "dose"/)
    const fewDraws = mediate({ ...base, outcome: { ...base.outcome, spec: outcomeSpec }, sims: 1 })
    expect(!fewDraws.ok && fewDraws.error.message).toMatch(/sims must be an integer ≥ 2/)
  })
})

describe("multivariate normal draws", () => {
  it("have the requested mean and covariance (to simulation error)", () => {
    const mean = [1, -2, 0.5]
    const covariance = Float64Array.from([2, 0.6, -0.3, 0.6, 1, 0.2, -0.3, 0.2, 0.5])
    const sims = 40000
    const draws = multivariateNormalDraws(mean, covariance, sims, 99)
    for (let i = 0; i < 3; i++) {
      let m = 0
      for (let s = 0; s < sims; s++) m += draws[s * 3 + i]!
      m /= sims
      expect(Math.abs(m - mean[i]!)).toBeLessThan(4 * Math.sqrt(covariance[i * 3 + i]! / sims))
      for (let j = 0; j <= i; j++) {
        let c = 0
        for (let s = 0; s < sims; s++) c += (draws[s * 3 + i]! - mean[i]!) * (draws[s * 3 + j]! - mean[j]!)
        c /= sims
        // Var of a sample covariance ≈ (σ_ii σ_jj + σ_ij²)/N.
        const se = Math.sqrt(
          (covariance[i * 3 + i]! * covariance[j * 3 + j]! + covariance[i * 3 + j]! ** 2) / sims,
        )
        expect(Math.abs(c - covariance[i * 3 + j]!)).toBeLessThan(4 * se)
      }
    }
  })
})
