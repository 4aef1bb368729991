import {
  type CategoricalFitOptions,
  type CategoricalFitSummary,
  categoricalLikelihoodSummary,
  weightedCategories,
} from "./categorical-outcome.js"
import { waldTable } from "./coefficient-table.js"
import type { Design } from "./design.js"
import { rankDeficiency } from "./kernels.js"
import { cholesky, choleskyInverse } from "./linear-algebra.js"
import { newtonMaximise } from "./newton.js"
import { fail, type Outcome, succeed } from "./outcome.js"
import type { Coefficient, FitError } from "./regression.js"
import { scoreSandwich } from "./robust.js"

export interface OrderedLogitOptions extends CategoricalFitOptions {
  /** The categories from lowest to highest (default: numbers in numeric order, else sorted strings). */
  readonly levels?: ReadonlyArray<string>
}

export interface OrderedLogitFit extends CategoricalFitSummary {
  readonly family: "ordinal"
  readonly link: "logit"
  readonly levels: ReadonlyArray<string>
  /** The slope columns (the design's columns without `(Intercept)`: the thresholds take its place). */
  readonly columns: ReadonlyArray<string>
  /** The slopes. */
  readonly coefficients: ReadonlyArray<Coefficient>
  /** Cutpoints θ_1 < … < θ_{J−1}, named "low|high" as R's MASS::polr. P(y ≤ j) = F(θ_j − x'β). */
  readonly thresholds: ReadonlyArray<Coefficient>
  /** Slopes then thresholds. */
  readonly estimates: Float64Array
}

const logistic = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))

/**
 * Proportional-odds (ordered) logit by Newton–Raphson on the analytic Hessian in the thresholds' natural
 * parameterisation (the likelihood is concave there), with step halving that keeps the thresholds ordered.
 * Matches statsmodels' OrderedModel(distr="logit") — whose thresholds are reported as θ_1 and log increments; the
 * same fit — and R's MASS::polr.
 */
