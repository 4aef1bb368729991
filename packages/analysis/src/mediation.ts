import type { MediationSpec, ReferenceMediation, Respondent, StudyDefinition } from "@standin/core"
import {
  type CellValue,
  deriveSeed,
  type MediationEstimate,
  type MediationResult,
  mediate,
  quantileSorted,
} from "@standin/stats"
import { analysisFrame } from "./fit.js"

/** The figures a mediation analysis reports, in print order. */
export const mediationFigures = [
  "acmeControl",
  "acmeTreated",
  "acmeAverage",
  "adeControl",
  "adeTreated",
  "adeAverage",
  "total",
  "proportionControl",
  "proportionTreated",
  "proportionAverage",
] as const
export type MediationFigure = (typeof mediationFigures)[number]

export const mediationFigureLabels: Readonly<Record<MediationFigure, string>> = {
  acmeControl: "ACME (control)",
  acmeTreated: "ACME (treated)",
  acmeAverage: "ACME (average)",
  adeControl: "ADE (control)",
  adeTreated: "ADE (treated)",
  adeAverage: "ADE (average)",
  total: "Total effect",
  proportionControl: "Prop. mediated (control)",
  proportionTreated: "Prop. mediated (treated)",
  proportionAverage: "Prop. mediated (average)",
}

export interface ReportedMediationFigure extends MediationEstimate {
  readonly figure: MediationFigure
  readonly label: string
  readonly published: number | null
  /** The allowed difference from the published figure (simulation error, or the study's stated tolerance). */
  readonly tolerance: number | null
  readonly reproduced: boolean | null
  /** The published interval's ends, their tolerances (simulation error of the quantiles) and whether they hold. */
  readonly publishedLower: number | null
  readonly publishedUpper: number | null
  readonly lowerReproduced: boolean | null
  readonly upperReproduced: boolean | null
}

export interface ReportedMediation {
  readonly id: string
  readonly label: string
  readonly treatment: string
  readonly mediator: string
  readonly outcome: string
  readonly outcomeModel: "gaussian" | "binomial" | "probit" | null
  readonly sims: number
  readonly seed: number
  readonly se: string
  readonly n: number
  readonly published: { readonly n: number | null; readonly sims: number | null }
  readonly figures: ReadonlyArray<ReportedMediationFigure>
  readonly error?: string
}

const modelOf = { gaussian: "ols", binomial: "logit", probit: "probit" } as const

/** Fit a declared mediation analysis on rows (the simulation draws are kept, for the simulation-error tolerances). */
export const fitMediation = (
  study: StudyDefinition,
  spec: MediationSpec,
  respondents: ReadonlyArray<Respondent>,
): { ok: true; value: MediationResult; seed: number } | { ok: false; message: string } => {
  const mediatorSpec = study.analyses.find((a) => a.id === spec.mediatorModel)
  const outcomeSpec = study.analyses.find((a) => a.id === spec.outcomeModel)
  if (mediatorSpec === undefined)
    return { ok: false, message: `mediatorModel "${spec.mediatorModel}" is not a declared analysis` }
  if (outcomeSpec === undefined)
    return { ok: false, message: `outcomeModel "${spec.outcomeModel}" is not a declared analysis` }
  if (mediatorSpec.family !== "gaussian")
    return { ok: false, message: `the mediator model "${mediatorSpec.id}" must be gaussian (OLS)` }
  if (
    outcomeSpec.family !== "gaussian" &&
    outcomeSpec.family !== "binomial" &&
    outcomeSpec.family !== "probit"
  )
    return {
      ok: false,
      message: `the outcome model "${outcomeSpec.id}" must be gaussian, binomial or probit (not ${outcomeSpec.family})`,
    }
  const mediator = mediatorSpec.outcome.id
  const outcomeColumn = `\u0000outcome:${outcomeSpec.outcome.id}`
  const mediatorFrame = analysisFrame(study, mediatorSpec, respondents, mediator)
  if (!mediatorFrame.ok) return { ok: false, message: mediatorFrame.error.message }
  const outcomeFrame = analysisFrame(study, outcomeSpec, respondents, outcomeColumn)
  if (!outcomeFrame.ok) return { ok: false, message: outcomeFrame.error.message }
  // One frame: a column both models hold is missing where either codes it as missing.
  const frame: Record<string, ReadonlyArray<CellValue>> = { ...outcomeFrame.value.frame }
  for (const [name, values] of Object.entries(mediatorFrame.value.frame)) {
    const other = frame[name]
    frame[name] = other === undefined ? values : values.map((v, i) => (other[i] === null ? null : v))
  }
  const seed = spec.seed ?? deriveSeed(0, `${study.id}/${spec.id}`)
  const se = spec.se ?? "classical"
  const result = mediate({
    data: frame,
    treatment: spec.treatment,
    controlValue: spec.control ?? 0,
    treatValue: spec.treated ?? 1,
    mediator: {
      outcome: mediator,
      spec: { variables: mediatorFrame.value.variables, interactions: mediatorSpec.interactions },
    },
    outcome: {
      outcome: outcomeColumn,
      spec: { variables: outcomeFrame.value.variables, interactions: outcomeSpec.interactions },
      model: modelOf[outcomeSpec.family],
    },
    sims: spec.sims ?? 1000,
    seed,
    ...(se === "classical" ? {} : { robust: se }),
    keepDraws: true,
  })
  return result.ok ? { ok: true, value: result.value, seed } : { ok: false, message: result.error.message }
}

const sd = (values: ArrayLike<number>): number => {
  let mean = 0
  for (let i = 0; i < values.length; i++) mean += values[i]!
  mean /= values.length
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += (values[i]! - mean) ** 2
  return Math.sqrt(sum / (values.length - 1))
}

