import { waldTable } from "./coefficient-table.js"
import type { Design } from "./design.js"
import { cholesky, choleskyInverse, choleskySolve } from "./linear-algebra.js"
import { fail, type Outcome, succeed } from "./outcome.js"

export interface Coefficient {
  readonly term: string
  readonly estimate: number
  readonly se: number
  /** t (OLS) or z (logit). */
  readonly statistic: number
  readonly p: number
  readonly lower: number
  readonly upper: number
}

interface FitBase {
  readonly columns: ReadonlyArray<string>
  readonly coefficients: ReadonlyArray<Coefficient>
  readonly estimates: Float64Array
  readonly standardErrors: Float64Array
  /** Row-major p×p covariance of the estimates. */
  readonly covariance: Float64Array
  /** Observations (the sum of the weights). */
  readonly n: number
  readonly logLikelihood: number
  readonly level: number
}

export interface LogitFit extends FitBase {
  readonly family: "binomial"
  readonly nullLogLikelihood: number
  /** McFadden's pseudo-R²: 1 − ℓ(model)/ℓ(intercept only). */
  readonly pseudoR2: number
  readonly iterations: number
}

export interface OlsFit extends FitBase {
  readonly family: "gaussian"
  readonly rSquared: number
  readonly adjustedRSquared: number
  readonly residualDf: number
  readonly sigma: number
}

export type FitError =
  | { readonly _tag: "RankDeficient"; readonly columns: ReadonlyArray<string>; readonly message: string }
  | {
      readonly _tag: "Separation"
      readonly kind: "complete" | "quasi-complete"
      readonly columns: ReadonlyArray<string>
      readonly message: string
    }
  | { readonly _tag: "ConstantOutcome"; readonly value: number; readonly message: string }
  | { readonly _tag: "InvalidOutcome"; readonly message: string }
  | { readonly _tag: "TooFewObservations"; readonly n: number; readonly p: number; readonly message: string }
  | { readonly _tag: "NotConverged"; readonly iterations: number; readonly message: string }

export interface FitOptions {
  /** Frequency weights (e.g. bootstrap multiplicities): weight w counts a row w times; 0 leaves it out. */
  readonly weights?: ArrayLike<number>
  /** The outcome; defaults to the design's own. */
  readonly y?: ArrayLike<number>
  /** Starting estimates for IRLS (warm start, e.g. the full-sample fit inside a bootstrap). */
  readonly start?: ArrayLike<number>
  /** 1 − confidence level of the reported intervals (default 0.05). */
  readonly alpha?: number
  readonly maxIterations?: number
}

const rankDeficient = (design: Design, dependent: ReadonlyArray<number>): FitError => {
  const columns = dependent.map((index) => design.columns[index]!)
  return {
    _tag: "RankDeficient",
    columns,
    message: `The design is rank deficient: ${columns.join(", ")} ${columns.length === 1 ? "is a linear combination" : "are linear combinations"} of earlier columns (or constant zero); drop or pool ${columns.length === 1 ? "it" : "them"}.`,
  }
}

/** Accumulate X'DX (full symmetric) and X'Dv over the sparse rows, skipping rows with zero weight. */
const crossProducts = (
  design: Design,
  rowWeight: Float64Array,
  rowValue: Float64Array | null,
  xtx: Float64Array,
  xtv: Float64Array,
): void => {
  const { p, rowStart, columnIndex, values } = design
  xtx.fill(0)
  xtv.fill(0)
  for (let i = 0; i < design.n; i++) {
    const weight = rowWeight[i]!
    if (weight === 0) continue
    const start = rowStart[i]!
    const end = rowStart[i + 1]!
    const value = rowValue ? rowValue[i]! : 0
    for (let a = start; a < end; a++) {
      const ja = columnIndex[a]!
      const wa = weight * values[a]!
      xtv[ja]! += wa * value
      const base = ja * p
      for (let b = a; b < end; b++) xtx[base + columnIndex[b]!]! += wa * values[b]!
    }
  }
  // columnIndex is ascending within a row, so the upper triangle was filled; mirror it.
  for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) xtx[j * p + i] = xtx[i * p + j]!
}

