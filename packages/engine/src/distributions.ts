import type { AnswerDistributions, AnswerValue, StudyDefinition } from "@standin/core"
import { scaleOptions } from "@standin/core"

interface Answered {
  readonly arm: string
  readonly answers: Readonly<Record<string, AnswerValue>>
}

/**
 * Answer counts per item and arm ("all" pools the arms), for the leaderboard's distribution charts.
 * Options are listed in scale order (zero counts included); multi-select answers count each option chosen;
 * numeric answers count by value. Invalid (null) answers are not counted.
 */
export const answerDistributions = (
  study: StudyDefinition,
  rows: ReadonlyArray<Answered>,
): AnswerDistributions => {
  const out: Record<string, Record<string, Record<string, number>>> = {}
  for (const item of study.items) {
    const options = scaleOptions(item.scale)
    const empty = () => Object.fromEntries(options.map((option) => [option, 0])) as Record<string, number>
    const perArm: Record<string, Record<string, number>> = { all: empty() }
    for (const arm of study.arms) perArm[arm.id] = empty()
    for (const row of rows) {
      const value = row.answers[item.id]
      if (value === null || value === undefined) continue
      const keys = Array.isArray(value) ? value : [String(value)]
      for (const key of keys) {
        for (const bucket of [perArm.all!, perArm[row.arm]]) {
          if (bucket !== undefined) bucket[key] = (bucket[key] ?? 0) + 1
        }
      }
    }
    out[item.id] = perArm
  }
  return out
}
