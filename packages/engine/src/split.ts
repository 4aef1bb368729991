import { createHash } from "node:crypto"
import {
  InputError,
  type PersonaAttribute,
  type PilotDesign,
  type Respondent,
  type StudyDefinition,
} from "@standin/core"
import { shuffled, streamFor } from "@standin/stats"
import { Effect } from "effect"

export interface Split {
  readonly pilot: ReadonlyArray<Respondent>
  readonly holdout: ReadonlyArray<Respondent>
  /** sha256 over the sorted pilot and holdout ids: identifies the split without publishing ids. */
  readonly sha256: string
}

/** The level a respondent is balanced on: one level, or "multiple" for several levels of a multi-select attribute. */
export const balanceLevel = (attribute: PersonaAttribute, respondent: Respondent): string => {
  const value = respondent.persona[attribute.id]
  if (value === undefined) return "(missing)"
  if (typeof value === "string") return value
  return value.length === 1 ? value[0]! : "(multiple)"
}

/**
 * Quotas for a balanced draw of `size` from groups of the given sizes: equal shares, and what a small
 * group cannot fill is spread over the others (water-filling). Quotas differ by at most one wherever the
 * groups are large enough.
 */
export const balancedQuotas = (available: ReadonlyArray<number>, size: number): Array<number> => {
  const quotas = available.map(() => 0)
  let remaining = size
  let open = available.map((_, index) => index).filter((index) => available[index]! > 0)
  while (remaining > 0 && open.length > 0) {
    const share = Math.floor(remaining / open.length)
    if (share === 0) {
      // Hand out the last few one at a time, to the groups with the most room first (ties by index).
      const byRoom = [...open].sort(
        (a, b) => available[b]! - quotas[b]! - (available[a]! - quotas[a]!) || a - b,
      )
      for (const index of byRoom.slice(0, remaining)) quotas[index]! += 1
      remaining = 0
      break
    }
    for (const index of open) {
      const take = Math.min(share, available[index]! - quotas[index]!)
      quotas[index]! += take
      remaining -= take
    }
    open = open.filter((index) => quotas[index]! < available[index]!)
  }
  return quotas
}

const digestIds = (pilot: ReadonlyArray<Respondent>, holdout: ReadonlyArray<Respondent>): string =>
  createHash("sha256")
    .update(JSON.stringify([pilot.map((r) => r.id).sort(), holdout.map((r) => r.id).sort()]))
    .digest("hex")

/**
 * Splits the human respondents into a pilot (what a finetune or a pilot baseline may see) and a holdout
 * (what every score is computed on). Seeded; a respondent is never in both. The holdout is everyone not in
 * the pilot — from every arm — optionally capped (a seeded random subset, for quick runs).
 */
export const splitRespondents = (
  study: StudyDefinition,
  respondents: ReadonlyArray<Respondent>,
  design: PilotDesign,
  seed: number,
  holdoutCap?: number,
): Effect.Effect<Split, InputError> =>
  Effect.gen(function* () {
    const scoped =
      design.arms === "all" ? respondents : respondents.filter((respondent) => respondent.arm === design.arms)
    if (design.arms !== "all" && !study.arms.some((arm) => arm.id === design.arms)) {
      return yield* new InputError({
        flag: "--pilot-arms",
        message: `"${design.arms}" is not an arm of ${study.id}; its arms are ${study.arms.map((a) => a.id).join(", ")} (or use "all").`,
      })
    }
    const size =
      design.size._tag === "Count"
        ? design.size.count
        : Math.min(
            design.size.max ?? Number.POSITIVE_INFINITY,
            Math.round(design.size.fraction * scoped.length),
          )
    if (!Number.isInteger(size) || size < 0) {
      return yield* new InputError({
        flag: "--pilot",
        message: `the pilot size must be a whole number ≥ 0, got ${size}.`,
      })
    }
    if (size >= scoped.length) {
      return yield* new InputError({
        flag: "--pilot",
        message: `a pilot of ${size} leaves no one to hold out: ${design.arms === "all" ? "the study has" : `arm "${design.arms}" has`} ${scoped.length} respondents. Choose a smaller --pilot.`,
      })
    }
    const random = streamFor(seed, "split", study.id)
    let pilot: Array<Respondent>
    if (design.sampling._tag === "Random") {
      pilot = shuffled(scoped, random).slice(0, size)
    } else {
      const attributeId = design.sampling.attribute
      const attribute = study.persona.find((candidate) => candidate.id === attributeId)
      if (attribute === undefined) {
        return yield* new InputError({
          flag: "--pilot-sampling",
          message: `cannot balance on "${attributeId}": ${study.id} has the persona attributes ${study.persona.map((a) => a.id).join(", ")}.`,
        })
      }
      const groups = new Map<string, Array<Respondent>>()
      for (const respondent of scoped) {
        const level = balanceLevel(attribute, respondent)
        const group = groups.get(level)
        if (group === undefined) groups.set(level, [respondent])
        else group.push(respondent)
      }
      const levels = [...groups.keys()].sort()
      const quotas = balancedQuotas(
        levels.map((level) => groups.get(level)!.length),
        size,
      )
      pilot = levels.flatMap((level, index) => shuffled(groups.get(level)!, random).slice(0, quotas[index]!))
      // Keep the pilot in a seeded order that does not reveal the level grouping.
      pilot = shuffled(pilot, random)
    }
    const inPilot = new Set(pilot.map((respondent) => respondent.id))
    let holdout = respondents.filter((respondent) => !inPilot.has(respondent.id))
    if (holdoutCap !== undefined) {
      if (!Number.isInteger(holdoutCap) || holdoutCap < 2) {
        return yield* new InputError({
          flag: "--holdout",
          message: `--holdout must be a whole number ≥ 2, got ${holdoutCap}.`,
        })
      }
      if (holdoutCap > holdout.length) {
        return yield* new InputError({
          flag: "--holdout",
          message: `--holdout ${holdoutCap} is more than the ${holdout.length} respondents left after the pilot of ${pilot.length} (the study has ${respondents.length}). Give at most ${holdout.length}, or leave --holdout out to hold out everyone not in the pilot.`,
        })
      }
      if (holdoutCap < holdout.length) {
        const keep = new Set(
          shuffled(holdout, streamFor(seed, "holdout", study.id))
            .slice(0, holdoutCap)
            .map((respondent) => respondent.id),
        )
        holdout = holdout.filter((respondent) => keep.has(respondent.id))
      }
    }
    return { pilot, holdout, sha256: digestIds(pilot, holdout) }
  })
