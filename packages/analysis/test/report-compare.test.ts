import { describe, expect, it } from "@effect/vitest"
import { devianceReproduces, pValueReproduces } from "../src/report.js"

describe("comparing a p-value with a published one", () => {
  it("accepts what rounds to the printed figure and nothing else", () => {
    expect(pValueReproduces(0.0294, 0.029)).toBe(true)
    expect(pValueReproduces(0.0286, 0.029)).toBe(true)
    expect(pValueReproduces(0.0296, 0.029)).toBe(false)
    expect(pValueReproduces(0.027, 0.029)).toBe(false)
  })

  it("reads a published 0 as printed 0.000: p below 0.0005", () => {
    expect(pValueReproduces(1e-40, 0)).toBe(true)
    expect(pValueReproduces(0.0004, 0)).toBe(true)
    expect(pValueReproduces(0.0006, 0)).toBe(false)
  })

  it("keeps a finer printed precision", () => {
    expect(pValueReproduces(0.01234, 0.0123)).toBe(true)
    expect(pValueReproduces(0.0126, 0.0123)).toBe(false)
  })
})

describe("a published deviance", () => {
  it("reproduces when it rounds to the same figure at its printed decimals", () => {
    expect(devianceReproduces(1985.4243, 1985.42)).toBe(true)
    expect(devianceReproduces(1985.4151, 1985.42)).toBe(true)
    expect(devianceReproduces(1985.4251, 1985.42)).toBe(false)
    expect(devianceReproduces(1968.3325, 1968.33)).toBe(true)
  })

  it("takes a whole number as printed without decimals", () => {
    expect(devianceReproduces(2233.4, 2233)).toBe(true)
    expect(devianceReproduces(2233.6, 2233)).toBe(false)
  })
})
