import type { ResultsFile } from "@standin/core"

/** One metric's floor and ceiling headline, and whether the run can tell them apart. */
export interface FloorCeilingCheck {
  readonly metric: string
  readonly floor: number
  readonly ceiling: number
  /** False when the gap is within the combined 95% uncertainty of the two scores. */
  readonly distinguishable: boolean
}

export interface FloorCeilingVerdict {
  /** Checks of the metrics whose fidelity the run normalised (both scores present and different). */
  readonly checks: ReadonlyArray<FloorCeilingCheck>
  /** The metrics whose floor and ceiling cannot be told apart. */
  readonly indistinguishable: ReadonlyArray<string>
}

type Headline = ResultsFile["entries"][number]["scores"][number]["headline"]

/**
 * Whether two independent scores differ: the gap between them exceeds the root sum of squares of the
 * half-widths that face each other (each side of an interval counts on its own, as the bootstrap
 * intervals are asymmetric). Equivalent to a two-sided z test at the intervals' level when the intervals
 * are normal. A score without an interval counts as exact.
 */
export const scoresDiffer = (a: Headline, b: Headline): boolean => {
  if (a.value === null || b.value === null) return false
  const [high, low] = a.value >= b.value ? [a, b] : [b, a]
  const below = high.ci === null ? 0 : Math.max(0, high.value! - high.ci.lower)
  const above = low.ci === null ? 0 : Math.max(0, low.ci.upper - low.value!)
  return high.value! - low.value! > Math.sqrt(below ** 2 + above ** 2)
}

/**
 * The run's floor (uniform baseline) against its ceiling (human split-half), metric by metric, over the
 * metrics its fidelity normalised (the floor entry has a fidelity for them). Where they cannot be told
 * apart, every fidelity of that metric divides by noise: a tiny study can give a fidelity of 9.
 */
export const checkFloorCeiling = (results: ResultsFile): FloorCeilingVerdict | null => {
  const floor = results.entries.find((entry) => entry.baseline === "floor" && entry.status === "ok")
  const ceiling = results.entries.find((entry) => entry.baseline === "ceiling" && entry.status === "ok")
  if (floor === undefined || ceiling === undefined) return null
  const checks: Array<FloorCeilingCheck> = []
  for (const score of floor.scores) {
    if (floor.fidelity.perMetric[score.metric]?.value == null) continue
    const other = ceiling.scores.find((candidate) => candidate.metric === score.metric)
    if (other === undefined || score.headline.value === null || other.headline.value === null) continue
    if (score.headline.value === other.headline.value) continue
    checks.push({
      metric: score.metric,
      floor: score.headline.value,
      ceiling: other.headline.value,
      distinguishable: scoresDiffer(score.headline, other.headline),
    })
  }
  return {
    checks,
    indistinguishable: checks.filter((check) => !check.distinguishable).map((check) => check.metric),
  }
}
