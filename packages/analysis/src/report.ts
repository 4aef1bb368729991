import type {
  AnalysisSpec,
  ExperimentShape,
  Respondent,
  StandardErrors,
  StudyDefinition,
} from "@standin/core"
import { Effect } from "effect"
import {
  type ArmSummary,
  armSummaries,
  type BeliefActionSummary,
  beliefActionSummaries,
  computeFigure,
  type FigureValue,
} from "./figures.js"
import { type AnalysisFit, fitAnalysis } from "./fit.js"
import { fitMediation, type ReportedMediation, reportMediation } from "./mediation.js"
import {
  estimatePrevalence,
  protectedItems,
  type ReportedPrevalence,
  reportPrevalences,
} from "./prevalence.js"
import { readSource } from "./variables.js"

/** A problem `study check` reports for a declared analysis that cannot be estimated on the study's data. */
export interface AnalysisProblem {
  readonly kind: "analysis"
  readonly field: string
  readonly message: string
}

/** `study check`'s identifiability test: every declared analysis must be estimable on the data. */
export const checkAnalyses = (
  study: StudyDefinition,
  respondents: ReadonlyArray<Respondent>,
): ReadonlyArray<AnalysisProblem> => [
  ...study.analyses.flatMap((spec, index) => {
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
  }),
  // Mediations: both models must fit on the rows complete in both (a short simulation; analyze runs the full one).
  ...(study.mediations ?? []).flatMap((spec, index) => {
    const fit = fitMediation(study, { ...spec, sims: 2 }, respondents)
    return fit.ok
      ? []
      : [
          {
            kind: "analysis" as const,
            field: `mediations[${index}]`,
            message: `the mediation "${spec.id}" cannot be estimated on this data: ${fit.message}`,
          },
        ]
  }),
  ...protectedItems(study).flatMap((target) => {
    const estimate = estimatePrevalence(study, target, respondents)
    const index = study.items.indexOf(target.item)
    return estimate.ok
      ? []
      : [
          {
            kind: "analysis" as const,
            field: `items[${index}].protect`,
            message: `the prevalence of "${target.item.id}" cannot be estimated on this data: ${estimate.error}`,
          },
        ]
  }),
]

