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

describe("beps-uk-vote definition", () => {
  it("ships no data: the GPL extract stays a separate asset, downloaded from Rdatasets at a pinned commit", () => {
    expect(readdirSync(join(__dirname, "..")).filter((name) => /\.(csv|tsv|rda|RData)$/i.test(name))).toEqual(
      [],
    )
    expect(definition.data.url).toMatch(/\/Rdatasets\/[0-9a-f]{40}\/csv\/carData\/BEPS\.csv$/)
    expect(definition.data.license).toMatch(/^GPL \(>= 2\)/)
  })

  it("marks every wording as reconstructed from the help page, and notes its two demographics", () => {
    for (const item of definition.items) {
      expect(item.reconstructed).toBe(true)
      expect(item.reconstructedFrom).toMatch(/BEPS\.Rd/)
    }
    expect(definition.persona.map((attribute) => attribute.id)).toEqual(["age", "gender"])
    expect(definition.notes?.some((note) => /two demographics/i.test(note))).toBe(true)
  })
})

describe("beps-uk-vote data", () => {
  it(available ? `is in ${dataDir}` : `is missing (${file}): set STANDIN_DATA_DIR`, (context) => {
    if (!available && !process.env.CI) {
      context.skip()
      return
    }
    // Under CI a missing file fails here rather than silently skipping the checks below.
    expect(existsSync(file)).toBe(true)
  })
})

describe.runIf(available)("beps-uk-vote on its data", () => {
  it.effect("loads the 1,525 respondents: 462 Conservative, 720 Labour, 343 Liberal Democrat", () =>
    Effect.gen(function* () {
      const data = yield* experiment.loadHumanData
      expect(data.sha256).toBe(definition.data.sha256)
      expect(data.respondents.length).toBe(1525)
      const votes = (party: string) => data.respondents.filter((r) => r.answers.vote === party).length
      expect([votes("Conservative"), votes("Labour"), votes("Liberal Democrat")]).toEqual([462, 720, 343])
    }).pipe(withData),
  )

  it.effect("standin analyze reproduces Fox & Andersen's key coefficients to the printed decimals", () =>
    Effect.gen(function* () {
      const report = yield* analyzeStudy(experiment)
      const vote = report.analyses.find((analysis) => analysis.id === "vote")!
      expect(vote.error).toBeUndefined()
      expect(vote.n).toBe(1525)
      expect(vote.baseline).toBe("Conservative")
      const estimate = (term: string) => vote.coefficients.find((row) => row.term === term)?.estimate
      expect(estimate("Labour::Blair")?.toFixed(3)).toBe("0.824")
      expect(estimate("Liberal Democrat::Europe:knowledge")?.toFixed(3)).toBe("-0.183")
      expect(estimate("Labour::age")?.toFixed(4)).toBe("-0.0198")
      expect(vote.unmatchedPublished).toEqual([])
      expect(vote.deviance?.toFixed(2)).toBe("2233.04")
      expect(vote.published.deviance).toBe(2233.04)
      // 10 coefficients, n, the deviance and the Labour share: every check reproduced.
      expect(report.reproduction).toMatchObject({ checked: 13, reproduced: 13 })
    }).pipe(withData),
  )
})
