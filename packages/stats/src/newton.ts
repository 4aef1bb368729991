import { maxAbs } from "./kernels.js"
import { cholesky, choleskySolve } from "./linear-algebra.js"

/**
 * A likelihood to maximise by Newton–Raphson. The fits keep per-row state (fitted probabilities, the linear
 * predictor) between calls: `logLikelihood` evaluates a candidate (−Infinity outside the parameter space) and may
 * stage its state; `accept` commits the state of the candidate last evaluated; `derivatives` is taken at the
 * accepted estimates.
 */
export interface NewtonProblem {
  readonly logLikelihood: (theta: Float64Array) => number
  readonly accept?: () => void
  /** The score and the information (minus the Hessian, row-major) at the accepted estimates `theta`. */
  readonly derivatives: (theta: Float64Array) => {
    readonly information: Float64Array
    readonly score: Float64Array
  }
}

export interface NewtonOptions {
  readonly maxIterations: number
  /** Convergence: the largest accepted step below this. */
  readonly tolerance: number
  /** How often a step may be halved before the likelihood is taken as numerically maximal. */
  readonly halvings: number
}

export interface NewtonResult {
  /** The accepted estimates (the start vector, updated in place). */
  readonly theta: Float64Array
  readonly logLikelihood: number
  readonly converged: boolean
  /** The information became singular (the iterations stopped there, not converged). */
  readonly singular: boolean
  /** Iterations run (the converging one included). */
  readonly iterations: number
  /** The last accepted step (after halving): where the estimates still move when they never settle. */
  readonly lastStep: Float64Array
}

/**
 * Newton–Raphson with step halving, shared by the probit, multinomial- and ordered-logit fits: each iteration
 * solves information · step = score by Cholesky and halves the step until the likelihood does not fall (to a
 * relative 1e-12). It stops converged when the largest step is below the tolerance, or when no halving ascends
 * (the likelihood is at its numerical maximum); it stops unconverged on a singular information or after
 * `maxIterations`.
 */
export const newtonMaximise = (
  problem: NewtonProblem,
  start: Float64Array,
  options: NewtonOptions,
): NewtonResult => {
  const theta = start
  const size = theta.length
  let logLikelihood = problem.logLikelihood(theta)
  problem.accept?.()
  let lastStep = new Float64Array(size)
  const candidate = new Float64Array(size)
  for (let iteration = 1; iteration <= options.maxIterations; iteration++) {
    const { information, score } = problem.derivatives(theta)
    const { factor, dependent } = cholesky(information, size)
    if (dependent.length > 0) {
      return { theta, logLikelihood, converged: false, singular: true, iterations: iteration, lastStep }
    }
    const step = choleskySolve(factor, size, score)
    let scale = 1
    let accepted = false
    for (let halving = 0; halving < options.halvings; halving++) {
      for (let j = 0; j < size; j++) candidate[j] = theta[j]! + scale * step[j]!
      const candidateLikelihood = problem.logLikelihood(candidate)
      if (candidateLikelihood >= logLikelihood - 1e-12 * Math.abs(logLikelihood)) {
        theta.set(candidate)
        problem.accept?.()
        logLikelihood = candidateLikelihood
        accepted = true
        break
      }
      scale /= 2
    }
    lastStep = step.map((value) => value * scale)
    if (!accepted || maxAbs(lastStep) < options.tolerance) {
      return { theta, logLikelihood, converged: true, singular: false, iterations: iteration, lastStep }
    }
  }
  return {
    theta,
    logLikelihood,
    converged: false,
    singular: false,
    iterations: options.maxIterations,
    lastStep,
  }
}