/** A q-quantile's Monte Carlo standard deviation per √N: √(q(1−q)) / f(x_q), the density from the draws' spacing. */
const quantileSpread = (values: ArrayLike<number>, q: number): number => {
  const sorted = Float64Array.from(values).sort()
  const width = Math.min(0.02, q / 2, (1 - q) / 2)
  const spacing = quantileSorted(sorted, q + width) - quantileSorted(sorted, q - width)
  return Math.sqrt(q * (1 - q)) * (spacing / (2 * width))
}

/** The draws of each figure (proportions: per-draw ratios, as mediate's medians are of those). */
const figureDraws = (result: MediationResult, figure: MediationFigure): ArrayLike<number> => {
  const draws = result.draws!
  const average = (a: Float64Array, b: Float64Array) => a.map((value, i) => (value + b[i]!) / 2)
  const ratio = (a: Float64Array) => a.map((value, i) => value / draws.total[i]!)
  switch (figure) {
    case "acmeControl":
    case "acmeTreated":
    case "adeControl":
    case "adeTreated":
    case "total":
      return draws[figure]
    case "acmeAverage":
      return average(draws.acmeControl, draws.acmeTreated)
    case "adeAverage":
      return average(draws.adeControl, draws.adeTreated)
    case "proportionControl":
      return ratio(draws.acmeControl)
    case "proportionTreated":
      return ratio(draws.acmeTreated)
    case "proportionAverage":
      return average(ratio(draws.acmeControl), ratio(draws.acmeTreated))
  }
}

/** Decimals a published figure was printed with (0.0791 → 4). */
const decimals = (value: number): number => {
  const text = String(value)
  const dot = text.indexOf(".")
  return dot < 0 ? 0 : text.length - dot - 1
}

/**
 * The simulation-error tolerance of a published Monte Carlo figure: both it (from `referenceSims` draws) and ours
 * (from `sims`) are simulation results, so their difference has standard error σ·√(1/N + 1/N_ref), σ being the
 * draws' standard deviation (a mean: ACME, ADE, total effect) or √(q(1−q))/f(x_q) (a quantile: the proportion
 * mediated is a median, interval ends are the 2.5% and 97.5% quantiles; f estimated from the draws' spacing).
 * Allowed: 4 such standard errors (a correct implementation fails a figure about once in 16,000 seeds) plus half
 * a unit of the published figure's last printed digit.
 */
export const simulationTolerance = (
  draws: ArrayLike<number>,
  /** "mean" (a mean of the draws) or a quantile's q (0.5: a median; 0.025 and 0.975: a 95% interval's ends). */
  statistic: "mean" | number,
  sims: number,
  referenceSims: number,
  published: number,
): number => {
  const spread = statistic === "mean" ? sd(draws) : quantileSpread(draws, statistic)
  return 4 * spread * Math.sqrt(1 / sims + 1 / referenceSims) + 0.5 * 10 ** -decimals(published)
}

/** Fit one declared mediation and compare it with the study's published estimates. */
export const reportMediation = (
  study: StudyDefinition,
  spec: MediationSpec,
  respondents: ReadonlyArray<Respondent>,
): ReportedMediation => {
  const reference: ReferenceMediation | undefined = study.reference?.mediations?.[spec.id]
  const mediatorSpec = study.analyses.find((a) => a.id === spec.mediatorModel)
  const outcomeSpec = study.analyses.find((a) => a.id === spec.outcomeModel)
  const family = outcomeSpec?.family
  const base = {
    id: spec.id,
    label: spec.label,
    treatment: spec.treatment,
    mediator: mediatorSpec?.outcome.id ?? spec.mediatorModel,
    outcome: outcomeSpec?.outcome.id ?? spec.outcomeModel,
    outcomeModel: family === "gaussian" || family === "binomial" || family === "probit" ? family : null,
    sims: spec.sims ?? 1000,
    se: spec.se ?? "classical",
    published: { n: reference?.n ?? null, sims: reference?.sims ?? null },
  }
  const fit = fitMediation(study, spec, respondents)
  if (!fit.ok) return { ...base, seed: spec.seed ?? 0, n: 0, figures: [], error: fit.message }
  const result = fit.value
  return {
    ...base,
    seed: fit.seed,
    n: result.n,
    figures: mediationFigures.map((figure) => {
      const estimate = result[figure]
      const stated = reference?.estimates[figure]
      const published = stated?.estimate ?? null
      const draws = figureDraws(result, figure)
      const within = (
        ours: number,
        theirs: number | undefined,
        statistic: "mean" | number,
      ): boolean | null =>
        theirs === undefined || reference === undefined
          ? null
          : Math.abs(ours - theirs) <=
            (stated?.tolerance ??
              simulationTolerance(draws, statistic, result.sims, reference.sims, theirs)) +
              1e-12
      const tolerance =
        stated === undefined || reference === undefined
          ? null
          : (stated.tolerance ??
            simulationTolerance(
              draws,
              figure.startsWith("proportion") ? 0.5 : "mean",
              result.sims,
              reference.sims,
              stated.estimate,
            ))
      return {
        figure,
        label: mediationFigureLabels[figure],
        ...estimate,
        published,
        tolerance,
        reproduced:
          published === null || tolerance === null
            ? null
            : Math.abs(estimate.estimate - published) <= tolerance + 1e-12,
        publishedLower: stated?.lower ?? null,
        publishedUpper: stated?.upper ?? null,
        lowerReproduced: within(estimate.lower, stated?.lower, (1 - result.level) / 2),
        upperReproduced: within(estimate.upper, stated?.upper, 1 - (1 - result.level) / 2),
      }
    }),
  }
}
