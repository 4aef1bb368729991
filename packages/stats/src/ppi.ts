/**
 * Prediction-powered inference (Angelopoulos, Bates, Fannjiang, Jordan & Zrnic 2023, *Science* 382) and its
 * power-tuned form PPI++ (Angelopoulos, Duchi & Zrnic 2023, arXiv:2311.01453), following the reference
 * implementation `ppi_py` definition for definition, so that its numbers are reproduced:
 *
 * - the labelled set holds n units with a human answer `y` and the model's answer `yhat` for the same unit;
 *   the unlabelled set holds N units with the model's answer only;
 * - a λ-rectified estimator combines λ × (the estimate on the unlabelled predictions) with the estimate on
 *   the labelled humans minus λ × the estimate on the labelled predictions. λ = 1 is classical PPI, λ = 0 the
 *   classical (humans-only) estimator, and PPI++ picks the λ that minimises the total asymptotic variance,
 *   clipped to [0, 1] (so a useless model falls back to the humans alone);
 * - intervals are two-sided at level 1 − α.
 *
 * Two variants. `variant: "reference"` is `ppi_py`'s formula exactly (normal quantiles, ddof-0 variances, λ
 * tuned on the same labelled units it weights) and reproduces its numbers. The default, `"finite-sample"`,
 * is the one the engine uses: with pilots of 50 or fewer per arm the reference's PPI++ intervals cover only
 * 0.91–0.93 of the time for a nominal 0.95, because λ tuned in-sample rewards the labelled units' chance
 * agreement and z quantiles ignore the variance's own noise. So for means and arm differences it
 *
 * - cross-fits λ: the labelled units are dealt round-robin into K = min(10, n) folds and each fold's units are
 *   rectified with the λ tuned on the other folds (and all unlabelled units); the unlabelled term uses the
 *   labelled units' average λ, so the estimator stays unbiased for any λs;
 * - uses ddof-1 variances and Student t quantiles with n − 1 degrees of freedom (a difference between arms:
 *   Welch–Satterthwaite degrees of freedom);
 *
 * and for regression coefficients it keeps the reference's point estimate and sandwich covariance but uses t
 * quantiles with n − p degrees of freedom, and centres the interval on the estimate with the estimate's λ.
 * λ stays clipped to [0, 1] in both variants.
 *
 * As in `ppi_py`, a tuned regression interval of the reference variant re-tunes λ once more at the tuned point
 * estimate, so its centre can differ from `estimate` (in the fifth decimal, or far more when λ is unstable, as
 * under near-separation); `lambda` is the value the interval used.
 */

import { normalQuantile, studentQuantile } from "./distribution.js"
import { cholesky, choleskyInverse, choleskySolve } from "./linear-algebra.js"
import { fail, type Outcome, succeed } from "./outcome.js"

export type PpiMethod = "classical" | "ppi" | "ppi++"

/** `"finite-sample"` (the default): cross-fitted λ and t quantiles; `"reference"`: `ppi_py`'s formula. */
export type PpiVariant = "finite-sample" | "reference"

/** One scalar estimand (a mean, a proportion, a difference between arms). */
export interface PpiScalar {
  readonly method: PpiMethod
  /** The λ used (0 for classical, 1 for PPI, tuned for PPI++). */
  readonly lambda: number
  readonly estimate: number
  readonly se: number
  readonly lower: number
  readonly upper: number
  /** Labelled and unlabelled sizes (N = 0 for classical). */
  readonly n: number
  readonly N: number
  /** Degrees of freedom of the t quantile the interval used (Infinity: a normal quantile). */
  readonly df: number
}

/** A vector of regression coefficients, one entry per design column. */
export interface PpiCoefficients {
  readonly method: PpiMethod
  readonly lambda: number
  readonly estimate: ReadonlyArray<number>
  readonly se: ReadonlyArray<number>
  readonly lower: ReadonlyArray<number>
  readonly upper: ReadonlyArray<number>
  readonly n: number
  readonly N: number
  /** Degrees of freedom of the t quantile the intervals used (Infinity: a normal quantile). */
  readonly df: number
}

export type PpiError =
  | { readonly _tag: "InvalidInput"; readonly message: string }
  | { readonly _tag: "Singular"; readonly message: string }
  | { readonly _tag: "NotConverged"; readonly message: string }

export interface PpiOptions {
  /** Error level: the interval targets coverage 1 − α. Default 0.05. */
  readonly alpha?: number
  /** "tuned" (PPI++, the default), or a fixed λ: 1 is classical PPI, 0 the humans-only estimator. */
  readonly lambda?: number | "tuned"
  /** "finite-sample" (default) or "reference" (`ppi_py`'s formula, to reproduce its numbers). */
  readonly variant?: PpiVariant
}

/** Options of the humans-only (classical) intervals. */
export interface ClassicalOptions {
  readonly alpha?: number
  readonly variant?: PpiVariant
}

export interface MeanInput {
  /** Human answers on the labelled set. */
  readonly y: ArrayLike<number>
  /** The model's answers for the same labelled units, in the same order. */
  readonly yhat: ArrayLike<number>
  /** The model's answers on the unlabelled set. */
  readonly yhatUnlabelled: ArrayLike<number>
}

