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

describe("brader2008-immigration-framing definition", () => {
  it("ships no data: the GPL data stay a separate asset, downloaded from Rdatasets at a pinned commit", () => {
    expect(readdirSync(join(__dirname, "..")).filter((name) => /\.(csv|tsv|rda|RData)$/i.test(name))).toEqual(
      [],
    )
    expect(definition.data.url).toMatch(/\/Rdatasets\/[0-9a-f]{40}\/csv\/mediation\/framing\.csv$/)
    expect(definition.data.license).toMatch(/^GPL \(>= 2\)/)
  })

  it("marks the four news stories as reconstructions of the published description", () => {
    expect(definition.arms.map((arm) => arm.id)).toEqual([
      "neg-latino",
      "neg-european",
      "pos-latino",
      "pos-european",
    ])
    for (const arm of definition.arms) {
      expect(arm.reconstructed).toBe(true)
      expect(arm.reconstructedFrom).toMatch(/Brader, Valentino & Suhay 2008/)
      expect(arm.stimulus.length).toBeGreaterThan(200)
    }
    // The treated cell's story is negative and Latino; the positive European one is neither.
    const story = (id: string) => definition.arms.find((arm) => arm.id === id)!.stimulus
    expect(story("neg-latino")).toMatch(/STRAIN/)
    expect(story("neg-latino")).toMatch(/Mexico/)
    expect(story("pos-european")).toMatch(/BOOST/)
    expect(story("pos-european")).toMatch(/Russia/)
    expect(definition.notes?.some((note) => /ACME/.test(note))).toBe(true)
    expect(definition.mediations?.map((m) => m.id)).toEqual(["emo-mediation"])
  })
})

describe("brader2008-immigration-framing data", () => {
  it(available ? `is in ${dataDir}` : `is missing (${file}): set STANDIN_DATA_DIR`, (context) => {
    if (!available && !process.env.CI) {
      context.skip()
      return
    }
    // Under CI a missing file fails here rather than silently skipping the checks below.
    expect(existsSync(file)).toBe(true)
  })
})

describe.runIf(available)("brader2008-immigration-framing on its data", () => {
  it.effect(
    "loads the 265 respondents in four arms (68/67/67/63), 88 asking for the message to Congress",
    () =>
      Effect.gen(function* () {
        const data = yield* experiment.loadHumanData
        expect(data.sha256).toBe(definition.data.sha256)
        expect(data.respondents.length).toBe(265)
        const inArm = (arm: string) => data.respondents.filter((r) => r.arm === arm).length
        expect(definition.arms.map((arm) => inArm(arm.id))).toEqual([68, 67, 67, 63])
        expect(data.respondents.filter((r) => r.answers.cong_mesg === "Yes").length).toBe(88)
      }).pipe(withData),
  )

  it.effect(
    "standin analyze reproduces the mediation package's mediator (OLS) and outcome (probit) models",
    () =>
      Effect.gen(function* () {
        const report = yield* analyzeStudy(experiment)
        const term = (analysis: string, name: string) =>
          report.analyses
            .find((candidate) => candidate.id === analysis)!
            .coefficients.find((row) => row.term === name)!
        expect(term("emo-mediator", "treat").estimate.toFixed(4)).toBe("1.3386")
        expect(report.analyses.find((a) => a.id === "message-outcome")!.family).toBe("probit")
        expect(term("message-outcome", "emo").estimate.toFixed(4)).toBe("0.2062")
        expect(term("immigr-treat", "treat").estimate.toFixed(2)).toBe("0.42")
        expect(term("message-by-treat", "(Intercept)").estimate.toFixed(3)).toBe("0.305")
        for (const analysis of report.analyses) {
          expect(analysis.error).toBeUndefined()
          expect(analysis.unmatchedPublished).toEqual([])
        }
        // 4 coefficients and one p-value, 4 n's and the treated cell's 41.2%, then the mediation's 5 estimates,
        // 6 interval ends and its n: every check reproduced.
        expect(report.reproduction).toMatchObject({ checked: 22, reproduced: 22 })
      }).pipe(withData),
  )

  it.effect(
    "standin analyze reproduces the JSS article's causal mediation (ACME 0.0791/0.0804, ADE 0.0206, total 0.1009, 69% mediated) within simulation error",
    () =>
      Effect.gen(function* () {
        const report = yield* analyzeStudy(experiment)
        const mediation = report.mediations.find((m) => m.id === "emo-mediation")!
        expect(mediation.error).toBeUndefined()
        expect(mediation).toMatchObject({ n: 265, sims: 5000, seed: 2014, se: "HC3", outcomeModel: "probit" })
        expect(mediation.published).toEqual({ n: 265, sims: 100 })
        const figure = (name: string) => mediation.figures.find((f) => f.figure === name)!
        const published = {
          acmeControl: 0.0791,
          acmeTreated: 0.0804,
          adeControl: 0.0206,
          total: 0.1009,
          proportionControl: 0.69,
        }
        for (const [name, value] of Object.entries(published)) {
          const f = figure(name)
          expect(f.published).toBe(value)
          expect(f.reproduced).toBe(true)
          // The tolerance is simulation error (a few hundredths here, 100 published draws), never a blanket one.
          expect(f.tolerance!).toBeGreaterThan(0.005)
          expect(f.tolerance!).toBeLessThan(name.startsWith("proportion") ? 0.3 : 0.04)
          expect(Math.abs(f.estimate - value)).toBeLessThanOrEqual(f.tolerance!)
        }
        for (const name of ["acmeControl", "adeControl", "total"])
          expect(figure(name)).toMatchObject({ lowerReproduced: true, upperReproduced: true })
        // The published conclusions: a clearly positive ACME, an ADE indistinguishable from 0.
        expect(figure("acmeControl").lower).toBeGreaterThan(0)
        expect(figure("adeControl").lower).toBeLessThan(0)
        expect(figure("adeControl").upper).toBeGreaterThan(0)
      }).pipe(withData),
  )
})
