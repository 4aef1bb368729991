/**
 * The validity simulation behind `ppi-bench`: how often 95% PPI, PPI++ and classical intervals cover the true
 * value of a proportion and of a difference between two arms, for a model that is good, useless or biased.
 * PPI, PPI++ and classical use the default finite-sample variant (cross-fitted λ, t quantiles); the
 * reference PPI++ (`ppi_py`'s formula: in-sample λ, z quantiles) is measured beside them to show why the
 * default differs. Pure and seeded, so the bench prints the same figures on every machine and a test can
 * check one cell.
 */
import {
  classicalLogistic,
  classicalMean,
  classicalMeanDifference,
  type MeanInput,
  makeRandom,
  type PpiCoefficients,
  type PpiScalar,
  ppiLogistic,
  ppiMean,
  ppiMeanDifference,
  type Random,
} from "@standin/stats"

export type ModelKind = "good" | "useless" | "biased"
export type Target = "mean" | "difference"

export interface CoverageCell {
  readonly model: ModelKind
  readonly target: Target
  /** Labelled (pilot) size; a difference splits it evenly between the arms. */
  readonly n: number
  /** Unlabelled (twins only) size. */
  readonly N: number
  readonly replications: number
  readonly seed: number
}

export interface CoverageResult extends CoverageCell {
  readonly coverage: {
    readonly ppi: number
    readonly ppiPlusPlus: number
    readonly ppiPlusPlusReference: number
    readonly classical: number
  }
  /** Mean over replications of the PPI++ interval width over the classical one. */
  readonly widthRatio: number
  readonly meanLambda: number
  readonly truth: number
}

/** True proportion of 1s in each arm (the mean target uses the control arm). */
const armProbability = { control: 0.6, treatment: 0.45 } as const

/**
 * The twin's answer given the human's: `good` copies it with probability 0.8, else draws afresh from the
 * same population; `useless` is a fair coin; `biased` copies it with probability 0.7, else says 1 (as in the
 * shared ppi-reference cases).
 */
const twin = (model: ModelKind, y: number, p: number, random: Random): number => {
  switch (model) {
    case "good":
      return random.nextFloat() < 0.8 ? y : random.nextFloat() < p ? 1 : 0
    case "useless":
      return random.nextFloat() < 0.5 ? 1 : 0
    case "biased":
      return random.nextFloat() < 0.7 ? y : 1
  }
}

const drawArm = (model: ModelKind, p: number, n: number, N: number, random: Random): MeanInput => {
  const y = new Float64Array(n)
  const yhat = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    y[i] = random.nextFloat() < p ? 1 : 0
    yhat[i] = twin(model, y[i]!, p, random)
  }
  const yhatUnlabelled = new Float64Array(N)
  for (let j = 0; j < N; j++) yhatUnlabelled[j] = twin(model, random.nextFloat() < p ? 1 : 0, p, random)
  return { y, yhat, yhatUnlabelled }
}

const value = (outcome: { ok: true; value: PpiScalar } | { ok: false; error: { message: string } }) => {
  if (!outcome.ok) throw new Error(outcome.error.message)
  return outcome.value
}

const covers = (r: PpiScalar, truth: number): number => (r.lower <= truth && truth <= r.upper ? 1 : 0)

