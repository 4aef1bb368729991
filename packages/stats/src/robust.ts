import { waldTable } from "./coefficient-table.js"
import type { Design } from "./design.js"
import { frequencyWeights, linearPredictorOf, rowQuadraticForm, weightedCrossProduct } from "./kernels.js"
import { cholesky, choleskyInverse } from "./linear-algebra.js"
import { normalCdfPrecise, normalDensity, normalHazardRatio } from "./normal.js"
import { fail, type Outcome, succeed } from "./outcome.js"
import type { FitError, LogitFit, OlsFit } from "./regression.js"

/**
 * Heteroskedasticity-consistent ("sandwich") covariances, White (1980) and MacKinnon & White (1985):
 * B (Σ ω_i s_i² x_i x_i') B, with B the inverse information and s_i the row's score scalar (the residual for
 * OLS), and ω_i = 1 (HC0), n/(n − p) (HC1), 1/(1 − h_i) (HC2), 1/(1 − h_i)² (HC3); h_i is the leverage,
 * the diagonal of the (working-weight) hat matrix. For OLS these are statsmodels' cov_type="HC0".."HC3" and
 * R's sandwich::vcovHC. For GLMs they are sandwich::vcovHC's definitions (h_i from the IRLS working weights);
 * statsmodels gives only HC0 for GLMs and discrete models (its HC1–HC3 silently return HC0 there).
 */
export type HcType = "HC0" | "HC1" | "HC2" | "HC3"

export const hcTypes: ReadonlyArray<HcType> = ["HC0", "HC1", "HC2", "HC3"]

/** HC2 and HC3 divide by 1 − h_i: undefined when a row is fitted exactly by itself (h_i = 1). */
export interface HighLeverage {
  readonly _tag: "HighLeverage"
  /** Design rows with leverage 1. */
  readonly rows: ReadonlyArray<number>
  readonly message: string
}

export type RobustError = FitError | HighLeverage

const invert = (
  matrix: Float64Array,
  design: Design,
  weights: Float64Array,
): Outcome<Float64Array, FitError> => {
  const { factor, dependent } = cholesky(matrix, design.p)
  if (dependent.length > 0) {
    const columns = dependent.map((j) => design.columns[j]!)
    return fail({
      _tag: "RankDeficient",
      columns,
      message: `The information matrix is singular along ${columns.join(", ")}; no covariance exists (${weights.length} rows).`,
    })
  }
  return succeed(choleskyInverse(factor, design.p))
}

/**
 * The sandwich for per-row score scalars `scores` (unit weight) and frequency weights; `leverageWeights` are the
 * per-unit working weights w_i of h_i = w_i x_i'(X'WX)⁻¹x_i and `leverageInverse` that (X'WX)⁻¹.
 */
export const sandwichCovariance = (
  design: Design,
  input: {
    readonly bread: Float64Array
    readonly scores: ArrayLike<number>
    readonly weights: ArrayLike<number>
    readonly leverageWeights: ArrayLike<number> | null
    readonly leverageInverse: Float64Array
    readonly type: HcType
  },
): Outcome<Float64Array, RobustError> => {
  const { p } = design
  const { bread, scores, weights, type } = input
  let n = 0
  for (let i = 0; i < design.n; i++) n += weights[i]!
  const meatWeight = new Float64Array(design.n)
  const highLeverage: Array<number> = []
  for (let i = 0; i < design.n; i++) {
    const w = weights[i]!
    if (w === 0) continue
    let omega = 1
    if (type === "HC2" || type === "HC3") {
      const h =
        (input.leverageWeights ? input.leverageWeights[i]! : 1) *
        rowQuadraticForm(design, i, input.leverageInverse)
      if (!(h < 1 - 1e-10)) {
        highLeverage.push(i)
        continue
      }
      omega = type === "HC2" ? 1 / (1 - h) : 1 / (1 - h) ** 2
    }
    meatWeight[i] = w * omega * scores[i]! ** 2
  }
  if (highLeverage.length > 0) {
    return fail({
      _tag: "HighLeverage",
      rows: highLeverage,
      message: `${type} is undefined: row${highLeverage.length === 1 ? "" : "s"} ${highLeverage.slice(0, 5).join(", ")} ${highLeverage.length === 1 ? "has" : "have"} leverage 1 (a row fitted exactly by its own dummy); use HC0 or HC1.`,
    })
  }
  const meat = weightedCrossProduct(design, meatWeight)
  // bread · meat · bread
  const left = new Float64Array(p * p)
  for (let i = 0; i < p; i++)
    for (let k = 0; k < p; k++) {
      const b = bread[i * p + k]!
      if (b === 0) continue
      for (let j = 0; j < p; j++) left[i * p + j]! += b * meat[k * p + j]!
    }
  const out = new Float64Array(p * p)
  const scale = type === "HC1" ? n / (n - p) : 1
  for (let i = 0; i < p; i++)
    for (let j = i; j < p; j++) {
      let sum = 0
      for (let k = 0; k < p; k++) sum += left[i * p + k]! * bread[k * p + j]!
      out[i * p + j] = sum * scale
      out[j * p + i] = sum * scale
    }
  return succeed(out)
}