export const fitOrderedLogit = (
  design: Design,
  options: OrderedLogitOptions,
): Outcome<OrderedLogitFit, FitError> => {
  const outcome = weightedCategories(design, options.outcome, options.levels, options.weights, "ordinal")
  if ("error" in outcome) return fail(outcome.error)
  const { levels, codes, weights, n, counts } = outcome.value
  const J = levels.length
  const intercept = design.columns.indexOf("(Intercept)")
  // Slope index of each design column (−1: the intercept, which the thresholds replace).
  const slopeOf = new Int32Array(design.p)
  const columns: Array<string> = []
  for (let j = 0; j < design.p; j++) {
    slopeOf[j] = j === intercept ? -1 : columns.length
    if (j !== intercept) columns.push(design.columns[j]!)
  }
  const p = columns.length
  const T = J - 1
  const P = p + T
  if (n <= P) {
    return fail({
      _tag: "TooFewObservations",
      n,
      p: P,
      message: `${n} observations cannot identify ${P} parameters.`,
    })
  }
  const rank = rankDeficiency(design, weights)
  if (rank) return fail(rank)
  const { rowStart, columnIndex, values } = design

  const etaOf = (theta: ArrayLike<number>, i: number): number => {
    let eta = 0
    for (let a = rowStart[i]!; a < rowStart[i + 1]!; a++) {
      const s = slopeOf[columnIndex[a]!]!
      if (s >= 0) eta += values[a]! * theta[s]!
    }
    return eta
  }
  /** Log-likelihood; −Infinity when the thresholds are out of order. */
  const logLikelihoodAt = (theta: ArrayLike<number>): number => {
    for (let t = 1; t < T; t++) if (!(theta[p + t]! > theta[p + t - 1]!)) return Number.NEGATIVE_INFINITY
    let sum = 0
    for (let i = 0; i < design.n; i++) {
      const w = weights[i]!
      if (w === 0) continue
      const j = codes[i]!
      const eta = etaOf(theta, i)
      const upper = j < T ? theta[p + j]! - eta : Number.POSITIVE_INFINITY
      const lower = j > 0 ? theta[p + j - 1]! - eta : Number.NEGATIVE_INFINITY
      sum += w * Math.log(intervalProbability(lower, upper))
    }
    return sum
  }
  const derivatives = (
    theta: ArrayLike<number>,
    rowScores?: Float64Array,
  ): { information: Float64Array; score: Float64Array } => {
    const information = new Float64Array(P * P)
    const score = new Float64Array(P)
    const gradient = new Float64Array(P) // d a / d θ and d b / d θ share the slope part −x
    for (let i = 0; i < design.n; i++) {
      const w = weights[i]!
      if (w === 0) continue
      const j = codes[i]!
      const eta = etaOf(theta, i)
      const hasUpper = j < T
      const hasLower = j > 0
      const upper = hasUpper ? theta[p + j]! - eta : Number.POSITIVE_INFINITY
      const lower = hasLower ? theta[p + j - 1]! - eta : Number.NEGATIVE_INFINITY
      const probability = intervalProbability(lower, upper)
      const Fa = hasUpper ? logistic(upper) : 1
      const Fb = hasLower ? logistic(lower) : 0
      const fa = Fa * (1 - Fa)
      const fb = Fb * (1 - Fb)
      const dfa = fa * (1 - 2 * Fa)
      const dfb = fb * (1 - 2 * Fb)
      const la = fa / probability
      const lb = -fb / probability
      const laa = dfa / probability - la * la
      const lbb = -dfb / probability - lb * lb
      const lab = -la * lb
      // θ-gradient of a = θ_j − x'β and b = θ_{j−1} − x'β: a vector u (a) and v (b) over [slopes, thresholds].
      // Their slope parts are both −x; their threshold parts are unit vectors. Sum the rank-one pieces.
      gradient.fill(0)
      for (let s = rowStart[i]!; s < rowStart[i + 1]!; s++) {
        const k = slopeOf[columnIndex[s]!]!
        if (k >= 0) gradient[k] = -values[s]!
      }
      // score = la·u + lb·v
      for (let k = 0; k < p; k++) score[k]! += w * (la + lb) * gradient[k]!
      if (hasUpper) score[p + j]! += w * la
      if (hasLower) score[p + j - 1]! += w * lb
      if (rowScores) {
        for (let k = 0; k < p; k++) rowScores[i * P + k] = (la + lb) * gradient[k]!
        if (hasUpper) rowScores[i * P + p + j] = la
        if (hasLower) rowScores[i * P + p + j - 1] = lb
      }
      // −Hessian = −(laa uu' + lbb vv' + lab(uv' + vu'))
      const xx = laa + lbb + 2 * lab // coefficient of (−x)(−x)'
      const ua = laa + lab // coefficient of e_a (−x)' (and its transpose)
      const vb = lbb + lab
      for (let r = 0; r < p; r++) {
        const gr = gradient[r]!
        if (gr === 0) continue
        for (let c = 0; c < p; c++) information[r * P + c]! -= w * xx * gr * gradient[c]!
        if (hasUpper) {
          information[r * P + p + j]! -= w * ua * gr
          information[(p + j) * P + r]! -= w * ua * gr
        }
        if (hasLower) {
          information[r * P + p + j - 1]! -= w * vb * gr
          information[(p + j - 1) * P + r]! -= w * vb * gr
        }
      }
      if (hasUpper) information[(p + j) * P + p + j]! -= w * laa
      if (hasLower) information[(p + j - 1) * P + p + j - 1]! -= w * lbb
      if (hasUpper && hasLower) {
        information[(p + j) * P + p + j - 1]! -= w * lab
        information[(p + j - 1) * P + p + j]! -= w * lab
      }
    }
    return { information, score }
  }

  const theta = new Float64Array(P)
  let cumulative = 0
  for (let t = 0; t < T; t++) {
    cumulative += counts[t]!
    theta[p + t] = Math.log(cumulative / (n - cumulative))
  }
  // A warm start whose thresholds are out of order lies outside the parameter space: start from the null fit.
  if (options.start && logLikelihoodAt(options.start) > Number.NEGATIVE_INFINITY)
    for (let k = 0; k < P; k++) theta[k] = options.start[k]!
  const maxIterations = options.maxIterations ?? 100
  const { logLikelihood, converged, iterations } = newtonMaximise(
    { logLikelihood: logLikelihoodAt, derivatives: (at) => derivatives(at) },
    theta,
    { maxIterations, tolerance: options.tolerance ?? 1e-10, halvings: 60 },
  )
  const covarianceType = options.covariance ?? "classical"
  const rowScores = covarianceType === "classical" ? undefined : new Float64Array(design.n * P)
  const final = cholesky(derivatives(theta, rowScores).information, P)
  if (!converged || final.dependent.length > 0) {
    return fail({
      _tag: "NotConverged",
      iterations,
      message: `Newton–Raphson did not converge in ${maxIterations} iterations (a level predicted perfectly by a column separates the data: pool levels or drop the column).`,
    })
  }
  const inverse = choleskyInverse(final.factor, P)
  const covariance =
    covarianceType === "classical" ? inverse : scoreSandwich(inverse, rowScores!, weights, covarianceType)
  const alpha = options.alpha ?? 0.05
  const thresholdNames = levels.slice(0, T).map((level, t) => `${level}|${levels[t + 1]}`)
  const { coefficients, standardErrors } = waldTable(
    [...columns, ...thresholdNames],
    theta,
    covariance,
    alpha,
  )
  return succeed({
    family: "ordinal",
    link: "logit",
    levels,
    columns,
    coefficients: coefficients.slice(0, p),
    thresholds: coefficients.slice(p),
    estimates: theta,
    standardErrors,
    covariance,
    covarianceType,
    ...categoricalLikelihoodSummary(counts, n, logLikelihood, P),
    iterations,
    level: 1 - alpha,
  })
}

/** F(upper) − F(lower) for the logistic F, computed in the tail where it keeps its digits. */
const intervalProbability = (lower: number, upper: number): number => {
  if (lower === Number.NEGATIVE_INFINITY) return logistic(upper)
  if (upper === Number.POSITIVE_INFINITY) return logistic(-lower)
  return lower > 0 ? logistic(-lower) - logistic(-upper) : logistic(upper) - logistic(lower)
}
