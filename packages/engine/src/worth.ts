/**
 * "Worth k humans": prediction-powered inference (PPI++, Angelopoulos, Duchi & Zrnic 2023) on a run. The
 * labelled set is the pilot's real people with their OWN twins' answers (the run simulates a twin for each
 * pilot respondent, with ids apart from the holdout's, never scored); the unlabelled set is the holdout's
 * twins. For each target (each arm's mean of each item, and each treatment effect of the action item) it
 * gives the humans-only estimate, the PPI++ estimate, n_eff = n · Var(classical) / Var(PPI++), the gain
 * n_eff − n, the human–twin correlation on the labelled pairs, and the truth check against the whole human
 * holdout. The cost block prices the mixed design against humans alone for the same precision.
 */
import type {
  AnswerValue,
  Item,
  PpiSummary,
  PpiTarget,
  Respondent,
  ResultsEntry,
  StudyDefinition,
  SyntheticRespondent,
  Twin,
} from "@standin/core"
import { twinOf } from "@standin/core"
import {
  classicalMean,
  classicalMeanDifference,
  type MeanInput,
  type PpiScalar,
  pearson,
  ppiMean,
  ppiMeanDifference,
} from "@standin/stats"
import { coefficientTargets } from "./worth-coefficients.js"
import { type Coding, pilotTwinIdFor, twinPredictions } from "./worth-twins.js"

export { pilotTwinIdFor } from "./worth-twins.js"

/** What the run needs to know to add pilot twins and the `ppi` block. */
export interface PpiSettings {
  /** The price of one human participant, in USD (the CLI's --human-cost, default 2.50). */
  readonly humanCostUsd: number
  /** Error level of the intervals (default 0.05). */
  readonly alpha?: number
}

export const defaultHumanCostUsd = 2.5

/** The twins of the pilot respondents (pseudonymous ids; persona and arm only, as for any twin). */
export const pilotTwins = (pilot: ReadonlyArray<Respondent>, study?: StudyDefinition): ReadonlyArray<Twin> =>
  pilot.map((respondent, index) =>
    study === undefined
      ? { id: pilotTwinIdFor(index), arm: respondent.arm, persona: respondent.persona }
      : twinOf(study, respondent, pilotTwinIdFor(index)),
  )

/** Separates the pilot twins' answers from the holdout twins' (which alone are scored). */
export const separatePilotTwins = (
  synthetic: ReadonlyArray<SyntheticRespondent>,
  pilot: ReadonlyArray<Twin>,
): {
  readonly holdout: ReadonlyArray<SyntheticRespondent>
  readonly pilot: ReadonlyArray<SyntheticRespondent>
} => {
  const ids = new Set(pilot.map((twin) => twin.id))
  return {
    holdout: synthetic.filter((respondent) => !ids.has(respondent.twinId)),
    pilot: synthetic.filter((respondent) => ids.has(respondent.twinId)),
  }
}

const codingsOf = (item: Item): ReadonlyArray<Coding> => {
  const scale = item.scale
  switch (scale._tag) {
    case "Binary": {
      const positive = scale.options[1]
      return [
        {
          label: `proportion "${positive}"`,
          code: (v) => (v === positive ? 1 : v === scale.options[0] ? 0 : null),
        },
      ]
    }
    case "Likert":
      return [
        {
          label: `score 1–${scale.options.length}`,
          code: (v) => {
            const index = typeof v === "string" ? scale.options.indexOf(v) : -1
            return index < 0 ? null : index + 1
          },
        },
      ]
    case "Categorical":
      return scale.options.map((option) => ({
        label: `proportion "${option}"`,
        code: (v: AnswerValue) =>
          typeof v === "string" && scale.options.includes(v) ? (v === option ? 1 : 0) : null,
      }))
    case "Numeric":
      return [{ label: "value", code: (v) => (typeof v === "number" && Number.isFinite(v) ? v : null) }]
    case "MultiSelect":
      return []
  }
}

const toInterval = (r: PpiScalar) => ({ estimate: r.estimate, se: r.se, lower: r.lower, upper: r.upper })

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null)

interface ArmData {
  readonly input: MeanInput
  readonly holdoutHumans: ReadonlyArray<number>
}

