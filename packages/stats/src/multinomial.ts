import {
  type CategoricalFitOptions,
  type CategoricalFitSummary,
  categoricalLikelihoodSummary,
  weightedCategories,
} from "./categorical-outcome.js"
import { waldTable } from "./coefficient-table.js"
import type { Design } from "./design.js"
import { maxAbs, rankDeficiency } from "./kernels.js"
import { cholesky, choleskyInverse } from "./linear-algebra.js"
import { newtonMaximise } from "./newton.js"
import { fail, type Outcome, succeed } from "./outcome.js"
import type { Coefficient, FitError } from "./regression.js"
import { scoreSandwich } from "./robust.js"

export interface MultinomialLogitOptions extends CategoricalFitOptions {
  /** Category order (default: sorted distinct values). */
  readonly levels?: ReadonlyArray<string>
  /** The baseline category (default: the first level, as R's nnet::multinom and statsmodels' MNLogit). */
  readonly reference?: string
}

export interface MultinomialEquation {
  /** The category this equation's log-odds (against the reference) are of. */
  readonly category: string
  readonly coefficients: ReadonlyArray<Coefficient>
}

export interface MultinomialLogitFit extends Omit<CategoricalFitSummary, "coefficients"> {
  readonly family: "multinomial"
  /** Every category, in level order (the reference included). */
  readonly categories: ReadonlyArray<string>
  readonly reference: string
  readonly columns: ReadonlyArray<string>
  /** One equation per non-reference category, in level order. */
  readonly equations: ReadonlyArray<MultinomialEquation>
  /** Equation-major: estimates[k·p + j] is column j of equation k. */
  readonly estimates: Float64Array
}

/**
 * Baseline-category multinomial logit by Newton–Raphson on the full (K − 1)p Hessian, with step halving.
 * Matches statsmodels' MNLogit and R's nnet::multinom (at convergence): Wald SEs from the inverse information.
 */
