import { quantileSorted } from "./bootstrap.js"
import {
  buildDesign,
  type CellValue,
  type DataFrame,
  type Design,
  type DesignError,
  type DesignSpec,
} from "./design.js"
import { cholesky } from "./linear-algebra.js"
import { normalCdfPrecise } from "./normal.js"
import { fail, type Outcome, succeed } from "./outcome.js"
import { fitProbit, type ProbitFit } from "./probit.js"
import { deriveSeed, makeRandom } from "./random.js"
import { type FitError, fitLogit, fitOls, type LogitFit, type OlsFit } from "./regression.js"
import { type HcType, type HighLeverage, withRobustCovariance } from "./robust.js"

/**
 * Causal mediation analysis by quasi-Bayesian Monte Carlo (Imai, Keele & Tingley 2010; the R package
 * `mediation`, Tingley et al. 2014, mediate(boot = FALSE)): draw both models' coefficients from their asymptotic
 * normal sampling distributions, predict the mediator under treatment and control (with a residual draw), predict
 * the outcome under each combination, and average over units. Point estimates are the means of the simulated
 * effects (medians for the proportions mediated); intervals are percentiles (type 7).
 */

export type OutcomeModel = "probit" | "logit" | "ols"

export interface MediationOptions {
  readonly data: DataFrame
  /** The treatment's column in `data` (a variable of both specs, or used in their interactions). */
  readonly treatment: string
  readonly treatValue?: CellValue
  readonly controlValue?: CellValue
  /** The mediator model, fitted by OLS: `outcome` is the mediator's column. */
  readonly mediator: { readonly outcome: string; readonly spec: DesignSpec }
  /** The outcome model: its spec must hold the mediator's column as a numeric variable. */
  readonly outcome: { readonly outcome: string; readonly spec: DesignSpec; readonly model: OutcomeModel }
  /** Monte Carlo draws (default 1000). */
  readonly sims?: number
  readonly seed: number
  /**
   * Draw both models' coefficients from a heteroskedasticity-consistent covariance, as mediate(robustSE = TRUE)
   * does with sandwich::vcovHC (whose default is "HC3"). Default: the classical covariances.
   */
  readonly robust?: HcType
  /** Interval level (default 0.95). */
  readonly level?: number
  /** Keep the per-draw effects in the result (default false). */
  readonly keepDraws?: boolean
}

export interface MediationEstimate {
  readonly estimate: number
  readonly lower: number
  readonly upper: number
  /** Two-sided simulation p-value: 2·min(#draws > 0, #draws < 0)/sims, capped at 1 (1 when the estimate is 0). */
  readonly p: number
}

export interface MediationEffects {
  readonly acmeControl: MediationEstimate
  readonly acmeTreated: MediationEstimate
  readonly adeControl: MediationEstimate
  readonly adeTreated: MediationEstimate
  readonly total: MediationEstimate
  readonly proportionControl: MediationEstimate
  readonly proportionTreated: MediationEstimate
  readonly acmeAverage: MediationEstimate
  readonly adeAverage: MediationEstimate
  readonly proportionAverage: MediationEstimate
  readonly level: number
  readonly sims: number
  /** Per-draw effects (only with keepDraws): δ(0), δ(1), ζ(0), ζ(1), τ. */
  readonly draws?: {
    readonly acmeControl: Float64Array
    readonly acmeTreated: Float64Array
    readonly adeControl: Float64Array
    readonly adeTreated: Float64Array
    readonly total: Float64Array
  }
}

export interface MediationResult extends MediationEffects {
  readonly n: number
  readonly seed: number
  readonly robust: HcType | null
  readonly mediatorFit: OlsFit
  readonly outcomeFit: OlsFit | LogitFit | ProbitFit
}

export type MediationError =
  | DesignError
  | FitError
  | HighLeverage
  | { readonly _tag: "InvalidMediation"; readonly message: string }

const invalid = (message: string): MediationError => ({ _tag: "InvalidMediation", message })

const linkInverse = (model: OutcomeModel): ((eta: number) => number) =>
  model === "probit"
    ? normalCdfPrecise
    : model === "logit"
      ? (eta) => (eta >= 0 ? 1 / (1 + Math.exp(-eta)) : Math.exp(eta) / (1 + Math.exp(eta)))
      : (eta) => eta

/** Dense row-major rows × p product with one coefficient draw. */
const multiply = (design: Design, beta: ArrayLike<number>, offset: number, out: Float64Array): void => {
  const { rowStart, columnIndex, values } = design
  for (let i = 0; i < design.n; i++) {
    let sum = 0
    for (let a = rowStart[i]!; a < rowStart[i + 1]!; a++) sum += values[a]! * beta[offset + columnIndex[a]!]!
    out[i] = sum
  }
}

