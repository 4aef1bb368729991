import { describe, expect, it } from "@effect/vitest"
import { buildDesign, fitLogit, makeRandom, poissonWeights } from "../src/index.js"

// A design of dummies and a numeric column (so both the dummy-row and the general accumulation run), with an
// outcome that depends on both.
const frame = (() => {
  const stream = makeRandom(7)
  const random = () => stream.nextFloat()
  const g: Array<string> = []
  const h: Array<string> = []
  const z: Array<number> = []
  const y: Array<number> = []
  for (let i = 0; i < 600; i++) {
    const level = ["a", "b", "c", "d"][Math.floor(random() * 4)]!
    const other = random() < 0.4 ? "yes" : "no"
    // every third row has z = 1 (a row of ones when its dummies are on), the others a fractional value
    const value = i % 3 === 0 ? 1 : Math.round(random() * 40) / 10
    const eta =
      -0.5 + (level === "b" ? 0.8 : level === "c" ? -0.6 : 0) + (other === "yes" ? 0.5 : 0) + 0.3 * value
    g.push(level)
    h.push(other)
    z.push(value)
    y.push(random() < 1 / (1 + Math.exp(-eta)) ? 1 : 0)
  }
  return { g, h, z, y }
})()

const build = () => {
  const design = buildDesign(
    frame,
    {
      variables: [
        { id: "g", type: "categorical", levels: ["a", "b", "c", "d"], reference: "a" },
        { id: "h", type: "indicator", levels: ["yes"] },
        { id: "z", type: "numeric" },
      ],
      interactions: [["g", "h"]],
    },
    "y",
  )
  if (!design.ok) throw new Error(design.error.message)
  return design.value
}

const weightsOf = (round: number) => {
  const weights = new Float64Array(600)
  poissonWeights(
    3,
    Uint32Array.from({ length: 600 }, (_, i) => (i * 2654435761) >>> 0),
    round,
    weights,
  )
  return weights
}

const summary = (fit: ReturnType<typeof fitLogit>) => {
  if (!fit.ok) throw new Error(fit.error.message)
  return {
    estimates: Array.from(fit.value.estimates),
    covariance: Array.from(fit.value.covariance),
    logLikelihood: fit.value.logLikelihood,
    iterations: fit.value.iterations,
  }
}

describe("fitLogit refits (scratch buffers kept per design)", () => {
  it("gives every weighting the same bits whatever was fitted before on the design", () => {
    const reused = build()
    const full = summary(fitLogit(reused))
    const start = full.estimates
    const first = [0, 1, 2].map((round) =>
      summary(fitLogit(reused, { weights: weightsOf(round), start, tolerance: 1e-3 })),
    )
    // again, in another order, on the same design object
    const again = [2, 0, 1].map((round) =>
      summary(fitLogit(reused, { weights: weightsOf(round), start, tolerance: 1e-3 })),
    )
    expect(again).toEqual([first[2], first[0], first[1]])
    // and each on a design of its own, fitted first
    for (const round of [0, 1, 2]) {
      expect(summary(fitLogit(build(), { weights: weightsOf(round), start, tolerance: 1e-3 }))).toEqual(
        first[round],
      )
    }
    expect(summary(fitLogit(reused))).toEqual(full)
    // resamples do move the estimates (the refits are not all the full fit)
    expect(first[0]!.estimates).not.toEqual(full.estimates)
  })

  it("still names the first row of a given outcome that is not 0 or 1, after fits of the design's own", () => {
    const design = build()
    expect(fitLogit(design).ok).toBe(true)
    const y = Float64Array.from(design.y!)
    y[5] = 2
    const fit = fitLogit(design, { y })
    expect(!fit.ok && fit.error).toMatchObject({
      _tag: "InvalidOutcome",
      message: "A logistic outcome must be 0 or 1; row 5 holds 2.",
    })
    expect(fitLogit(design).ok).toBe(true)
  })

  it("fails a weighting that leaves one outcome as a constant outcome, and fits the next one", () => {
    const design = build()
    const onlyOnes = Float64Array.from(design.y!, (value) => value)
    expect(fitLogit(design, { weights: onlyOnes })).toMatchObject({
      ok: false,
      error: { _tag: "ConstantOutcome", value: 1 },
    })
    expect(summary(fitLogit(design, { weights: weightsOf(4) }))).toEqual(
      summary(fitLogit(build(), { weights: weightsOf(4) })),
    )
  })
})