export interface WorthInput {
  readonly study: StudyDefinition
  /** The pilot humans, in the order their twins were made (`pilotTwins`). */
  readonly pilot: ReadonlyArray<Respondent>
  readonly pilotSynthetic: ReadonlyArray<SyntheticRespondent>
  /** The holdout humans (twin ids as ids) and the holdout twins' answers. */
  readonly holdout: ReadonlyArray<Respondent>
  readonly holdoutSynthetic: ReadonlyArray<SyntheticRespondent>
  /** The finished entry (for its baseline role, finetune, usage and fidelity). */
  readonly entry: ResultsEntry
  readonly settings: PpiSettings
}

/** What each kind of entry's n_eff means, said next to the figures rather than hidden. */
const noteFor = (entry: ResultsEntry): { readonly inSample: boolean; readonly note: string } => {
  if (entry.finetune !== undefined)
    return {
      inSample: true,
      note: "Finetuned on the pilot: its pilot twins answer for people it was trained on, so the labelled correlation, λ and n_eff are optimistic; judge it on a pilot it did not see.",
    }
  switch (entry.provider) {
    case "uniform":
      return {
        inSample: false,
        note: "Random answers carry no information about a person: PPI++ sets λ ≈ 0 and the design is worth about the pilot alone (gain ≈ 0).",
      }
    case "pilot-marginal":
    case "pilot-cell":
      return {
        inSample: true,
        note: "Learns from the pilot, and its pilot twins are drawn from the pilot's own answers (a pilot respondent can be answered from their own record): in-sample, so the labelled correlation, λ and n_eff are optimistic.",
      }
    case "human-split-half":
      return {
        inSample: false,
        note: "Each twin gets the answers of another real person (from the holdout) matched on arm and persona cell: it reproduces the distributions (fidelity 1) but predicts a given person only as well as their cell does, so its n_eff is what the persona cell alone is worth, usually little. PPI rewards predicting the individual, not matching the crowd.",
      }
    default:
      return {
        inSample: false,
        note: "The model never saw the pilot: its pilot twins are out-of-sample, so n_eff is an honest estimate.",
      }
  }
}

/**
 * The `ppi` block of one entry. Targets whose arm has fewer than 2 labelled pairs or 2 twins are left out
 * (an entry with none gets `headline: null`).
 */