/** The designs of the counterfactual predictions (same rows and columns as the fitted ones). */
export interface CounterfactualDesigns {
  /** Mediator model rows with the treatment set to treat / control. */
  readonly mediatorTreated: Design
  readonly mediatorControl: Design
  /** Outcome model rows with the treatment set to treat / control and the mediator set to 0 and to 1. */
  readonly outcomeTreated: readonly [Design, Design]
  readonly outcomeControl: readonly [Design, Design]
}

const summarise = (draws: Float64Array, estimate: number, level: number): MediationEstimate => {
  const sorted = Float64Array.from(draws).sort()
  let above = 0
  let below = 0
  for (const value of draws) {
    if (value > 0) above++
    else if (value < 0) below++
  }
  return {
    estimate,
    lower: quantileSorted(sorted, (1 - level) / 2),
    upper: quantileSorted(sorted, (1 + level) / 2),
    p: estimate === 0 ? 1 : Math.min(1, (2 * Math.min(above, below)) / draws.length),
  }
}

const mean = (values: Float64Array): number => {
  let sum = 0
  for (const value of values) sum += value
  return sum / values.length
}

const median = (values: Float64Array): number => quantileSorted(Float64Array.from(values).sort(), 0.5)

/**
 * The effects from given draws: `mediatorDraws` (sims × p_m, row-major), `outcomeDraws` (sims × p_y) and the
 * mediator's residual draws `errors` (sims × n). `mediate` makes the draws; this step is deterministic (and
 * golden-tested against a NumPy transcription of mediation's R code with the same draws).
 */
export const mediationEffects = (input: {
  readonly designs: CounterfactualDesigns
  readonly model: OutcomeModel
  readonly sims: number
  readonly mediatorDraws: Float64Array
  readonly outcomeDraws: Float64Array
  readonly errors: Float64Array
  readonly level: number
  readonly keepDraws?: boolean
}): MediationEffects => {
  const { designs, sims, level } = input
  const n = designs.mediatorTreated.n
  const pm = designs.mediatorTreated.p
  const py = designs.outcomeTreated[0].p
  const inverse = linkInverse(input.model)
  const m1 = new Float64Array(n)
  const m0 = new Float64Array(n)
  const a1 = new Float64Array(n)
  const a0 = new Float64Array(n)
  const slope1 = new Float64Array(n)
  const slope0 = new Float64Array(n)
  const delta0 = new Float64Array(sims)
  const delta1 = new Float64Array(sims)
  const zeta0 = new Float64Array(sims)
  const zeta1 = new Float64Array(sims)
  const tau = new Float64Array(sims)
  for (let s = 0; s < sims; s++) {
    multiply(designs.mediatorTreated, input.mediatorDraws, s * pm, m1)
    multiply(designs.mediatorControl, input.mediatorDraws, s * pm, m0)
    // η(t, m) = a_t + m·slope_t: the outcome design is affine in the (numeric) mediator.
    multiply(designs.outcomeTreated[0], input.outcomeDraws, s * py, a1)
    multiply(designs.outcomeTreated[1], input.outcomeDraws, s * py, slope1)
    multiply(designs.outcomeControl[0], input.outcomeDraws, s * py, a0)
    multiply(designs.outcomeControl[1], input.outcomeDraws, s * py, slope0)
    let d0 = 0
    let d1 = 0
    let z0 = 0
    let z1 = 0
    for (let i = 0; i < n; i++) {
      const error = input.errors[s * n + i]!
      const mt = m1[i]! + error
      const mc = m0[i]! + error
      const b1 = slope1[i]! - a1[i]!
      const b0 = slope0[i]! - a0[i]!
      const y1m1 = inverse(a1[i]! + mt * b1)
      const y1m0 = inverse(a1[i]! + mc * b1)
      const y0m1 = inverse(a0[i]! + mt * b0)
      const y0m0 = inverse(a0[i]! + mc * b0)
      d1 += y1m1 - y1m0
      d0 += y0m1 - y0m0
      z1 += y1m1 - y0m1
      z0 += y1m0 - y0m0
    }
    delta0[s] = d0 / n
    delta1[s] = d1 / n
    zeta0[s] = z0 / n
    zeta1[s] = z1 / n
    tau[s] = (delta0[s]! + delta1[s]! + zeta0[s]! + zeta1[s]!) / 2
  }
  const ratio = (numerator: Float64Array) => numerator.map((value, s) => value / tau[s]!)
  const average = (a: Float64Array, b: Float64Array) => a.map((value, s) => (value + b[s]!) / 2)
  const nu0 = ratio(delta0)
  const nu1 = ratio(delta1)
  const deltaAverage = average(delta0, delta1)
  const zetaAverage = average(zeta0, zeta1)
  const nuAverage = average(nu0, nu1)
  return {
    acmeControl: summarise(delta0, mean(delta0), level),
    acmeTreated: summarise(delta1, mean(delta1), level),
    adeControl: summarise(zeta0, mean(zeta0), level),
    adeTreated: summarise(zeta1, mean(zeta1), level),
    total: summarise(tau, mean(tau), level),
    proportionControl: summarise(nu0, median(nu0), level),
    proportionTreated: summarise(nu1, median(nu1), level),
    acmeAverage: summarise(deltaAverage, mean(deltaAverage), level),
    adeAverage: summarise(zetaAverage, mean(zetaAverage), level),
    // As mediate(): the average proportion is the mean of the two medians; its interval is of the averaged draws.
    proportionAverage: summarise(nuAverage, (median(nu0) + median(nu1)) / 2, level),
    level,
    sims,
    ...(input.keepDraws
      ? {
          draws: {
            acmeControl: delta0,
            acmeTreated: delta1,
            adeControl: zeta0,
            adeTreated: zeta1,
            total: tau,
          },
        }
      : {}),
  }
}