export interface RegressionInput {
  /** Labelled design matrix, one row per unit (include an all-ones column for an intercept). */
  readonly x: ReadonlyArray<ArrayLike<number>>
  readonly y: ArrayLike<number>
  readonly yhat: ArrayLike<number>
  readonly xUnlabelled: ReadonlyArray<ArrayLike<number>>
  readonly yhatUnlabelled: ArrayLike<number>
}

const invalid = (message: string): Outcome<never, PpiError> => fail({ _tag: "InvalidInput", message })

const zFor = (alpha: number): number => normalQuantile(1 - alpha / 2)

/** The two-sided quantile: Student t with `df` degrees of freedom, or normal when df is infinite. */
const quantileFor = (alpha: number, df: number): number =>
  Number.isFinite(df) ? studentQuantile(1 - alpha / 2, df) : zFor(alpha)

const checkVariant = (variant: PpiVariant): string | undefined =>
  variant === "finite-sample" || variant === "reference"
    ? undefined
    : `variant must be "finite-sample" or "reference", got ${String(variant)}`

const checkAlpha = (alpha: number): string | undefined =>
  alpha > 0 && alpha < 1 ? undefined : `alpha must lie in (0, 1), got ${alpha}`

const checkLambda = (lambda: number | "tuned"): string | undefined =>
  lambda === "tuned" || (Number.isFinite(lambda) && lambda >= 0 && lambda <= 1)
    ? undefined
    : `lambda must be "tuned" or a number in [0, 1], got ${String(lambda)}`

const finiteAll = (values: ArrayLike<number>, name: string): string | undefined => {
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i])) return `${name}[${i}] is not a finite number (${values[i]})`
  return undefined
}

const mean = (values: ArrayLike<number>): number => {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i]!
  return sum / values.length
}

/** Sum of squared deviations from the mean. */
const sumOfSquares = (values: ArrayLike<number>): number => {
  const m = mean(values)
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += (values[i]! - m) ** 2
  return sum
}

/** Population (ddof = 0) variance, as numpy's `std()`. */
const variance0 = (values: ArrayLike<number>): number => sumOfSquares(values) / values.length

/** Sample (ddof = 1) variance. */
const variance1 = (values: ArrayLike<number>): number => sumOfSquares(values) / (values.length - 1)

const scalar = (
  method: PpiMethod,
  lambda: number,
  estimate: number,
  se: number,
  alpha: number,
  df: number,
  n: number,
  N: number,
): PpiScalar => {
  const q = quantileFor(alpha, df)
  return { method, lambda, estimate, se, lower: estimate - q * se, upper: estimate + q * se, n, N, df }
}

// ---------------------------------------------------------------------------------------------------------
// Means and proportions

/**
 * The classical interval for a mean from the labelled humans alone: ȳ ± t(n − 1) · sd(y) / √n with the
 * ddof-1 sd (the textbook t interval), or with `variant: "reference"` ȳ ± z · sd(y) / √n with the ddof-0 sd
 * (`ppi_py`'s `classical_mean_ci`).
 */
export const classicalMean = (y: ArrayLike<number>, options: ClassicalOptions = {}) => {
  const alpha = options.alpha ?? 0.05
  const variant = options.variant ?? "finite-sample"
  const problem =
    checkAlpha(alpha) ??
    checkVariant(variant) ??
    finiteAll(y, "y") ??
    (y.length < 2 ? "need at least 2 labelled units" : undefined)
  if (problem !== undefined) return invalid(problem)
  const n = y.length
  const reference = variant === "reference"
  const se = Math.sqrt((reference ? variance0(y) : variance1(y)) / n)
  return succeed<PpiScalar>(
    scalar("classical", 0, mean(y), se, alpha, reference ? Number.POSITIVE_INFINITY : n - 1, n, 0),
  )
}

const checkMeanInput = (input: MeanInput): string | undefined =>
  input.y.length !== input.yhat.length
    ? `y and yhat must have the same length (labelled set), got ${input.y.length} and ${input.yhat.length}`
    : input.y.length < 2
      ? "need at least 2 labelled units"
      : input.yhatUnlabelled.length < 2
        ? "need at least 2 unlabelled units"
        : (finiteAll(input.y, "y") ??
          finiteAll(input.yhat, "yhat") ??
          finiteAll(input.yhatUnlabelled, "yhatUnlabelled"))

/**
 * The PPI++ λ for a mean (`ppi_py`'s `_calc_lam_glm` with an identity Hessian): the labelled covariance of
 * y and ŷ over (1 + n/N) times the variance of ŷ pooled over both sets, clipped to [0, 1].
 */
export const ppiMeanLambda = (input: MeanInput): number =>
  lambdaOn(input.y, input.yhat, unlabelledMoments(input.yhatUnlabelled))

interface Moments {
  readonly count: number
  readonly mean: number
  /** Sum of squared deviations from the mean. */
  readonly ss: number
}

const unlabelledMoments = (values: ArrayLike<number>): Moments => ({
  count: values.length,
  mean: mean(values),
  ss: sumOfSquares(values),
})