export const fitMultinomialLogit = (
  design: Design,
  options: MultinomialLogitOptions,
): Outcome<MultinomialLogitFit, FitError> => {
  const outcome = weightedCategories(design, options.outcome, options.levels, options.weights, "multinomial")
  if ("error" in outcome) return fail(outcome.error)
  const { levels: categories, codes, weights, n, counts } = outcome.value
  const reference = options.reference ?? categories[0]!
  const referenceIndex = categories.indexOf(reference)
  if (referenceIndex < 0) {
    return fail({
      _tag: "InvalidOutcome",
      message: `The reference category "${reference}" is not one of the levels ${categories.join(", ")}.`,
    })
  }
  // The equations keep level order; the reference has none.
  const others = categories.filter((_, k) => k !== referenceIndex)
  const K = categories.length
  const equationOf = new Int32Array(K) // category code → equation index, −1 for the reference
  let next = 0
  for (let k = 0; k < K; k++) equationOf[k] = k === referenceIndex ? -1 : next++
  const { p, rowStart, columnIndex, values } = design
  const E = K - 1
  const P = E * p
  if (n <= P) {
    return fail({
      _tag: "TooFewObservations",
      n,
      p: P,
      message: `${n} observations cannot identify ${P} coefficients.`,
    })
  }
  const rank = rankDeficiency(design, weights)
  if (rank) return fail(rank)

  const probabilities = new Float64Array(design.n * E)
  /** Fill the fitted probabilities of the non-reference categories; return the log-likelihood. */
  const evaluate = (beta: ArrayLike<number>, out: Float64Array): number => {
    let sum = 0
    const eta = new Float64Array(E)
    for (let i = 0; i < design.n; i++) {
      eta.fill(0)
      for (let a = rowStart[i]!; a < rowStart[i + 1]!; a++) {
        const j = columnIndex[a]!
        const v = values[a]!
        for (let e = 0; e < E; e++) eta[e]! += v * beta[e * p + j]!
      }
      let largest = 0
      for (let e = 0; e < E; e++) largest = Math.max(largest, eta[e]!)
      let total = Math.exp(-largest)
      for (let e = 0; e < E; e++) total += Math.exp(eta[e]! - largest)
      const logTotal = largest + Math.log(total)
      for (let e = 0; e < E; e++) out[i * E + e] = Math.exp(eta[e]! - logTotal)
      const w = weights[i]!
      if (w === 0) continue
      const equation = equationOf[codes[i]!]!
      sum += w * ((equation < 0 ? 0 : eta[equation]!) - logTotal)
    }
    return sum
  }
  const informationAndScore = (): { information: Float64Array; score: Float64Array } => {
    // At the accepted estimates, whose fitted probabilities `probabilities` holds.
    const information = new Float64Array(P * P)
    const score = new Float64Array(P)
    for (let i = 0; i < design.n; i++) {
      const w = weights[i]!
      if (w === 0) continue
      const start = rowStart[i]!
      const end = rowStart[i + 1]!
      const equation = equationOf[codes[i]!]!
      for (let k = 0; k < E; k++) {
        const pk = probabilities[i * E + k]!
        const residual = w * ((equation === k ? 1 : 0) - pk)
        for (let a = start; a < end; a++) score[k * p + columnIndex[a]!]! += residual * values[a]!
        for (let l = k; l < E; l++) {
          const c = w * pk * ((k === l ? 1 : 0) - probabilities[i * E + l]!)
          if (c === 0) continue
          for (let a = start; a < end; a++) {
            const row = (k * p + columnIndex[a]!) * P + l * p
            const ca = c * values[a]!
            for (let b = start; b < end; b++) information[row + columnIndex[b]!]! += ca * values[b]!
          }
        }
      }
    }
    // The blocks (k, l ≥ k) are filled; mirror them into (l, k).
    for (let r = 0; r < P; r++)
      for (let c = 0; c < P; c++)
        if (Math.floor(c / p) < Math.floor(r / p)) information[r * P + c] = information[c * P + r]!
    return { information, score }
  }

  const beta = new Float64Array(P)
  if (options.start) for (let j = 0; j < P; j++) beta[j] = options.start[j]!
  else {
    const intercept = design.columns.indexOf("(Intercept)")
    if (intercept >= 0)
      for (let k = 0; k < K; k++)
        if (equationOf[k]! >= 0)
          beta[equationOf[k]! * p + intercept] = Math.log(counts[k]! / counts[referenceIndex]!)
  }
  const trial = new Float64Array(design.n * E)
  const result = newtonMaximise(
    {
      logLikelihood: (candidate) => evaluate(candidate, trial),
      accept: () => probabilities.set(trial),
      derivatives: informationAndScore,
    },
    beta,
    { maxIterations: options.maxIterations ?? 100, tolerance: options.tolerance ?? 1e-10, halvings: 50 },
  )
  const { logLikelihood, iterations, lastStep } = result
  if (!result.converged) {
    let saturated = false
    for (let i = 0; i < probabilities.length; i++)
      if (probabilities[i]! < 1e-10 || probabilities[i]! > 1 - 1e-10) saturated = true
    if (saturated) {
      const largest = maxAbs(lastStep)
      const columns: Array<string> = []
      for (let e = 0; e < E; e++)
        for (let j = 0; j < p; j++)
          if (design.columns[j] !== "(Intercept)" && Math.abs(lastStep[e * p + j]!) >= 0.2 * largest)
            columns.push(`${others[e]}:${design.columns[j]}`)
      return fail({
        _tag: "Separation",
        kind: "quasi-complete",
        columns,
        message: `Separation: some fitted category probabilities reach 0 or 1${columns.length > 0 ? ` (along ${columns.join(", ")})` : ""}, so the maximum likelihood estimate does not exist; pool sparse categories or levels.`,
      })
    }
    return fail({
      _tag: "NotConverged",
      iterations,
      message: `Newton–Raphson did not converge in ${iterations} iterations.`,
    })
  }
  // The information at the final estimates.
  const { information } = informationAndScore()
  const final = cholesky(information, P)
  if (final.dependent.length > 0) {
    return fail({
      _tag: "NotConverged",
      iterations,
      message: "The information matrix is singular at the estimates.",
    })
  }
  const inverse = choleskyInverse(final.factor, P)
  const covarianceType = options.covariance ?? "classical"
  let covariance = inverse
  if (covarianceType !== "classical") {
    const scores = new Float64Array(design.n * P)
    for (let i = 0; i < design.n; i++) {
      const equation = equationOf[codes[i]!]!
      for (let k = 0; k < E; k++) {
        const residual = (equation === k ? 1 : 0) - probabilities[i * E + k]!
        for (let a = rowStart[i]!; a < rowStart[i + 1]!; a++)
          scores[i * P + k * p + columnIndex[a]!] = residual * values[a]!
      }
    }
    covariance = scoreSandwich(inverse, scores, weights, covarianceType)
  }
  const alpha = options.alpha ?? 0.05
  const terms = others.flatMap((category) => design.columns.map((column) => `${category}:${column}`))
  const { coefficients, standardErrors } = waldTable(terms, beta, covariance, alpha)
  const equations = others.map((category, e) => ({
    category,
    coefficients: coefficients
      .slice(e * p, (e + 1) * p)
      .map((row, j) => ({ ...row, term: design.columns[j]! })),
  }))
  return succeed({
    family: "multinomial",
    categories,
    reference,
    columns: design.columns,
    equations,
    estimates: beta,
    standardErrors,
    covariance,
    covarianceType,
    ...categoricalLikelihoodSummary(counts, n, logLikelihood, P),
    iterations,
    level: 1 - alpha,
  })
}