/** `sims` draws from N(mean, covariance), row-major sims × p, through the Cholesky factor of the covariance. */
export const multivariateNormalDraws = (
  mean: ArrayLike<number>,
  covariance: Float64Array,
  sims: number,
  seed: number,
): Float64Array => {
  const p = mean.length
  // A tiny relative tolerance: a covariance is positive semi-definite, and a null direction simply gets no noise.
  const { factor } = cholesky(covariance, p, 1e-14)
  const random = makeRandom(seed)
  const out = new Float64Array(sims * p)
  const z = new Float64Array(p)
  for (let s = 0; s < sims; s++) {
    for (let j = 0; j < p; j++) z[j] = random.nextNormal()
    for (let i = 0; i < p; i++) {
      let sum = mean[i]!
      for (let k = 0; k <= i; k++) sum += factor[i * p + k]! * z[k]!
      out[s * p + i] = sum
    }
  }
  return out
}

const subset = (data: DataFrame, rows: ReadonlyArray<number>): DataFrame => {
  const out: Record<string, ReadonlyArray<CellValue>> = {}
  for (const [name, values] of Object.entries(data)) out[name] = rows.map((row) => values[row])
  return out
}

/** The frame with every value of the given columns replaced by a constant (the counterfactual settings). */
const setColumns = (
  data: DataFrame,
  settings: ReadonlyArray<readonly [string, CellValue]>,
  n: number,
): DataFrame => {
  const out: Record<string, ReadonlyArray<CellValue>> = { ...data }
  for (const [column, value] of settings) out[column] = new Array<CellValue>(n).fill(value)
  return out
}

