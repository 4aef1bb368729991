import {
  type AnalyzeReport,
  analyzeStudy,
  devianceReproduces,
  printedDecimals,
  type ReportedAnalysis,
  type ReportedMediation,
  type ReportedPrevalence,
} from "@standin/analysis"
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { type Catalog, findStudy } from "../catalog.js"
import { fmt, table, toJson } from "../output.js"

const pct = (value: number | null) => (value === null ? "–" : `${(100 * value).toFixed(1)}%`)
const pValue = (p: number) => (p < 0.001 ? "<.001" : p.toFixed(3))
const mark = (reproduced: boolean | null) => (reproduced === null ? "" : reproduced ? "✓" : "✗")

const modelNames: Readonly<Record<ReportedAnalysis["family"], string>> = {
  gaussian: "OLS",
  binomial: "logistic regression",
  probit: "probit regression",
  multinomial: "multinomial logit",
  ordinal: "ordered logit",
}

/** What was fitted: the model, n, its fit statistic and the published one, the SEs and the dropped rows. */
const fitLine = (analysis: ReportedAnalysis): string => {
  const published = analysis.published.pseudoR2 === null ? "" : ` (published ${analysis.published.pseudoR2})`
  const statistic =
    analysis.family === "gaussian"
      ? `R² = ${fmt(analysis.rSquared, 4)}`
      : `McFadden pseudo-R² = ${fmt(analysis.pseudoR2, 4)}${published}`
  return [
    modelNames[analysis.family],
    `n = ${analysis.n.toLocaleString("en-US")}`,
    statistic,
    ...(analysis.deviance === null
      ? []
      : [
          `deviance = ${analysis.deviance.toFixed(2)}${
            analysis.published.deviance === null
              ? ""
              : ` (published ${analysis.published.deviance} ${mark(devianceReproduces(analysis.deviance, analysis.published.deviance))})`
          }`,
        ]),
    ...(analysis.se === "classical" ? [] : [`${analysis.se} robust SEs`]),
    ...(analysis.dropped > 0 ? [`${analysis.dropped} rows with missing values dropped`] : []),
  ].join(", ")
}

const outcomeModelNames = { gaussian: "OLS", binomial: "logit", probit: "probit" } as const

/** A causal mediation analysis: its models, then ACME/ADE/total/proportion mediated with CIs and published values. */
const renderMediation = (mediation: ReportedMediation): Array<string> => {
  const out = [
    `${mediation.label} [${mediation.id}]: causal mediation (quasi-Bayesian), ${mediation.treatment} → ${mediation.mediator} (OLS) → ${mediation.outcome} (${mediation.outcomeModel === null ? "?" : outcomeModelNames[mediation.outcomeModel]}), n = ${mediation.n.toLocaleString("en-US")}${mediation.published.n === null ? "" : ` (published ${mediation.published.n} ${mark(mediation.n === mediation.published.n)})`}, ${mediation.sims.toLocaleString("en-US")} simulations, seed ${mediation.seed}${mediation.se === "classical" ? "" : `, ${mediation.se} robust covariances`}`,
  ]
  if (mediation.error !== undefined) return [...out, `  cannot be estimated: ${mediation.error}`, ""]
  const hasPublished = mediation.figures.some((f) => f.published !== null)
  const hasInterval = mediation.figures.some((f) => f.publishedLower !== null || f.publishedUpper !== null)
  out.push(
    table(
      [
        "effect",
        "estimate",
        "95% CI",
        "p",
        ...(hasPublished ? ["published", "± sim. error", ""] : []),
        ...(hasInterval ? ["pub. CI", ""] : []),
      ],
      mediation.figures.map((f) => [
        f.label,
        fmt(f.estimate),
        `[${fmt(f.lower)}, ${fmt(f.upper)}]`,
        pValue(f.p),
        ...(hasPublished
          ? [
              f.published === null ? "" : String(f.published),
              f.tolerance === null ? "" : fmt(f.tolerance),
              mark(f.reproduced),
            ]
          : []),
        ...(hasInterval
          ? [
              f.publishedLower === null && f.publishedUpper === null
                ? ""
                : `[${f.publishedLower ?? "?"}, ${f.publishedUpper ?? "?"}]`,
              [f.lowerReproduced, f.upperReproduced]
                .filter((check) => check !== null)
                .map(mark)
                .join(""),
            ]
          : []),
      ]),
    ),
  )
  if (hasPublished && mediation.published.sims !== null)
    out.push(
      `  published figures came from ${mediation.published.sims.toLocaleString("en-US")} simulations: each estimate and interval end must lie within 4 Monte Carlo SEs of both runs combined (plus half its last printed digit)`,
    )
  out.push("")
  return out
}