/** λ from labelled pairs and the unlabelled predictions' moments, the two sets' ŷ pooled by Chan's formula. */
const lambdaOn = (y: ArrayLike<number>, yhat: ArrayLike<number>, u: Moments): number => {
  const m = y.length
  if (m === 0) return 0
  const my = mean(y)
  const mh = mean(yhat)
  let cov = 0
  let ssHat = 0
  for (let i = 0; i < m; i++) {
    cov += (y[i]! - my) * (yhat[i]! - mh)
    ssHat += (yhat[i]! - mh) ** 2
  }
  cov /= m
  const pooledSs = ssHat + u.ss + ((m * u.count) / (m + u.count)) * (mh - u.mean) ** 2
  const pooledVar = pooledSs / (m + u.count - 1)
  const denominator = (1 + m / u.count) * pooledVar
  if (!(denominator > 0)) return 0
  return clip01(cov / denominator)
}

/** Number of cross-fitting folds for the finite-sample λ. */
const crossFitFolds = 10

/**
 * Cross-fitted λs: unit i is in fold i mod K (K = min(10, n)); its λ is `ppiMeanLambda` of the other folds'
 * labelled pairs with every unlabelled prediction, so no unit's own agreement with its twin sets its weight.
 */
export const crossFittedLambdas = (input: MeanInput): Float64Array => {
  const { y, yhat, yhatUnlabelled } = input
  const n = y.length
  const folds = Math.min(crossFitFolds, n)
  const u = unlabelledMoments(yhatUnlabelled)
  const perFold = new Float64Array(folds)
  for (let k = 0; k < folds; k++) {
    const ys: Array<number> = []
    const hs: Array<number> = []
    for (let i = 0; i < n; i++)
      if (i % folds !== k) {
        ys.push(y[i]!)
        hs.push(yhat[i]!)
      }
    perFold[k] = lambdaOn(ys, hs, u)
  }
  const out = new Float64Array(n)
  for (let i = 0; i < n; i++) out[i] = perFold[i % folds]!
  return out
}

const clip01 = (x: number): number => (Number.isNaN(x) ? 0 : Math.min(1, Math.max(0, x)))

/**
 * PPI / PPI++ estimate and interval for a mean (a proportion when the answers are 0/1). With unit i weighted
 * by λᵢ and λ̄ their average: θ̂ = λ̄·mean(ŷ_unlabelled) + mean(y − λᵢ·ŷ), se² = λ̄²·var(ŷ_unlabelled)/N +
 * var(y − λᵢ·ŷ)/n. The reference variant has one λ for every unit (tuned on all of them), ddof-0 variances
 * and a z interval; the finite-sample variant cross-fits a tuned λ, uses ddof-1 variances and t(n − 1). A
 * fixed λ is the same for every unit in both.
 */
export const ppiMean = (input: MeanInput, options: PpiOptions = {}): Outcome<PpiScalar, PpiError> => {
  const alpha = options.alpha ?? 0.05
  const requested = options.lambda ?? "tuned"
  const variant = options.variant ?? "finite-sample"
  const problem =
    checkAlpha(alpha) ?? checkLambda(requested) ?? checkVariant(variant) ?? checkMeanInput(input)
  if (problem !== undefined) return invalid(problem)
  const { y, yhat, yhatUnlabelled } = input
  const n = y.length
  const N = yhatUnlabelled.length
  const reference = variant === "reference"
  const lambdas =
    requested !== "tuned"
      ? new Float64Array(n).fill(requested)
      : reference
        ? new Float64Array(n).fill(ppiMeanLambda(input))
        : crossFittedLambdas(input)
  const lambda = mean(lambdas)
  const rectifier = new Float64Array(n)
  for (let i = 0; i < n; i++) rectifier[i] = y[i]! - lambdas[i]! * yhat[i]!
  const estimate = lambda * mean(yhatUnlabelled) + mean(rectifier)
  const variance = reference ? variance0 : variance1
  const se = Math.sqrt((lambda * lambda * variance(yhatUnlabelled)) / N + variance(rectifier) / n)
  const method = requested === "tuned" ? "ppi++" : lambda === 0 ? "classical" : "ppi"
  // Cross-fitted λs are not chosen to shrink this interval, so with a useless model they add a little noise:
  // PPI++ then falls back to the humans alone (λ = 0), never reporting a wider interval than theirs.
  if (requested === "tuned" && !reference) {
    const humansSe = Math.sqrt(variance1(y) / n)
    if (humansSe <= se) return succeed(scalar("ppi++", 0, mean(y), humansSe, alpha, n - 1, n, N))
  }
  return succeed(
    scalar(method, lambda, estimate, se, alpha, reference ? Number.POSITIVE_INFINITY : n - 1, n, N),
  )
}

/**
 * Two independent samples' estimates combined into treatment − control, se added in quadrature. The degrees
 * of freedom are Welch–Satterthwaite's (se⁴ / Σ seₖ⁴/dfₖ), infinite when either arm's interval was normal.
 */
