import { describe, expect, it } from "@effect/vitest"
import type { AnalysisSpec, MediationSpec, Respondent, StudyDefinition } from "@standin/core"
import { makeRandom } from "@standin/stats"
import { checkAnalyses, fitAnalysis, reportMediation, simulationTolerance } from "../src/index.js"

// A simulated encouragement design: treated respondents' mediator m rises by a = 2, m raises y by b = 0.5 and the
// treatment raises y directly by c = 1, so with linear models ACME = a·b = 1, ADE = 1, total = 2.
const numeric = { _tag: "Numeric" as const, min: -100, max: 100, integer: false }
const item = (id: string) => ({
  id,
  column: id,
  wording: id,
  label: id,
  scale: numeric,
  role: "outcome" as const,
})
const treat = {
  id: "treat",
  source: { _tag: "Arm" as const },
  coding: { _tag: "Indicator" as const, levels: ["treated"] },
}
const mediatorModel: AnalysisSpec = {
  id: "m-model",
  label: "m ~ treat",
  family: "gaussian",
  outcome: { id: "m", source: { _tag: "Item", item: "m" }, coding: { _tag: "Numeric" } },
  predictors: [treat],
  interactions: [],
}
const outcomeModel: AnalysisSpec = {
  id: "y-model",
  label: "y ~ m + treat",
  family: "gaussian",
  outcome: { id: "y", source: { _tag: "Item", item: "y" }, coding: { _tag: "Numeric" } },
  predictors: [{ id: "m", source: { _tag: "Item", item: "m" }, coding: { _tag: "Numeric" } }, treat],
  interactions: [],
}
const mediation: MediationSpec = {
  id: "m-mediation",
  label: "treat → m → y",
  mediatorModel: "m-model",
  outcomeModel: "y-model",
  treatment: "treat",
  sims: 2000,
  seed: 7,
}
const study: StudyDefinition = {
  id: "simulated-mediation",
  version: "0.1.0",
  title: "Simulated mediation",
  description: "A simulated two-arm study whose effect runs partly through a mediator.",
  citation: "Simulated",
  data: { directory: "simulated", file: "simulated.csv", sha256: "0".repeat(64) },
  armColumn: "arm",
  arms: [
    { id: "control", label: "Control", value: "0", stimulus: "" },
    { id: "treated", label: "Treated", value: "1", stimulus: "A story." },
  ],
  persona: [],
  subgroups: [],
  items: [item("m"), item("y")],
  preamble: "",
  beliefActionPairs: [],
  analyses: [mediatorModel, outcomeModel],
  mediations: [mediation],
  figures: [],
  privateColumns: [],
  trimWhitespace: true,
}

const simulate = (n: number, seed: number): Array<Respondent> => {
  const random = makeRandom(seed)
  return Array.from({ length: n }, (_, index) => {
    const treated = index % 2 === 0
    const m = 2 * Number(treated) + random.nextNormal()
    const y = 0.5 * m + 1 * Number(treated) + random.nextNormal()
    return {
      id: `r${index}`,
      row: index + 2,
      arm: treated ? "treated" : "control",
      persona: {},
      answers: { m, y },
    }
  })
}