export const worthOf = (input: WorthInput): PpiSummary => {
  const { study, entry, settings } = input
  const alpha = settings.alpha ?? 0.05
  const holdoutTwinIds = new Map(input.holdout.map((respondent) => [respondent.id, respondent]))
  const targets: Array<PpiTarget> = []
  const actionItems = study.items.filter((item) => item.role === "action")
  const effectItems = actionItems.length > 0 ? actionItems : study.items.slice(0, 1)
  const control = study.arms[0]
  let headline: string | null = null
  for (const item of study.items) {
    const codings = codingsOf(item)
    for (const coding of codings) {
      const pilotPredictions = twinPredictions(input.pilotSynthetic, item.id, coding)
      const holdoutPredictions = twinPredictions(input.holdoutSynthetic, item.id, coding)
      const arms = new Map<string, ArmData>()
      for (const arm of study.arms) {
        const y: Array<number> = []
        const yhat: Array<number> = []
        input.pilot.forEach((human, index) => {
          if (human.arm !== arm.id) return
          const answer = coding.code(human.answers[item.id] ?? null)
          const twin = pilotPredictions.get(pilotTwinIdFor(index))
          if (answer === null || twin === undefined) return
          y.push(answer)
          yhat.push(twin.value)
        })
        const yhatUnlabelled: Array<number> = []
        for (const [twinId, prediction] of holdoutPredictions)
          if (prediction.arm === arm.id && holdoutTwinIds.has(twinId)) yhatUnlabelled.push(prediction.value)
        const holdoutHumans: Array<number> = []
        for (const human of input.holdout) {
          if (human.arm !== arm.id) continue
          const answer = coding.code(human.answers[item.id] ?? null)
          if (answer !== null) holdoutHumans.push(answer)
        }
        if (y.length >= 2 && yhatUnlabelled.length >= 2 && holdoutHumans.length >= 1)
          arms.set(arm.id, { input: { y, yhat, yhatUnlabelled }, holdoutHumans })
      }
      const suffix = codings.length > 1 ? `:${coding.label.replace(/^proportion "(.*)"$/, "$1")}` : ""
      for (const arm of study.arms) {
        const data = arms.get(arm.id)
        if (data === undefined) continue
        const tuned = ppiMean(data.input, { alpha })
        const classical = classicalMean(data.input.y, { alpha })
        if (!tuned.ok || !classical.ok) continue
        targets.push(
          target({
            id: `${item.id}${suffix}:mean:${arm.id}`,
            label: `${item.label} (${coding.label}), ${arm.label}`,
            kind: "mean",
            item: item.id,
            arm: arm.id,
            coding: coding.label,
            labelled: [data.input],
            tuned: tuned.value,
            classical: classical.value,
            holdout: mean(data.holdoutHumans),
            holdoutN: data.holdoutHumans.length,
          }),
        )
      }
      if (control === undefined || !effectItems.includes(item)) continue
      const base = arms.get(control.id)
      for (const arm of study.arms.slice(1)) {
        const treated = arms.get(arm.id)
        if (base === undefined || treated === undefined) continue
        const tuned = ppiMeanDifference(treated.input, base.input, { alpha })
        const classical = classicalMeanDifference(treated.input.y, base.input.y, { alpha })
        if (!tuned.ok || !classical.ok) continue
        const id = `${item.id}${suffix}:effect:${arm.id}-${control.id}`
        headline ??= id
        targets.push(
          target({
            id,
            label: `${item.label} (${coding.label}): ${arm.label} − ${control.label}`,
            kind: "effect",
            item: item.id,
            arm: `${arm.id}-${control.id}`,
            coding: coding.label,
            labelled: [treated.input, base.input],
            tuned: tuned.value,
            classical: classical.value,
            holdout: mean(treated.holdoutHumans) - mean(base.holdoutHumans),
            holdoutN: treated.holdoutHumans.length + base.holdoutHumans.length,
          }),
        )
      }
    }
  }
  targets.push(
    ...coefficientTargets({
      study,
      pilot: input.pilot,
      pilotSynthetic: input.pilotSynthetic,
      holdout: input.holdout,
      holdoutSynthetic: input.holdoutSynthetic,
      alpha,
    }),
  )
  headline ??= targets[0]?.id ?? null
  const { inSample, note } = noteFor(entry)
  const pilotTwinCount = new Set(input.pilotSynthetic.map((r) => r.twinId)).size
  const holdoutTwinCount = new Set(input.holdoutSynthetic.map((r) => r.twinId)).size
  return {
    method: "ppi++",
    alpha,
    pilotTwins: pilotTwinCount,
    holdoutTwins: holdoutTwinCount,
    inSample,
    note,
    headline,
    targets,
    cost: costOf(
      input,
      pilotTwinCount + holdoutTwinCount,
      targets.find((t) => t.id === headline),
    ),
  }
}

const mean = (values: ReadonlyArray<number>): number => values.reduce((a, b) => a + b, 0) / values.length

const target = (t: {
  id: string
  label: string
  kind: "mean" | "effect"
  item: string
  arm: string
  coding: string
  labelled: ReadonlyArray<MeanInput>
  tuned: PpiScalar
  classical: PpiScalar
  holdout: number
  holdoutN: number
}): PpiTarget => {
  const y = t.labelled.flatMap((input) => Array.from(input.y))
  const yhat = t.labelled.flatMap((input) => Array.from(input.yhat))
  const n = y.length
  const nEffective = t.tuned.se > 0 ? (n * t.classical.se ** 2) / t.tuned.se ** 2 : Number.POSITIVE_INFINITY
  const correlation = pearson(y, yhat)
  return {
    id: t.id,
    label: t.label,
    kind: t.kind,
    item: t.item,
    arm: t.arm,
    coding: t.coding,
    n,
    N: t.tuned.N,
    lambda: t.tuned.lambda,
    correlation: correlation === null || !Number.isFinite(correlation) ? null : correlation,
    classical: toInterval(t.classical),
    ppi: toInterval(t.tuned),
    nEffective: finiteOrNull(nEffective),
    gain: finiteOrNull(nEffective - n),
    holdout: { estimate: t.holdout, n: t.holdoutN },
    covered: t.tuned.lower <= t.holdout && t.holdout <= t.tuned.upper,
  }
}

