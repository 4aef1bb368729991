import type { AnswerValue, FigureSpec, StudyDefinition } from "@standin/core"
import { scaleOptions } from "@standin/core"

interface Answered {
  readonly arm: string
  readonly answers: Readonly<Record<string, AnswerValue>>
}

const isOneOf = (value: AnswerValue | undefined, levels: ReadonlyArray<string>): boolean =>
  typeof value === "string"
    ? levels.includes(value)
    : Array.isArray(value)
      ? value.some((v) => levels.includes(v))
      : false

export interface FigureValue {
  readonly id: string
  readonly label: string
  /** Share answering one of the figure's levels, among respondents in its condition with an answer. */
  readonly value: number | null
  readonly n: number
  readonly published: number | null
}

/** A descriptive figure (e.g. a consent rate in one arm, or concern among those who shared). */
export const computeFigure = (figure: FigureSpec, rows: ReadonlyArray<Answered>): FigureValue => {
  let n = 0
  let hits = 0
  for (const row of rows) {
    if (figure.arm !== undefined && row.arm !== figure.arm) continue
    if (figure.given !== undefined && !isOneOf(row.answers[figure.given.item], figure.given.levels)) continue
    const value = row.answers[figure.item]
    if (value === null || value === undefined) continue
    n++
    if (isOneOf(value, figure.levels)) hits++
  }
  return {
    id: figure.id,
    label: figure.label,
    value: n === 0 ? null : hits / n,
    n,
    published: figure.published ?? null,
  }
}

export interface ArmSummary {
  readonly item: string
  readonly arm: string
  readonly n: number
  /** Share per option (single-choice scales) — null for numeric items. */
  readonly shares: Readonly<Record<string, number>> | null
  /** Mean option position (1-based) for Likert scales, or the mean value for numeric items. */
  readonly mean: number | null
}

/** Per item and arm: answer shares and, for ordered scales, the mean position. */
export const armSummaries = (
  study: StudyDefinition,
  rows: ReadonlyArray<Answered>,
): ReadonlyArray<ArmSummary> =>
  study.items.flatMap((item) =>
    study.arms.map((arm) => {
      const values = rows
        .filter((row) => row.arm === arm.id)
        .map((row) => row.answers[item.id])
        .filter((v): v is Exclude<AnswerValue, null> => v !== null && v !== undefined)
      const options = scaleOptions(item.scale)
      const n = values.length
      if (item.scale._tag === "Numeric") {
        const numbers = values.filter((v): v is number => typeof v === "number")
        return {
          item: item.id,
          arm: arm.id,
          n,
          shares: null,
          mean: numbers.length === 0 ? null : numbers.reduce((a, b) => a + b, 0) / numbers.length,
        }
      }
      const shares = Object.fromEntries(
        options.map((option) => [
          option,
          n === 0
            ? 0
            : values.filter((v) => (Array.isArray(v) ? v.includes(option) : v === option)).length / n,
        ]),
      )
      const ordered = item.scale._tag === "Likert"
      const mean =
        ordered && n > 0
          ? options.reduce((sum, option, index) => sum + (index + 1) * (shares[option] ?? 0), 0)
          : null
      return { item: item.id, arm: arm.id, n, shares, mean }
    }),
  )

export interface BeliefActionSummary {
  readonly pair: string
  readonly label: string
  /** Believers who act against the belief: P(contrary action | believer). */
  readonly gap: number | null
  /** P(believer and contrary action). */
  readonly joint: number | null
  /** P(believer | contrary action), e.g. "concerned, among those who shared". */
  readonly believersAmongActors: number | null
  readonly believers: number
  readonly n: number
}

/** The belief–action figures of each declared pair, as the paper reports them. */
export const beliefActionSummaries = (
  study: StudyDefinition,
  rows: ReadonlyArray<Answered>,
): ReadonlyArray<BeliefActionSummary> =>
  study.beliefActionPairs.map((pair) => {
    let n = 0
    let believers = 0
    let actors = 0
    let both = 0
    for (const row of rows) {
      const belief = row.answers[pair.belief]
      const action = row.answers[pair.action]
      if (belief === null || belief === undefined || action === null || action === undefined) continue
      n++
      const believes = isOneOf(belief, pair.believerLevels)
      const contrary = isOneOf(action, pair.contraryLevels)
      if (believes) believers++
      if (contrary) actors++
      if (believes && contrary) both++
    }
    return {
      pair: pair.id,
      label: pair.label,
      gap: believers === 0 ? null : both / believers,
      joint: n === 0 ? null : both / n,
      believersAmongActors: actors === 0 ? null : both / actors,
      believers,
      n,
    }
  })
