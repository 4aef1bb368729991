/** Pieces the worth-k-humans modules share: pilot twin ids and a twin's numeric prediction for an item. */
import type { AnswerValue, SyntheticRespondent } from "@standin/core"

/** Pilot twin ids: apart from the holdout's `t00001…`, so they are never confused with a scored twin. */
export const pilotTwinIdFor = (index: number): string => `p${String(index + 1).padStart(5, "0")}`

/** A numeric coding of an item's answers: a proportion of one option, an ordered score, or the value. */
export interface Coding {
  readonly label: string
  readonly code: (value: AnswerValue) => number | null
}

/**
 * The twin's prediction for an item: the mean over replicates of its coded answer, or — when the answer was
 * drawn from a distribution (logprobs or verbalized elicitation) — of the distribution's expected coded value,
 * which predicts better than one draw from it. Twins with no valid answer have no prediction.
 */
export const twinPredictions = (
  synthetic: ReadonlyArray<SyntheticRespondent>,
  itemId: string,
  coding: Coding,
): Map<string, { arm: string; value: number }> => {
  const sums = new Map<string, { arm: string; sum: number; count: number }>()
  for (const respondent of synthetic) {
    const drawn = coding.code(respondent.answers[itemId] ?? null)
    if (drawn === null) continue
    const value = expectedValue(respondent.distributions?.[itemId], coding) ?? drawn
    const entry = sums.get(respondent.twinId)
    if (entry === undefined) sums.set(respondent.twinId, { arm: respondent.arm, sum: value, count: 1 })
    else {
      entry.sum += value
      entry.count++
    }
  }
  return new Map([...sums].map(([id, { arm, sum, count }]) => [id, { arm, value: sum / count }]))
}

/** Σ p(option) · code(option) over the options the coding knows, renormalised; undefined without mass. */
const expectedValue = (
  distribution: Record<string, number> | undefined,
  coding: Coding,
): number | undefined => {
  if (distribution === undefined) return undefined
  let mass = 0
  let sum = 0
  for (const [option, p] of Object.entries(distribution)) {
    const code = coding.code(option)
    if (code === null || !(p > 0)) continue
    mass += p
    sum += p * code
  }
  return mass > 0 ? sum / mass : undefined
}