describe("reportMediation", () => {
  const rows = simulate(2000, 3)

  it("estimates ACME = a·b, ADE and the total effect of linear models, each within simulation error of the fits' products", () => {
    const report = reportMediation(study, mediation, rows)
    expect(report.error).toBeUndefined()
    expect(report.n).toBe(2000)
    expect(report.seed).toBe(7)
    const a = fitAnalysis(study, mediatorModel, rows)
    const y = fitAnalysis(study, outcomeModel, rows)
    if (!a.ok || !y.ok) throw new Error("the models must fit")
    const acme = a.value.coefficients.treat!.estimate * y.value.coefficients.m!.estimate
    const ade = y.value.coefficients.treat!.estimate
    const figure = (name: string) => report.figures.find((f) => f.figure === name)!
    // Linear models: the simulated effects are means of draws centred on the fitted products.
    const se = (f: ReturnType<typeof figure>) => (f.upper - f.lower) / (2 * 1.96) / Math.sqrt(2000)
    expect(Math.abs(figure("acmeControl").estimate - acme)).toBeLessThan(4 * se(figure("acmeControl")))
    expect(Math.abs(figure("acmeTreated").estimate - acme)).toBeLessThan(4 * se(figure("acmeTreated")))
    expect(Math.abs(figure("adeControl").estimate - ade)).toBeLessThan(4 * se(figure("adeControl")))
    expect(Math.abs(figure("total").estimate - (acme + ade))).toBeLessThan(4 * se(figure("total")))
    // And they recover the simulated truth (ACME 1, ADE 1, total 2, half mediated) within sampling error.
    expect(figure("acmeAverage").estimate).toBeCloseTo(1, 0)
    expect(figure("adeAverage").estimate).toBeCloseTo(1, 0)
    expect(figure("proportionAverage").estimate).toBeGreaterThan(0.4)
    expect(figure("proportionAverage").estimate).toBeLessThan(0.6)
    // No reference: nothing is counted.
    expect(report.figures.every((f) => f.reproduced === null && f.tolerance === null)).toBe(true)
  })

  it("is repeatable: the seed is fixed, or derived from the study and mediation ids", () => {
    const fixed = reportMediation(study, mediation, rows)
    expect(reportMediation(study, mediation, rows).figures).toEqual(fixed.figures)
    const { seed: _seed, ...unseeded } = mediation
    const derived = reportMediation(study, unseeded, rows)
    expect(derived.seed).not.toBe(7)
    expect(reportMediation(study, unseeded, rows).figures).toEqual(derived.figures)
  })

  it("compares with published figures within their simulation error, and counts a far one as not reproduced", () => {
    const truth = reportMediation(study, mediation, rows).figures.find((f) => f.figure === "acmeControl")!
    const published: StudyDefinition = {
      ...study,
      reference: {
        citation: "Simulated",
        tolerance: 0.001,
        analyses: {},
        mediations: {
          "m-mediation": {
            sims: 100,
            n: 2000,
            estimates: {
              acmeControl: {
                estimate: Number(truth.estimate.toFixed(3)),
                lower: Number(truth.lower.toFixed(3)),
              },
              total: { estimate: 5 },
              adeControl: { estimate: 5, tolerance: 10 },
            },
          },
        },
      },
    }
    const report = reportMediation(published, mediation, rows)
    const figure = (name: string) => report.figures.find((f) => f.figure === name)!
    expect(figure("acmeControl")).toMatchObject({
      reproduced: true,
      lowerReproduced: true,
      upperReproduced: null,
    })
    expect(figure("acmeControl").tolerance).toBeGreaterThan(0)
    expect(figure("total").reproduced).toBe(false)
    // A stated tolerance replaces the simulation error.
    expect(figure("adeControl")).toMatchObject({ reproduced: true, tolerance: 10 })
    expect(report.published).toEqual({ n: 2000, sims: 100 })
  })

  it("reports a mediation that cannot be estimated, and study check names its field", () => {
    const broken: MediationSpec = { ...mediation, outcomeModel: "nope" }
    expect(reportMediation({ ...study, mediations: [broken] }, broken, rows).error).toMatch(
      /outcomeModel "nope" is not a declared analysis/,
    )
    const constant = rows.map((r) => ({ ...r, arm: "control" }))
    const problems = checkAnalyses(study, constant)
    expect(problems.some((p) => p.field === "mediations[0]" && /m-mediation/.test(p.message))).toBe(true)
    expect(checkAnalyses(study, rows)).toEqual([])
  })
})

describe("simulationTolerance", () => {
  it("is 4 Monte Carlo SEs of the difference of two runs plus half the published figure's last digit", () => {
    // Draws 0, 1, 2, …, 99: sd = √(100·101/12) ≈ 29.01.
    const draws = Float64Array.from({ length: 100 }, (_, i) => i)
    const sd = Math.sqrt((100 * 101) / 12)
    expect(simulationTolerance(draws, "mean", 400, 100, 0.5)).toBeCloseTo(
      4 * sd * Math.sqrt(1 / 400 + 1 / 100) + 0.05,
      10,
    )
    // A median of a uniform on [0, 99]: density ≈ 1/99 · … → √¼ · 99 per √N.
    expect(simulationTolerance(draws, 0.5, 100, 100, 1)).toBeCloseTo(
      4 * 0.5 * 99 * Math.sqrt(2 / 100) + 0.5,
      6,
    )
  })
})
