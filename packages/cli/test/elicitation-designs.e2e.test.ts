import { createHash } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type FakeServer, startOpenAiFake } from "@standin/testkit/fakes"
import { standin, standinAsync, tempDir } from "./helpers.js"

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

const WARNER_P = 0.7

const data = (() => {
  const next = lcg(42)
  // Warner answers from their own stream, so the other columns are those the derived-variable test was written on.
  const nextWarner = lcg(7)
  const lines = ["id,list,drugs,same,count,warner"]
  for (let i = 0; i < n; i++) {
    const list = i % 2 === 0 ? "short" : "long"
    const truth = next() < 0.2
    const die = next()
    const drugs = die < FORCED_YES ? "Yes" : die < FORCED_YES + FORCED_NO ? "No" : truth ? "Yes" : "No"
    // Crosswise: "both or neither" of (sensitive, birthday in Jan–Mar, p = 0.25) is "Same".
    const birthday = next() < CROSSWISE_P
    const same = truth === birthday ? "Same" : "Different"
    const count = [0, 1, 2].filter(() => next() < 0.5).length + (list === "long" && next() < 0.3 ? 1 : 0)
    // Warner: with probability p, "I used an illegal drug this year"; else "I did not": Yes when the one drawn holds.
    const statement = nextWarner() < WARNER_P
    const warner = nextWarner() < 0.2 === statement ? "Yes" : "No"
    lines.push(`r${i},${list},${drugs},${same},${count},${warner}`)
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

/**
 * The same designs declared (`protect`): standin draws each twin's randomiser (a die, a birthday month, a spinner)
 * with the declared probability and tells the twin what it showed, and the corrected prevalence is an analysis of its
 * own (`prevalence`), printed by `standin analyze` and compared by the regression metric.
 */
const DIE = (faces: ReadonlyArray<number>) =>
  `[${faces.map((face) => `"The die you rolled shows ${face}."`).join(", ")}]`
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
]
const BORN = (months: ReadonlyArray<string>) =>
  `[${months.map((month) => `"Your mother was born in ${month}."`).join(", ")}]`

const declared = (
  protections: {
    readonly forced?: string
    readonly crosswise?: string
    readonly list?: string
    readonly warner?: string
  } = {},
) => `formatVersion: 2
id: protected-declared
version: 1.0.0
title: Designs that protect respondents, declared
citation: made up for the estimator tests
data: { file: data.csv, sha256: ${createHash("sha256").update(data).digest("hex")} }
respondentId: id
armColumn: list
arms:
  - { id: short, label: Short list, value: short, stimulus: "Here are three statements: I own a bicycle; I read a newspaper yesterday; I have been to a concert this year." }
  - { id: long, label: Long list, value: long, stimulus: "Here are four statements: I own a bicycle; I read a newspaper yesterday; I have been to a concert this year; I used an illegal drug this year." }
items:
  - id: drugs
    column: drugs
    label: Drug use (forced response)
    wording: "Roll a die where no one can see it. If it shows 1, answer Yes; if it shows 6, answer No; otherwise answer truthfully: have you used an illegal drug this year?"
    role: belief
    scale: { binary: ["No", "Yes"] }
    protect:
      ${protections.forced ?? `forcedResponse: { pYes: 1/6, pNo: 1/6, told: { yes: ${DIE([1])}, no: ${DIE([6])}, truth: ${DIE([2, 3, 4, 5])} } }`}
  - id: same
    column: same
    label: Drug use (crosswise)
    wording: "Statement A: I used an illegal drug this year. Statement B: my mother's birthday is in January, February or March. Are both true or both false (Same), or exactly one true (Different)?"
    role: belief
    scale: { binary: [Different, Same] }
    protect:
      ${protections.crosswise ?? `crosswise: { p: 0.25, innocuous: "My mother's birthday is in January, February or March.", told: { true: ${BORN(MONTHS.slice(0, 3))}, false: ${BORN(MONTHS.slice(3))} } }`}
  - id: count
    column: count
    label: Statements that apply (list experiment)
    wording: How many of the statements above apply to you? Give the number only.
    role: outcome
    scale: { numeric: { min: 0, max: 4, integer: true } }
    protect:
      ${protections.list ?? "list: { control: short, treatment: long, items: 3 }"}
  - id: warner
    column: warner
    label: Drug use (Warner)
    wording: "Spin the arrow where no one can see it. If it points to A, answer about A; if to B, about B. A: I used an illegal drug this year. B: I did not use an illegal drug this year. Is the statement true of you?"
    role: belief
    scale: { binary: ["No", "Yes"] }
    protect:
      ${protections.warner ?? `warner: { p: 0.7, told: { statement: ["The arrow points to A."], negation: ["The arrow points to B."] } }`}
derived:
  - { id: drugs_forced, label: Forced response corrected, expression: "(drugs - 1/6) / (1 - 1/6 - 1/6)" }
  - { id: drugs_crosswise, label: Crosswise corrected, expression: "(same + 0.25 - 1) / (2 * 0.25 - 1)" }
analyses:
  - id: forced_ols
    label: Forced response, as an intercept-only OLS
    family: gaussian
    outcome: { id: drugs_forced, source: { derived: drugs_forced }, coding: numeric }
    predictors: []
  - id: crosswise_ols
    label: Crosswise, as an intercept-only OLS
    family: gaussian
    outcome: { id: drugs_crosswise, source: { derived: drugs_crosswise }, coding: numeric }
    predictors: []
`

interface Prevalence {
  readonly id: string
  readonly kind: string
  readonly design: string
  readonly n: number
  readonly observed: number
  readonly control: number | null
  readonly estimate: number
  readonly se: number
}

const writeDeclared = (study: string) => {
  const dir = tempDir("protected-declared")
  writeFileSync(join(dir, "data.csv"), data)
  writeFileSync(join(dir, "study.yaml"), study)
  return dir
}

describe("declared designs that protect respondents (item `protect`)", () => {
  it("analyze prints a prevalence per protected item, with the published estimators and SEs", () => {
    const dir = writeDeclared(declared())
    expect(standin(["study", "check", dir]).stdout).toContain("has no problems")
    const result = standin(["analyze", dir, "--format", "json"])
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const report = JSON.parse(result.stdout)
    const prevalence = (id: string): Prevalence =>
      report.prevalences.find((candidate: Prevalence) => candidate.id === id)
    const intercept = (analysis: string): Coefficient =>
      report.analyses
        .find((candidate: { id: string }) => candidate.id === analysis)
        .coefficients.find((candidate: Coefficient) => candidate.term === "(Intercept)")
    const rows = data
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(","))
    const share = (column: number, level: string) => rows.filter((row) => row[column] === level).length / n

    expect(report.prevalences.map((p: Prevalence) => [p.id, p.kind, p.design])).toEqual([
      ["drugs", "prevalence", "forced-response"],
      ["same", "prevalence", "crosswise"],
      ["count", "prevalence", "list"],
      ["warner", "prevalence", "warner"],
    ])
    // Forced response: (λ̂ − p₁)/(1 − p₀ − p₁), SE √(λ̂(1 − λ̂)/(n − 1))/(1 − p₀ − p₁) — the intercept-only OLS's.
    const yes = share(2, "Yes")
    const forced = prevalence("drugs")
    expect(forced.n).toBe(n)
    expect(forced.observed).toBeCloseTo(yes, 12)
    expect(forced.estimate).toBeCloseTo((yes - FORCED_YES) / (1 - FORCED_YES - FORCED_NO), 12)
    expect(forced.se).toBeCloseTo(Math.sqrt((yes * (1 - yes)) / (n - 1)) / (1 - FORCED_YES - FORCED_NO), 12)
    expect(forced.estimate).toBeCloseTo(intercept("forced_ols").estimate, 12)
    expect(forced.se).toBeCloseTo(intercept("forced_ols").se, 12)
    // Crosswise: (λ̂ + p − 1)/(2p − 1).
    const same = share(3, "Same")
    const crosswise = prevalence("same")
    expect(crosswise.estimate).toBeCloseTo((same + CROSSWISE_P - 1) / (2 * CROSSWISE_P - 1), 12)
    expect(crosswise.se).toBeCloseTo(
      Math.sqrt((same * (1 - same)) / (n - 1)) / Math.abs(2 * CROSSWISE_P - 1),
      12,
    )
    expect(crosswise.se).toBeCloseTo(intercept("crosswise_ols").se, 12)
    // Warner: (λ̂ − (1 − p))/(2p − 1).
    const warnerYes = share(5, "Yes")
    const warner = prevalence("warner")
    expect(warner.estimate).toBeCloseTo((warnerYes - (1 - WARNER_P)) / (2 * WARNER_P - 1), 12)
    expect(warner.se).toBeCloseTo(Math.sqrt((warnerYes * (1 - warnerYes)) / (n - 1)) / (2 * WARNER_P - 1), 12)
    // List: difference in means, SE √(s²₁/n₁ + s²₀/n₀).
    const counts = (list: string) => rows.filter((row) => row[1] === list).map((row) => Number(row[4]))
    const moments = (values: ReadonlyArray<number>) => {
      const mean = values.reduce((a, b) => a + b, 0) / values.length
      return {
        mean,
        variance: values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1),
        n: values.length,
      }
    }
    const long = moments(counts("long"))
    const short = moments(counts("short"))
    const list = prevalence("count")
    expect(list.estimate).toBeCloseTo(long.mean - short.mean, 12)
    expect(list.se).toBeCloseTo(Math.sqrt(long.variance / long.n + short.variance / short.n), 12)
    expect([list.observed, list.control]).toEqual([long.mean, short.mean])
    // True prevalences 0.2 (randomised response) and 0.3 (list): the estimates land near.
    expect(Math.abs(warner.estimate - 0.2)).toBeLessThan(0.15)
    expect(Math.abs(list.estimate - 0.3)).toBeLessThan(0.15)

    const text = standin(["analyze", dir])
    expect(text.status).toBe(0)
    expect(text.stdout).toContain("Prevalence (designs that protect respondents)")
    expect(text.stdout).toContain("forced response (Boruch 1971), pYes 0.1667, pNo 0.1667")
    expect(text.stdout).toContain(
      "list experiment, difference in means (Blair & Imai 2012), long vs short, 3 control statements",
    )
  })

  it("compares published prevalences (reference.prevalences) and counts them as reproduction checks", () => {
    const first = JSON.parse(standin(["analyze", writeDeclared(declared()), "--format", "json"]).stdout)
    const forced = first.prevalences.find((p: Prevalence) => p.id === "drugs") as Prevalence
    const reference = `reference:
  citation: made up
  tolerance: 0.001
  analyses: {}
  prevalences:
    drugs: { estimate: ${forced.estimate.toFixed(4)}, se: ${forced.se.toFixed(4)}, n: ${n} }
    same: { estimate: 0.9 }
`
    const dir = writeDeclared(declared() + reference)
    expect(standin(["study", "check", dir]).stdout).toContain("has no problems")
    const report = JSON.parse(standin(["analyze", dir, "--format", "json"]).stdout)
    const drugs = report.prevalences.find((p: { id: string }) => p.id === "drugs")
    expect([drugs.reproduced, drugs.seReproduced, drugs.nReproduced]).toEqual([true, true, true])
    const same = report.prevalences.find((p: { id: string }) => p.id === "same")
    expect([same.reproduced, same.seReproduced, same.nReproduced]).toEqual([false, null, null])
    expect(report.reproduction.checked - first.reproduction.checked).toBe(4)
    expect(report.reproduction.reproduced - first.reproduction.reproduced).toBe(3)
    const text = standin(["analyze", dir]).stdout
    expect(text).toMatch(/\ndrugs .* 0\.198 +✓ +0\.0280 +✓ +600 +✓\n/)
    expect(text).toMatch(/\nsame .* 0\.900 +✗\n/)

    const wrong = writeDeclared(`${declared()}${reference.replace("    same:", "    count_typo:")}`)
    const check = standin(["study", "check", wrong])
    expect(check.status).not.toBe(0)
    expect(check.stdout + check.stderr).toMatch(
      /reference\.prevalences\.count_typo: "count_typo" is not an item declaring a design that protects respondents.*\(drugs, same, count, warner\)/,
    )
  })

  it("study check explains each mistake in a declared design, naming the file and field", () => {
    const dir = writeDeclared(
      declared({
        forced: "forcedResponse: { pYes: 0.6, pNo: 0.5 }",
        crosswise: 'crosswise: { p: 0.5, innocuous: "My mother was born in spring." }',
        list: "list: { control: short, treatment: longer, items: 3 }",
        warner: "warner: { p: 1.3 }",
      }),
    )
    const result = standin(["study", "check", dir])
    expect(result.status).not.toBe(0)
    const output = result.stdout + result.stderr
    expect(output).toContain("study.yaml")
    expect(output).toMatch(/items\[0\]\.protect.*pYes \+ pNo is 1\.1: nobody would answer truthfully/)
    expect(output).toMatch(/items\[1\]\.protect\.p.*p = 0\.5 makes every answer pure chance/)
    expect(output).toMatch(
      /items\[2\]\.protect\.treatment.*"longer" is not an arm of this study \(arms: short, long\)/,
    )
    expect(output).toMatch(/items\[3\]\.protect\.p.*must be between 0 and 1 \(got 1\.3\)/)
  })

  it("study check asks for format 2 and a scale the estimator can read", () => {
    const dir = writeDeclared(
      declared({ list: "list: { control: short, treatment: long, items: 4 }" }).replace(
        "scale: { binary: [Different, Same] }",
        "scale: { likert: [Different, Same, Unsure] }",
      ),
    )
    const output = (() => {
      const result = standin(["study", "check", dir])
      expect(result.status).not.toBe(0)
      return result.stdout + result.stderr
    })()
    expect(output).toMatch(/items\[1\]\.protect.*give "same" a binary scale/)
    expect(output).toMatch(
      /items\[2\]\.protect.*the treatment list has 5 statements but the scale stops at 4/,
    )
    const version1 = writeDeclared(
      declared().replace("formatVersion: 2\n", "").replace("respondentId: id", "respondentId: id"),
    )
    const v1 = standin(["study", "check", version1])
    expect(v1.stdout + v1.stderr).toMatch(/items\[0\]\.protect.*new in format version 2/)
  })
})

