/**
 * The n_eff curve of a sweep: what the base model's twins are worth at each pilot size. The base model answers
 * once for the twins of every point's pilot people (the union of the pilots, `ppiPilot`); each point's figure
 * re-uses those answers with the point's own pilot as the labelled set, so the curve costs no call per point.
 * Beside it, each finetuned model's n_eff on the pilot it was trained on (in-sample: optimistic).
 */
import type { LearningCurvePoint, Respondent, StudyDefinition, SyntheticRespondent } from "@standin/core"
import type { EntryData } from "./run.js"
import { type PpiSettings, pilotTwinIdFor, worthOf } from "./worth.js"

/** Every point's pilot people once, in first-seen order (pilots are nested, so this is mostly the largest). */
export const unionOfPilots = (
  pilots: ReadonlyArray<ReadonlyArray<Respondent>>,
): ReadonlyArray<Respondent> => {
  const seen = new Set<string>()
  const union: Array<Respondent> = []
  for (const pilot of pilots)
    for (const respondent of pilot)
      if (!seen.has(respondent.id)) {
        seen.add(respondent.id)
        union.push(respondent)
      }
  return union
}

const headlineNEffective = (ppi: EntryData["entry"]["ppi"]) => {
  const target = ppi?.targets.find((candidate) => candidate.id === ppi.headline)
  return target === undefined ? undefined : target
}

/**
 * The `worth` of one learning-curve point: the base model's n_eff with the point's pilot as the labelled set,
 * and the point's finetuned model's own (in-sample) n_eff, on the headline target.
 */
export const pointWorth = (input: {
  readonly study: StudyDefinition
  readonly pilot: ReadonlyArray<Respondent>
  readonly union: ReadonlyArray<Respondent>
  readonly base: EntryData | undefined
  readonly finetuned: EntryData
  readonly holdout: ReadonlyArray<Respondent>
  readonly settings: PpiSettings
}): LearningCurvePoint["worth"] => {
  const finetuned = headlineNEffective(input.finetuned.entry.ppi)
  let base: ReturnType<typeof headlineNEffective>
  if (input.base?.pilotSynthetic !== undefined && input.base.entry.status === "ok") {
    const unionIndex = new Map(input.union.map((respondent, index) => [respondent.id, index]))
    const byTwin = new Map<string, Array<SyntheticRespondent>>()
    for (const answer of input.base.pilotSynthetic) {
      const list = byTwin.get(answer.twinId)
      if (list === undefined) byTwin.set(answer.twinId, [answer])
      else list.push(answer)
    }
    // the point's pilot person j answered by the union's twin of the same person, renamed to the point's id
    const pilotSynthetic = input.pilot.flatMap((respondent, j) => {
      const index = unionIndex.get(respondent.id)
      if (index === undefined) return []
      return (byTwin.get(pilotTwinIdFor(index)) ?? []).map((answer) => ({
        ...answer,
        twinId: pilotTwinIdFor(j),
      }))
    })
    const ppi = worthOf({
      study: input.study,
      pilot: input.pilot,
      pilotSynthetic,
      holdout: input.holdout,
      holdoutSynthetic: input.base.synthetic,
      entry: input.base.entry,
      settings: input.settings,
    })
    base = headlineNEffective(ppi)
  }
  const target = base ?? finetuned
  if (target === undefined) return undefined
  return {
    target: target.id,
    n: input.pilot.length,
    base: base?.nEffective ?? null,
    finetuned: input.finetuned.entry.status === "ok" ? (finetuned?.nEffective ?? null) : null,
  }
}
