import { createHash } from "node:crypto"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { standin, tempDir } from "./helpers.js"

/**
 * Designs that protect respondents, expressed in format 2 with no special machinery: the instructions are the
 * item's wording (twins read the same), the correction is a derived variable, and the corrected prevalence is
 * an analysis (so the regression metric compares it between humans and twins). Checked here against the
 * published estimators:
 * - forced response (Boruch 1971; Blair, Imai & Zhou 2015): π̂ = (λ̂ − p₁) / (1 − p₁ − p₂), with
 *   SE = √(λ̂(1 − λ̂)/n) / (1 − p₁ − p₂) (OLS's intercept SE uses n − 1: a factor √(n/(n − 1)));
 * - crosswise (Yu, Tian & Tang 2008): π̂ = (λ̂ + p − 1) / (2p − 1), SE = √(λ̂(1 − λ̂)/n) / |2p − 1|;
 * - list experiment (Glynn 2013): π̂ = mean(count | long list) − mean(count | short list).
 */

/** A small deterministic generator (the data need not be random, only varied). */
const lcg = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
  return seed / 2_147_483_648
}

const n = 600
const FORCED_YES = 1 / 6
const FORCED_NO = 1 / 6
const CROSSWISE_P = 0.25

const data = (() => {
  const next = lcg(42)
  const lines = ["id,list,drugs,same,count"]
  for (let i = 0; i < n; i++) {
    const list = i % 2 === 0 ? "short" : "long"
    const truth = next() < 0.2
    const die = next()
    const drugs = die < FORCED_YES ? "Yes" : die < FORCED_YES + FORCED_NO ? "No" : truth ? "Yes" : "No"
    // Crosswise: "both or neither" of (sensitive, birthday in Jan–Mar, p = 0.25) is "Same".
    const birthday = next() < CROSSWISE_P
    const same = truth === birthday ? "Same" : "Different"
    const count = [0, 1, 2].filter(() => next() < 0.5).length + (list === "long" && next() < 0.3 ? 1 : 0)
    lines.push(`r${i},${list},${drugs},${same},${count}`)
  }
  return `${lines.join("\n")}\n`
})()

const study = `formatVersion: 2
id: protected-designs
version: 1.0.0
title: Designs that protect respondents
citation: made up for the estimator tests
data: { file: data.csv, sha256: ${createHash("sha256").update(data).digest("hex")} }
respondentId: id
armColumn: list
arms:
  - { id: short, label: Short list, value: short, stimulus: "" }
  - { id: long, label: Long list (with the sensitive statement), value: long, stimulus: "" }
items:
  - id: drugs
    column: drugs
    label: Drug use (forced response)
    wording: "Roll a die where no one can see it. If it shows 1, answer Yes; if it shows 6, answer No; otherwise answer truthfully: have you used an illegal drug this year?"
    role: belief
    scale: { binary: ["No", "Yes"] }
  - id: same
    column: same
    label: Drug use (crosswise)
    wording: "Statement A: I used an illegal drug this year. Statement B: my mother's birthday is in January, February or March. Are both true or both false (Same), or exactly one true (Different)?"
    role: belief
    scale: { binary: [Different, Same] }
  - id: count
    column: count
    label: Statements that apply (list experiment)
    wording: How many of the statements above apply to you? Give the number only.
    role: outcome
    scale: { numeric: { min: 0, max: 4, integer: true } }
derived:
  - { id: drugs_forced, label: Forced response corrected, expression: "(drugs - 1/6) / (1 - 1/6 - 1/6)" }
  - { id: drugs_crosswise, label: Crosswise corrected, expression: "(same + 0.25 - 1) / (2 * 0.25 - 1)" }
analyses:
  - id: forced
    label: Drug use, forced response
    family: gaussian
    outcome: { id: drugs_forced, source: { derived: drugs_forced }, coding: numeric }
    predictors: []
  - id: crosswise
    label: Drug use, crosswise
    family: gaussian
    outcome: { id: drugs_crosswise, source: { derived: drugs_crosswise }, coding: numeric }
    predictors: []
  - id: list
    label: Drug use, list experiment
    family: gaussian
    outcome: { id: count, source: { item: count }, coding: numeric }
    predictors:
      - { id: long, source: arm, coding: { indicator: [long] } }
    treatment: long
`

interface Coefficient {
  readonly term: string
  readonly estimate: number
  readonly se: number
}

describe("forced response, crosswise and list experiments as derived variables and analyses", () => {
  it("estimate the prevalence exactly as the published formulas do", () => {
    const dir = tempDir("protected")
    writeFileSync(join(dir, "data.csv"), data)
    writeFileSync(join(dir, "study.yaml"), study)
    expect(standin(["study", "check", dir]).stdout).toContain("has no problems")
    const result = standin(["analyze", dir, "--format", "json"])
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const report = JSON.parse(result.stdout)
    const coefficient = (analysis: string, term: string): Coefficient =>
      report.analyses
        .find((candidate: { id: string }) => candidate.id === analysis)
        .coefficients.find((candidate: Coefficient) => candidate.term === term)

    const rows = data
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(","))
    const share = (column: number, level: string) => rows.filter((row) => row[column] === level).length / n

    const yes = share(2, "Yes")
    const forced = coefficient("forced", "(Intercept)")
    expect(forced.estimate).toBeCloseTo((yes - FORCED_YES) / (1 - FORCED_YES - FORCED_NO), 12)
    expect(forced.se).toBeCloseTo(
      (Math.sqrt((yes * (1 - yes)) / n) / (1 - FORCED_YES - FORCED_NO)) * Math.sqrt(n / (n - 1)),
      12,
    )

    const same = share(3, "Same")
    const crosswise = coefficient("crosswise", "(Intercept)")
    expect(crosswise.estimate).toBeCloseTo((same + CROSSWISE_P - 1) / (2 * CROSSWISE_P - 1), 12)
    expect(crosswise.se).toBeCloseTo(
      (Math.sqrt((same * (1 - same)) / n) / Math.abs(2 * CROSSWISE_P - 1)) * Math.sqrt(n / (n - 1)),
      12,
    )

    const mean = (list: string) => {
      const counts = rows.filter((row) => row[1] === list).map((row) => Number(row[4]))
      return counts.reduce((a, b) => a + b, 0) / counts.length
    }
    expect(coefficient("list", "long").estimate).toBeCloseTo(mean("long") - mean("short"), 12)
    // The data hold a true prevalence of 0.2 (forced response, crosswise) and 0.3 (list): the estimates land near.
    expect(Math.abs(forced.estimate - 0.2)).toBeLessThan(0.1)
    expect(Math.abs(crosswise.estimate - 0.2)).toBeLessThan(0.15)
    expect(Math.abs(coefficient("list", "long").estimate - 0.3)).toBeLessThan(0.15)
  })
})