interface RobustInput {
  /** The outcome; defaults to the design's own. */
  readonly y?: ArrayLike<number>
  /** Frequency weights, as given to the fit. */
  readonly weights?: ArrayLike<number>
}

const outcomeAndWeights = (
  design: Design,
  options: RobustInput,
): Outcome<{ y: ArrayLike<number>; weights: Float64Array }, FitError> => {
  const y = options.y ?? design.y
  if (!y) return fail({ _tag: "InvalidOutcome", message: "No outcome was given for the robust covariance." })
  const resolved = frequencyWeights(design, options.weights)
  if ("error" in resolved) return fail(resolved.error)
  return succeed({ y, weights: resolved.weights })
}

/** HC covariance of OLS estimates (statsmodels OLS(...).fit(cov_type=type)). */
export const olsRobustCovariance = (
  design: Design,
  estimates: ArrayLike<number>,
  type: HcType,
  options: RobustInput = {},
): Outcome<Float64Array, RobustError> => {
  const input = outcomeAndWeights(design, options)
  if (!input.ok) return input
  const { y, weights } = input.value
  const fitted = linearPredictorOf(design, estimates)
  const residuals = fitted.map((value, i) => y[i]! - value)
  const inverse = invert(weightedCrossProduct(design, weights), design, weights)
  if (!inverse.ok) return inverse
  return sandwichCovariance(design, {
    bread: inverse.value,
    scores: residuals,
    weights,
    leverageWeights: null,
    leverageInverse: inverse.value,
    type,
  })
}

/**
 * HC covariance of a binary GLM's estimates (logit or probit). The bread inverts the observed (default) or
 * expected information; the leverages always use the expected (IRLS working) weights, as sandwich::vcovHC.
 * For the logit both informations coincide.
 */
export const binaryRobustCovariance = (
  design: Design,
  estimates: ArrayLike<number>,
  link: "logit" | "probit",
  type: HcType,
  options: RobustInput & { readonly information?: "observed" | "expected" } = {},
): Outcome<Float64Array, RobustError> => {
  const input = outcomeAndWeights(design, options)
  if (!input.ok) return input
  const { y, weights } = input.value
  const eta = linearPredictorOf(design, estimates)
  const scores = new Float64Array(design.n)
  const expected = new Float64Array(design.n)
  const breadWeights = new Float64Array(design.n)
  for (let i = 0; i < design.n; i++) {
    const e = eta[i]!
    if (link === "logit") {
      const mu = 1 / (1 + Math.exp(-e))
      scores[i] = y[i]! - mu
      expected[i] = mu * (1 - mu)
      breadWeights[i] = weights[i]! * expected[i]!
    } else {
      const q = 2 * y[i]! - 1
      const lambda = q * normalHazardRatio(q * e)
      const density = normalDensity(e)
      scores[i] = lambda
      expected[i] = (density * density) / (normalCdfPrecise(e) * normalCdfPrecise(-e))
      breadWeights[i] =
        weights[i]! * (options.information === "expected" ? expected[i]! : lambda * (lambda + e))
    }
  }
  const bread = invert(weightedCrossProduct(design, breadWeights), design, weights)
  if (!bread.ok) return bread
  const expectedWeights = expected.map((value, i) => value * weights[i]!)
  const leverageInverse =
    link === "logit" || options.information === "expected"
      ? bread
      : invert(weightedCrossProduct(design, expectedWeights), design, weights)
  if (!leverageInverse.ok) return leverageInverse
  return sandwichCovariance(design, {
    bread: bread.value,
    scores,
    weights,
    leverageWeights: expected,
    leverageInverse: leverageInverse.value,
    type,
  })
}