/**
 * The mixed design (n pilot humans, n + N twins) against humans alone with the same precision (n_eff
 * humans), for the headline target, at the recorded cost per twin and the given price of a participant.
 */
const costOf = (input: WorthInput, twins: number, headline: PpiTarget | undefined): PpiSummary["cost"] => {
  const h = input.settings.humanCostUsd
  const recorded = input.entry.usage.costUsd
  // A twin's cost covers all its replicates and re-asks. Baselines make no paid calls: their twins cost nothing
  // even when no price was recorded.
  const twinCostUsd =
    twins === 0 ? null : recorded !== null ? recorded / twins : input.entry.baseline !== undefined ? 0 : null
  const fidelity = input.entry.fidelity.overall.value
  const costPerFidelityUsd =
    recorded !== null && fidelity !== null && fidelity > 0 ? recorded / fidelity : null
  if (headline === undefined || headline.nEffective === null || twinCostUsd === null)
    return {
      humanCostUsd: h,
      twinCostUsd,
      mixedDesignUsd: null,
      humansAloneUsd: null,
      savingUsd: null,
      costPerEffectiveParticipantUsd: null,
      costPerFidelityUsd,
    }
  const mixedDesignUsd = headline.n * h + (headline.n + headline.N) * twinCostUsd
  const humansAloneUsd = headline.nEffective * h
  return {
    humanCostUsd: h,
    twinCostUsd,
    mixedDesignUsd,
    humansAloneUsd,
    savingUsd: humansAloneUsd - mixedDesignUsd,
    costPerEffectiveParticipantUsd: headline.nEffective > 0 ? mixedDesignUsd / headline.nEffective : null,
    costPerFidelityUsd,
  }
}

/** One line per entry for the terminal: "adds the precision of k participants" and what it saves. */
export const worthLine = (entry: ResultsEntry): string | undefined => {
  const ppi = entry.ppi
  // a failed entry's figures rest on too few valid twins to report
  if (ppi === undefined || entry.status !== "ok") return undefined
  const t = ppi.targets.find((candidate) => candidate.id === ppi.headline)
  if (t === undefined)
    return `${entry.id}: no target could be estimated with PPI (too few pilot twins per arm)`
  const k = t.gain === null ? null : Math.round(t.gain)
  const adds =
    k !== null && k < 1
      ? `adds no precision (n_eff ${fmtNumber(t.nEffective)} from ${t.n} pilot participants)`
      : `adds the precision of ${k === null ? "unboundedly many" : k.toLocaleString("en-US")} participant${k === 1 ? "" : "s"} (n_eff ${fmtNumber(t.nEffective)} from ${t.n})`
  const truth = `PPI ${fmtSigned(t.ppi.estimate)} [${fmtSigned(t.ppi.lower)}, ${fmtSigned(t.ppi.upper)}] ${t.covered ? "covers" : "MISSES"} the holdout's ${fmtSigned(t.holdout.estimate)}`
  const c = ppi.cost
  const money =
    c.savingUsd === null || k === null || k < 1
      ? ""
      : c.savingUsd > 0
        ? `; at $${c.humanCostUsd.toFixed(2)} a participant it saves $${c.savingUsd.toFixed(2)} for the same precision`
        : `; at $${c.humanCostUsd.toFixed(2)} a participant it costs more than it saves ($${(-c.savingUsd).toFixed(2)} more)`
  return `${entry.id}: ${adds} on ${t.label}, r = ${t.correlation === null ? "–" : t.correlation.toFixed(2)}, λ = ${t.lambda.toFixed(2)}; ${truth}${money}${ppi.inSample ? " (in-sample: optimistic)" : ""}`
}

const fmtNumber = (x: number | null): string => (x === null ? "∞" : x.toFixed(0))
const fmtSigned = (x: number): string => x.toFixed(3)