/** Xβ over the rows of non-zero weight; a row flagged in `unit` (every value 1) sums its coefficients (1·β is β). */
const linearPredictor = (
  design: Design,
  beta: ArrayLike<number>,
  weights: Float64Array,
  out: Float64Array,
  unit?: Uint8Array,
) => {
  const { rowStart, columnIndex, values } = design
  for (let i = 0; i < design.n; i++) {
    if (weights[i] === 0) continue
    let sum = 0
    if (unit !== undefined && unit[i] === 1)
      for (let a = rowStart[i]!; a < rowStart[i + 1]!; a++) sum += beta[columnIndex[a]!]!
    else for (let a = rowStart[i]!; a < rowStart[i + 1]!; a++) sum += values[a]! * beta[columnIndex[a]!]!
    out[i] = sum
  }
}

const resolveWeights = (design: Design, options: FitOptions): Float64Array => {
  const weights = new Float64Array(design.n)
  if (options.weights) for (let i = 0; i < design.n; i++) weights[i] = options.weights[i]!
  else weights.fill(1)
  return weights
}

const resolveOutcome = (design: Design, options: FitOptions): ArrayLike<number> | null =>
  options.y ?? design.y

/** Ordinary (frequency-weighted) least squares with classical standard errors, t tests and t intervals. */
export const fitOls = (design: Design, options: FitOptions = {}): Outcome<OlsFit, FitError> => {
  const y = resolveOutcome(design, options)
  if (!y) return fail({ _tag: "InvalidOutcome", message: "No outcome was given for the fit." })
  const weights = resolveWeights(design, options)
  const p = design.p
  let n = 0
  for (let i = 0; i < design.n; i++) n += weights[i]!
  if (n <= p) {
    return fail({
      _tag: "TooFewObservations",
      n,
      p,
      message: `${n} observations cannot identify ${p} coefficients.`,
    })
  }
  const yValues = Float64Array.from({ length: design.n }, (_, i) => y[i]!)
  const xtx = new Float64Array(p * p)
  const xty = new Float64Array(p)
  crossProducts(design, weights, yValues, xtx, xty)
  const { factor, dependent } = cholesky(xtx, p)
  if (dependent.length > 0) return fail(rankDeficient(design, dependent))
  const estimates = choleskySolve(factor, p, xty)
  const fitted = new Float64Array(design.n)
  linearPredictor(design, estimates, weights, fitted)
  let mean = 0
  for (let i = 0; i < design.n; i++) mean += weights[i]! * yValues[i]!
  mean /= n
  let ssr = 0
  let sst = 0
  for (let i = 0; i < design.n; i++) {
    const weight = weights[i]!
    if (weight === 0) continue
    ssr += weight * (yValues[i]! - fitted[i]!) ** 2
    sst += weight * (design.hasIntercept ? (yValues[i]! - mean) ** 2 : yValues[i]! ** 2)
  }
  const residualDf = n - p
  const sigma2 = ssr / residualDf
  const inverse = choleskyInverse(factor, p)
  const covariance = inverse.map((value) => value * sigma2)
  const alpha = options.alpha ?? 0.05
  const { coefficients, standardErrors } = waldTable(design.columns, estimates, covariance, alpha, residualDf)
  const rSquared = sst > 0 ? 1 - ssr / sst : 0
  const constantTerms = design.hasIntercept ? 1 : 0
  return succeed({
    family: "gaussian",
    columns: design.columns,
    coefficients,
    estimates,
    standardErrors,
    covariance,
    n,
    logLikelihood: (-n / 2) * (Math.log(2 * Math.PI) + Math.log(ssr / n) + 1),
    level: 1 - alpha,
    rSquared,
    adjustedRSquared: 1 - ((1 - rSquared) * (n - constantTerms)) / residualDf,
    residualDf,
    sigma: Math.sqrt(sigma2),
  })
}

/** log(1 + e^x) without overflow. */
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))

/**
 * Identical design rows pooled into one (a design of dummies repeats rows a lot). A logistic likelihood only
 * sees a row's trials and successes, so fitting the pooled rows with summed weights is the same fit, on fewer rows.
 */
interface Pooled {
  readonly design: Design
  readonly groupOf: Int32Array
  /** Per column: whether every value is 0 or 1 (a candidate for the separation check). */
  readonly binary: Uint8Array
  /**
   * The first row of the design's own outcome that is not 0 or 1 (-1 when none; -2 until first needed): checked
   * once per design instead of on every refit.
   */
  invalidOutcomeRow: number
  /** Scratch buffers of one fit on this design, reused by the next (fits are synchronous, one at a time). */
  scratch: LogitScratch | undefined
  /** The information matrix's cells each row adds to (see unitPairsOf), once first needed. */
  unitPairs: UnitPairs | undefined
}