export const differenceOfScalars = (treatment: PpiScalar, control: PpiScalar, alpha = 0.05): PpiScalar => {
  const estimate = treatment.estimate - control.estimate
  const variance = treatment.se ** 2 + control.se ** 2
  const pieces = treatment.se ** 4 / treatment.df + control.se ** 4 / control.df
  const df =
    Number.isFinite(treatment.df) && Number.isFinite(control.df)
      ? pieces > 0
        ? variance ** 2 / pieces
        : Math.min(treatment.df, control.df)
      : Number.POSITIVE_INFINITY
  return scalar(
    treatment.method,
    (treatment.lambda + control.lambda) / 2,
    estimate,
    Math.sqrt(variance),
    alpha,
    df,
    treatment.n + control.n,
    treatment.N + control.N,
  )
}

/**
 * A difference between two arms (a treatment effect on a mean or proportion), the arms being independent
 * samples: each arm gets its own PPI / PPI++ mean (its own λ when tuned), the difference is treatment −
 * control and the variances add. `lambda` in the result is the average of the two arms' λ.
 */
export const ppiMeanDifference = (
  treatment: MeanInput,
  control: MeanInput,
  options: PpiOptions = {},
): Outcome<PpiScalar, PpiError> => {
  const t = ppiMean(treatment, options)
  if (!t.ok) return invalid(`treatment arm: ${t.error.message}`)
  const c = ppiMean(control, options)
  if (!c.ok) return invalid(`control arm: ${c.error.message}`)
  return succeed(differenceOfScalars(t.value, c.value, options.alpha ?? 0.05))
}

/** The classical difference between two arms' means from the labelled humans alone. */
export const classicalMeanDifference = (
  treatment: ArrayLike<number>,
  control: ArrayLike<number>,
  options: ClassicalOptions = {},
): Outcome<PpiScalar, PpiError> => {
  const t = classicalMean(treatment, options)
  if (!t.ok) return invalid(`treatment arm: ${t.error.message}`)
  const c = classicalMean(control, options)
  if (!c.ok) return invalid(`control arm: ${c.error.message}`)
  return succeed(differenceOfScalars(t.value, c.value, options.alpha ?? 0.05))
}

// ---------------------------------------------------------------------------------------------------------
// Small dense helpers (row-major p×p)

interface Matrix {
  readonly rows: number
  readonly p: number
  readonly values: Float64Array
}

const toMatrix = (rows: ReadonlyArray<ArrayLike<number>>, name: string): Outcome<Matrix, PpiError> => {
  const p = rows[0]?.length ?? 0
  if (p === 0) return invalid(`${name} has no columns`)
  const values = new Float64Array(rows.length * p)
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!
    if (row.length !== p) return invalid(`${name} row ${i} has ${row.length} columns, expected ${p}`)
    for (let k = 0; k < p; k++) {
      const v = row[k]!
      if (!Number.isFinite(v)) return invalid(`${name}[${i}][${k}] is not a finite number (${v})`)
      values[i * p + k] = v
    }
  }
  return succeed({ rows: rows.length, p, values })
}

const invertSpd = (a: Float64Array, p: number, what: string): Outcome<Float64Array, PpiError> => {
  const { factor, dependent } = cholesky(a, p, 1e-12)
  if (dependent.length > 0)
    return fail({
      _tag: "Singular",
      message: `${what} is singular (column ${dependent.join(", ")} dependent)`,
    })
  return succeed(choleskyInverse(factor, p))
}

/** Least squares coefficients of `target` on `x`. */
const leastSquares = (x: Matrix, target: ArrayLike<number>): Outcome<Float64Array, PpiError> => {
  const { p, rows, values } = x
  const xtx = new Float64Array(p * p)
  const xty = new Float64Array(p)
  for (let i = 0; i < rows; i++) {
    for (let a = 0; a < p; a++) {
      const xa = values[i * p + a]!
      xty[a]! += xa * target[i]!
      for (let b = 0; b <= a; b++) xtx[a * p + b]! += xa * values[i * p + b]!
    }
  }
  for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) xtx[b * p + a] = xtx[a * p + b]!
  const { factor, dependent } = cholesky(xtx, p, 1e-12)
  if (dependent.length > 0)
    return fail({
      _tag: "Singular",
      message: `design is rank deficient (column ${dependent.join(", ")} dependent)`,
    })
  return succeed(choleskySolve(factor, p, xty))
}

/** Sample covariance (ddof 1) of the rows of a (rows × p) matrix, as numpy's `np.cov(G.T)`. */
const covariance1 = (g: Float64Array, rows: number, p: number): Float64Array => {
  const means = new Float64Array(p)
  for (let i = 0; i < rows; i++) for (let a = 0; a < p; a++) means[a]! += g[i * p + a]!
  for (let a = 0; a < p; a++) means[a]! /= rows
  const out = new Float64Array(p * p)
  for (let i = 0; i < rows; i++)
    for (let a = 0; a < p; a++) {
      const da = g[i * p + a]! - means[a]!
      for (let b = 0; b <= a; b++) out[a * p + b]! += da * (g[i * p + b]! - means[b]!)
    }
  for (let a = 0; a < p; a++)
    for (let b = 0; b <= a; b++) {
      out[a * p + b]! /= rows - 1
      out[b * p + a] = out[a * p + b]!
    }
  return out
}

