import { createHash } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { repoRoot, standin, tempDir } from "./helpers.js"

interface GoldenAnalysis {
  readonly spec: { readonly id: string; readonly family: string; readonly se?: string }
  readonly expected: {
    readonly n: number
    readonly pseudoR2?: number
    readonly coefficients: Readonly<Record<string, { readonly estimate: number; readonly se: number }>>
  }
}

/** The synthetic survey and its statsmodels fits (packages/analysis/test/golden/make_golden_analysis.py). */
const golden = JSON.parse(
  readFileSync(join(repoRoot, "packages/analysis/test/golden/analysis.json"), "utf8"),
) as {
  readonly levels: Readonly<Record<string, ReadonlyArray<string>>>
  readonly rows: ReadonlyArray<{
    readonly arm: string
    readonly persona: Readonly<Record<string, string>>
    readonly answers: Readonly<Record<string, string | number | null>>
  }>
  readonly analyses: ReadonlyArray<GoldenAnalysis>
}

const csv = (): string => {
  const items = ["income", "vote", "agree", "share", "score"]
  const lines = [["id", "arm", "gender", "age", ...items].join(",")]
  golden.rows.forEach((row, index) => {
    lines.push(
      [
        `r${index + 1}`,
        row.arm,
        row.persona.gender,
        row.persona.age,
        ...items.map((item) => (row.answers[item] === null ? "" : String(row.answers[item]))),
      ].join(","),
    )
  })
  return `${lines.join("\n")}\n`
}

/** A study folder (study.json) declaring the golden analyses, with statsmodels' fits as the published results. */
const studyFolder = (): string => {
  const dir = tempDir("families")
  const data = csv()
  writeFileSync(join(dir, "survey.csv"), data)
  const levels = golden.levels
  const reference = Object.fromEntries(
    golden.analyses.map(({ spec, expected }) => [
      spec.id,
      {
        n: expected.n,
        ...(expected.pseudoR2 === undefined ? {} : { pseudoR2: expected.pseudoR2 }),
        coefficients: {
          ...expected.coefficients,
          // A key in the wrong scheme (one colon joins an interaction, not an outcome level to a column).
          ...(spec.family === "multinomial" && spec.se === undefined
            ? { "Lab:income": { estimate: expected.coefficients["Lab::income"]!.estimate } }
            : {}),
        },
      },
    ]),
  )
  const study = {
    id: "vote-survey",
    version: "1.0.0",
    title: "A synthetic vote-choice survey",
    description: "Made up for tests.",
    citation: "unpublished",
    data: { file: "survey.csv", sha256: createHash("sha256").update(data).digest("hex") },
    respondentId: "id",
    armColumn: "arm",
    arms: levels.arm!.map((id) => ({
      id,
      label: id,
      value: id,
      stimulus: id === "control" ? "" : "A reminder.",
    })),
    persona: ["gender", "age"].map((id) => ({ id, column: id, label: id, levels: levels[id] })),
    items: [
      {
        id: "income",
        column: "income",
        label: "Income",
        wording: "Your income decile?",
        role: "covariate",
        scale: { numeric: { min: 1, max: 10, integer: true } },
      },
      {
        id: "vote",
        column: "vote",
        label: "Vote",
        wording: "Which party?",
        role: "outcome",
        scale: { categorical: levels.vote },
      },
      {
        id: "agree",
        column: "agree",
        label: "Agree",
        wording: "Do you agree?",
        role: "outcome",
        scale: { likert: levels.agree },
      },
      {
        id: "share",
        column: "share",
        label: "Share",
        wording: "Share?",
        role: "action",
        scale: { binary: ["No", "Yes"] },
      },
      {
        id: "score",
        column: "score",
        label: "Score",
        wording: "Score 0-100?",
        role: "outcome",
        scale: { numeric: { min: 0, max: 100, integer: false } },
      },
    ],
    analyses: golden.analyses.map((analysis) => analysis.spec),
    reference: { citation: "statsmodels 0.13", analyses: reference, tolerance: 1e-4 },
  }
  writeFileSync(join(dir, "study.json"), JSON.stringify(study, null, 1))
  return dir
}

describe("standin analyze: probit, multinomial and ordinal analyses, subsets and robust SEs", () => {
  it("checks clean, then reproduces statsmodels' fits through the study's reference block", () => {
    const dir = studyFolder()
    const check = standin(["study", "check", dir])
    expect(check.stdout + check.stderr).not.toMatch(/cannot be estimated/)
    expect(check.status).toBe(0)

    const json = standin(["analyze", dir, "--format", "json"])
    expect(json.stderr).toBe("")
    expect(json.status).toBe(0)
    const report = JSON.parse(json.stdout) as {
      analyses: ReadonlyArray<{
        id: string
        family: string
        se: string
        subset: string | null
        baseline: string | null
        n: number
        unmatchedPublished: ReadonlyArray<string>
        coefficients: ReadonlyArray<{
          term: string
          constant: boolean
          reproduced: boolean
          seReproduced: boolean
        }>
      }>
      reproduction: { checked: number; reproduced: number }
    }
    const byId = Object.fromEntries(report.analyses.map((analysis) => [analysis.id, analysis]))
    for (const { spec, expected } of golden.analyses) {
      const analysis = byId[spec.id]!
      expect(analysis.n, spec.id).toBe(expected.n)
      for (const c of analysis.coefficients)
        expect([c.term, c.reproduced, c.seReproduced]).toEqual([c.term, true, true])
    }
    expect(byId["vote-multinomial"]!.baseline).toBe("Con")
    expect(byId["vote-multinomial"]!.unmatchedPublished).toEqual(["Lab:income"])
    expect(byId["agree-ordinal"]!.subset).toBe("age ∈ {18-34, 35-54}")
    expect(byId["agree-ordinal"]!.coefficients.filter((c) => c.constant).map((c) => c.term)).toContain(
      "Neither|Agree",
    )
    expect(byId["score-ols-hc3"]!.se).toBe("HC3")
    // Every stated figure reproduces except the misspelt key, which counts as not reproduced.
    expect(report.reproduction.checked - report.reproduction.reproduced).toBe(1)

    const text = standin(["analyze", dir])
    expect(text.status).toBe(0)
    expect(text.stdout).toMatch(/vote-multinomial\]: multinomial logit, n = 863, McFadden pseudo-R² = /)
    expect(text.stdout).toMatch(/each level's log-odds against the baseline "Con"; terms are level::column/)
    expect(text.stdout).toMatch(/Lib::treated:gender\[Male\]/)
    expect(text.stdout).toMatch(/agree-ordinal\]: ordered logit, n = 637/)
    expect(text.stdout).toMatch(/fitted on the subset age ∈ \{18-34, 35-54\}/)
    expect(text.stdout).toMatch(/score-ols-hc3\]: OLS, n = 501, R² = [\d.]+, HC3 robust SEs/)
    expect(text.stdout).toMatch(/probit-share\]: probit regression/)
    expect(text.stdout).toMatch(/✗ published terms this fit has no coefficient for: Lab:income/)
  })
})
