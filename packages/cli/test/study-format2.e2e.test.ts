import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { standin } from "./helpers.js"

const fixture = join(import.meta.dirname, "../../study/test/fixtures/factorial-index")

interface Coefficient {
  readonly term: string
  readonly estimate: number
  readonly se: number
  readonly p: number
}

describe("a format-2 study encoded with no change to its CSV", () => {
  it("reproduces statsmodels' OLS of a derived index on two factors and numeric persona attributes", () => {
    const result = standin(["analyze", fixture, "--format", "json"])
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const report = JSON.parse(result.stdout)
    const golden = JSON.parse(readFileSync(join(fixture, "golden.json"), "utf8")) as {
      readonly n: number
      readonly rSquared: number
      readonly coefficients: Record<string, { estimate: number; se: number; p: number }>
    }
    const analysis = report.analyses.find((a: { id: string }) => a.id === "trust-ols")
    expect(analysis.n).toBe(golden.n)
    expect(analysis.rSquared).toBeCloseTo(golden.rSquared, 10)
    const terms = (analysis.coefficients as ReadonlyArray<Coefficient>).map((c) => c.term)
    expect(terms.sort()).toEqual(Object.keys(golden.coefficients).sort())
    for (const c of analysis.coefficients as ReadonlyArray<Coefficient>) {
      const expected = golden.coefficients[c.term]!
      expect(c.estimate, c.term).toBeCloseTo(expected.estimate, 10)
      expect(c.se, c.term).toBeCloseTo(expected.se, 10)
    }
    expect(report.reproduction.reproduced).toBe(report.reproduction.checked)
  })

  it("study check: ok", () => {
    const result = standin(["study", "check", fixture])
    expect(result.status).toBe(0)
    expect(result.stdout).toContain("has no problems")
    expect(result.stdout).toContain(
      "derived variables the item metrics score like items: trust (43 possible values)",
    )
  })
})