/** A B for p×p matrices. */
const multiply = (a: Float64Array, b: Float64Array, p: number): Float64Array => {
  const out = new Float64Array(p * p)
  for (let i = 0; i < p; i++)
    for (let k = 0; k < p; k++) {
      const aik = a[i * p + k]!
      for (let j = 0; j < p; j++) out[i * p + j]! += aik * b[k * p + j]!
    }
  return out
}

const trace = (a: Float64Array, p: number): number => {
  let t = 0
  for (let i = 0; i < p; i++) t += a[i * p + i]!
  return t
}

/** Per-unit gradients and the Hessian of an M-estimation problem at θ, as `ppi_py`'s `_*_get_stats`. */
interface GlmStats {
  readonly grads: Float64Array
  readonly gradsHat: Float64Array
  readonly gradsHatUnlabelled: Float64Array
  readonly inverseHessian: Float64Array
}

type Link = "identity" | "logit"

const expit = (t: number): number => (t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t)))

const dot = (values: Float64Array, row: number, p: number, theta: ArrayLike<number>): number => {
  let s = 0
  for (let k = 0; k < p; k++) s += values[row * p + k]! * theta[k]!
  return s
}

const glmStats = (
  link: Link,
  theta: ArrayLike<number>,
  x: Matrix,
  y: ArrayLike<number>,
  yhat: ArrayLike<number>,
  xu: Matrix,
  yhatU: ArrayLike<number>,
  useUnlabelled: boolean,
): Outcome<GlmStats, PpiError> => {
  const p = x.p
  const n = x.rows
  const N = xu.rows
  const hessian = new Float64Array(p * p)
  const gradsHatUnlabelled = new Float64Array(N * p)
  const mean = (eta: number) => (link === "identity" ? eta : expit(eta))
  const weight = (mu: number) => (link === "identity" ? 1 : mu * (1 - mu))
  const scale = useUnlabelled ? 1 / (N + n) : 1 / n
  if (useUnlabelled) {
    for (let j = 0; j < N; j++) {
      const mu = mean(dot(xu.values, j, p, theta))
      const w = weight(mu) * scale
      for (let a = 0; a < p; a++) {
        const xa = xu.values[j * p + a]!
        gradsHatUnlabelled[j * p + a] = xa * (mu - yhatU[j]!)
        for (let b = 0; b < p; b++) hessian[a * p + b]! += w * xa * xu.values[j * p + b]!
      }
    }
  }
  const grads = new Float64Array(n * p)
  const gradsHat = new Float64Array(n * p)
  for (let i = 0; i < n; i++) {
    const mu = mean(dot(x.values, i, p, theta))
    const w = weight(mu) * scale
    for (let a = 0; a < p; a++) {
      const xa = x.values[i * p + a]!
      grads[i * p + a] = xa * (mu - y[i]!)
      gradsHat[i * p + a] = xa * (mu - yhat[i]!)
      for (let b = 0; b < p; b++) hessian[a * p + b]! += w * xa * x.values[i * p + b]!
    }
  }
  const inverseHessian = invertSpd(hessian, p, "the Hessian")
  if (!inverseHessian.ok) return inverseHessian
  return succeed({ grads, gradsHat, gradsHatUnlabelled, inverseHessian: inverseHessian.value })
}

/** `ppi_py`'s `_calc_lam_glm` (optim_mode "overall", all coordinates), clipped to [0, 1]. */
const tuneLambda = (stats: GlmStats, n: number, N: number, p: number): number => {
  const { grads, gradsHat, gradsHatUnlabelled, inverseHessian } = stats
  const mg = new Float64Array(p)
  const mh = new Float64Array(p)
  for (let i = 0; i < n; i++)
    for (let a = 0; a < p; a++) {
      mg[a]! += grads[i * p + a]! / n
      mh[a]! += gradsHat[i * p + a]! / n
    }
  const cov = new Float64Array(p * p)
  for (let i = 0; i < n; i++)
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++) {
        const ga = grads[i * p + a]! - mg[a]!
        const hb = gradsHat[i * p + b]! - mh[b]!
        const ha = gradsHat[i * p + a]! - mh[a]!
        const gb = grads[i * p + b]! - mg[b]!
        cov[a * p + b]! += (ga * hb + ha * gb) / n
      }
  const pooled = new Float64Array((n + N) * p)
  pooled.set(gradsHat, 0)
  pooled.set(gradsHatUnlabelled, n * p)
  const varHat = covariance1(pooled, n + N, p)
  const num = trace(multiply(multiply(inverseHessian, cov, p), inverseHessian, p), p)
  const den = 2 * (1 + n / N) * trace(multiply(multiply(inverseHessian, varHat, p), inverseHessian, p), p)
  return den > 0 ? clip01(num / den) : 0
}

/** Σ̂ = H⁻¹ (n/N · cov(λ ĝ_unlabelled) + cov(g − λ ĝ)) H⁻¹, se = √(diag Σ̂ / n). */
const sandwichSe = (stats: GlmStats, lambda: number, n: number, N: number, p: number): Array<number> => {
  const diff = new Float64Array(n * p)
  for (let i = 0; i < n * p; i++) diff[i] = stats.grads[i]! - lambda * stats.gradsHat[i]!
  const varLabelled = covariance1(diff, n, p)
  const varUnlabelled = covariance1(stats.gradsHatUnlabelled, N, p)
  const middle = new Float64Array(p * p)
  for (let k = 0; k < p * p; k++) middle[k] = (n / N) * lambda * lambda * varUnlabelled[k]! + varLabelled[k]!
  const sigma = multiply(multiply(stats.inverseHessian, middle, p), stats.inverseHessian, p)
  return Array.from({ length: p }, (_, a) => Math.sqrt(Math.max(0, sigma[a * p + a]!) / n))
}