/** A fit whose covariance, SEs and Wald rows are a sandwich estimate. */
export type RobustFit<F> = F & { readonly covarianceType: HcType }

/**
 * The same fit with HC standard errors: OLS keeps t tests on its residual df (as R's lmtest::coeftest and
 * statsmodels with use_t=True); logit and probit keep z tests.
 */
export const withRobustCovariance = <
  F extends OlsFit | LogitFit | { readonly family: "binomial"; readonly link: "probit" },
>(
  design: Design,
  fit: F & Pick<OlsFit, "estimates" | "level" | "columns">,
  type: HcType,
  options: RobustInput & { readonly information?: "observed" | "expected" } = {},
): Outcome<RobustFit<F>, RobustError> => {
  const covariance =
    fit.family === "gaussian"
      ? olsRobustCovariance(design, fit.estimates, type, options)
      : binaryRobustCovariance(design, fit.estimates, "link" in fit ? "probit" : "logit", type, {
          ...("information" in fit ? { information: fit.information as "observed" | "expected" } : {}),
          ...options,
        })
  if (!covariance.ok) return covariance
  const residualDf = fit.family === "gaussian" ? (fit as OlsFit).residualDf : undefined
  const { coefficients, standardErrors } = waldTable(
    fit.columns,
    fit.estimates,
    covariance.value,
    1 - fit.level,
    residualDf,
  )
  return succeed({ ...fit, covariance: covariance.value, coefficients, standardErrors, covarianceType: type })
}

/**
 * The HC0 sandwich B (Σ w_i s_i s_i') B from per-row score vectors (row-major rows × P, unit weight) and the
 * inverse information B; HC1 scales it by n/(n − P). For likelihood models with vector scores (multinomial and
 * ordered logit), where the leverage corrections HC2/HC3 have no standard definition.
 */
export const scoreSandwich = (
  bread: Float64Array,
  scores: Float64Array,
  weights: ArrayLike<number>,
  type: "HC0" | "HC1",
): Float64Array => {
  const P = Math.round(Math.sqrt(bread.length))
  const rows = scores.length / P
  const meat = new Float64Array(P * P)
  let n = 0
  for (let i = 0; i < rows; i++) {
    const w = weights[i]!
    if (w === 0) continue
    n += w
    const base = i * P
    for (let a = 0; a < P; a++) {
      const sa = w * scores[base + a]!
      if (sa === 0) continue
      for (let b = a; b < P; b++) meat[a * P + b]! += sa * scores[base + b]!
    }
  }
  for (let a = 0; a < P; a++) for (let b = a + 1; b < P; b++) meat[b * P + a] = meat[a * P + b]!
  const left = new Float64Array(P * P)
  for (let i = 0; i < P; i++)
    for (let k = 0; k < P; k++) {
      const value = bread[i * P + k]!
      if (value === 0) continue
      for (let j = 0; j < P; j++) left[i * P + j]! += value * meat[k * P + j]!
    }
  const scale = type === "HC1" ? n / (n - P) : 1
  const out = new Float64Array(P * P)
  for (let i = 0; i < P; i++)
    for (let j = i; j < P; j++) {
      let sum = 0
      for (let k = 0; k < P; k++) sum += left[i * P + k]! * bread[k * P + j]!
      out[i * P + j] = sum * scale
      out[j * P + i] = sum * scale
    }
  return out
}