export interface ReportedCoefficient {
  readonly term: string
  /** An intercept or an ordinal threshold (it places the scale), or an effect. */
  readonly constant: boolean
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
export const printedDecimals = (value: number): number => {
  if (value === 0) return 3
  for (let decimals = 0; decimals <= 6; decimals++)
    if (Math.abs(Number(value.toFixed(decimals)) - value) < 1e-12) return Math.max(decimals, 3)
  return 6
}

/**
 * Whether a deviance reproduces a published one: it rounds to the same figure at the published decimals (half a
 * unit of the last printed digit; 1985.42 → ±0.005).
 */
export const devianceReproduces = (deviance: number, published: number): boolean => {
  let decimals = 0
  while (decimals < 6 && Math.abs(Number(published.toFixed(decimals)) - published) >= 1e-9) decimals++
  return Math.abs(deviance - published) <= 0.5 * 10 ** -decimals + 1e-9
}

/** Whether a p-value reproduces a published one printed to its decimals (half a unit of the last digit). */
export const pValueReproduces = (p: number, published: number): boolean =>
  Math.abs(p - published) <= 0.5 * 10 ** -printedDecimals(published) + 1e-12

export interface ReportedAnalysis {
  readonly id: string
  readonly label: string
  readonly family: AnalysisSpec["family"]
  readonly statistic: "z" | "t"
  readonly se: StandardErrors
  /** The subset the analysis is fitted on, in words (null: every respondent). */
  readonly subset: string | null
  /** Multinomial and ordinal analyses: the outcome's observed levels in declared order (ordinal: lowest first). */
  readonly outcomeLevels: ReadonlyArray<string> | null
  /** Multinomial analyses: the baseline level the other levels' log-odds are against. */
  readonly baseline: string | null
  readonly n: number
  readonly dropped: number
  /** Respondents outside the subset. */
  readonly outsideSubset: number
  readonly pseudoR2: number | null
  readonly rSquared: number | null
  /** Residual deviance, −2 × log-likelihood (null for OLS, whose deviance is its residual sum of squares). */
  readonly deviance: number | null
  readonly published: {
    readonly n: number | null
    readonly pseudoR2: number | null
    readonly deviance: number | null
  }
  readonly coefficients: ReadonlyArray<ReportedCoefficient>
  /** Published terms that no fitted coefficient carries (a misspelt key, or a level nobody holds): each fails. */
  readonly unmatchedPublished: ReadonlyArray<string>
  readonly error?: string
}

export interface AnalyzeReport {
  readonly study: { readonly id: string; readonly title: string; readonly citation: string }
  readonly data: { readonly path: string; readonly sha256: string; readonly respondents: number }
  readonly analyses: ReadonlyArray<ReportedAnalysis>
  /** Causal mediation analyses (study `mediations`). */
  readonly mediations: ReadonlyArray<ReportedMediation>
  /** Prevalences of the items declaring a design that protects respondents (item `protect`). */
  readonly prevalences: ReadonlyArray<ReportedPrevalence>
  readonly figures: ReadonlyArray<FigureValue>
  readonly arms: ReadonlyArray<ArmSummary>
  readonly beliefAction: ReadonlyArray<BeliefActionSummary>
  readonly reproduction: {
    readonly checked: number
    readonly reproduced: number
    readonly tolerance: number | null
  }
}

/** An analysis's subset in words, e.g. `arm ∈ {shown} and gender ∈ {Female}`. */
export const describeSubset = (study: StudyDefinition, spec: AnalysisSpec): string | null =>
  spec.subset === undefined || spec.subset.length === 0
    ? null
    : spec.subset
        .map(
          (condition) =>
            `${readSource(study, condition.source)?.name ?? "?"} ∈ {${condition.levels.join(", ")}}`,
        )
        .join(" and ")

/** Fit one declared analysis on the study's respondents and compare it with the published results. */
export const reportAnalysis = (
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
    statistic: spec.family === "gaussian" ? ("t" as const) : ("z" as const),
    se: spec.se ?? "classical",
    subset: describeSubset(study, spec),
    published: {
      n: reference?.n ?? null,
      pseudoR2: reference?.pseudoR2 ?? null,
      deviance: reference?.deviance ?? null,
    },
  }
  const fit = fitAnalysis(study, spec, respondents)
  if (!fit.ok)
    return {
      ...base,
      outcomeLevels: null,
      baseline: null,
      n: 0,
      dropped: 0,
      outsideSubset: 0,
      pseudoR2: null,
      rSquared: null,
      deviance: null,
      coefficients: [],
      unmatchedPublished: [],
      error: fit.error.message,
    }
  const value: AnalysisFit = fit.value
  const constant = new Set(value.constantTerms)
  return {
    ...base,
    outcomeLevels: value.outcomeLevels ?? null,
    baseline: value.baseline ?? null,
    n: value.n,
    dropped: value.dropped,
    outsideSubset: value.outsideSubset,
    pseudoR2: value.pseudoR2 ?? null,
    rSquared: value.rSquared ?? null,
    deviance: spec.family === "gaussian" ? null : -2 * value.logLikelihood,
    coefficients: value.table.map((coefficient) => {
      const stated = reference?.coefficients[coefficient.term]
      const published = stated?.estimate ?? null
      const allowed = stated?.tolerance ?? tolerance
      const publishedSe = stated?.se ?? null
      const publishedP = stated?.p ?? null
      return {
        term: coefficient.term,
        constant: constant.has(coefficient.term),
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
    unmatchedPublished: Object.keys(reference?.coefficients ?? {}).filter(
      (term) => value.coefficients[term] === undefined,
    ),
  }
}

/** Fits the study's declared analyses on its human data and computes its descriptive figures. */
export const analyzeStudy = (experiment: ExperimentShape) =>
  Effect.gen(function* () {
    const study = experiment.definition
    const human = yield* experiment.loadHumanData
    const respondents = human.respondents
    const analyses = study.analyses.map((spec) => reportAnalysis(study, spec, respondents))
    const mediations = (study.mediations ?? []).map((spec) => reportMediation(study, spec, respondents))
    const prevalences = reportPrevalences(study, respondents)
    const figures = study.figures.map((figure) => computeFigure(figure, respondents))
    const tolerance = study.reference?.tolerance ?? null
    const checks = [
      ...analyses.flatMap((analysis) =>
        analysis.coefficients.flatMap((c) => [c.reproduced, c.seReproduced, c.pReproduced]),
      ),
      ...analyses.flatMap((analysis) => analysis.unmatchedPublished.map(() => false)),
      ...analyses.map((analysis) =>
        analysis.published.pseudoR2 === null || analysis.pseudoR2 === null || tolerance === null
          ? null
          : Math.abs(analysis.pseudoR2 - analysis.published.pseudoR2) <= tolerance,
      ),
      ...analyses.map((analysis) =>
        analysis.published.n === null ? null : analysis.n === analysis.published.n,
      ),
      ...analyses.map((analysis) =>
        analysis.published.deviance === null || analysis.deviance === null
          ? null
          : devianceReproduces(analysis.deviance, analysis.published.deviance),
      ),
      ...mediations.flatMap((mediation) => [
        ...mediation.figures.flatMap((figure) => [
          figure.reproduced,
          figure.lowerReproduced,
          figure.upperReproduced,
        ]),
        mediation.published.n === null ? null : mediation.n === mediation.published.n,
        // Published figures the fit could not produce (it failed) count as not reproduced.
        ...(mediation.error === undefined
          ? []
          : Object.keys(study.reference?.mediations?.[mediation.id]?.estimates ?? {}).map(() => false)),
      ]),
      ...prevalences.flatMap((prevalence) => [
        prevalence.reproduced,
        prevalence.seReproduced,
        prevalence.nReproduced,
      ]),
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
      mediations,
      prevalences,
      figures,
      arms: armSummaries(study, respondents),
      beliefAction: beliefActionSummaries(study, respondents),
      reproduction: { checked: checks.length, reproduced: checks.filter(Boolean).length, tolerance },
    }
    return report
  })
