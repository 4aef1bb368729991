import { waldTable } from "./coefficient-table.js"
import type { Design } from "./design.js"
import { normalQuantile } from "./distribution.js"
import {
  frequencyWeights,
  linearPredictorOf,
  rankDeficiency,
  separatingIndicators,
  weightedColumnSums,
  weightedCrossProduct,
} from "./kernels.js"
import { cholesky, choleskyInverse } from "./linear-algebra.js"
import { newtonMaximise } from "./newton.js"
import { logNormalCdf, normalCdfPrecise, normalDensity, normalHazardRatio } from "./normal.js"
import { fail, type Outcome, succeed } from "./outcome.js"
import { binaryOutcomeProblem, type Coefficient, type FitOptions } from "./regression.js"
import { binaryRobustCovariance, type HcType, type RobustError } from "./robust.js"

/** Which information matrix the classical covariance inverts. */
export type Information = "observed" | "expected"

export interface ProbitOptions extends FitOptions {
  /**
   * "observed" (default): the negative Hessian, as statsmodels' Probit and Stata. "expected": the Fisher
   * information X'WX with W = φ²/(Φ(1 − Φ)), as R's glm(binomial("probit")). Estimates are the same; SEs differ
   * slightly (about 1% on the Brader et al. model).
   */
  readonly information?: Information
  /** "classical" (default) or a heteroskedasticity-consistent sandwich (see robust.ts). */
  readonly covariance?: "classical" | HcType
  /** Convergence: the largest Newton step below this (default 1e-10). */
  readonly tolerance?: number
}

export interface ProbitFit {
  readonly family: "binomial"
  readonly link: "probit"
  readonly columns: ReadonlyArray<string>
  readonly coefficients: ReadonlyArray<Coefficient>
  readonly estimates: Float64Array
  readonly standardErrors: Float64Array
  /** Row-major p×p covariance of the estimates (classical or robust, as `covarianceType` says). */
  readonly covariance: Float64Array
  readonly information: Information
  readonly covarianceType: "classical" | HcType
  readonly n: number
  readonly logLikelihood: number
  readonly nullLogLikelihood: number
  /** McFadden's pseudo-R²: 1 − ℓ(model)/ℓ(intercept only). */
  readonly pseudoR2: number
  readonly iterations: number
  readonly level: number
}

/** Per-row probit quantities at η: log-likelihood, score scalar, observed and expected curvature. */
const probitRow = (eta: number, y: number) => {
  const q = 2 * y - 1
  const lambda = q * normalHazardRatio(q * eta)
  const cdf = normalCdfPrecise(eta)
  const upper = normalCdfPrecise(-eta)
  const density = normalDensity(eta)
  return {
    logLikelihood: logNormalCdf(q * eta),
    score: lambda,
    observed: lambda * (lambda + eta),
    expected: (density * density) / (cdf * upper),
  }
}

/**
 * Binary probit regression by Newton–Raphson on the observed information, with step halving. Rank deficiency,
 * separation, a constant or non-binary outcome are typed errors naming the columns, as for `fitLogit`.
 */