const interval = (
  method: PpiMethod,
  lambda: number,
  estimate: ArrayLike<number>,
  centre: ArrayLike<number>,
  se: ReadonlyArray<number>,
  alpha: number,
  n: number,
  N: number,
  df: number,
): PpiCoefficients => {
  const q = quantileFor(alpha, df)
  return {
    method,
    lambda,
    estimate: Array.from(estimate),
    se,
    lower: se.map((s, a) => centre[a]! - q * s),
    upper: se.map((s, a) => centre[a]! + q * s),
    n,
    N,
    df,
  }
}

/** Degrees of freedom of a regression interval: n − p, or infinite (normal) for the reference variant. */
const regressionDf = (variant: PpiVariant, n: number, p: number): number =>
  variant === "reference" ? Number.POSITIVE_INFINITY : n - p

interface Prepared {
  readonly x: Matrix
  readonly xu: Matrix
  readonly y: ArrayLike<number>
  readonly yhat: ArrayLike<number>
  readonly yhatU: ArrayLike<number>
}

const prepare = (input: RegressionInput, binary: boolean): Outcome<Prepared, PpiError> => {
  const x = toMatrix(input.x, "x")
  if (!x.ok) return x
  const xu = toMatrix(input.xUnlabelled, "xUnlabelled")
  if (!xu.ok) return xu
  const p = x.value.p
  if (xu.value.p !== p) return invalid(`x has ${p} columns but xUnlabelled has ${xu.value.p}`)
  const n = x.value.rows
  const N = xu.value.rows
  if (input.y.length !== n || input.yhat.length !== n)
    return invalid(
      `x, y and yhat must have one entry per labelled unit (${n}, ${input.y.length}, ${input.yhat.length})`,
    )
  if (input.yhatUnlabelled.length !== N)
    return invalid(`xUnlabelled and yhatUnlabelled lengths differ (${N}, ${input.yhatUnlabelled.length})`)
  if (n <= p) return invalid(`need more labelled units (${n}) than coefficients (${p})`)
  if (N <= p) return invalid(`need more unlabelled units (${N}) than coefficients (${p})`)
  const problem =
    finiteAll(input.y, "y") ??
    finiteAll(input.yhat, "yhat") ??
    finiteAll(input.yhatUnlabelled, "yhatUnlabelled")
  if (problem !== undefined) return invalid(problem)
  if (binary) {
    const check = (values: ArrayLike<number>, name: string) => {
      for (let i = 0; i < values.length; i++)
        if (values[i]! < 0 || values[i]! > 1) return `${name}[${i}] = ${values[i]} is outside [0, 1]`
      return undefined
    }
    const bad =
      check(input.y, "y") ?? check(input.yhat, "yhat") ?? check(input.yhatUnlabelled, "yhatUnlabelled")
    if (bad !== undefined) return invalid(bad)
  }
  return succeed({ x: x.value, xu: xu.value, y: input.y, yhat: input.yhat, yhatU: input.yhatUnlabelled })
}

// ---------------------------------------------------------------------------------------------------------
// OLS

const olsPoint = (d: Prepared, lambda: number): Outcome<Float64Array, PpiError> => {
  const n = d.x.rows
  const rect = new Float64Array(n)
  for (let i = 0; i < n; i++) rect[i] = d.y[i]! - lambda * d.yhat[i]!
  const rectifier = leastSquares(d.x, rect)
  if (!rectifier.ok) return rectifier
  if (lambda === 0) return rectifier
  const scaled = new Float64Array(d.xu.rows)
  for (let j = 0; j < d.xu.rows; j++) scaled[j] = lambda * d.yhatU[j]!
  const imputed = leastSquares(d.xu, scaled)
  if (!imputed.ok) return imputed
  return succeed(rectifier.value.map((r, a) => r + imputed.value[a]!))
}

/**
 * PPI / PPI++ for OLS coefficients: θ̂ = OLS(X_u, λŷ_u) + OLS(X, y − λŷ), with the sandwich covariance of
 * `ppi_py` (Hessian pooled over both sets unless λ = 0).
 */
export const ppiOls = (
  input: RegressionInput,
  options: PpiOptions = {},
): Outcome<PpiCoefficients, PpiError> => ppiGlm("identity", input, options)

/** PPI / PPI++ for logistic-regression coefficients (0/1 or probability answers), by Newton's method. */
export const ppiLogistic = (
  input: RegressionInput,
  options: PpiOptions = {},
): Outcome<PpiCoefficients, PpiError> => ppiGlm("logit", input, options)

const point = (link: Link, d: Prepared, lambda: number, start?: Float64Array) =>
  link === "identity" ? olsPoint(d, lambda) : logisticPoint(d, lambda, start)

