import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import {
  crosswisePrevalence,
  forcedResponsePrevalence,
  listPrevalence,
  type PrevalenceEstimate,
  warnerPrevalence,
} from "../src/index.js"

interface Case {
  readonly design: "warner" | "forced" | "crosswise" | "list"
  readonly p?: number
  readonly pYes?: number
  readonly pNo?: number
  readonly answers?: Array<number>
  readonly weights?: Array<number> | null
  readonly treatment?: Array<number>
  readonly control?: Array<number>
  readonly treatmentWeights?: Array<number> | null
  readonly controlWeights?: Array<number> | null
  readonly estimate: number
  readonly se: number
  readonly statistic: number
  readonly pValue: number
  readonly lower: number
  readonly upper: number
  readonly observed: number
  readonly controlMean?: number
  readonly n: number
}

const here = dirname(fileURLToPath(import.meta.url))
/** Made by golden/make_prevalence.py from the published formulas (Warner 1965; Boruch 1971; Yu et al. 2008; Blair & Imai 2012). */
const golden = JSON.parse(readFileSync(join(here, "golden", "prevalence.json"), "utf8")) as {
  cases: ReadonlyArray<Case>
}

const optional = <A>(value: A | null | undefined): A | undefined => value ?? undefined

const estimate = (c: Case) => {
  const weights = optional(c.weights)
  const options = weights === undefined ? {} : { weights }
  switch (c.design) {
    case "warner":
      return warnerPrevalence(c.answers!, c.p!, options)
    case "forced":
      return forcedResponsePrevalence(c.answers!, c.pYes!, c.pNo!, options)
    case "crosswise":
      return crosswisePrevalence(c.answers!, c.p!, options)
    case "list": {
      const treatmentWeights = optional(c.treatmentWeights)
      const controlWeights = optional(c.controlWeights)
      return listPrevalence(c.treatment!, c.control!, {
        ...(treatmentWeights === undefined ? {} : { treatmentWeights }),
        ...(controlWeights === undefined ? {} : { controlWeights }),
      })
    }
  }
}

describe("prevalence estimators against the published formulas (golden/make_prevalence.py)", () => {
  it("has every design, unweighted and weighted", () => {
    expect(golden.cases.map((c) => c.design).sort()).toEqual(
      ["crosswise", "crosswise", "forced", "forced", "list", "list", "warner", "warner"].sort(),
    )
  })
  for (const [index, c] of golden.cases.entries()) {
    const label = `${c.design}${c.weights || c.treatmentWeights ? " (weighted)" : ""} #${index}`
    it(label, () => {
      const result = estimate(c)
      expect(result.ok).toBe(true)
      const value = (result as { ok: true; value: PrevalenceEstimate }).value
      const golden = c
      expect(value.coefficient.term).toBe("prevalence")
      expect(value.coefficient.estimate).toBeCloseTo(golden.estimate, 12)
      expect(value.coefficient.se).toBeCloseTo(golden.se, 12)
      expect(value.coefficient.statistic).toBeCloseTo(golden.statistic, 10)
      expect(value.coefficient.lower).toBeCloseTo(golden.lower, 10)
      expect(value.coefficient.upper).toBeCloseTo(golden.upper, 10)
      expect(value.observed).toBeCloseTo(golden.observed, 12)
      expect(value.n).toBe(golden.n)
      if (c.design === "list") expect(value.control).toBeCloseTo(c.controlMean!, 12)
    })
  }
  it("two-sided p-values match scipy's normal test", () => {
    for (const c of golden.cases) {
      const result = estimate(c)
      if (!result.ok) throw new Error(result.error)
      expect(result.value.coefficient.p).toBeCloseTo(c.pValue, 10)
    }
  })
})

describe("prevalence estimators refuse designs that identify nothing", () => {
  it("names the problem", () => {
    const answers = [0, 1, 1, 0]
    const error = (outcome: { ok: boolean; error?: string }) => (outcome.ok ? "" : outcome.error)
    expect(error(warnerPrevalence(answers, 0.5))).toMatch(/p = 0.5/)
    expect(error(crosswisePrevalence(answers, 1.2))).toMatch(/\[0, 1\]/)
    expect(error(forcedResponsePrevalence(answers, 0.5, 0.5))).toMatch(/below 1/)
    expect(error(forcedResponsePrevalence([0, 2], 0.1, 0.1))).toMatch(/0 or 1/)
    expect(error(listPrevalence([1], [0, 1]))).toMatch(/at least 2/)
  })
})
