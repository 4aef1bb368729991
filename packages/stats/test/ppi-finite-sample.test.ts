/**
 * The finite-sample PPI variant (the engine's default) against `golden/ppi-finite-sample.json`, a NumPy/scipy
 * transcription of its definition made by `golden/make_ppi_finite_sample.py` (t quantiles from scipy, the
 * classical interval from scipy.stats.t.interval).
 */
import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import {
  classicalMean,
  classicalMeanDifference,
  crossFittedLambdas,
  type MeanInput,
  type PpiScalar,
  ppiMean,
  ppiMeanDifference,
  ppiMeanLambda,
} from "../src/index.js"

interface Expected {
  readonly estimate: number
  readonly se: number
  readonly lower: number
  readonly upper: number
  readonly lambda?: number
  readonly df?: number
}
interface Case {
  readonly treatment: MeanInput
  readonly control: MeanInput
  readonly [key: string]: Expected | MeanInput
}

const here = dirname(fileURLToPath(import.meta.url))
const golden = JSON.parse(readFileSync(join(here, "golden", "ppi-finite-sample.json"), "utf8")) as {
  readonly alpha: number
  readonly cases: Record<string, Case>
}

const unwrap = <A>(outcome: { ok: true; value: A } | { ok: false; error: { message: string } }): A => {
  if (!outcome.ok) throw new Error(outcome.error.message)
  return outcome.value
}

// Interval ends and Welch df to 1e-7: jStat's t quantile at a fractional df agrees with scipy to about 1e-8.
const expectMatches = (actual: PpiScalar, expected: Expected) => {
  expect(actual.estimate).toBeCloseTo(expected.estimate, 10)
  expect(actual.se).toBeCloseTo(expected.se, 10)
  expect(actual.lower).toBeCloseTo(expected.lower, 7)
  expect(actual.upper).toBeCloseTo(expected.upper, 7)
  if (expected.lambda !== undefined) expect(actual.lambda).toBeCloseTo(expected.lambda, 10)
  if (expected.df !== undefined) expect(actual.df).toBeCloseTo(expected.df, 7)
}

describe("finite-sample PPI against the NumPy/scipy transcription", () => {
  const alpha = golden.alpha
  for (const [name, c] of Object.entries(golden.cases)) {
    it(`${name}: means (PPI++, PPI, classical)`, () => {
      expectMatches(unwrap(ppiMean(c.control, { alpha })), c["mean/ppi++"] as Expected)
      expectMatches(unwrap(ppiMean(c.control, { alpha, lambda: 1 })), c["mean/ppi"] as Expected)
      expectMatches(unwrap(classicalMean(c.control.y, { alpha })), c["mean/classical"] as Expected)
    })
    it(`${name}: arm differences with Welch degrees of freedom`, () => {
      expectMatches(
        unwrap(ppiMeanDifference(c.treatment, c.control, { alpha })),
        c["difference/ppi++"] as Expected,
      )
      expectMatches(
        unwrap(ppiMeanDifference(c.treatment, c.control, { alpha, lambda: 1 })),
        c["difference/ppi"] as Expected,
      )
      expectMatches(
        unwrap(classicalMeanDifference(c.treatment.y, c.control.y, { alpha })),
        c["difference/classical"] as Expected,
      )
    })
  }
})

describe("finite-sample PPI by hand", () => {
  const input = { y: [1, 0, 1, 1], yhat: [1, 0, 0, 1], yhatUnlabelled: [1, 1, 0, 1] }

  it("λ = 1: ddof-1 variances and a t(n − 1) interval", () => {
    const r = unwrap(ppiMean(input, { lambda: 1 }))
    // var1(ŷ_u) = 0.25, var1(y − ŷ) = var1([0,0,1,0]) = 0.25; se² = 0.25/4 + 0.25/4; t(3, 0.975) = 3.18244630528
    expect(r.estimate).toBeCloseTo(1, 12)
    expect(r.se).toBeCloseTo(Math.sqrt(0.125), 12)
    expect(r.df).toBe(3)
    expect(r.upper - r.estimate).toBeCloseTo(3.182446305284263 * Math.sqrt(0.125), 9)
  })

  it("each unit's λ is the PPI++ λ of the other folds (n ≤ 10: leave one out)", () => {
    const lambdas = crossFittedLambdas(input)
    input.y.forEach((_, i) => {
      const others = (v: ReadonlyArray<number>) => v.filter((_, j) => j !== i)
      expect(lambdas[i]).toBeCloseTo(
        ppiMeanLambda({
          y: others(input.y),
          yhat: others(input.yhat),
          yhatUnlabelled: input.yhatUnlabelled,
        }),
        14,
      )
    })
  })

  it("folds are dealt round-robin into ten when n > 10", () => {
    const y = Array.from({ length: 23 }, (_, i) => (i * 7) % 3)
    const yhat = y.map((v, i) => (i % 4 === 0 ? 2 - v : v))
    const yhatUnlabelled = Array.from({ length: 40 }, (_, i) => i % 3)
    const lambdas = crossFittedLambdas({ y, yhat, yhatUnlabelled })
    for (let i = 10; i < 23; i++) expect(lambdas[i]).toBe(lambdas[i % 10])
    const fold3 = (v: ReadonlyArray<number>) => v.filter((_, j) => j % 10 !== 3)
    expect(lambdas[3]).toBeCloseTo(ppiMeanLambda({ y: fold3(y), yhat: fold3(yhat), yhatUnlabelled }), 14)
  })

  it("PPI++ never reports a wider interval than the humans alone: it falls back to λ = 0", () => {
    const y = [1, 0, 1, 1, 0, 1, 0, 1]
    const anti = { y, yhat: y.map((v) => 1 - v), yhatUnlabelled: [0, 1, 1, 0, 1] }
    const tuned = unwrap(ppiMean(anti))
    const classical = unwrap(classicalMean(y))
    expect(tuned.lambda).toBe(0)
    expect(tuned.method).toBe("ppi++")
    expect(tuned.lower).toBe(classical.lower)
    expect(tuned.upper).toBe(classical.upper)
  })

  it("the reference variant is ppi_py's formula: z quantile, ddof 0, in-sample λ", () => {
    const r = unwrap(ppiMean(input, { variant: "reference" }))
    expect(r.df).toBe(Number.POSITIVE_INFINITY)
    expect(r.lambda).toBeCloseTo(ppiMeanLambda(input), 14)
    const bad = ppiMean(input, { variant: "approximate" as never })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.message).toMatch(/variant must be/)
  })
})
