import type { AnalysisSpec, ExperimentShape, Respondent, StudyDefinition } from "@standin/core"
import { type ArmSummary, armSummaries, beliefActionSummaries, computeFigure } from "@standin/engine"
import { type AnalysisFit, fitAnalysis } from "@standin/metric-regression"
import type { CheckAnalyses } from "@standin/study"
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { type Catalog, findStudy } from "../catalog.js"
import { fmt, table, toJson } from "../output.js"

/** `study check`'s identifiability test: every declared analysis must be estimable on the data. */
export const checkAnalysesWithStats: CheckAnalyses = (study, respondents) =>
  study.analyses.flatMap((spec, index) => {
    const fit = fitAnalysis(study, spec, respondents)
    return fit.ok
      ? []
      : [
          {
            kind: "analysis" as const,
            field: `analyses[${index}]`,
            message: `the analysis "${spec.id}" cannot be estimated on this data: ${fit.error.message}`,
          },
        ]
  })

interface ReportedCoefficient {
  readonly term: string
  readonly estimate: number
  readonly se: number
  readonly statistic: number
  readonly p: number
  readonly lower: number
  readonly upper: number
  readonly published: number | null
  /** Whether the estimate reproduces the published one within the study's tolerance (null: nothing published). */
  readonly reproduced: boolean | null
  /** The published SE, and whether the SE reproduces it within the study's tolerance (null: none published). */
  readonly publishedSe: number | null
  readonly seReproduced: boolean | null
  /**
   * The published p-value (as printed, e.g. to 3 decimals), and whether the p-value reproduces it: rounded to
   * the printed precision it gives the same figure (a published 0 means p below half the last printed digit).
   */
  readonly publishedP: number | null
  readonly pReproduced: boolean | null
}

/** The decimals a published figure was printed with (at most 6), e.g. 0.029 → 3, 0 → 3 (printed "0.000"). */
const printedDecimals = (value: number): number => {
  if (value === 0) return 3
  for (let decimals = 0; decimals <= 6; decimals++)
    if (Math.abs(Number(value.toFixed(decimals)) - value) < 1e-12) return Math.max(decimals, 3)
  return 6
}

/** Whether a p-value reproduces a published one printed to its decimals (half a unit of the last digit). */
export const pValueReproduces = (p: number, published: number): boolean =>
  Math.abs(p - published) <= 0.5 * 10 ** -printedDecimals(published) + 1e-12

interface ReportedAnalysis {
  readonly id: string
  readonly label: string
  readonly family: AnalysisSpec["family"]
  readonly statistic: "z" | "t"
  readonly n: number
  readonly dropped: number
  readonly pseudoR2: number | null
  readonly rSquared: number | null
  readonly published: { readonly n: number | null; readonly pseudoR2: number | null }
  readonly coefficients: ReadonlyArray<ReportedCoefficient>
  readonly error?: string
}

export interface AnalyzeReport {
  readonly study: { readonly id: string; readonly title: string; readonly citation: string }
  readonly data: { readonly path: string; readonly sha256: string; readonly respondents: number }
  readonly analyses: ReadonlyArray<ReportedAnalysis>
  readonly figures: ReadonlyArray<ReturnType<typeof computeFigure>>
  readonly arms: ReadonlyArray<ArmSummary>
  readonly beliefAction: ReturnType<typeof beliefActionSummaries>
  readonly reproduction: {
    readonly checked: number
    readonly reproduced: number
    readonly tolerance: number | null
  }
}