export const fitProbit = (design: Design, options: ProbitOptions = {}): Outcome<ProbitFit, RobustError> => {
  const y = options.y ?? design.y
  if (!y) return fail({ _tag: "InvalidOutcome", message: "No outcome was given for the fit." })
  const p = design.p
  const resolved = frequencyWeights(design, options.weights)
  if ("error" in resolved) return fail(resolved.error)
  const { weights, n } = resolved
  let positives = 0
  for (let i = 0; i < design.n; i++) {
    const value = y[i]!
    if (value !== 0 && value !== 1) {
      return fail({
        _tag: "InvalidOutcome",
        message: `A probit outcome must be 0 or 1; row ${i} holds ${value}.`,
      })
    }
    positives += weights[i]! * value
  }
  const problem = binaryOutcomeProblem(n, p, positives)
  if (problem) return fail(problem)
  const rank = rankDeficiency(design, weights)
  if (rank) return fail(rank)
  const separated = separatingIndicators(design, weights, y)
  if (separated.length > 0) {
    return fail({
      _tag: "Separation",
      kind: "quasi-complete",
      columns: separated,
      message: `Quasi-complete separation: within ${separated.join(", ")} every observation has the same outcome, so the estimate is infinite. Pool or drop ${separated.length === 1 ? "that level" : "those levels"}.`,
    })
  }

  const logLikelihoodAt = (eta: Float64Array): number => {
    let sum = 0
    for (let i = 0; i < design.n; i++)
      if (weights[i] !== 0) sum += weights[i]! * logNormalCdf((2 * y[i]! - 1) * eta[i]!)
    return sum
  }
  const mean = positives / n
  const beta = new Float64Array(p)
  if (options.start) for (let j = 0; j < p; j++) beta[j] = options.start[j]!
  else {
    const intercept = design.columns.indexOf("(Intercept)")
    if (intercept >= 0) beta[intercept] = normalQuantile(mean)
  }
  let eta = linearPredictorOf(design, beta)
  let candidateEta = eta
  const rowScore = new Float64Array(design.n)
  const rowCurvature = new Float64Array(design.n)
  const maxIterations = options.maxIterations ?? 100
  const { logLikelihood, converged, iterations, lastStep } = newtonMaximise(
    {
      logLikelihood: (candidate) => {
        candidateEta = linearPredictorOf(design, candidate)
        return logLikelihoodAt(candidateEta)
      },
      accept: () => {
        eta = candidateEta
      },
      derivatives: () => {
        for (let i = 0; i < design.n; i++) {
          const w = weights[i]!
          if (w === 0) continue
          const row = probitRow(eta[i]!, y[i]!)
          rowScore[i] = w * row.score
          rowCurvature[i] = w * row.observed
        }
        return {
          score: weightedColumnSums(design, rowScore),
          information: weightedCrossProduct(design, rowCurvature),
        }
      },
    },
    beta,
    { maxIterations, tolerance: options.tolerance ?? 1e-10, halvings: 50 },
  )
  let saturated = false
  for (let i = 0; i < design.n; i++) if (weights[i] !== 0 && Math.abs(eta[i]!) > 8.3) saturated = true
  if (!converged) {
    if (saturated) {
      const candidates = design.columns
        .map((term, j) => ({ term, size: Math.abs(lastStep[j]!) }))
        .filter((step) => step.term !== "(Intercept)")
      const largest = Math.max(0, ...candidates.map((step) => step.size))
      const columns = candidates
        .filter((step) => largest > 0 && step.size >= 0.2 * largest)
        .map((step) => step.term)
      return fail({
        _tag: "Separation",
        kind: "quasi-complete",
        columns,
        message: `Separation: fitted probabilities reach 0 or 1${columns.length > 0 ? ` along ${columns.join(", ")}` : ""}, so the maximum likelihood estimate does not exist.`,
      })
    }
    return fail({
      _tag: "NotConverged",
      iterations: maxIterations,
      message: `Newton–Raphson did not converge in ${maxIterations} iterations.`,
    })
  }

  const information = options.information ?? "observed"
  const covarianceType = options.covariance ?? "classical"
  let covariance: Float64Array
  if (covarianceType === "classical") {
    for (let i = 0; i < design.n; i++) {
      const w = weights[i]!
      if (w === 0) continue
      const row = probitRow(eta[i]!, y[i]!)
      rowCurvature[i] = w * (information === "observed" ? row.observed : row.expected)
    }
    const { factor, dependent } = cholesky(weightedCrossProduct(design, rowCurvature), p)
    if (dependent.length > 0) return fail(rankDeficiency(design, weights)!)
    covariance = choleskyInverse(factor, p)
  } else {
    const robust = binaryRobustCovariance(design, beta, "probit", covarianceType, { y, weights, information })
    if (!robust.ok) return robust
    covariance = robust.value
  }
  const alpha = options.alpha ?? 0.05
  const { coefficients, standardErrors } = waldTable(design.columns, beta, covariance, alpha)
  const nullLogLikelihood = n * (mean * Math.log(mean) + (1 - mean) * Math.log(1 - mean))
  return succeed({
    family: "binomial",
    link: "probit",
    columns: design.columns,
    coefficients,
    estimates: beta,
    standardErrors,
    covariance,
    information,
    covarianceType,
    n,
    logLikelihood,
    nullLogLikelihood,
    pseudoR2: 1 - logLikelihood / nullLogLikelihood,
    iterations,
    level: 1 - alpha,
  })
}