let fake: FakeServer
beforeAll(async () => {
  fake = await startOpenAiFake({ seed: 3 })
})
afterAll(() => fake?.close())

describe("a run on a declared design", () => {
  it("tells each twin its own randomiser's outcome, and results.json holds the prevalences", async () => {
    const dir = writeDeclared(declared())
    const out = tempDir("protected-run")
    const before = fake.log.entries.length
    const result = await standinAsync(
      [
        "run",
        "--study",
        dir,
        "--provider",
        "openai:gpt-4o-mini",
        "--holdout",
        "60",
        "--pilot",
        "0",
        "--seed",
        "9",
        "--bootstrap",
        "20",
        "--no-site",
        "--quiet",
        "--out",
        out,
      ],
      { OPENAI_API_KEY: "sk-test-PLANTED", OPENAI_BASE_URL: fake.baseUrl, STANDIN_OFFLINE: "1" },
    )
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const prompts = fake.log.entries
      .slice(before)
      .filter((entry) => entry.path.endsWith("/chat/completions"))
      .map((entry) => {
        const body = entry.body as { messages: Array<{ role: string; content: string }> }
        return body.messages.at(-1)!.content
      })
    expect(prompts.length).toBe(60)
    for (const prompt of prompts) {
      // The wording is unchanged; the randomiser's outcome follows it.
      expect(prompt).toContain("[drugs] Roll a die where no one can see it. If it shows 1, answer Yes;")
      expect(prompt).toMatch(/\[drugs\] Roll a die[^\n]*\n {3}The die you rolled shows [1-6]\.\n/)
      expect(prompt).toMatch(/\n {3}Your mother was born in [A-Z][a-z]+\.\n/)
      expect(prompt).toMatch(/\n {3}The arrow points to [AB]\.\n/)
    }
    // Different twins roll different faces.
    const faces = new Set(prompts.map((prompt) => /The die you rolled shows (\d)/.exec(prompt)![1]))
    expect(faces.size).toBeGreaterThan(3)
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
    const regression = results.entries[0].scores.find(
      (score: { metric: string }) => score.metric === "regression",
    )
    interface Side {
      readonly estimate: number
      readonly se: number
    }
    const prevalences = regression.details.prevalences as ReadonlyArray<{
      analysis: string
      design: string
      human: Side
      synthetic: Side
    }>
    expect(prevalences.map((p) => [p.analysis, p.design])).toEqual([
      ["drugs", "ForcedResponse"],
      ["same", "Crosswise"],
      ["count", "List"],
      ["warner", "Warner"],
    ])
    // Forced response: how often twins obeyed a forced "Yes" or "No" (every valid twin told one is counted).
    const compliance = (
      prevalences[0] as unknown as { compliance: Record<"yes" | "no", { told: number; complied: number }> }
    ).compliance
    const forcedTwins = prompts.filter((prompt) => /The die you rolled shows [16]\./.test(prompt)).length
    expect(compliance.yes.told + compliance.no.told).toBe(forcedTwins)
    expect(compliance.yes.complied).toBeLessThanOrEqual(compliance.yes.told)
    for (const prevalence of prevalences) {
      expect(Number.isFinite(prevalence.human.estimate) && prevalence.human.se > 0).toBe(true)
      expect(Number.isFinite(prevalence.synthetic.estimate) && prevalence.synthetic.se > 0).toBe(true)
      const measure = regression.measures.find(
        (m: { key: string }) =>
          m.key === `prevalence-difference|analysis=${prevalence.analysis}|term=prevalence`,
      )
      expect(measure.value).toBeCloseTo(
        Math.abs(prevalence.synthetic.estimate - prevalence.human.estimate),
        12,
      )
      expect(measure.ci.lower).toBeLessThanOrEqual(measure.ci.upper)
    }
  })
})
