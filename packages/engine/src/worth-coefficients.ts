/**
 * "Worth k humans" for regression coefficients: the key coefficient (the declared `treatment`) of each declared
 * binomial analysis, estimated by PPI++ logistic regression on the pilot humans with their own twins' answers
 * plus the holdout's twins, next to the pilot-only estimate and the same coefficient on the whole human holdout.
 *
 * The design keeps the analysis's predictors that every unit has without asking it anything — its arm and its
 * persona — and leaves out predictors read from the questionnaire's own items (and their interactions): a
 * twin's answer to an item is a prediction, not a covariate, so the twins-only units would have no true value
 * for it. The coefficient is therefore the one of `outcome ~ arm and persona predictors`, named in the label.
 * When the pilot is too small for that design (fewer than ten pilot participants per column, or a fit that
 * separates or is singular), the design shrinks to the arm predictors alone and the label says so.
 */
import type {
  AnalysisSpec,
  AnalysisVariable,
  AnswerValue,
  Persona,
  PpiTarget,
  Respondent,
  StudyDefinition,
  SyntheticRespondent,
} from "@standin/core"
import { sourceLevels, sourceValue } from "@standin/core"
import {
  buildDesign,
  type CellValue,
  classicalLogistic,
  type DesignVariable,
  type PpiCoefficients,
  pearson,
  ppiLogistic,
} from "@standin/stats"
import { type Coding, pilotTwinIdFor, twinPredictions } from "./worth-twins.js"

/** Pilot participants per design column below which the persona predictors are left out. */
const perColumn = 10

interface Row {
  readonly arm: string
  readonly persona: Persona
}

const isMissing = (value: AnswerValue | undefined): boolean =>
  value === null || value === undefined || value === "" || (Array.isArray(value) && value.length === 0)

/** The outcome's 0/1 coding (an indicator of the declared levels), or undefined when it is not an item's. */
const outcomeCoding = (spec: AnalysisSpec): Coding | undefined => {
  const coding = spec.outcome.coding
  if (spec.outcome.source._tag !== "Item" || coding._tag !== "Indicator") return undefined
  const levels = new Set(coding.levels)
  return {
    label: `log-odds of ${coding.levels.map((level) => `"${level}"`).join(" or ")}`,
    code: (value) => {
      if (isMissing(value)) return null
      if (Array.isArray(value)) return value.some((v) => levels.has(v)) ? 1 : 0
      return levels.has(String(value)) ? 1 : 0
    },
  }
}

/** One covariate column of the frame and how the design reads it, or a reason it cannot be used. */
const covariate = (
  study: StudyDefinition,
  variable: AnalysisVariable,
  rows: ReadonlyArray<Row>,
): { readonly design: DesignVariable; readonly values: ReadonlyArray<CellValue> } | undefined => {
  const source = variable.source
  // Answers (and derived variables, which may read them) are not covariates a twin is given.
  if (source._tag === "Item" || source._tag === "Derived") return undefined
  const raw = (row: Row): AnswerValue | undefined =>
    source._tag === "Arm"
      ? row.arm
      : source._tag === "Factor"
        ? sourceValue(study, source, { ...row, answers: {} })
        : row.persona[source.attribute]
  const coding = variable.coding
  switch (coding._tag) {
    case "Indicator": {
      const accepted = new Set(coding.levels)
      const hit = (value: string) =>
        accepted.has(value) ||
        (source._tag === "Arm" && accepted.has(study.arms.find((arm) => arm.id === value)?.value ?? "\u0000"))
      const values = rows.map((row): CellValue => {
        const value = raw(row)
        if (isMissing(value)) return null
        if (Array.isArray(value)) return value.some(hit) ? 1 : 0
        return hit(String(value)) ? 1 : 0
      })
      return { design: { id: variable.id, type: "numeric" }, values }
    }
    case "Numeric":
      return {
        design: { id: variable.id, type: "numeric" },
        values: rows.map((row): CellValue => {
          const value = raw(row)
          return typeof value === "number" || typeof value === "string" ? value : null
        }),
      }
    case "Categorical": {
      const declared =
        source._tag === "Arm"
          ? study.arms.map((arm) => arm.id)
          : source._tag === "Factor"
            ? (sourceLevels(study, source) ?? [])
            : (study.persona.find((attribute) => attribute.id === source.attribute)?.levels ?? [])
      const recode = (level: string): string => coding.recode?.[level] ?? level
      const levels: Array<string> = []
      for (const level of declared) if (!levels.includes(recode(level))) levels.push(recode(level))
      if (coding.multiple !== undefined && !levels.includes(coding.multiple)) levels.push(coding.multiple)
      if (!levels.includes(coding.reference)) return undefined
      const values = rows.map((row): CellValue => {
        const value = raw(row)
        if (isMissing(value)) return null
        if (Array.isArray(value)) {
          if (value.length === 1) return recode(value[0]!)
          return coding.multiple ?? null
        }
        const level = recode(String(value))
        return levels.includes(level) ? level : null
      })
      return { design: { id: variable.id, type: "categorical", levels, reference: coding.reference }, values }
    }
  }
}

