import type { Item, ProtectedDesign, Respondent, StudyDefinition } from "@standin/core"
import {
  crosswisePrevalence,
  forcedResponsePrevalence,
  listPrevalence,
  type Outcome,
  type PrevalenceEstimate,
  warnerPrevalence,
} from "@standin/stats"
import type { AnalysisRow } from "./variables.js"

/**
 * The `prevalence` analyses: one per item that declares a design protecting respondents (`protect`), estimated
 * with the design's published estimator — the same way for humans and twins, whose randomiser is unobserved in
 * both (a twin's draw is in its prompt, not in the estimate).
 */

export type PrevalenceDesign = "forced-response" | "warner" | "crosswise" | "list"

const designName: Readonly<Record<ProtectedDesign["_tag"], PrevalenceDesign>> = {
  ForcedResponse: "forced-response",
  Warner: "warner",
  Crosswise: "crosswise",
  List: "list",
}

export interface ProtectedItem {
  readonly item: Item
  readonly design: ProtectedDesign
}

/** The study's protected items, in item order. */
export const protectedItems = (study: StudyDefinition): ReadonlyArray<ProtectedItem> =>
  study.items.flatMap((item) => (item.protect === undefined ? [] : [{ item, design: item.protect }]))

/** A design's parameters in words, e.g. `pYes 0.1667, pNo 0.1667` or `long vs short`. */
export const describeDesign = (design: ProtectedDesign): string => {
  const round = (value: number) => String(Number(value.toFixed(4)))
  switch (design._tag) {
    case "ForcedResponse":
      return `pYes ${round(design.pYes)}, pNo ${round(design.pNo)}`
    case "Warner":
      return `p ${round(design.p)}`
    case "Crosswise":
      return `p ${round(design.p)} (${design.innocuous})`
    case "List":
      return `${design.treatment} vs ${design.control}${design.items === undefined ? "" : `, ${design.items} control statements`}`
  }
}

const armMatches = (study: StudyDefinition, rowArm: string, arm: string): boolean =>
  rowArm === arm || study.arms.some((candidate) => candidate.id === arm && candidate.value === rowArm)

/**
 * Estimate one protected item's prevalence on rows (humans, or twins with their human's arm). `weights`, one per
 * row, are frequency weights (a bootstrap resample). Rows with a missing or invalid answer are left out.
 */
export const estimatePrevalence = (
  study: StudyDefinition,
  target: ProtectedItem,
  rows: ReadonlyArray<AnalysisRow>,
  options: { readonly weights?: ArrayLike<number>; readonly alpha?: number } = {},
): Outcome<PrevalenceEstimate, string> => {
  const { item, design } = target
  const alpha = options.alpha ?? 0.05
  const weightOf = (index: number) => (options.weights === undefined ? 1 : options.weights[index]!)
  if (design._tag === "List") {
    const treatment: Array<number> = []
    const control: Array<number> = []
    const treatmentWeights: Array<number> = []
    const controlWeights: Array<number> = []
    rows.forEach((row, index) => {
      const answer = row.answers[item.id]
      if (typeof answer !== "number" || !Number.isFinite(answer)) return
      if (armMatches(study, row.arm, design.treatment)) {
        treatment.push(answer)
        treatmentWeights.push(weightOf(index))
      } else if (armMatches(study, row.arm, design.control)) {
        control.push(answer)
        controlWeights.push(weightOf(index))
      }
    })
    return listPrevalence(treatment, control, { treatmentWeights, controlWeights, alpha })
  }
  if (item.scale._tag !== "Binary")
    return {
      ok: false,
      error: `item "${item.id}" must have a binary scale for a ${designName[design._tag]} design`,
    }
  const [negative, positive] = item.scale.options
  const answers: Array<number> = []
  const weights: Array<number> = []
  rows.forEach((row, index) => {
    const answer = row.answers[item.id]
    if (answer !== positive && answer !== negative) return
    answers.push(answer === positive ? 1 : 0)
    weights.push(weightOf(index))
  })
  switch (design._tag) {
    case "ForcedResponse":
      return forcedResponsePrevalence(answers, design.pYes, design.pNo, { weights, alpha })
    case "Warner":
      return warnerPrevalence(answers, design.p, { weights, alpha })
    case "Crosswise":
      return crosswisePrevalence(answers, design.p, { weights, alpha })
  }
}

export interface ReportedPrevalence {
  /** The protected item's id (the analysis is named after it). */
  readonly id: string
  readonly label: string
  readonly kind: "prevalence"
  readonly design: PrevalenceDesign
  readonly parameters: string
  readonly n: number
  /** The share answering the positive option (λ̂), or the treatment list's mean count. */
  readonly observed: number | null
  /** A list experiment's control mean count (else null). */
  readonly control: number | null
  readonly estimate: number | null
  readonly se: number | null
  readonly lower: number | null
  readonly upper: number | null
  readonly p: number | null
  /** The published prevalence (study `reference.prevalences`), and whether estimate, SE and n reproduce it. */
  readonly published: {
    readonly estimate: number | null
    readonly se: number | null
    readonly n: number | null
  }
  readonly reproduced: boolean | null
  readonly seReproduced: boolean | null
  readonly nReproduced: boolean | null
  readonly error?: string
}

/** Every protected item's prevalence on the study's respondents. */
export const reportPrevalences = (
  study: StudyDefinition,
  respondents: ReadonlyArray<Respondent>,
): ReadonlyArray<ReportedPrevalence> =>
  protectedItems(study).map((target) => {
    const reference = study.reference?.prevalences?.[target.item.id]
    const tolerance = reference?.tolerance ?? study.reference?.tolerance ?? 0
    const published = {
      estimate: reference?.estimate ?? null,
      se: reference?.se ?? null,
      n: reference?.n ?? null,
    }
    const base = {
      id: target.item.id,
      label: target.item.label,
      kind: "prevalence" as const,
      design: designName[target.design._tag],
      parameters: describeDesign(target.design),
      published,
    }
    const result = estimatePrevalence(study, target, respondents)
    if (!result.ok)
      return {
        ...base,
        n: 0,
        observed: null,
        control: null,
        estimate: null,
        se: null,
        lower: null,
        upper: null,
        p: null,
        // A published figure the estimate could not produce counts as not reproduced.
        reproduced: published.estimate === null ? null : false,
        seReproduced: published.se === null ? null : false,
        nReproduced: published.n === null ? null : false,
        error: result.error,
      }
    const { coefficient } = result.value
    return {
      ...base,
      n: result.value.n,
      observed: result.value.observed,
      control: result.value.control,
      estimate: coefficient.estimate,
      se: coefficient.se,
      lower: coefficient.lower,
      upper: coefficient.upper,
      p: coefficient.p,
      reproduced:
        published.estimate === null
          ? null
          : Math.abs(coefficient.estimate - published.estimate) <= tolerance + 1e-12,
      seReproduced:
        published.se === null ? null : Math.abs(coefficient.se - published.se) <= tolerance + 1e-12,
      nReproduced: published.n === null ? null : result.value.n === published.n,
    }
  })
