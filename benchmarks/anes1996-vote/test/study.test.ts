import { existsSync, readdirSync } from "node:fs"
import { join, resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { analyzeStudy } from "@standin/analysis"
import { ConfigProvider, Effect } from "effect"
import { definition, experiment } from "../src/index.js"

const dataDir = resolve(process.env.STANDIN_DATA_DIR ?? join(__dirname, "../../../../shared/data"))
const file = join(dataDir, definition.data.directory, definition.data.file)
const available = existsSync(file)
const withData = Effect.provide(
  ConfigProvider.layer(ConfigProvider.fromEnv({ env: { STANDIN_DATA_DIR: dataDir, STANDIN_OFFLINE: "1" } })),
)

describe("anes1996-vote definition", () => {
  it("ships no data: the public-domain file is downloaded from statsmodels at a pinned commit", () => {
    expect(readdirSync(join(__dirname, "..")).filter((name) => /\.(csv|tsv|txt)$/.test(name))).toEqual([])
    expect(definition.data.url).toMatch(/\/statsmodels\/statsmodels\/[0-9a-f]{40}\/.*\/anes96\.csv$/)
    expect(definition.data.license).toMatch(/public domain/i)
  })

  it("marks every wording written from a description as reconstructed, with its source, and says what it cannot measure", () => {
    for (const item of definition.items) {
      expect(item.reconstructed).toBe(true)
      expect(item.reconstructedFrom).toMatch(/ANES/)
    }
    expect(definition.notes?.some((note) => /no race, gender or region/.test(note))).toBe(true)
  })
})

describe("anes1996-vote data", () => {
  it(available ? `is in ${dataDir}` : `is missing (${file}): set STANDIN_DATA_DIR`, (context) => {
    if (!available && !process.env.CI) {
      context.skip()
      return
    }
    // Under CI a missing file fails here rather than silently skipping the checks below.
    expect(existsSync(file)).toBe(true)
  })
})

describe.runIf(available)("anes1996-vote on its data", () => {
  it.effect(
    "loads the 944 respondents (no id column: numbered by data row), 393 expecting to vote for Dole",
    () =>
      Effect.gen(function* () {
        const data = yield* experiment.loadHumanData
        expect(data.sha256).toBe(definition.data.sha256)
        expect(data.respondents.length).toBe(944)
        expect(data.respondents[0]!.id).toBe("r2")
        expect(data.respondents.filter((r) => r.answers.vote === "Bob Dole").length).toBe(393)
        expect(data.respondents[0]!.persona.income).toBe("None or less than $2,999")
      }).pipe(withData),
  )

  it.effect(
    "standin analyze reproduces Faraway's multinom(sPID ~ nincome) to his 5 decimals and both residual deviances",
    () =>
      Effect.gen(function* () {
        const report = yield* analyzeStudy(experiment)
        const income = report.analyses.find((analysis) => analysis.id === "party-income")!
        expect(income.error).toBeUndefined()
        expect(income.n).toBe(944)
        expect(income.baseline).toBe("Democrat")
        const published = income.coefficients.filter((row) => row.published !== null)
        expect(published.map((row) => row.term).sort()).toEqual([
          "Independent::(Intercept)",
          "Independent::nincome",
          "Republican::(Intercept)",
          "Republican::nincome",
        ])
        for (const row of published) expect(row.estimate.toFixed(5)).toBe(row.published!.toFixed(5))
        expect(income.unmatchedPublished).toEqual([])
        const full = report.analyses.find((analysis) => analysis.id === "party-full")!
        expect(full.error).toBeUndefined()
        expect(full.n).toBe(944)
        // Faraway's residual deviances, to his 2 decimals.
        expect(income.deviance?.toFixed(2)).toBe("1985.42")
        expect(full.deviance?.toFixed(2)).toBe("1968.33")
        expect([income.published.deviance, full.published.deviance]).toEqual([1985.42, 1968.33])
        // 4 coefficients, 2 n's, 2 deviances and the Dole share: every check reproduced.
        expect(report.reproduction).toMatchObject({ checked: 9, reproduced: 9 })
      }).pipe(withData),
  )
})
