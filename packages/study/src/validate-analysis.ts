import type { AnalysisSpec, StudyDefinition } from "@standin/core"
import { type DefinitionProblem, sourceLevels } from "./validate.js"

/** How each family's outcome must be coded, in words, and whether a coding fits. */
const outcomeCodings: Readonly<
  Record<AnalysisSpec["family"], { readonly fits: ReadonlyArray<string>; readonly message: string }>
> = {
  gaussian: {
    fits: ["Numeric", "Indicator"],
    message: "a gaussian (OLS) outcome must be numeric or an indicator",
  },
  binomial: { fits: ["Indicator"], message: "a binomial outcome must be an indicator" },
  probit: { fits: ["Indicator"], message: "a probit outcome must be an indicator" },
  multinomial: {
    fits: ["Categorical"],
    message: "a multinomial outcome must be categorical (its reference is the baseline level)",
  },
  ordinal: {
    fits: ["Categorical", "Numeric"],
    message:
      "an ordinal outcome must be categorical (levels lowest first, the reference the lowest) or numeric",
  },
}

/**
 * What a declared analysis's model needs beyond its variables: an outcome coded as its family fits, standard
 * errors its family defines, and subset conditions on sources and levels the study declares.
 */
export const analysisModelProblems = (
  study: StudyDefinition,
  analysis: AnalysisSpec,
  field: string,
): Array<DefinitionProblem> => {
  const problems: Array<DefinitionProblem> = []
  const push = (at: string, message: string) => problems.push({ field: at, message })
  const coding = analysis.outcome.coding
  const expected = outcomeCodings[analysis.family]
  if (!expected.fits.includes(coding._tag)) push(`${field}.outcome.coding`, expected.message)
  else if (analysis.family === "ordinal" && coding._tag === "Categorical") {
    const levels = sourceLevels(study, analysis.outcome.source) ?? []
    const ordered: Array<string> = []
    for (const level of levels) {
      const recoded = coding.recode?.[level] ?? level
      if (!ordered.includes(recoded)) ordered.push(recoded)
    }
    if (ordered.length > 0 && ordered[0] !== coding.reference)
      push(
        `${field}.outcome.coding.reference`,
        `an ordinal outcome's reference must be its lowest level, "${ordered[0]}" (its levels run lowest first: ${ordered.join(", ")})`,
      )
  }
  const se = analysis.se ?? "classical"
  if ((se === "HC2" || se === "HC3") && (analysis.family === "multinomial" || analysis.family === "ordinal"))
    push(
      `${field}.se`,
      `${se} standard errors are not defined for ${analysis.family === "ordinal" ? "an" : "a"} ${analysis.family} analysis (no standard leverage for its vector scores); use HC0 or HC1`,
    )
  ;(analysis.subset ?? []).forEach((condition, index) => {
    const at = `${field}.subset[${index}]`
    const source = condition.source
    if (source._tag === "Persona" && !study.persona.some((attribute) => attribute.id === source.attribute)) {
      push(`${at}.source.attribute`, `unknown persona attribute "${source.attribute}"`)
      return
    }
    if (source._tag === "Item" && !study.items.some((item) => item.id === source.item)) {
      push(`${at}.source.item`, `unknown item "${source.item}"`)
      return
    }
    if (condition.levels.length === 0) {
      push(`${at}.levels`, "a subset condition needs at least one level to keep")
      return
    }
    const levels = sourceLevels(study, source)
    const known = (level: string) =>
      levels === undefined
        ? Number.isFinite(Number(level)) && level.trim() !== ""
        : levels.includes(level) || (source._tag === "Arm" && study.arms.some((arm) => arm.value === level))
    for (const level of condition.levels)
      if (!known(level))
        push(
          `${at}.levels`,
          levels === undefined
            ? `"${level}" is not a number (the source is numeric)`
            : `"${level}" is not a level of the source (${levels.map((l) => JSON.stringify(l)).join(", ")})`,
        )
  })
  return problems
}
