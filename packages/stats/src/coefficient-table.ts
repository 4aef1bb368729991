import { normalQuantile, normalTwoSidedP, studentQuantile, studentTwoSidedP } from "./distribution.js"
import type { Coefficient } from "./regression.js"

/**
 * Wald rows (estimate, SE, statistic, p, interval) from estimates and their row-major covariance: normal
 * when `residualDf` is absent (likelihood models), Student's t on `residualDf` otherwise (OLS).
 */
export const waldTable = (
  terms: ReadonlyArray<string>,
  estimates: ArrayLike<number>,
  covariance: ArrayLike<number>,
  alpha: number,
  residualDf?: number,
): { readonly coefficients: Array<Coefficient>; readonly standardErrors: Float64Array } => {
  const p = terms.length
  const critical =
    residualDf === undefined ? normalQuantile(1 - alpha / 2) : studentQuantile(1 - alpha / 2, residualDf)
  const pValue = (statistic: number) =>
    residualDf === undefined ? normalTwoSidedP(statistic) : studentTwoSidedP(statistic, residualDf)
  const standardErrors = new Float64Array(p)
  const coefficients = terms.map((term, j) => {
    const estimate = estimates[j]!
    const se = Math.sqrt(Math.max(0, covariance[j * p + j]!))
    standardErrors[j] = se
    const statistic = estimate / se
    return {
      term,
      estimate,
      se,
      statistic,
      p: pValue(statistic),
      lower: estimate - critical * se,
      upper: estimate + critical * se,
    }
  })
  return { coefficients, standardErrors }
}