/**
 * For each pooled row whose values are all exactly 1 (a row of dummies), the flat indices of the upper-triangle
 * cells of X'WX it adds to, in the order the general loop visits them: such a row adds its curvature itself to
 * each (c·1·1 is c exactly), so the sums, and their order, are the same without the multiplications.
 */
interface UnitPairs {
  /** Per row: 1 when every value is 1. */
  readonly unit: Uint8Array
  /** Per row, where its cells start in `cell` (rows + 1 entries; a row that is not unit lists none). */
  readonly start: Int32Array
  readonly cell: Int32Array
}

const unitPairsOf = (pooled: Pooled): UnitPairs => {
  if (pooled.unitPairs !== undefined) return pooled.unitPairs
  const { n, p, rowStart, columnIndex, values } = pooled.design
  const unit = new Uint8Array(n)
  const start = new Int32Array(n + 1)
  const cells: Array<number> = []
  for (let g = 0; g < n; g++) {
    start[g] = cells.length
    const from = rowStart[g]!
    const to = rowStart[g + 1]!
    let ones = true
    for (let a = from; a < to; a++) if (values[a] !== 1) ones = false
    if (!ones) continue
    unit[g] = 1
    for (let a = from; a < to; a++) {
      const base = columnIndex[a]! * p
      for (let b = a; b < to; b++) cells.push(base + columnIndex[b]!)
    }
  }
  start[n] = cells.length
  pooled.unitPairs = { unit, start, cell: Int32Array.from(cells) }
  return pooled.unitPairs
}

/** Working arrays of one logit fit, sized for a pooled design; nothing in them outlives the fit. */
interface LogitScratch {
  readonly trials: Float64Array
  readonly successes: Float64Array
  readonly eta: Float64Array
  readonly trial: Float64Array
  readonly information: Float64Array
  readonly score: Float64Array
  readonly lastStep: Float64Array
  readonly candidate: Float64Array
}

const scratchOf = (pooled: Pooled): LogitScratch => {
  if (pooled.scratch !== undefined) return pooled.scratch
  const rows = pooled.design.n
  const p = pooled.design.p
  pooled.scratch = {
    trials: new Float64Array(rows),
    successes: new Float64Array(rows),
    eta: new Float64Array(rows),
    trial: new Float64Array(rows),
    information: new Float64Array(p * p),
    score: new Float64Array(p),
    lastStep: new Float64Array(p),
    candidate: new Float64Array(p),
  }
  return pooled.scratch
}

/** The first row of `y` (n rows) that is neither 0 nor 1, or -1. */
const firstInvalidOutcome = (y: ArrayLike<number>, n: number): number => {
  for (let i = 0; i < n; i++) {
    const value = y[i]!
    if (value !== 0 && value !== 1) return i
  }
  return -1
}

const pooledCache = new WeakMap<Design, Pooled>()

const pool = (design: Design): Pooled => {
  const cached = pooledCache.get(design)
  if (cached) return cached
  const { n, p, rowStart, columnIndex, values } = design
  const groups = new Map<string, number>()
  const groupOf = new Int32Array(n)
  const representatives: Array<number> = []
  for (let i = 0; i < n; i++) {
    let key = ""
    for (let a = rowStart[i]!; a < rowStart[i + 1]!; a++) key += `${columnIndex[a]}:${values[a]},`
    let group = groups.get(key)
    if (group === undefined) {
      group = representatives.length
      groups.set(key, group)
      representatives.push(i)
    }
    groupOf[i] = group
  }
  const g = representatives.length
  const x = new Float64Array(g * p)
  representatives.forEach((row, group) => {
    x.set(design.x.subarray(row * p, (row + 1) * p), group * p)
  })
  const binary = new Uint8Array(p).fill(1)
  for (let a = 0; a < values.length; a++) if (values[a] !== 1) binary[columnIndex[a]!] = 0
  // Rebuild the CSR arrays of the representatives contiguously.
  let cursor = 0
  const starts = new Int32Array(g + 1)
  const count = representatives.reduce((sum, row) => sum + rowStart[row + 1]! - rowStart[row]!, 0)
  const pooledColumns = new Int32Array(count)
  const pooledValues = new Float64Array(count)
  representatives.forEach((row, group) => {
    starts[group] = cursor
    for (let a = rowStart[row]!; a < rowStart[row + 1]!; a++) {
      pooledColumns[cursor] = columnIndex[a]!
      pooledValues[cursor++] = values[a]!
    }
  })
  starts[g] = cursor
  const result: Pooled = {
    design: {
      ...design,
      n: g,
      x,
      rowStart: starts,
      columnIndex: pooledColumns,
      values: pooledValues,
      y: null,
      rows: Int32Array.from(representatives),
    },
    groupOf,
    binary,
    invalidOutcomeRow: -2,
    scratch: undefined,
    unitPairs: undefined,
  }
  pooledCache.set(design, result)
  return result
}