const designNames: Readonly<Record<ReportedPrevalence["design"], string>> = {
  "forced-response": "forced response (Boruch 1971)",
  warner: "randomised response (Warner 1965)",
  crosswise: "crosswise (Yu, Tian & Tang 2008)",
  list: "list experiment, difference in means (Blair & Imai 2012)",
}

/** The prevalences of the protected items: design, observed share or means, corrected estimate with SE and CI. */
const renderPrevalences = (prevalences: ReadonlyArray<ReportedPrevalence>): Array<string> => {
  if (prevalences.length === 0) return []
  const hasPublished = prevalences.some((v) => v.published.estimate !== null)
  const hasSe = prevalences.some((v) => v.published.se !== null)
  const hasN = prevalences.some((v) => v.published.n !== null)
  return [
    "Prevalence (designs that protect respondents)",
    table(
      [
        "item",
        "design",
        "n",
        "observed",
        "prevalence",
        "SE",
        "z",
        "p",
        "95% CI",
        ...(hasPublished ? ["published", ""] : []),
        ...(hasSe ? ["pub. SE", ""] : []),
        ...(hasN ? ["pub. n", ""] : []),
      ],
      prevalences.map((v) => {
        const published = [
          ...(hasPublished
            ? [v.published.estimate === null ? "" : fmt(v.published.estimate), mark(v.reproduced)]
            : []),
          ...(hasSe ? [v.published.se === null ? "" : fmt(v.published.se, 4), mark(v.seReproduced)] : []),
          ...(hasN ? [v.published.n === null ? "" : String(v.published.n), mark(v.nReproduced)] : []),
        ]
        const design = `${designNames[v.design]}, ${v.parameters}`
        return v.error !== undefined || v.estimate === null || v.se === null
          ? [v.id, design, "", "", `cannot be estimated: ${v.error ?? "?"}`, "", "", "", "", ...published]
          : [
              v.id,
              design,
              v.n.toLocaleString("en-US"),
              v.control === null ? fmt(v.observed) : `${fmt(v.observed)} vs ${fmt(v.control)}`,
              fmt(v.estimate),
              fmt(v.se),
              fmt(v.se > 0 ? v.estimate / v.se : null, 2),
              v.p === null ? "–" : pValue(v.p),
              `[${fmt(v.lower)}, ${fmt(v.upper)}]`,
              ...published,
            ]
      }),
    ),
    "",
  ]
}

/** The report as text tables: coefficients, then figures, arms and belief–action figures. */
export const renderAnalyzeTable = (report: AnalyzeReport): string => {
  const out: Array<string> = [
    `${report.study.title}`,
    `${report.data.respondents.toLocaleString("en-US")} respondents · ${report.data.path}`,
    "",
  ]
  for (const analysis of report.analyses) {
    out.push(`${analysis.label} [${analysis.id}]: ${fitLine(analysis)}`)
    if (analysis.subset !== null) {
      out.push(
        `  fitted on the subset ${analysis.subset}${analysis.outsideSubset > 0 ? ` (${analysis.outsideSubset.toLocaleString("en-US")} respondents outside it)` : ""}`,
      )
    }
    if (analysis.error !== undefined) {
      out.push(`  cannot be estimated: ${analysis.error}`, "")
      continue
    }
    if (analysis.baseline !== null) {
      out.push(`  each level's log-odds against the baseline "${analysis.baseline}"; terms are level::column`)
    }
    if (analysis.family === "ordinal") out.push("  thresholds are named lower|upper level")
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
    )
    if (analysis.unmatchedPublished.length > 0) {
      out.push(
        `  ✗ published terms this fit has no coefficient for: ${analysis.unmatchedPublished.join(", ")}`,
      )
    }
    out.push("")
  }
  for (const mediation of report.mediations) out.push(...renderMediation(mediation))
  out.push(...renderPrevalences(report.prevalences))
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
      `Reproduces ${reproduced} of ${checked} published figures${tolerance === null ? "" : ` (coefficients and SEs within ±${tolerance}, p-values to their printed decimals, rates within ±0.05 points${report.mediations.length > 0 ? ", mediation effects within simulation error" : ""})`}.`,
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
      "Fit the study's declared analyses (OLS, logit, probit, multinomial or ordered logit; on a subset; classical or HC standard errors) causal mediation analyses (ACME, ADE, total effect, proportion mediated) and the prevalence of items declaring a design that protects respondents (randomised response, crosswise, list experiment) on its human data and print coefficients (estimate, SE, z or t, p, CI), n and pseudo-R², with descriptive figures (arm shares, belief–action figures) and how they compare with the published results. This is how you check that a study is encoded right.",
    ),
  )
