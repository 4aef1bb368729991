import { describe, expect, it } from "@effect/vitest"
import {
  classicalLogistic,
  classicalMean,
  classicalMeanDifference,
  classicalOls,
  effectiveSampleSize,
  makeRandom,
  ppiLogistic,
  ppiMean,
  ppiMeanDifference,
  ppiMeanLambda,
  ppiOls,
} from "../src/index.js"

const unwrap = <A>(outcome: { ok: true; value: A } | { ok: false; error: { message: string } }): A => {
  if (!outcome.ok) throw new Error(outcome.error.message)
  return outcome.value
}

describe("PPI means by hand", () => {
  // n = 4, N = 4. y = [1,0,1,1], ŷ = [1,0,0,1], ŷ_u = [1,1,0,1].
  const input = { y: [1, 0, 1, 1], yhat: [1, 0, 0, 1], yhatUnlabelled: [1, 1, 0, 1] }

  it("classical PPI (λ = 1), reference variant: mean(ŷ_u) + mean(y − ŷ), variances with ddof 0", () => {
    const r = unwrap(ppiMean(input, { lambda: 1, variant: "reference" }))
    // 0.75 + 0.25 = 1; var(ŷ_u) = 0.1875, var(y − ŷ) = var([0,0,1,0]) = 0.1875; se² = 0.1875/4 + 0.1875/4
    expect(r.estimate).toBeCloseTo(1, 12)
    expect(r.se).toBeCloseTo(Math.sqrt(0.1875 / 2), 12)
    expect(r.upper - r.estimate).toBeCloseTo(1.959963984540054 * Math.sqrt(0.1875 / 2), 10)
    expect(r.method).toBe("ppi")
  })

  it("the tuned λ is cov(y, ŷ) / ((1 + n/N) var(pooled ŷ)), clipped to [0, 1]", () => {
    // cov0(y, ŷ) = mean(yŷ) − ȳ·ŷ̄ = 0.5 − 0.75·0.5 = 0.125; pooled ŷ = [1,0,0,1,1,1,0,1]: var1 = (5/8·3/8·8)/7
    const pooledVar = (8 * (5 / 8) * (3 / 8)) / 7
    expect(ppiMeanLambda(input)).toBeCloseTo(0.125 / (2 * pooledVar), 12)
    // an anti-correlated model gets λ = 0
    expect(ppiMeanLambda({ y: [1, 0, 1, 0], yhat: [0, 1, 0, 1], yhatUnlabelled: [1, 0, 1, 0] })).toBe(0)
  })

  it("λ = 0 is the classical estimate and interval", () => {
    const y = [3, 1, 4, 1, 5, 9, 2, 6]
    const zero = unwrap(
      ppiMean({ y, yhat: [9, 9, 9, 9, 0, 0, 0, 0], yhatUnlabelled: [1, 2, 3] }, { lambda: 0 }),
    )
    const classical = unwrap(classicalMean(y))
    expect(zero.estimate).toBeCloseTo(classical.estimate, 14)
    expect(zero.lower).toBeCloseTo(classical.lower, 14)
    expect(zero.upper).toBeCloseTo(classical.upper, 14)
    expect(zero.method).toBe("classical")
  })

  it("perfect predictions shrink the PPI interval to the one of N labelled units", () => {
    const random = makeRandom(7)
    const draw = (k: number) => Array.from({ length: k }, () => (random.nextFloat() < 0.3 ? 1 : 0))
    const y = draw(50)
    const yhatUnlabelled = draw(1000)
    const r = unwrap(ppiMean({ y, yhat: y, yhatUnlabelled }, { lambda: 1 }))
    const unlabelledAlone = unwrap(classicalMean(yhatUnlabelled))
    expect(r.se).toBeCloseTo(unlabelledAlone.se, 14)
    expect(r.estimate).toBeCloseTo(unlabelledAlone.estimate, 14)
    expect(effectiveSampleSize(50, unwrap(classicalMean(y)).se, r.se)).toBeGreaterThan(500)
  })

  it("a useless model leaves PPI++ no worse than the humans alone", () => {
    const random = makeRandom(11)
    const y = Array.from({ length: 200 }, () => (random.nextFloat() < 0.6 ? 1 : 0))
    const coin = (k: number) => Array.from({ length: k }, () => (random.nextFloat() < 0.5 ? 1 : 0))
    const tuned = unwrap(ppiMean({ y, yhat: coin(200), yhatUnlabelled: coin(2000) }))
    const classical = unwrap(classicalMean(y))
    expect(tuned.lambda).toBeLessThan(0.2)
    expect(tuned.se / classical.se).toBeLessThan(1.02)
  })

  it("an arm difference is the difference of the arms with variances added", () => {
    const treatment = { y: [1, 1, 0, 1], yhat: [1, 1, 0, 0], yhatUnlabelled: [1, 0, 1, 1, 1] }
    const control = { y: [0, 1, 0, 0], yhat: [0, 1, 1, 0], yhatUnlabelled: [0, 0, 1, 0, 0] }
    const d = unwrap(ppiMeanDifference(treatment, control, { lambda: 1 }))
    const t = unwrap(ppiMean(treatment, { lambda: 1 }))
    const c = unwrap(ppiMean(control, { lambda: 1 }))
    expect(d.estimate).toBeCloseTo(t.estimate - c.estimate, 14)
    expect(d.se).toBeCloseTo(Math.hypot(t.se, c.se), 14)
    const classical = unwrap(classicalMeanDifference(treatment.y, control.y))
    expect(classical.estimate).toBeCloseTo(0.5, 14)
  })

  it("rejects mismatched or invalid input with a message naming it", () => {
    const bad = ppiMean({ y: [1, 0], yhat: [1], yhatUnlabelled: [1, 0] })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.message).toMatch(/same length/)
    const nan = ppiMean({ y: [1, Number.NaN], yhat: [1, 0], yhatUnlabelled: [1, 0] })
    if (!nan.ok) expect(nan.error.message).toMatch(/y\[1\]/)
    else expect.unreachable("NaN accepted")
    const lambda = ppiMean({ y: [1, 0], yhat: [1, 0], yhatUnlabelled: [1, 0] }, { lambda: 2 })
    expect(lambda.ok).toBe(false)
  })
})

