import type { Respondent } from "@standin/core"
import { shuffled, streamFor } from "./random.js"

/**
 * The human ceiling's halves. The holdout is split once, seeded and within arms, into halves A and B. The
 * ceiling answers each half's twins with donors from the other half and is scored against each half's own
 * humans separately, so the people scored are never donors: the ceiling is another sample of different real
 * people, not a resample of the people it is compared with.
 */
export interface CeilingHalves {
  /** Half A. */
  readonly scored: ReadonlyArray<Respondent>
  /** Half B. */
  readonly donors: ReadonlyArray<Respondent>
}

/** What "1" means, for the manifest, the terminal summary and the docs. */
export const ceilingDescription =
  "Fidelity 1 is another sample of different real people of the same size: the holdout is split once (seeded, within arms) into halves A and B; the ceiling answers half A's twins with half-B donors of the same arm and persona cell (and half B's with half-A donors) and is scored against each half's own humans, so the people scored are never donors. It is not test–retest agreement. Fidelity compares like with like: the floor and every model are scored the same way, on each half's humans with their own twins of those people, and the two halves' figures are averaged, so every figure is compared at one sample size (n/2 against n/2) while all the data is used. The entries' reported metric scores are on the whole holdout (the ceiling's: half A's), where the metrics' bias-corrected distances keep the sizes on one scale."

export const ceilingHalves = (
  studyId: string,
  holdout: ReadonlyArray<Respondent>,
  seed: number,
): CeilingHalves => {
  const byArm = new Map<string, Array<{ respondent: Respondent; index: number }>>()
  holdout.forEach((respondent, index) => {
    const members = byArm.get(respondent.arm)
    if (members === undefined) byArm.set(respondent.arm, [{ respondent, index }])
    else members.push({ respondent, index })
  })
  const inA = new Set<number>()
  for (const arm of [...byArm.keys()].sort()) {
    const order = shuffled(byArm.get(arm)!, streamFor(seed, "ceiling-halves", studyId, arm))
    order.forEach(({ index }, position) => {
      if (position % 2 === 0) inA.add(index)
    })
  }
  return {
    scored: holdout.filter((_, index) => inA.has(index)),
    donors: holdout.filter((_, index) => !inA.has(index)),
  }
}
