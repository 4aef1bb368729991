import type { AnalysisFit } from "./fit.js"

/** Some of a fit's coefficients with their joint sampling covariance. */
export interface TermCovariance {
  readonly terms: ReadonlyArray<string>
  readonly estimates: Float64Array
  /** Row-major terms × terms covariance, as the fit's standard errors say (classical or HC). */
  readonly covariance: Float64Array
}

/**
 * The estimates and joint covariance of `terms` (keyed as AnalysisFit.coefficients) in a fit: the block of the
 * fit's covariance for those terms, in the order given. Every family's estimates are laid out as its table
 * (multinomial equation-major, ordinal slopes then thresholds), so a term's row is its position in the table.
 * A term the fit does not hold is an error (the caller compares only terms in both fits).
 */
export const termCovariance = (fit: AnalysisFit, terms: ReadonlyArray<string>): TermCovariance => {
  const position = new Map(fit.table.map((coefficient, index) => [coefficient.term, index]))
  const full = fit.fit.covariance
  const size = fit.fit.estimates.length
  const index = terms.map((term) => {
    const at = position.get(term)
    if (at === undefined)
      throw new Error(`termCovariance: the fit of "${fit.analysis}" has no term "${term}"`)
    return at
  })
  const p = terms.length
  const estimates = new Float64Array(p)
  const covariance = new Float64Array(p * p)
  for (let i = 0; i < p; i++) {
    estimates[i] = fit.fit.estimates[index[i]!]!
    for (let j = 0; j < p; j++) covariance[i * p + j] = full[index[i]! * size + index[j]!]!
  }
  return { terms, estimates, covariance }
}