interface Fitted {
  readonly columns: ReadonlyArray<string>
  readonly tuned: PpiCoefficients
  readonly classical: PpiCoefficients
  readonly holdout: PpiCoefficients
  readonly n: number
  readonly N: number
  readonly holdoutN: number
  readonly y: ReadonlyArray<number>
  readonly yhat: ReadonlyArray<number>
}

/**
 * Fits the three estimates on one design. Frame rows: the labelled pilot humans, then the twins-only holdout
 * twins, then the holdout humans (the truth check); one design over all of them keeps the columns aligned.
 */
const fitOn = (
  study: StudyDefinition,
  variables: ReadonlyArray<AnalysisVariable>,
  spec: AnalysisSpec,
  labelled: ReadonlyArray<Row & { readonly y: number; readonly yhat: number }>,
  unlabelled: ReadonlyArray<Row & { readonly yhat: number }>,
  truth: ReadonlyArray<Row & { readonly y: number }>,
  alpha: number,
): Fitted | undefined => {
  const rows: ReadonlyArray<Row> = [...labelled, ...unlabelled, ...truth]
  const frame: Record<string, ReadonlyArray<CellValue>> = {}
  const designVariables: Array<DesignVariable> = []
  for (const variable of variables) {
    const coded = covariate(study, variable, rows)
    if (coded === undefined) return undefined
    frame[variable.id] = coded.values
    designVariables.push(coded.design)
  }
  const kept = new Set(variables.map((variable) => variable.id))
  const interactions = spec.interactions.filter(([a, b]) => kept.has(a) && kept.has(b))
  const design = buildDesign(frame, {
    variables: designVariables,
    interactions,
    dropUnobservedLevels: true,
  })
  if (!design.ok) return undefined
  const { p, x, rows: frameRows } = design.value
  const xs: Array<Array<number>> = []
  const xu: Array<Array<number>> = []
  const xt: Array<Array<number>> = []
  const y: Array<number> = []
  const yhat: Array<number> = []
  const yhatU: Array<number> = []
  const yTruth: Array<number> = []
  for (let r = 0; r < frameRows.length; r++) {
    const source = frameRows[r]!
    const row = Array.from(x.subarray(r * p, (r + 1) * p))
    if (source < labelled.length) {
      xs.push(row)
      y.push(labelled[source]!.y)
      yhat.push(labelled[source]!.yhat)
    } else if (source < labelled.length + unlabelled.length) {
      xu.push(row)
      yhatU.push(unlabelled[source - labelled.length]!.yhat)
    } else {
      xt.push(row)
      yTruth.push(truth[source - labelled.length - unlabelled.length]!.y)
    }
  }
  if (xs.length < perColumn * p) return undefined
  const tuned = ppiLogistic({ x: xs, y, yhat, xUnlabelled: xu, yhatUnlabelled: yhatU }, { alpha })
  const classical = classicalLogistic(xs, y, { alpha })
  const holdout = classicalLogistic(xt, yTruth, { alpha })
  if (!tuned.ok || !classical.ok || !holdout.ok) return undefined
  return {
    columns: design.value.columns,
    tuned: tuned.value,
    classical: classical.value,
    holdout: holdout.value,
    n: xs.length,
    N: xu.length,
    holdoutN: xt.length,
    y,
    yhat,
  }
}

export interface CoefficientInput {
  readonly study: StudyDefinition
  readonly pilot: ReadonlyArray<Respondent>
  readonly pilotSynthetic: ReadonlyArray<SyntheticRespondent>
  readonly holdout: ReadonlyArray<Respondent>
  readonly holdoutSynthetic: ReadonlyArray<SyntheticRespondent>
  readonly alpha: number
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null)

