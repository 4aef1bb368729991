import type { Respondent } from "@standin/core"
import { shuffled, streamFor } from "./random.js"

/**
 * The human ceiling's halves. The holdout is split once, seeded and within arms, into half A (the people
 * the ceiling is scored on) and half B (the donors whose answers the ceiling's twins receive). The people
 * scored are never donors, so the ceiling is another sample of different real people — not a resample of
 * the people it is compared with.
 */
export interface CeilingHalves {
  /** Half A: the ceiling entry is scored against these humans only (their twins are asked). */
  readonly scored: ReadonlyArray<Respondent>
  /** Half B: the donors; never scored in the ceiling entry. */
  readonly donors: ReadonlyArray<Respondent>
}

/** What "1" means, for the manifest, the terminal summary and the docs. */
export const ceilingDescription =
  "Fidelity 1 is another sample of different real people: the holdout is split once (seeded, within arms) into halves A and B, and the ceiling is half A's humans scored against twins answered by half-B donors of the same arm and persona cell. It is not test–retest agreement. Fidelity compares like with like: the floor and every model are also scored, for fidelity, on half A's humans with their own twins of those people, so every figure is compared at the same sample size (n/2 against n/2); the entries' reported metric scores are on the whole holdout (n against n), where the metrics' bias-corrected distances keep the two sizes on one scale."

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
