import { defaultTold, randomiserOutcomes, type StudyDefinition } from "@standin/core"
import { streamFor } from "./random.js"

export interface RandomiserDraw {
  /** The design's outcome: forced response `yes`/`no`/`truth`, Warner `statement`/`negation`, crosswise `true`/`false`. */
  readonly outcome: string
  /** The words the twin is told, as a respondent experiences the randomiser ("The die shows 4."). */
  readonly told: string
}

/**
 * Each protected item's randomiser for one twin (designs that protect respondents, item `protect`): an outcome drawn
 * with the declared probability from a stream seeded by the run's seed, the twin and the item — so a twin gets the
 * same outcome in every replicate, re-ask and rerun (its prompts, and so the call cache, stay stable) — and the text
 * it is told, drawn uniformly from the outcome's `told` list (else the design's default words). Undefined when the
 * study protects no item with a randomiser (a list experiment's "randomiser" is the human's arm: nothing is drawn).
 */
export const randomisersFor = (
  study: StudyDefinition,
  seed: number,
  twinId: string,
): Readonly<Record<string, RandomiserDraw>> | undefined => {
  const draws: Record<string, RandomiserDraw> = {}
  for (const item of study.items) {
    const design = item.protect
    if (design === undefined) continue
    const outcomes = randomiserOutcomes(design)
    if (outcomes.length === 0) continue
    const random = streamFor(seed, "randomiser", twinId, item.id)
    const u = random.next()
    let cumulative = 0
    let outcome = outcomes[outcomes.length - 1]!.outcome
    for (const candidate of outcomes) {
      cumulative += candidate.probability
      if (u < cumulative) {
        outcome = candidate.outcome
        break
      }
    }
    const texts = (design._tag === "List" ? undefined : design.told) as
      | Readonly<Record<string, ReadonlyArray<string>>>
      | undefined
    const list = texts?.[outcome]
    const options = item.scale._tag === "Numeric" ? [] : item.scale.options
    const told =
      list !== undefined && list.length > 0
        ? list[random.int(list.length)]!
        : defaultTold(design, outcome, { positive: options[1] ?? "Yes", negative: options[0] ?? "No" })
    draws[item.id] = { outcome, told }
  }
  return Object.keys(draws).length === 0 ? undefined : draws
}

/** The render option for a twin's draws: item id → the words it is told. */
export const randomiserTexts = (
  draws: Readonly<Record<string, RandomiserDraw>> | undefined,
): Readonly<Record<string, string>> | undefined =>
  draws === undefined
    ? undefined
    : Object.fromEntries(Object.entries(draws).map(([item, draw]) => [item, draw.told]))