/** Fit both models on the rows complete in both, and run the quasi-Bayesian simulation. */
export const mediate = (options: MediationOptions): Outcome<MediationResult, MediationError> => {
  const sims = options.sims ?? 1000
  const level = options.level ?? 0.95
  const treatValue = options.treatValue ?? 1
  const controlValue = options.controlValue ?? 0
  if (!Number.isInteger(sims) || sims < 2) return fail(invalid(`sims must be an integer ≥ 2 (got ${sims}).`))
  if (!(level > 0 && level < 1)) return fail(invalid(`level must lie in (0, 1) (got ${level}).`))
  const { data, treatment } = options
  if (!(treatment in data)) return fail(invalid(`The data has no treatment column "${treatment}".`))
  const mediatorColumn = options.mediator.outcome
  const mediatorVariable = options.outcome.spec.variables.find(
    (variable) => (variable.column ?? variable.id) === mediatorColumn,
  )
  if (mediatorVariable?.type !== "numeric") {
    return fail(
      invalid(
        `The outcome model must hold the mediator "${mediatorColumn}" as a numeric variable (mediation with a categorical mediator is not supported).`,
      ),
    )
  }
  const usesTreatment = (spec: DesignSpec) =>
    spec.variables.some((variable) => (variable.column ?? variable.id) === treatment)
  if (!usesTreatment(options.mediator.spec) || !usesTreatment(options.outcome.spec)) {
    return fail(invalid(`Both models must hold the treatment "${treatment}" as a variable.`))
  }
  // Rows complete in both models.
  const mediatorFull = buildDesign(data, options.mediator.spec, mediatorColumn)
  if (!mediatorFull.ok) return mediatorFull
  const outcomeFull = buildDesign(data, options.outcome.spec, options.outcome.outcome)
  if (!outcomeFull.ok) return outcomeFull
  const inOutcome = new Set(outcomeFull.value.rows)
  const rows = [...mediatorFull.value.rows].filter((row) => inOutcome.has(row))
  if (rows.length === 0)
    return fail(invalid("No row is complete in both the mediator and the outcome model."))
  const fixed = (spec: DesignSpec): DesignSpec => ({ ...spec, dropUnobservedLevels: false })
  const observed = subset(data, rows)
  const mediatorDesign = buildDesign(observed, fixed(options.mediator.spec), mediatorColumn)
  if (!mediatorDesign.ok) return mediatorDesign
  const outcomeDesign = buildDesign(observed, fixed(options.outcome.spec), options.outcome.outcome)
  if (!outcomeDesign.ok) return outcomeDesign

  const mediatorFitted = fitOls(mediatorDesign.value)
  if (!mediatorFitted.ok) return mediatorFitted
  const outcomeFitted: Outcome<OlsFit | LogitFit | ProbitFit, MediationError> =
    options.outcome.model === "probit"
      ? // R's glm: the expected information (what mediate sees through vcov/vcovHC).
        fitProbit(outcomeDesign.value, { information: "expected" })
      : options.outcome.model === "logit"
        ? fitLogit(outcomeDesign.value)
        : fitOls(outcomeDesign.value)
  if (!outcomeFitted.ok) return outcomeFitted
  let mediatorFit = mediatorFitted.value
  let outcomeFit = outcomeFitted.value
  if (options.robust) {
    const robustMediator = withRobustCovariance(mediatorDesign.value, mediatorFit, options.robust)
    if (!robustMediator.ok) return robustMediator
    mediatorFit = robustMediator.value
    const robustOutcome = withRobustCovariance(outcomeDesign.value, outcomeFit, options.robust)
    if (!robustOutcome.ok) return robustOutcome
    outcomeFit = robustOutcome.value
  }

  const build = (
    spec: DesignSpec,
    outcome: string,
    settings: ReadonlyArray<readonly [string, CellValue]>,
    fitted: Design,
  ): Outcome<Design, MediationError> => {
    const built = buildDesign(setColumns(observed, settings, rows.length), fixed(spec), outcome)
    if (!built.ok) return built
    if (built.value.n !== fitted.n || built.value.columns.join("\u0000") !== fitted.columns.join("\u0000")) {
      return fail(
        invalid(
          `Setting ${settings.map(([c, v]) => `${c} = ${String(v)}`).join(", ")} changes the design of the ${outcome} model.`,
        ),
      )
    }
    return succeed(built.value)
  }
  const mediatorTreated = build(
    options.mediator.spec,
    mediatorColumn,
    [[treatment, treatValue]],
    mediatorDesign.value,
  )
  if (!mediatorTreated.ok) return mediatorTreated
  const mediatorControl = build(
    options.mediator.spec,
    mediatorColumn,
    [[treatment, controlValue]],
    mediatorDesign.value,
  )
  if (!mediatorControl.ok) return mediatorControl
  const outcomeAt = (treat: CellValue, mediator: number) =>
    build(
      options.outcome.spec,
      options.outcome.outcome,
      [
        [treatment, treat],
        [mediatorColumn, mediator],
      ],
      outcomeDesign.value,
    )
  const outcomeDesigns = [
    outcomeAt(treatValue, 0),
    outcomeAt(treatValue, 1),
    outcomeAt(controlValue, 0),
    outcomeAt(controlValue, 1),
  ]
  for (const design of outcomeDesigns) if (!design.ok) return design
  const [t0, t1, c0, c1] = outcomeDesigns.map((design) => (design as { value: Design }).value) as [
    Design,
    Design,
    Design,
    Design,
  ]

  const n = rows.length
  const mediatorDraws = multivariateNormalDraws(
    mediatorFit.estimates,
    mediatorFit.covariance,
    sims,
    deriveSeed(options.seed, "mediator"),
  )
  const outcomeDraws = multivariateNormalDraws(
    outcomeFit.estimates,
    outcomeFit.covariance,
    sims,
    deriveSeed(options.seed, "outcome"),
  )
  const errorRandom = makeRandom(deriveSeed(options.seed, "mediator-residual"))
  const errors = new Float64Array(sims * n)
  for (let k = 0; k < errors.length; k++) errors[k] = mediatorFit.sigma * errorRandom.nextNormal()
  const effects = mediationEffects({
    designs: {
      mediatorTreated: mediatorTreated.value,
      mediatorControl: mediatorControl.value,
      outcomeTreated: [t0, t1],
      outcomeControl: [c0, c1],
    },
    model: options.outcome.model,
    sims,
    mediatorDraws,
    outcomeDraws,
    errors,
    level,
    keepDraws: options.keepDraws ?? false,
  })
  return succeed({
    ...effects,
    n,
    seed: options.seed,
    robust: options.robust ?? null,
    mediatorFit,
    outcomeFit,
  })
}