const reportAnalysis = (
  study: StudyDefinition,
  spec: AnalysisSpec,
  respondents: ReadonlyArray<Respondent>,
): ReportedAnalysis => {
  const reference = study.reference?.analyses[spec.id]
  const tolerance = study.reference?.tolerance ?? 0
  const base = {
    id: spec.id,
    label: spec.label,
    family: spec.family,
    statistic: spec.family === "binomial" ? ("z" as const) : ("t" as const),
    published: { n: reference?.n ?? null, pseudoR2: reference?.pseudoR2 ?? null },
  }
  const fit = fitAnalysis(study, spec, respondents)
  if (!fit.ok)
    return {
      ...base,
      n: 0,
      dropped: 0,
      pseudoR2: null,
      rSquared: null,
      coefficients: [],
      error: fit.error.message,
    }
  const value: AnalysisFit = fit.value
  return {
    ...base,
    n: value.n,
    dropped: value.dropped,
    pseudoR2: value.pseudoR2 ?? null,
    rSquared: value.rSquared ?? null,
    coefficients: value.table.map((coefficient) => {
      const stated = reference?.coefficients[coefficient.term]
      const published = stated?.estimate ?? null
      const allowed = stated?.tolerance ?? tolerance
      const publishedSe = stated?.se ?? null
      const publishedP = stated?.p ?? null
      return {
        term: coefficient.term,
        estimate: coefficient.estimate,
        se: coefficient.se,
        statistic: coefficient.statistic,
        p: coefficient.p,
        lower: coefficient.lower,
        upper: coefficient.upper,
        published,
        reproduced: published === null ? null : Math.abs(coefficient.estimate - published) <= allowed + 1e-12,
        publishedSe,
        seReproduced:
          publishedSe === null ? null : Math.abs(coefficient.se - publishedSe) <= tolerance + 1e-12,
        publishedP,
        pReproduced: publishedP === null ? null : pValueReproduces(coefficient.p, publishedP),
      }
    }),
  }
}

/** Fits the study's declared analyses on its human data and computes its descriptive figures. */
export const analyzeStudy = (experiment: ExperimentShape) =>
  Effect.gen(function* () {
    const study = experiment.definition
    const human = yield* experiment.loadHumanData
    const respondents = human.respondents
    const analyses = study.analyses.map((spec) => reportAnalysis(study, spec, respondents))
    const figures = study.figures.map((figure) => computeFigure(figure, respondents))
    const tolerance = study.reference?.tolerance ?? null
    const checks = [
      ...analyses.flatMap((analysis) =>
        analysis.coefficients.flatMap((c) => [c.reproduced, c.seReproduced, c.pReproduced]),
      ),
      ...analyses.map((analysis) =>
        analysis.published.pseudoR2 === null || analysis.pseudoR2 === null || tolerance === null
          ? null
          : Math.abs(analysis.pseudoR2 - analysis.published.pseudoR2) <= tolerance,
      ),
      ...analyses.map((analysis) =>
        analysis.published.n === null ? null : analysis.n === analysis.published.n,
      ),
      ...figures.map((figure) =>
        figure.published === null || figure.value === null
          ? null
          : Math.abs(figure.value - figure.published) < 0.0005 + 1e-12,
      ),
    ].filter((check): check is boolean => check !== null)
    const report: AnalyzeReport = {
      study: { id: study.id, title: study.title, citation: study.citation },
      data: { path: human.path, sha256: human.sha256, respondents: respondents.length },
      analyses,
      figures,
      arms: armSummaries(study, respondents),
      beliefAction: beliefActionSummaries(study, respondents),
      reproduction: { checked: checks.length, reproduced: checks.filter(Boolean).length, tolerance },
    }
    return report
  })

const pct = (value: number | null) => (value === null ? "–" : `${(100 * value).toFixed(1)}%`)
const pValue = (p: number) => (p < 0.001 ? "<.001" : p.toFixed(3))
const mark = (reproduced: boolean | null) => (reproduced === null ? "" : reproduced ? "✓" : "✗")