const ppiGlm = (
  link: Link,
  input: RegressionInput,
  options: PpiOptions,
): Outcome<PpiCoefficients, PpiError> => {
  const alpha = options.alpha ?? 0.05
  const requested = options.lambda ?? "tuned"
  const variant = options.variant ?? "finite-sample"
  const problem = checkAlpha(alpha) ?? checkLambda(requested) ?? checkVariant(variant)
  if (problem !== undefined) return invalid(problem)
  const d = prepare(input, link === "logit")
  if (!d.ok) return d
  const { x, xu, y, yhat, yhatU } = d.value
  const n = x.rows
  const N = xu.rows
  const p = x.p
  const df = regressionDf(variant, n, p)
  if (requested !== "tuned") {
    const theta = point(link, d.value, requested)
    if (!theta.ok) return theta
    const stats = glmStats(link, theta.value, x, y, yhat, xu, yhatU, requested !== 0)
    if (!stats.ok) return stats
    const se = sandwichSe(stats.value, requested, n, N, p)
    return succeed(
      interval(
        requested === 0 ? "classical" : "ppi",
        requested,
        theta.value,
        theta.value,
        se,
        alpha,
        n,
        N,
        df,
      ),
    )
  }
  // Point estimate: tune λ at the PPI (λ = 1) estimate, then re-estimate.
  const theta1 = point(link, d.value, 1)
  if (!theta1.ok) return theta1
  const stats1 = glmStats(link, theta1.value, x, y, yhat, xu, yhatU, true)
  if (!stats1.ok) return stats1
  const lambda1 = tuneLambda(stats1.value, n, N, p)
  const estimate = point(link, d.value, lambda1, theta1.value)
  if (!estimate.ok) return estimate
  if (variant === "finite-sample") {
    // One λ for the estimate and its interval, which is centred on the estimate.
    const stats = glmStats(link, estimate.value, x, y, yhat, xu, yhatU, lambda1 !== 0)
    if (!stats.ok) return stats
    const se = sandwichSe(stats.value, lambda1, n, N, p)
    return succeed(interval("ppi++", lambda1, estimate.value, estimate.value, se, alpha, n, N, df))
  }
  // Interval (reference): tune λ again at the tuned estimate, then the λ-interval at that λ (as ppi_py's *_ci).
  const stats2 = glmStats(link, estimate.value, x, y, yhat, xu, yhatU, true)
  if (!stats2.ok) return stats2
  const lambda2 = tuneLambda(stats2.value, n, N, p)
  const centre = point(link, d.value, lambda2, estimate.value)
  if (!centre.ok) return centre
  const stats3 = glmStats(link, centre.value, x, y, yhat, xu, yhatU, lambda2 !== 0)
  if (!stats3.ok) return stats3
  const se = sandwichSe(stats3.value, lambda2, n, N, p)
  return succeed(interval("ppi++", lambda2, estimate.value, centre.value, se, alpha, n, N, df))
}

/**
 * The classical OLS interval on the labelled humans: HC0 sandwich standard errors, t(n − p) quantiles
 * (normal quantiles with `variant: "reference"`, as `ppi_py`).
 */
export const classicalOls = (
  x: ReadonlyArray<ArrayLike<number>>,
  y: ArrayLike<number>,
  options: ClassicalOptions = {},
): Outcome<PpiCoefficients, PpiError> => {
  const alpha = options.alpha ?? 0.05
  const variant = options.variant ?? "finite-sample"
  const problem = checkAlpha(alpha) ?? checkVariant(variant) ?? finiteAll(y, "y")
  if (problem !== undefined) return invalid(problem)
  const m = toMatrix(x, "x")
  if (!m.ok) return m
  const { p, rows: n, values } = m.value
  if (y.length !== n) return invalid(`x has ${n} rows but y has ${y.length} entries`)
  if (n <= p) return invalid(`need more units (${n}) than coefficients (${p})`)
  const theta = leastSquares(m.value, y)
  if (!theta.ok) return theta
  const xtx = new Float64Array(p * p)
  const meat = new Float64Array(p * p)
  for (let i = 0; i < n; i++) {
    const e = y[i]! - dot(values, i, p, theta.value)
    for (let a = 0; a < p; a++)
      for (let b = 0; b < p; b++) {
        const xx = values[i * p + a]! * values[i * p + b]!
        xtx[a * p + b]! += xx
        meat[a * p + b]! += xx * e * e
      }
  }
  const inverse = invertSpd(xtx, p, "X'X")
  if (!inverse.ok) return inverse
  const cov = multiply(multiply(inverse.value, meat, p), inverse.value, p)
  const se = Array.from({ length: p }, (_, a) => Math.sqrt(cov[a * p + a]!))
  return succeed(
    interval("classical", 0, theta.value, theta.value, se, alpha, n, 0, regressionDf(variant, n, p)),
  )
}

// ---------------------------------------------------------------------------------------------------------
// Logistic regression

/**
 * Minimiser of the rectified logistic loss λ/N Σ_u ℓ(ŷ) − λ/n Σ ℓ(ŷ) + 1/n Σ ℓ(y), whose Hessian
 * λ H_u + (1 − λ) H_labelled is positive definite for λ in [0, 1]: damped Newton to a gradient of 1e-12.
 */
