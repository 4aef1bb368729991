import type { Design } from "./design.js"
import { frequencyWeights } from "./kernels.js"
import type { Coefficient, FitError } from "./regression.js"

/** A categorical outcome coded 0..K−1 in level order. */
export interface CodedOutcome {
  readonly levels: ReadonlyArray<string>
  readonly codes: Int32Array
}

const label = (value: string | number): string => (typeof value === "number" ? String(value) : value)

/**
 * Code per-row outcome values against `levels` (default: the distinct values, numbers in numeric order, else
 * strings in code-point order, as R's factor()). Missing values and values outside `levels` are errors that
 * name the row: drop them before fitting.
 */
export const codeOutcome = (
  outcome: ReadonlyArray<string | number | null | undefined>,
  rows: number,
  levels: ReadonlyArray<string> | undefined,
  what: string,
): { readonly coded: CodedOutcome } | { readonly error: FitError } => {
  if (outcome.length !== rows) {
    return {
      error: {
        _tag: "InvalidOutcome",
        message: `The ${what} outcome has ${outcome.length} values for ${rows} design rows; give one per design row (frame rows: design.rows).`,
      },
    }
  }
  for (let i = 0; i < rows; i++) {
    const value = outcome[i]
    if (
      value === null ||
      value === undefined ||
      value === "" ||
      (typeof value === "number" && !Number.isFinite(value))
    ) {
      return {
        error: {
          _tag: "InvalidOutcome",
          message: `Design row ${i} has no ${what} outcome; drop it before fitting.`,
        },
      }
    }
  }
  const present = outcome as ReadonlyArray<string | number>
  let order: Array<string>
  if (levels) order = [...levels]
  else if (present.every((value) => typeof value === "number")) {
    order = [...new Set(present as ReadonlyArray<number>)].sort((a, b) => a - b).map(String)
  } else order = [...new Set(present.map(label))].sort()
  if (new Set(order).size !== order.length) {
    return {
      error: {
        _tag: "InvalidOutcome",
        message: `The ${what} outcome's levels repeat a value: ${order.join(", ")}.`,
      },
    }
  }
  const index = new Map(order.map((level, k) => [level, k]))
  const codes = new Int32Array(rows)
  for (let i = 0; i < rows; i++) {
    const code = index.get(label(present[i]!))
    if (code === undefined) {
      return {
        error: {
          _tag: "InvalidOutcome",
          message: `Design row ${i} has ${what} outcome "${label(present[i]!)}", not one of the levels ${order.map((l) => `"${l}"`).join(", ")}.`,
        },
      }
    }
    codes[i] = code
  }
  return { coded: { levels: order, codes } }
}

/** A categorical outcome with its frequency weights, ready for a likelihood fit. */
export interface WeightedCategories extends CodedOutcome {
  readonly weights: Float64Array
  /** The sum of the weights. */
  readonly n: number
  /** The weighted count of each level, in level order. */
  readonly counts: ReadonlyArray<number>
}

/**
 * Code a categorical outcome (see codeOutcome) and weigh it: fewer than two levels is a constant outcome, and a
 * level that no (weighted) row holds cannot be estimated. Shared by the multinomial and ordered logit.
 */
export const weightedCategories = (
  design: Design,
  outcome: ReadonlyArray<string | number | null | undefined>,
  levels: ReadonlyArray<string> | undefined,
  weights: ArrayLike<number> | undefined,
  what: string,
): { readonly value: WeightedCategories } | { readonly error: FitError } => {
  const coded = codeOutcome(outcome, design.n, levels, what)
  if ("error" in coded) return coded
  const { levels: order, codes } = coded.coded
  if (order.length < 2) {
    return {
      error: {
        _tag: "ConstantOutcome",
        value: 0,
        message: `Every observation is "${order[0]}": nothing to model.`,
      },
    }
  }
  const resolved = frequencyWeights(design, weights)
  if ("error" in resolved) return resolved
  const counts = new Array<number>(order.length).fill(0)
  for (let i = 0; i < design.n; i++) counts[codes[i]!]! += resolved.weights[i]!
  const empty = order.filter((_, k) => counts[k] === 0)
  if (empty.length > 0) {
    return {
      error: {
        _tag: "InvalidOutcome",
        message: `No observation has the ${what} outcome level ${empty.map((c) => `"${c}"`).join(", ")}: leave it out of the levels (or merge it).`,
      },
    }
  }
  return { value: { levels: order, codes, weights: resolved.weights, n: resolved.n, counts } }
}

/** What the multinomial and ordered logit fits report besides their coefficients. */
export interface CategoricalFitSummary {
  readonly estimates: Float64Array
  readonly standardErrors: Float64Array
  /** Row-major covariance of `estimates`, as `covarianceType` says. */
  readonly covariance: Float64Array
  readonly covarianceType: "classical" | "HC0" | "HC1"
  /** Weighted count of each outcome level, in level order. */
  readonly counts: ReadonlyArray<number>
  readonly n: number
  readonly logLikelihood: number
  /** The null (intercepts- or thresholds-only) log-likelihood Σ n_k log(n_k / n). */
  readonly nullLogLikelihood: number
  /** Residual deviance −2ℓ (what R's multinom and polr print). */
  readonly deviance: number
  /** McFadden's pseudo-R²: 1 − ℓ/ℓ₀. */
  readonly pseudoR2: number
  /** −2ℓ + 2·(number of parameters). */
  readonly aic: number
  readonly iterations: number
  readonly level: number
  /** Wald rows of every parameter, as the fit orders them. */
  readonly coefficients: ReadonlyArray<Coefficient>
}

/** Options the multinomial and ordered logit fits share. */
export interface CategoricalFitOptions {
  /** The outcome of each design row (frame values at `design.rows`). */
  readonly outcome: ReadonlyArray<string | number | null | undefined>
  /** Frequency weights: weight w counts a row w times. */
  readonly weights?: ArrayLike<number>
  /** Starting estimates in the fit's `estimates` order (a warm start, e.g. the full-sample fit in a bootstrap). */
  readonly start?: ArrayLike<number>
  /** 1 − confidence level of the reported intervals (default 0.05). */
  readonly alpha?: number
  readonly maxIterations?: number
  /** Convergence: the largest Newton step below this (default 1e-10). */
  readonly tolerance?: number
  /**
   * "classical" (default): the inverse information. "HC0": the sandwich with per-row score vectors, as
   * statsmodels' MNLogit and OrderedModel with cov_type="HC0"; "HC1" scales it by n/(n − P), P the parameters.
   */
  readonly covariance?: "classical" | "HC0" | "HC1"
}

/**
 * The likelihood figures of a categorical fit with `parameters` estimates: the null model (intercepts or thresholds
 * only) fits the observed shares, so ℓ₀ = Σ n_k log(n_k / n).
 */
export const categoricalLikelihoodSummary = (
  counts: ReadonlyArray<number>,
  n: number,
  logLikelihood: number,
  parameters: number,
) => {
  let nullLogLikelihood = 0
  for (const count of counts) nullLogLikelihood += count * Math.log(count / n)
  return {
    counts,
    n,
    logLikelihood,
    nullLogLikelihood,
    deviance: -2 * logLikelihood,
    pseudoR2: 1 - logLikelihood / nullLogLikelihood,
    aic: -2 * logLikelihood + 2 * parameters,
  }
}