/**
 * A 0/1 column whose rows (where it is 1, or — with an intercept — where it is 0) all share one outcome lets
 * the likelihood grow without bound along that column: quasi-complete separation, named before any iteration.
 */
/**
 * What stops a binary-outcome model before it is fitted: too few (weighted) observations for its coefficients, or
 * an outcome that never varies. Shared by the logit and probit fits.
 */
export const binaryOutcomeProblem = (n: number, p: number, positives: number): FitError | null => {
  if (n <= p)
    return {
      _tag: "TooFewObservations",
      n,
      p,
      message: `${n} observations cannot identify ${p} coefficients.`,
    }
  if (positives === 0 || positives === n) {
    const value = positives === 0 ? 0 : 1
    return {
      _tag: "ConstantOutcome",
      value,
      message: `Every observation has outcome ${value}: nothing to model.`,
    }
  }
  return null
}

const separatingIndicators = (
  pooled: Pooled,
  trials: Float64Array,
  successes: Float64Array,
): Array<string> => {
  const { design, binary } = pooled
  const { p, rowStart, columnIndex } = design
  const onesTrials = new Float64Array(p)
  const onesSuccesses = new Float64Array(p)
  let totalTrials = 0
  let totalSuccesses = 0
  for (let g = 0; g < design.n; g++) {
    const w = trials[g]!
    if (w === 0) continue
    totalTrials += w
    totalSuccesses += successes[g]!
    for (let a = rowStart[g]!; a < rowStart[g + 1]!; a++) {
      onesTrials[columnIndex[a]!]! += w
      onesSuccesses[columnIndex[a]!]! += successes[g]!
    }
  }
  const found: Array<string> = []
  for (let j = 0; j < p; j++) {
    if (!binary[j] || design.columns[j] === "(Intercept)") continue
    const ones = onesTrials[j]!
    const onesPositive = onesSuccesses[j]!
    const zeros = totalTrials - ones
    const zerosPositive = totalSuccesses - onesPositive
    const onesPure = ones > 0 && (onesPositive === 0 || onesPositive === ones)
    const zerosPure = design.hasIntercept && zeros > 0 && (zerosPositive === 0 || zerosPositive === zeros)
    if (onesPure || zerosPure) found.push(design.columns[j]!)
  }
  return found
}

const pooledLogLikelihood = (eta: Float64Array, trials: Float64Array, successes: Float64Array): number => {
  let sum = 0
  for (let g = 0; g < eta.length; g++) {
    const w = trials[g]!
    if (w === 0) continue
    sum += successes[g]! * eta[g]! - w * softplus(eta[g]!)
  }
  return sum
}

/**
 * One Newton step's information matrix X'WX and score X'(s − wμ), fused over the pooled rows. A row of dummies
 * (every value 1) adds its curvature and residual themselves, through its precomputed cells (see UnitPairs).
 */
const informationAndScore = (
  design: Design,
  pairs: UnitPairs,
  eta: Float64Array,
  trials: Float64Array,
  successes: Float64Array,
  information: Float64Array,
  score: Float64Array,
): void => {
  const { p, rowStart, columnIndex, values } = design
  const { unit, start: pairStart, cell } = pairs
  information.fill(0)
  score.fill(0)
  for (let g = 0; g < design.n; g++) {
    const w = trials[g]!
    if (w === 0) continue
    const mu = 1 / (1 + Math.exp(-eta[g]!))
    const curvature = w * mu * (1 - mu)
    const residual = successes[g]! - w * mu
    const start = rowStart[g]!
    const end = rowStart[g + 1]!
    if (unit[g] === 1) {
      for (let a = start; a < end; a++) score[columnIndex[a]!]! += residual
      const last = pairStart[g + 1]!
      for (let k = pairStart[g]!; k < last; k++) information[cell[k]!]! += curvature
      continue
    }
    for (let a = start; a < end; a++) {
      const ja = columnIndex[a]!
      const va = values[a]!
      score[ja]! += residual * va
      const ca = curvature * va
      const base = ja * p
      for (let b = a; b < end; b++) information[base + columnIndex[b]!]! += ca * values[b]!
    }
  }
  for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) information[j * p + i] = information[i * p + j]!
}