export const simulateCoverage = (cell: CoverageCell): CoverageResult => {
  const random = makeRandom(cell.seed)
  const truth =
    cell.target === "mean" ? armProbability.control : armProbability.treatment - armProbability.control
  let ppi = 0
  let tuned = 0
  let reference = 0
  let classical = 0
  let ratio = 0
  let lambda = 0
  for (let r = 0; r < cell.replications; r++) {
    let results: { ppi: PpiScalar; tuned: PpiScalar; reference: PpiScalar; classical: PpiScalar }
    if (cell.target === "mean") {
      const arm = drawArm(cell.model, armProbability.control, cell.n, cell.N, random)
      results = {
        ppi: value(ppiMean(arm, { lambda: 1 })),
        tuned: value(ppiMean(arm)),
        reference: value(ppiMean(arm, { variant: "reference" })),
        classical: value(classicalMean(arm.y)),
      }
    } else {
      const half = Math.floor(cell.n / 2)
      const halfN = Math.floor(cell.N / 2)
      const t = drawArm(cell.model, armProbability.treatment, cell.n - half, cell.N - halfN, random)
      const c = drawArm(cell.model, armProbability.control, half, halfN, random)
      results = {
        ppi: value(ppiMeanDifference(t, c, { lambda: 1 })),
        tuned: value(ppiMeanDifference(t, c)),
        reference: value(ppiMeanDifference(t, c, { variant: "reference" })),
        classical: value(classicalMeanDifference(t.y, c.y)),
      }
    }
    ppi += covers(results.ppi, truth)
    tuned += covers(results.tuned, truth)
    reference += covers(results.reference, truth)
    classical += covers(results.classical, truth)
    const width = (r: PpiScalar) => r.upper - r.lower
    ratio += width(results.classical) > 0 ? width(results.tuned) / width(results.classical) : 1
    lambda += results.tuned.lambda
  }
  const k = cell.replications
  return {
    ...cell,
    coverage: {
      ppi: ppi / k,
      ppiPlusPlus: tuned / k,
      ppiPlusPlusReference: reference / k,
      classical: classical / k,
    },
    widthRatio: ratio / k,
    meanLambda: lambda / k,
    truth,
  }
}

/** The nominal-coverage band a 95% interval must land in. */
export const coverageBand = { lower: 0.93, upper: 0.97 } as const

export const withinBand = (coverage: number): boolean =>
  coverage >= coverageBand.lower && coverage <= coverageBand.upper

export interface LogisticCell {
  readonly model: ModelKind
  /** Labelled (pilot) size. */
  readonly n: number
  /** Unlabelled (twins only) size. */
  readonly N: number
  readonly replications: number
  readonly seed: number
}

export interface LogisticResult extends LogisticCell {
  /** Coverage of the treatment coefficient by the default PPI++ and classical (pilot-only) intervals. */
  readonly coverage: { readonly ppiPlusPlus: number; readonly classical: number }
  /** Replications where a fit failed (separation in a small pilot), left out of the coverage. */
  readonly failed: number
  readonly truth: number
}

/** The true logistic model: intercept, treatment (a fair coin) and a standard normal covariate. */
const logisticBeta = [-0.2, 0.6, 0.4] as const

const standardNormal = (random: Random): number => {
  const u = random.nextFloat() || Number.MIN_VALUE
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextFloat())
}

/**
 * Coverage of the treatment coefficient of a logistic regression (y ~ 1 + treat + covariate, the true model),
 * the twins drawn as in `simulateCoverage` from each person's own outcome probability.
 */
export const simulateLogisticCoverage = (cell: LogisticCell): LogisticResult => {
  const random = makeRandom(cell.seed)
  const draw = (size: number) => {
    const x: Array<Array<number>> = []
    const y: Array<number> = []
    const yhat: Array<number> = []
    for (let i = 0; i < size; i++) {
      const row = [1, random.nextFloat() < 0.5 ? 1 : 0, standardNormal(random)]
      const p = 1 / (1 + Math.exp(-(logisticBeta[0] + logisticBeta[1] * row[1]! + logisticBeta[2] * row[2]!)))
      const outcome = random.nextFloat() < p ? 1 : 0
      x.push(row)
      y.push(outcome)
      yhat.push(twin(cell.model, outcome, p, random))
    }
    return { x, y, yhat }
  }
  const truth = logisticBeta[1]
  let tuned = 0
  let classical = 0
  let failed = 0
  for (let r = 0; r < cell.replications; r++) {
    const labelled = draw(cell.n)
    const unlabelled = draw(cell.N)
    const ppi = ppiLogistic({
      x: labelled.x,
      y: labelled.y,
      yhat: labelled.yhat,
      xUnlabelled: unlabelled.x,
      yhatUnlabelled: unlabelled.yhat,
    })
    const alone = classicalLogistic(labelled.x, labelled.y)
    if (!ppi.ok || !alone.ok) {
      failed++
      continue
    }
    const hit = (c: PpiCoefficients) => (c.lower[1]! <= truth && truth <= c.upper[1]! ? 1 : 0)
    tuned += hit(ppi.value)
    classical += hit(alone.value)
  }
  const k = cell.replications - failed
  return {
    ...cell,
    coverage: { ppiPlusPlus: k > 0 ? tuned / k : Number.NaN, classical: k > 0 ? classical / k : Number.NaN },
    failed,
    truth,
  }
}
