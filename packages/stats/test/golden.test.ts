import { existsSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import {
  buildDesign,
  type DataFrame,
  type DesignSpec,
  entropy,
  fitLogit,
  fitOls,
  holm,
  jsDistance,
  jsDivergence,
  logOddsRatio,
  normalisedWasserstein1,
  pearson,
  phi,
  spearman,
  totalVariation,
  wasserstein1,
} from "../src/index.js"

interface Row {
  readonly estimate: number
  readonly se: number
  readonly statistic: number
  readonly p: number
  readonly lower: number
  readonly upper: number
}
interface RegressionCase {
  readonly name: string
  readonly spec: DesignSpec
  readonly frame: DataFrame
  readonly columns: ReadonlyArray<string>
  readonly ols: {
    outcome: string
    n: number
    coefficients: Record<string, Row>
    rSquared: number
    adjustedRSquared: number
    logLikelihood: number
    residualDf: number
  }
  readonly logit: {
    outcome: string
    n: number
    coefficients: Record<string, Row>
    pseudoR2: number
    logLikelihood: number
    nullLogLikelihood: number
  }
}

const here = dirname(fileURLToPath(import.meta.url))
const golden = JSON.parse(readFileSync(join(here, "golden", "golden.json"), "utf8")) as {
  divergences: ReadonlyArray<Record<string, number> & { p: Array<number>; q: Array<number> }>
  correlations: ReadonlyArray<{ x: Array<number>; y: Array<number>; pearson: number; spearman: number }>
  tables: ReadonlyArray<{
    table: [[number, number], [number, number]]
    phi: number
    logOddsRatio: number
    logOddsRatioSe: number
    corrected: boolean
  }>
  holm: ReadonlyArray<{ p: Array<number>; adjusted: Array<number> }>
  regressions: ReadonlyArray<RegressionCase>
  separation: ReadonlyArray<{
    name: string
    spec: DesignSpec
    frame: DataFrame
    kind: string
    columns: Array<string>
  }>
  rankDeficient: ReadonlyArray<{
    spec: DesignSpec
    frame: DataFrame
    dependent: Array<string>
    columns: Array<string>
  }>
  berke: {
    n: number
    columns: Array<string>
    coefficients: Record<string, { estimate: number; se: number }>
    pseudoR2: number
    logLikelihood: number
    nullLogLikelihood: number
    shareRate: { false: number; true: number }
    raceLevels: Array<string>
  }
}

const close = (actual: number | null | undefined, expected: number, tolerance: number) => {
  expect(actual).not.toBeNull()
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(tolerance)
}

/** p-values span many orders of magnitude: compare them relatively. */
const closeRelative = (actual: number, expected: number, tolerance: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.max(Math.abs(expected), 1e-300))

describe("divergences match scipy", () => {
  it("JS divergence and distance (base 2), total variation, W1, entropy to 1e-9", () => {
    expect(golden.divergences.length).toBeGreaterThanOrEqual(8)
    for (const c of golden.divergences) {
      close(jsDistance(c.p, c.q), c.jsDistance!, 1e-9)
      close(jsDivergence(c.p, c.q), c.jsDivergence!, 1e-9)
      close(totalVariation(c.p, c.q), c.totalVariation!, 1e-9)
      close(wasserstein1(c.p, c.q), c.wasserstein1!, 1e-9)
      close(normalisedWasserstein1(c.p, c.q), c.wasserstein1Normalised!, 1e-9)
      close(entropy(c.p), c.entropyP!, 1e-9)
      close(entropy(c.q), c.entropyQ!, 1e-9)
    }
  })
})

describe("correlations and 2×2 tables match scipy and statsmodels", () => {
  it("Pearson and Spearman (with ties) to 1e-9", () => {
    for (const c of golden.correlations) {
      close(pearson(c.x, c.y), c.pearson, 1e-9)
      close(spearman(c.x, c.y), c.spearman, 1e-9)
    }
  })
  it("phi, log odds ratio and its SE (Haldane only with a zero cell) to 1e-9", () => {
    for (const c of golden.tables) {
      close(phi(c.table), c.phi, 1e-9)
      const odds = logOddsRatio(c.table)
      close(odds?.estimate, c.logOddsRatio, 1e-9)
      close(odds?.se, c.logOddsRatioSe, 1e-9)
      expect(odds?.corrected).toBe(c.corrected)
    }
  })
  it("Holm adjustment", () => {
    for (const c of golden.holm) {
      const adjusted = holm(c.p)
      c.adjusted.forEach((value, index) => {
        close(adjusted[index], value, 1e-12)
      })
    }
  })
})

const checkTable = (coefficients: ReadonlyArray<{ term: string } & Row>, expected: Record<string, Row>) => {
  expect(coefficients.map((c) => c.term)).toEqual(Object.keys(expected))
  for (const coefficient of coefficients) {
    const reference = expected[coefficient.term]!
    close(coefficient.estimate, reference.estimate, 1e-6)
    close(coefficient.se, reference.se, 1e-6)
    close(coefficient.statistic, reference.statistic, 1e-6)
    close(coefficient.lower, reference.lower, 1e-6)
    close(coefficient.upper, reference.upper, 1e-6)
    closeRelative(coefficient.p, reference.p, 1e-6)
  }
}

describe("regressions match statsmodels", () => {
  for (const c of golden.regressions) {
    it(`OLS on "${c.name}": coefficients, SEs, t, p, CIs to 1e-6`, () => {
      const design = buildDesign(c.frame, c.spec, c.ols.outcome)
      if (!design.ok) throw new Error(design.error.message)
      expect(design.value.columns).toEqual(c.columns)
      const fit = fitOls(design.value)
      if (!fit.ok) throw new Error(fit.error.message)
      checkTable(fit.value.coefficients, c.ols.coefficients)
      expect(fit.value.n).toBe(c.ols.n)
      close(fit.value.rSquared, c.ols.rSquared, 1e-9)
      close(fit.value.adjustedRSquared, c.ols.adjustedRSquared, 1e-9)
      close(fit.value.logLikelihood, c.ols.logLikelihood, 1e-6)
      expect(fit.value.residualDf).toBe(c.ols.residualDf)
    })
    it(`logit on "${c.name}": coefficients, SEs, z, p, CIs to 1e-6`, () => {
      const design = buildDesign(c.frame, c.spec, c.logit.outcome)
      if (!design.ok) throw new Error(design.error.message)
      const fit = fitLogit(design.value)
      if (!fit.ok) throw new Error(fit.error.message)
      checkTable(fit.value.coefficients, c.logit.coefficients)
      close(fit.value.pseudoR2, c.logit.pseudoR2, 1e-9)
      close(fit.value.logLikelihood, c.logit.logLikelihood, 1e-6)
      close(fit.value.nullLogLikelihood, c.logit.nullLogLikelihood, 1e-6)
    })
  }

  for (const c of golden.separation) {
    it(`detects ${c.name} separation and names the column`, () => {
      const design = buildDesign(c.frame, c.spec, "ybin")
      if (!design.ok) throw new Error(design.error.message)
      const fit = fitLogit(design.value)
      expect(fit.ok).toBe(false)
      if (fit.ok) return
      expect(fit.error._tag).toBe("Separation")
      if (fit.error._tag !== "Separation") return
      expect(fit.error.kind).toBe(c.kind)
      for (const column of c.columns) expect(fit.error.columns).toContain(column)
      expect(fit.error.message).toMatch(/separation/i)
    })
  }

  for (const c of golden.rankDeficient) {
    it("reports a rank-deficient design with the dependent columns, for OLS and logit", () => {
      const design = buildDesign(c.frame, c.spec, "ybin")
      if (!design.ok) throw new Error(design.error.message)
      expect(design.value.columns).toEqual(c.columns)
      for (const fit of [fitOls(design.value), fitLogit(design.value)]) {
        expect(fit.ok).toBe(false)
        if (fit.ok) return
        expect(fit.error._tag).toBe("RankDeficient")
        if (fit.error._tag === "RankDeficient") expect(fit.error.columns).toEqual(c.dependent)
      }
    })
  }
})

// The Berke et al. model, fitted from the study's CSV (never committed): STANDIN_DATA_DIR, else the shared/
// folder beside the repository (where CI lays it).
const dataDirectory = process.env.STANDIN_DATA_DIR ?? join(here, "..", "..", "..", "..", "shared", "data")
const berkeCsv = join(dataDirectory, "berke-fingerprint-consent", "survey-experiment-data.csv")

/** RFC 4180 rows (csv-parse); blank lines skipped. */
const parseCsv = (text: string): Array<Array<string>> =>
  parse(text, { relax_column_count: true, skip_empty_lines: true }) as Array<Array<string>>

describe.runIf(existsSync(berkeCsv))("the Berke et al. model", () => {
  it("matches statsmodels to 1e-6 (n 12,461, pseudo-R² 0.0526)", () => {
    const [header, ...records] = parseCsv(readFileSync(berkeCsv, "utf8"))
    const column = (name: string) => {
      const index = header!.indexOf(name)
      return records.map((record) => record[index]!.trim())
    }
    const agree = new Set(["Somewhat agree", "Strongly agree"])
    const race = column("Q-demos-race").map((value) => {
      const races = value
        .split(",")
        .map((r) => r.trim())
        .filter((r) => r !== "")
      return races.length !== 1 || races[0] === "Other" ? "Multi/Other" : races[0]!
    })
    const frame: DataFrame = {
      share: column("Q-share-browser-data").map((v) => (v === "Consent to share" ? 1 : 0)),
      showdata: column("showdata").map((v) => (v === "true" ? 1 : 0)),
      gender: column("Q-demos-gender"),
      age: column("Q-demos-age"),
      income: column("Q-demos-income"),
      race,
      hispanic: column("Q-demos-hispanic"),
      s1: column("Q-perceptions-1").map((v) => (agree.has(v) ? 1 : 0)),
      s2: column("Q-perceptions-2").map((v) => (agree.has(v) ? 1 : 0)),
    }
    const levels = (name: string) => [...new Set(frame[name]!.map(String))].sort()
    const spec: DesignSpec = {
      variables: [
        { id: "showdata", type: "numeric" },
        { id: "gender", type: "categorical", levels: levels("gender"), reference: "Male" },
        { id: "age", type: "categorical", levels: levels("age"), reference: "35 - 44 years" },
        { id: "income", type: "categorical", levels: levels("income"), reference: "$50,000 - $74,999" },
        { id: "race", type: "categorical", levels: golden.berke.raceLevels, reference: "White or Caucasian" },
        { id: "hispanic", type: "categorical", levels: ["No", "Yes"], reference: "No" },
        { id: "s1", type: "numeric" },
        { id: "s2", type: "numeric" },
      ],
      interactions: [["s1", "s2"]],
    }
    const design = buildDesign(frame, spec, "share")
    if (!design.ok) throw new Error(design.error.message)
    expect(design.value.columns).toEqual(golden.berke.columns)
    const fit = fitLogit(design.value)
    if (!fit.ok) throw new Error(fit.error.message)
    expect(fit.value.n).toBe(golden.berke.n)
    for (const coefficient of fit.value.coefficients) {
      const reference = golden.berke.coefficients[coefficient.term]!
      close(coefficient.estimate, reference.estimate, 1e-6)
      close(coefficient.se, reference.se, 1e-6)
    }
    close(fit.value.pseudoR2, golden.berke.pseudoR2, 1e-9)
    close(fit.value.logLikelihood, golden.berke.logLikelihood, 1e-6)
    // The published figures (SCIENCE.md), to 3 decimals.
    const estimate = (term: string) => fit.value.coefficients.find((c) => c.term === term)!.estimate
    expect(estimate("showdata").toFixed(3)).toBe("-0.134")
    expect(estimate("s2").toFixed(3)).toBe("-0.877")
    expect(estimate("s1").toFixed(3)).toBe("0.997")
    expect(estimate("s1:s2").toFixed(3)).toBe("-0.781")
    expect(fit.value.pseudoR2.toFixed(3)).toBe("0.053")
  })
})