/** The report as text tables: coefficients, then figures, arms and belief–action figures. */
export const renderAnalyzeTable = (report: AnalyzeReport): string => {
  const out: Array<string> = [
    `${report.study.title}`,
    `${report.data.respondents.toLocaleString("en-US")} respondents · ${report.data.path}`,
    "",
  ]
  for (const analysis of report.analyses) {
    const fitLine =
      analysis.family === "binomial"
        ? `logistic regression, n = ${analysis.n.toLocaleString("en-US")}, McFadden pseudo-R² = ${fmt(analysis.pseudoR2, 4)}${analysis.published.pseudoR2 === null ? "" : ` (published ${analysis.published.pseudoR2})`}`
        : `OLS, n = ${analysis.n.toLocaleString("en-US")}, R² = ${fmt(analysis.rSquared, 4)}`
    out.push(
      `${analysis.label} [${analysis.id}]: ${fitLine}${analysis.dropped > 0 ? `, ${analysis.dropped} rows with missing values dropped` : ""}`,
    )
    if (analysis.error !== undefined) {
      out.push(`  cannot be estimated: ${analysis.error}`, "")
      continue
    }
    const hasPublished = analysis.coefficients.some((c) => c.published !== null)
    const hasSe = analysis.coefficients.some((c) => c.publishedSe !== null)
    const hasP = analysis.coefficients.some((c) => c.publishedP !== null)
    out.push(
      table(
        [
          "term",
          "estimate",
          "SE",
          analysis.statistic,
          "p",
          "95% CI",
          ...(hasPublished ? ["published", ""] : []),
          ...(hasSe ? ["pub. SE", ""] : []),
          ...(hasP ? ["pub. p", ""] : []),
        ],
        analysis.coefficients.map((c) => [
          c.term,
          fmt(c.estimate),
          fmt(c.se),
          fmt(c.statistic, 2),
          pValue(c.p),
          `[${fmt(c.lower)}, ${fmt(c.upper)}]`,
          ...(hasPublished ? [c.published === null ? "" : fmt(c.published), mark(c.reproduced)] : []),
          ...(hasSe ? [c.publishedSe === null ? "" : fmt(c.publishedSe, 4), mark(c.seReproduced)] : []),
          ...(hasP
            ? [
                c.publishedP === null ? "" : c.publishedP.toFixed(printedDecimals(c.publishedP)),
                mark(c.pReproduced),
              ]
            : []),
        ]),
      ),
      "",
    )
  }
  if (report.figures.length > 0) {
    out.push(
      "Descriptive figures",
      table(
        ["figure", "value", "n", "published", ""],
        report.figures.map((f) => [
          f.label,
          pct(f.value),
          f.n.toLocaleString("en-US"),
          f.published === null ? "" : pct(f.published),
          f.published === null || f.value === null
            ? ""
            : mark(Math.abs(f.value - f.published) < 0.0005 + 1e-12),
        ]),
      ),
      "",
    )
  }
  const itemRows = report.arms.map((arm) => [
    arm.item,
    arm.arm,
    arm.n.toLocaleString("en-US"),
    arm.mean === null ? "–" : fmt(arm.mean, 2),
    arm.shares === null
      ? ""
      : Object.entries(arm.shares)
          .map(([option, share]) => `${option} ${pct(share)}`)
          .join(" · "),
  ])
  out.push("Answers by arm", table(["item", "arm", "n", "mean", "shares"], itemRows), "")
  if (report.beliefAction.length > 0) {
    out.push(
      "Belief–action figures",
      table(
        ["pair", "act against belief (gap)", "joint", "believers among actors", "n"],
        report.beliefAction.map((b) => [
          b.label,
          pct(b.gap),
          pct(b.joint),
          pct(b.believersAmongActors),
          b.n.toLocaleString("en-US"),
        ]),
      ),
      "",
    )
  }
  const { checked, reproduced, tolerance } = report.reproduction
  if (checked > 0) {
    out.push(
      `Reproduces ${reproduced} of ${checked} published figures${tolerance === null ? "" : ` (coefficients and SEs within ±${tolerance}, p-values to their printed decimals, rates within ±0.05 points)`}.`,
    )
  }
  return `${out.join("\n")}\n`
}

export const analyzeCommand = (
  catalog: Catalog,
  handle: (effect: Effect.Effect<void, unknown>) => Effect.Effect<void>,
) =>
  Command.make(
    "analyze",
    {
      study: Argument.String("study").pipe(
        Argument.withDescription("A study id (see `standin studies`) or a study folder."),
      ),
      format: Flag.Literals("format", ["table", "json"]).pipe(
        Flag.withDescription("Output format."),
        Flag.withDefault("table" as const),
      ),
    },
    (input) =>
      handle(
        Effect.gen(function* () {
          const experiment = yield* findStudy(catalog, input.study)
          const report = yield* analyzeStudy(experiment)
          process.stdout.write(input.format === "json" ? toJson(report) : renderAnalyzeTable(report))
        }),
      ),
  ).pipe(
    Command.withDescription(
      "Fit the study's declared analyses on its human data and print coefficients (estimate, SE, z or t, p, CI), n and pseudo-R², with descriptive figures (arm shares, belief–action figures) and how they compare with the published results. This is how you check that a study is encoded right.",
    ),
  )