describe("PPI regressions by hand", () => {
  const random = makeRandom(3)
  const n = 120
  const N = 600
  const row = () => [1, random.nextFloat() < 0.5 ? 1 : 0, random.nextFloat() * 2 - 1]
  const x = Array.from({ length: n }, row)
  const xUnlabelled = Array.from({ length: N }, row)
  const outcome = (r: ReadonlyArray<number>) => (random.nextFloat() < 0.3 + 0.3 * r[1]! + 0.1 * r[2]! ? 1 : 0)
  const y = x.map(outcome)
  const noisy = (v: number) => (random.nextFloat() < 0.8 ? v : 1 - v)
  const yhat = y.map(noisy)
  const yhatUnlabelled = xUnlabelled.map((r) => noisy(outcome(r)))
  const input = { x, y, yhat, xUnlabelled, yhatUnlabelled }

  it("OLS with an intercept only is the PPI mean (se up to the n/(n−1) of a ddof-1 covariance)", () => {
    const ones = (k: number) => Array.from({ length: k }, () => [1])
    const ols = unwrap(ppiOls({ ...input, x: ones(n), xUnlabelled: ones(N) }, { lambda: 1 }))
    const m = unwrap(ppiMean({ y, yhat, yhatUnlabelled }, { lambda: 1 }))
    expect(ols.estimate[0]).toBeCloseTo(m.estimate, 12)
    // Both variance parts of the OLS version use ddof 1: se² = var1(ŷ_u)/N + var1(y − ŷ)/n.
    const var1 = (v: ReadonlyArray<number>) => {
      const mu = v.reduce((a, b) => a + b, 0) / v.length
      return v.reduce((a, b) => a + (b - mu) ** 2, 0) / (v.length - 1)
    }
    const rect = y.map((v, i) => v - yhat[i]!)
    expect(ols.se[0]).toBeCloseTo(Math.sqrt(var1(yhatUnlabelled) / N + var1(rect) / n), 12)
  })

  it("OLS λ = 0 has the classical coefficients", () => {
    const zero = unwrap(ppiOls(input, { lambda: 0 }))
    const classical = unwrap(classicalOls(x, y))
    zero.estimate.forEach((e, a) => {
      expect(e).toBeCloseTo(classical.estimate[a]!, 12)
    })
    // HC0 (classical) vs ddof-1 covariance (PPI at λ = 0): se ratio √(n/(n−1)).
    zero.se.forEach((s, a) => {
      expect(s / classical.se[a]!).toBeCloseTo(Math.sqrt(n / (n - 1)), 10)
    })
  })

  it("logistic λ = 0 is the classical fit; PPI++ narrows the intervals of an informative model", () => {
    const zero = unwrap(ppiLogistic(input, { lambda: 0 }))
    const classical = unwrap(classicalLogistic(x, y))
    zero.estimate.forEach((e, a) => {
      expect(e).toBeCloseTo(classical.estimate[a]!, 8)
    })
    zero.se.forEach((s, a) => {
      expect(s).toBeCloseTo(classical.se[a]!, 10)
    })
    const tuned = unwrap(ppiLogistic(input))
    expect(tuned.lambda).toBeGreaterThan(0)
    tuned.se.forEach((s, a) => {
      expect(s).toBeLessThan(classical.se[a]!)
    })
  })

  it("perfect predictions make the rectifier vanish: PPI OLS is OLS on the unlabelled set", () => {
    const perfect = unwrap(ppiOls({ ...input, yhat: y }, { lambda: 1 }))
    const unlabelled = unwrap(classicalOls(xUnlabelled, yhatUnlabelled))
    perfect.estimate.forEach((e, a) => {
      expect(e).toBeCloseTo(unlabelled.estimate[a]!, 12)
    })
  })

  it("regressions: the finite-sample variant keeps the reference's estimate, with t(n − p) quantiles", () => {
    for (const fit of [ppiOls, ppiLogistic]) {
      // a fixed λ: same estimate and se, only the quantile differs
      const finite = unwrap(fit(input, { lambda: 1 }))
      const reference = unwrap(fit(input, { lambda: 1, variant: "reference" }))
      expect(finite.df).toBe(n - 3)
      expect(reference.df).toBe(Number.POSITIVE_INFINITY)
      finite.se.forEach((s, a) => {
        expect(s).toBeCloseTo(reference.se[a]!, 12)
        expect(finite.estimate[a]).toBeCloseTo(reference.estimate[a]!, 12)
        // t(117, 0.975) = 1.9804475987 (scipy.stats.t.ppf); z = 1.959963985
        expect(finite.upper[a]! - finite.lower[a]!).toBeCloseTo(2 * 1.9804475986834 * s, 6)
        expect(reference.upper[a]! - reference.lower[a]!).toBeCloseTo(2 * 1.959963984540054 * s, 9)
      })
      // tuned: the same point estimate; the interval is centred on it, with the estimate's own λ
      const tuned = unwrap(fit(input))
      const tunedReference = unwrap(fit(input, { variant: "reference" }))
      tuned.estimate.forEach((e, a) => {
        expect(e).toBeCloseTo(tunedReference.estimate[a]!, 12)
        expect((tuned.lower[a]! + tuned.upper[a]!) / 2).toBeCloseTo(e, 12)
      })
    }
  })

  it("names a malformed design", () => {
    const r = ppiOls({ ...input, x: [[1, 0], ...x.slice(1)] })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.message).toMatch(/x row 1 has 3 columns, expected 2/)
  })
})
