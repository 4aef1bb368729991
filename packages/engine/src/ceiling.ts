import type { Persona, Respondent } from "@standin/core"
import { shuffled, streamFor } from "@standin/stats"

/**
 * The human ceiling's halves. The holdout is split once, seeded, into halves A and B, stratified on arm × persona
 * cell (the study's subgroup attributes, the cell the ceiling's donors are matched on): within every such cell the
 * two halves differ by at most one person. The ceiling answers each half's twins with donors from the other half
 * and is scored against each half's own humans separately, so the people scored are never donors: the ceiling is
 * another sample of different real people, not a resample of the people it is compared with.
 *
 * Why stratify (human-split-half 0.3.0): the ceiling matches every twin to a *distinct* donor of its own
 * cell (see the human-split-half baseline). With halves split only within arms, a cell often held more twins in one
 * half than donors in the other, so donors were reused (or the twin backed off to a coarser cell); a reused donor
 * is a duplicated answer vector, extra noise that no model of the same personas has and that the metrics' bias
 * corrections (which count twins, not donors) do not remove. Measured on the bundled study (pilot 6,200, holdout
 * 6,000, seed 1, 10 draws): the ceiling's divergence headline fell from 0.016 (within-arm halves, donors drawn with
 * replacement) to 0.007, its subgroup headline from 0.082 to 0.064. With cell-stratified halves the ceiling's twins
 * get what a model that answers each twin from its own cell's true distribution would give: a fresh sample of
 * different people with the same personas, of the same size.
 */
export interface CeilingHalves {
  /** Half A. */
  readonly scored: ReadonlyArray<Respondent>
  /** Half B. */
  readonly donors: ReadonlyArray<Respondent>
}

/**
 * How many independent halvings the ceiling's fidelity figure averages. One halving's ceiling is one draw of
 * "another sample of the same size", and its two halves are the same two samples swapped, so their average keeps all
 * of that draw's noise: on the bundled study (pilot 6,200, holdout 6,000) one halving's subgroup headline varied
 * with SD 0.015 from halving to halving (3× the pilot-cell baseline's, whose halves are scored against independent
 * donors), enough to move a fidelity by ±0.07. Every halving is an honest ceiling of the same expectation; averaging
 * K of them divides that variance by about K. Five keeps the ceiling's share of a fidelity's noise small at the cost
 * of 2K cheap baseline passes.
 */
export const ceilingHalvingCount = 5

/** What "1" means, for the manifest, the terminal summary and the docs. */
export const ceilingDescription = `Fidelity 1 is another sample of different real people of the same size: the holdout is split (seeded, stratified on arm and persona cell) into halves A and B; the ceiling answers each of half A's twins with a distinct half-B donor of the same arm and persona cell (backing off to a coarser cell only where the cell has no donor, as the pilot-cell baseline does), and half B's with half-A donors, and is scored against each half's own humans, so the people scored are never donors; its fidelity figure is the mean over ${ceilingHalvingCount} such halvings (the first is the one every entry is scored on), so one halving's luck does not move every fidelity. It is not test–retest agreement. Fidelity compares like with like: the floor and every model are scored the same way, on each half's humans with their own twins of those people, and the two halves' figures are averaged, so every figure is compared at one sample size (n/2 against n/2) while all the data is used. The entries' reported metric scores are on the whole holdout (the ceiling's: half A's), where the metrics' bias-corrected distances keep the sizes on one scale.`

/** A persona cell over the given attributes; multi-select levels are sorted and joined (as the baselines key it). */
const cellOf = (persona: Persona, attributes: ReadonlyArray<string>): string =>
  JSON.stringify(
    attributes.map((attribute) => {
      const value = persona[attribute]
      return typeof value === "string" ? value : value === undefined ? null : [...value].sort().join("|")
    }),
  )

/**
 * Splits the holdout into halves, stratified on arm × persona cell over `attributes` (the study's subgroups): cells
 * are visited in a seeded order within each arm and their members (shuffled) dealt alternately to A and B, the
 * alternation carried from cell to cell, so each arm's halves and each cell's differ by at most one.
 */
export const ceilingHalves = (
  studyId: string,
  holdout: ReadonlyArray<Respondent>,
  seed: number,
  attributes: ReadonlyArray<string> = [],
  halving = 0,
): CeilingHalves => {
  const byArm = new Map<string, Map<string, Array<number>>>()
  holdout.forEach((respondent, index) => {
    const cells = byArm.get(respondent.arm) ?? new Map<string, Array<number>>()
    byArm.set(respondent.arm, cells)
    const key = cellOf(respondent.persona, attributes)
    const members = cells.get(key)
    if (members === undefined) cells.set(key, [index])
    else members.push(index)
  })
  const inA = new Set<number>()
  for (const arm of [...byArm.keys()].sort()) {
    const cells = byArm.get(arm)!
    const random =
      halving === 0
        ? streamFor(seed, "ceiling-halves", studyId, arm)
        : streamFor(seed, "ceiling-halves", studyId, arm, halving)
    let position = 0
    for (const key of shuffled([...cells.keys()].sort(), random)) {
      for (const index of shuffled(cells.get(key)!, random)) {
        if (position % 2 === 0) inA.add(index)
        position++
      }
    }
  }
  return {
    scored: holdout.filter((_, index) => inA.has(index)),
    donors: holdout.filter((_, index) => !inA.has(index)),
  }
}

/** The ceiling's halvings: the first with the run's seed (the one the ceiling's reported scores use), then K − 1 more. */
export const ceilingHalvings = (
  studyId: string,
  holdout: ReadonlyArray<Respondent>,
  seed: number,
  attributes: ReadonlyArray<string>,
  count: number = ceilingHalvingCount,
): Array<CeilingHalves> =>
  Array.from({ length: Math.max(1, count) }, (_, halving) =>
    ceilingHalves(studyId, holdout, seed, attributes, halving),
  )