export interface LogitOptions extends FitOptions {
  /** Convergence: the largest Newton step below this (default 1e-10; a bootstrap refit can use 1e-6). */
  readonly tolerance?: number
}

/**
 * Logistic regression by iteratively reweighted least squares (Newton–Raphson on the canonical link, with
 * step halving), Wald standard errors from the inverse information, z tests and normal intervals. Separation
 * (complete or quasi-complete), rank deficiency and a constant outcome are typed errors that name the columns.
 */
export const fitLogit = (design: Design, options: LogitOptions = {}): Outcome<LogitFit, FitError> => {
  const yIn = resolveOutcome(design, options)
  if (!yIn) return fail({ _tag: "InvalidOutcome", message: "No outcome was given for the fit." })
  const p = design.p
  const pooled = pool(design)
  const rows = pooled.design.n
  // The outcome's 0/1 check: once per design for its own outcome, on every call for a given one.
  let invalid: number
  if (yIn === design.y) {
    if (pooled.invalidOutcomeRow === -2) pooled.invalidOutcomeRow = firstInvalidOutcome(yIn, design.n)
    invalid = pooled.invalidOutcomeRow
  } else invalid = firstInvalidOutcome(yIn, design.n)
  if (invalid >= 0) {
    return fail({
      _tag: "InvalidOutcome",
      message: `A logistic outcome must be 0 or 1; row ${invalid} holds ${yIn[invalid]!}.`,
    })
  }
  const scratch = scratchOf(pooled)
  const { trials, successes, information, score, lastStep, candidate } = scratch
  const pairs = unitPairsOf(pooled)
  trials.fill(0)
  successes.fill(0)
  let n = 0
  let positives = 0
  const groupOf = pooled.groupOf
  const rowWeights = options.weights
  if (rowWeights === undefined) {
    for (let i = 0; i < design.n; i++) {
      const value = yIn[i]!
      const group = groupOf[i]!
      trials[group]! += 1
      successes[group]! += value
      n += 1
      positives += value
    }
  } else {
    for (let i = 0; i < design.n; i++) {
      const weight = rowWeights[i]!
      if (weight === 0) continue
      const value = yIn[i]!
      const group = groupOf[i]!
      trials[group]! += weight
      successes[group]! += weight * value
      n += weight
      positives += weight * value
    }
  }
  const problem = binaryOutcomeProblem(n, p, positives)
  if (problem) return fail(problem)
  const checkRank = (): FitError | null => {
    const xtx = new Float64Array(p * p)
    crossProducts(pooled.design, trials, null, xtx, new Float64Array(p))
    const { dependent } = cholesky(xtx, p)
    return dependent.length > 0 ? rankDeficient(design, dependent) : null
  }
  const separated = separatingIndicators(pooled, trials, successes)
  if (separated.length > 0) {
    const rank = checkRank()
    if (rank) return fail(rank)
    return fail({
      _tag: "Separation",
      kind: "quasi-complete",
      columns: separated,
      message: `Quasi-complete separation: within ${separated.join(", ")} every observation has the same outcome, so the estimate is infinite. Pool or drop ${separated.length === 1 ? "that level" : "those levels"}.`,
    })
  }

  const mean = positives / n
  const beta = new Float64Array(p)
  if (options.start) for (let j = 0; j < p; j++) beta[j] = options.start[j]!
  else {
    const intercept = design.columns.indexOf("(Intercept)")
    if (intercept >= 0) beta[intercept] = Math.log(mean / (1 - mean))
  }
  // eta and trial are scratch: rows of weight 0 keep stale values, which nothing reads (every pass skips them)
  let eta = scratch.eta
  linearPredictor(pooled.design, beta, trials, eta, pairs.unit)
  // the likelihood at the current estimates, computed only when a step needs checking or at the end
  let logLikelihood = Number.NaN
  const maxIterations = options.maxIterations ?? 60
  const tolerance = options.tolerance ?? 1e-10
  let trial = scratch.trial
  lastStep.fill(0)
  let factor: Float64Array | null = null
  let converged = false
  let iterations = 0
  let singular = false
  let likelihoodStale = true

  for (iterations = 1; iterations <= maxIterations; iterations++) {
    informationAndScore(pooled.design, pairs, eta, trials, successes, information, score)
    const decomposition = cholesky(information, p)
    if (decomposition.dependent.length > 0) {
      if (iterations === 1) {
        const rank = checkRank()
        if (rank) return fail(rank)
      }
      singular = true
      break
    }
    factor = decomposition.factor
    const step = choleskySolve(factor, p, score)
    let scale = 1
    let accepted = false
    let stepSize = 0
    for (let j = 0; j < p; j++) stepSize = Math.max(stepSize, Math.abs(step[j]!))
    if (stepSize < 0.05) {
      // A short Newton step on the concave logistic likelihood is safe: skip the likelihood check (the costly
      // part of a step) and evaluate the likelihood once at the end.
      for (let j = 0; j < p; j++) beta[j]! += step[j]!
      linearPredictor(pooled.design, beta, trials, eta, pairs.unit)
      likelihoodStale = true
      accepted = true
    }
    for (let halving = 0; halving < 40 && !accepted; halving++) {
      for (let j = 0; j < p; j++) candidate[j] = beta[j]! + scale * step[j]!
      linearPredictor(pooled.design, candidate, trials, trial, pairs.unit)
      const candidateLikelihood = pooledLogLikelihood(trial, trials, successes)
      if (likelihoodStale) {
        logLikelihood = pooledLogLikelihood(eta, trials, successes)
        likelihoodStale = false
      }
      if (candidateLikelihood >= logLikelihood - 1e-12 * Math.abs(logLikelihood)) {
        beta.set(candidate)
        const swap = eta
        eta = trial
        trial = swap
        logLikelihood = candidateLikelihood
        accepted = true
        break
      }
      scale /= 2
    }
    let largest = 0
    for (let j = 0; j < p; j++) {
      lastStep[j] = scale * step[j]!
      largest = Math.max(largest, Math.abs(lastStep[j]!))
    }
    if (!accepted || largest < tolerance) {
      converged = true
      break
    }
  }

  if (singular || !converged) {
    // Separation shows as a singular information matrix, or as estimates that never settle while fitted
    // probabilities reach 0 or 1.
    let saturated = 0
    let perfect = true
    for (let g = 0; g < rows; g++) {
      const w = trials[g]!
      if (w === 0) continue
      const mu = 1 / (1 + Math.exp(-eta[g]!))
      if (mu < 1e-8 || mu > 1 - 1e-8) saturated++
      if (Math.abs(successes[g]! / w - mu) > 1e-6) perfect = false
    }
    if (singular || saturated > 0) {
      const steps = design.columns.map((term, j) => ({
        term,
        size: Math.abs(lastStep[j]!),
        beta: Math.abs(beta[j]!),
      }))
      const candidates = steps.filter((step) => step.term !== "(Intercept)")
      const largest = Math.max(0, ...candidates.map((step) => step.size))
      let columns = candidates
        .filter((step) => largest > 0 && step.size >= 0.2 * largest)
        .map((step) => step.term)
      if (columns.length === 0) columns = candidates.filter((step) => step.beta > 10).map((step) => step.term)
      const kind = perfect ? "complete" : "quasi-complete"
      return fail({
        _tag: "Separation",
        kind,
        columns,
        message: `${kind === "complete" ? "Complete" : "Quasi-complete"} separation: the outcome is ${kind === "complete" ? "perfectly" : "partly perfectly"} predicted${columns.length > 0 ? ` along ${columns.join(", ")}` : ""}, so the maximum likelihood estimate does not exist.`,
      })
    }
    return fail({
      _tag: "NotConverged",
      iterations: maxIterations,
      message: `IRLS did not converge in ${maxIterations} iterations.`,
    })
  }
  if (likelihoodStale) logLikelihood = pooledLogLikelihood(eta, trials, successes)
  const covariance = choleskyInverse(factor!, p)
  const alpha = options.alpha ?? 0.05
  const { coefficients, standardErrors } = waldTable(design.columns, beta, covariance, alpha)
  const nullLogLikelihood = n * (mean * Math.log(mean) + (1 - mean) * Math.log(1 - mean))
  return succeed({
    family: "binomial",
    columns: design.columns,
    coefficients,
    estimates: beta,
    standardErrors,
    covariance,
    n,
    logLikelihood,
    nullLogLikelihood,
    pseudoR2: 1 - logLikelihood / nullLogLikelihood,
    iterations,
    level: 1 - alpha,
  })
}