const logisticPoint = (
  d: Prepared,
  lambda: number,
  start?: Float64Array,
): Outcome<Float64Array, PpiError> => {
  const { x, xu, y, yhat, yhatU } = d
  const p = x.p
  const n = x.rows
  const N = xu.rows
  const loss = (theta: Float64Array): number => {
    let total = 0
    const l = (eta: number, target: number) =>
      -target * eta + (eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta)))
    if (lambda !== 0)
      for (let j = 0; j < N; j++) total += (lambda / N) * l(dot(xu.values, j, p, theta), yhatU[j]!)
    for (let i = 0; i < n; i++) {
      const eta = dot(x.values, i, p, theta)
      total += (l(eta, y[i]!) - lambda * l(eta, yhat[i]!)) / n
    }
    return total
  }
  let theta = start ? Float64Array.from(start) : new Float64Array(p)
  let current = loss(theta)
  for (let iteration = 0; iteration < 200; iteration++) {
    const gradient = new Float64Array(p)
    const hessian = new Float64Array(p * p)
    const accumulate = (values: Float64Array, row: number, residual: number, weight: number) => {
      for (let a = 0; a < p; a++) {
        const xa = values[row * p + a]!
        gradient[a]! += residual * xa
        for (let b = 0; b < p; b++) hessian[a * p + b]! += weight * xa * values[row * p + b]!
      }
    }
    if (lambda !== 0)
      for (let j = 0; j < N; j++) {
        const mu = expit(dot(xu.values, j, p, theta))
        accumulate(xu.values, j, (lambda / N) * (mu - yhatU[j]!), (lambda / N) * mu * (1 - mu))
      }
    for (let i = 0; i < n; i++) {
      const mu = expit(dot(x.values, i, p, theta))
      accumulate(x.values, i, (mu - y[i]! - lambda * (mu - yhat[i]!)) / n, ((1 - lambda) / n) * mu * (1 - mu))
    }
    let gradientNorm = 0
    for (let a = 0; a < p; a++) gradientNorm = Math.max(gradientNorm, Math.abs(gradient[a]!))
    if (gradientNorm < 1e-12) return succeed(theta)
    const { factor, dependent } = cholesky(hessian, p, 1e-14)
    if (dependent.length > 0)
      return fail({
        _tag: "Singular",
        message: `the logistic Hessian is singular (column ${dependent.join(", ")})`,
      })
    const step = choleskySolve(factor, p, gradient)
    let scale = 1
    let next = theta
    let nextLoss = current
    for (let halving = 0; halving < 40; halving++) {
      next = theta.map((t, a) => t - scale * step[a]!)
      nextLoss = loss(next)
      if (nextLoss <= current + 1e-15 * Math.abs(current)) break
      scale /= 2
    }
    const moved = Math.max(...Array.from(next, (v, a) => Math.abs(v - theta[a]!)))
    theta = next
    current = nextLoss
    if (moved < 1e-14) return succeed(theta)
    if (!Number.isFinite(current) || Math.max(...Array.from(theta, Math.abs)) > 1e6)
      return fail({
        _tag: "NotConverged",
        message: "logistic coefficients diverge (the outcome is separated by the design)",
      })
  }
  return fail({ _tag: "NotConverged", message: "logistic PPI estimate did not converge in 200 Newton steps" })
}

/**
 * The classical logistic interval on the labelled humans: MLE with the sandwich covariance of `ppi_py`,
 * t(n − p) quantiles (normal with `variant: "reference"`).
 */
export const classicalLogistic = (
  x: ReadonlyArray<ArrayLike<number>>,
  y: ArrayLike<number>,
  options: ClassicalOptions = {},
): Outcome<PpiCoefficients, PpiError> => {
  const alpha = options.alpha ?? 0.05
  const variant = options.variant ?? "finite-sample"
  const problem = checkAlpha(alpha) ?? checkVariant(variant)
  if (problem !== undefined) return invalid(problem)
  // λ = 0 ignores predictions and the unlabelled set; pass the labelled set in both roles.
  const d = prepare({ x, y, yhat: y, xUnlabelled: x, yhatUnlabelled: y }, true)
  if (!d.ok) return d
  const theta = logisticPoint(d.value, 0)
  if (!theta.ok) return theta
  const { x: m } = d.value
  const stats = glmStats("logit", theta.value, m, y, y, m, y, false)
  if (!stats.ok) return stats
  const se = sandwichSe(stats.value, 0, m.rows, m.rows, m.p)
  return succeed(
    interval(
      "classical",
      0,
      theta.value,
      theta.value,
      se,
      alpha,
      m.rows,
      0,
      regressionDf(variant, m.rows, m.p),
    ),
  )
}

/**
 * The effective number of labelled units a PPI estimate is worth: n × Var(classical) / Var(PPI). With the
 * same n, values above n mean the model's answers add precision; n_eff − n is "the precision of k people".
 */
export const effectiveSampleSize = (n: number, classicalSe: number, ppiSe: number): number =>
  ppiSe > 0 ? (n * classicalSe ** 2) / ppiSe ** 2 : Number.POSITIVE_INFINITY