/** The PPI targets of every declared binomial analysis's treatment coefficient(s). */
export const coefficientTargets = (input: CoefficientInput): ReadonlyArray<PpiTarget> => {
  const targets: Array<PpiTarget> = []
  for (const spec of input.study.analyses) {
    if (spec.family !== "binomial" || spec.treatment === undefined) continue
    const coding = outcomeCoding(spec)
    const treatment = spec.predictors.find((variable) => variable.id === spec.treatment)
    if (coding === undefined || treatment === undefined || treatment.source._tag === "Item") continue
    const item = (spec.outcome.source as { readonly item: string }).item
    const pilotPredictions = twinPredictions(input.pilotSynthetic, item, coding)
    const holdoutPredictions = twinPredictions(input.holdoutSynthetic, item, coding)
    const labelled: Array<Row & { y: number; yhat: number }> = []
    input.pilot.forEach((human, index) => {
      const answer = coding.code(human.answers[item] ?? null)
      const twin = pilotPredictions.get(pilotTwinIdFor(index))
      if (answer === null || twin === undefined) return
      labelled.push({ arm: human.arm, persona: human.persona, y: answer, yhat: twin.value })
    })
    const humans = new Map(input.holdout.map((human) => [human.id, human]))
    const unlabelled: Array<Row & { yhat: number }> = []
    for (const [twinId, prediction] of holdoutPredictions) {
      const human = humans.get(twinId)
      if (human !== undefined)
        unlabelled.push({ arm: human.arm, persona: human.persona, yhat: prediction.value })
    }
    const truth: Array<Row & { y: number }> = []
    for (const human of input.holdout) {
      const answer = coding.code(human.answers[item] ?? null)
      if (answer !== null) truth.push({ arm: human.arm, persona: human.persona, y: answer })
    }
    if (labelled.length < perColumn * 2 || unlabelled.length < perColumn * 2) continue
    const adjusted = spec.predictors.filter((variable) => variable.source._tag !== "Item")
    const left = spec.predictors.filter((variable) => variable.source._tag === "Item").map((v) => v.id)
    const armOnly = adjusted.filter((variable) => variable.source._tag === "Arm")
    const withPersona = adjusted.length > armOnly.length
    let design = "adjusted"
    let fitted = withPersona
      ? fitOn(input.study, adjusted, spec, labelled, unlabelled, truth, input.alpha)
      : undefined
    if (fitted === undefined) {
      design = withPersona ? "arm-only" : "adjusted"
      fitted = fitOn(input.study, armOnly, spec, labelled, unlabelled, truth, input.alpha)
    }
    if (fitted === undefined) continue
    const persona = adjusted.filter((variable) => variable.source._tag === "Persona").map((v) => v.id)
    const adjustment =
      design === "adjusted" && withPersona
        ? `adjusted for ${persona.join(", ")}`
        : withPersona
          ? `arm only, the pilot being too small to adjust for ${persona.join(", ")}`
          : "arm only"
    const without = left.length > 0 ? `; item predictors ${left.join(", ")} left out` : ""
    const correlation = pearson(fitted.y, fitted.yhat)
    fitted.columns.forEach((column, a) => {
      if (column !== treatment.id && !column.startsWith(`${treatment.id}[`)) return
      const classicalSe = fitted.classical.se[a]!
      const ppiSe = fitted.tuned.se[a]!
      const nEffective = ppiSe > 0 ? (fitted.n * classicalSe ** 2) / ppiSe ** 2 : Number.POSITIVE_INFINITY
      const truthEstimate = fitted.holdout.estimate[a]!
      const lower = fitted.tuned.lower[a]!
      const upper = fitted.tuned.upper[a]!
      targets.push({
        id: `${spec.id}:coefficient:${column}`,
        label: `${spec.label}: ${column} coefficient (${adjustment}${without})`,
        kind: "coefficient",
        item,
        arm: column,
        coding: coding.label,
        n: fitted.n,
        N: fitted.N,
        lambda: fitted.tuned.lambda,
        correlation: correlation === null || !Number.isFinite(correlation) ? null : correlation,
        classical: {
          estimate: fitted.classical.estimate[a]!,
          se: classicalSe,
          lower: fitted.classical.lower[a]!,
          upper: fitted.classical.upper[a]!,
        },
        ppi: { estimate: fitted.tuned.estimate[a]!, se: ppiSe, lower, upper },
        nEffective: finiteOrNull(nEffective),
        gain: finiteOrNull(nEffective - fitted.n),
        holdout: { estimate: truthEstimate, n: fitted.holdoutN },
        covered: lower <= truthEstimate && truthEstimate <= upper,
      })
    })
  }
  return targets
}
