import type { AnalysisVariable, StimulusContent, StudyDefinition, VariableSource } from "@standin/core"
import { scaleOptions } from "@standin/core"
import { analysisModelProblems } from "./validate-analysis.js"

export interface DefinitionProblem {
  /** A path into the definition, e.g. `analyses[0].predictors[2].coding.reference`. */
  readonly field: string
  readonly message: string
}

const duplicates = (values: ReadonlyArray<string>): Array<string> => {
  const seen = new Set<string>()
  const repeated = new Set<string>()
  for (const value of values) (seen.has(value) ? repeated : seen).add(value)
  return [...repeated]
}

/** The levels a variable's source can take, or undefined for numeric sources. */
export const sourceLevels = (
  study: StudyDefinition,
  source: VariableSource,
): ReadonlyArray<string> | undefined => {
  switch (source._tag) {
    case "Arm":
      return study.arms.map((arm) => arm.id)
    case "Persona":
      return study.persona.find((attribute) => attribute.id === source.attribute)?.levels
    case "Item": {
      const item = study.items.find((candidate) => candidate.id === source.item)
      return item === undefined || item.scale._tag === "Numeric" ? undefined : scaleOptions(item.scale)
    }
  }
}

const checkVariable = (
  study: StudyDefinition,
  variable: AnalysisVariable,
  field: string,
): Array<DefinitionProblem> => {
  const problems: Array<DefinitionProblem> = []
  const source = variable.source
  if (source._tag === "Persona" && !study.persona.some((a) => a.id === source.attribute)) {
    return [
      { field: `${field}.source.attribute`, message: `unknown persona attribute "${source.attribute}"` },
    ]
  }
  if (source._tag === "Item" && !study.items.some((i) => i.id === source.item)) {
    return [{ field: `${field}.source.item`, message: `unknown item "${source.item}"` }]
  }
  const levels = sourceLevels(study, variable.source)
  const coding = variable.coding
  if (coding._tag === "Numeric") {
    if (levels !== undefined)
      problems.push({ field: `${field}.coding`, message: "a numeric coding needs a numeric item" })
    return problems
  }
  if (levels === undefined) {
    problems.push({
      field: `${field}.coding`,
      message: `a numeric source cannot take a ${coding._tag.toLowerCase()} coding`,
    })
    return problems
  }
  if (coding._tag === "Indicator") {
    for (const level of coding.levels) {
      if (!levels.includes(level))
        problems.push({ field: `${field}.coding.levels`, message: `"${level}" is not a level of the source` })
    }
    if (coding.levels.length === 0)
      problems.push({ field: `${field}.coding.levels`, message: "an indicator needs at least one level" })
    return problems
  }
  for (const from of Object.keys(coding.recode ?? {})) {
    if (!levels.includes(from))
      problems.push({ field: `${field}.coding.recode`, message: `"${from}" is not a level of the source` })
  }
  const recoded = new Set(levels.map((level) => coding.recode?.[level] ?? level))
  if (coding.multiple !== undefined) recoded.add(coding.multiple)
  if (!recoded.has(coding.reference)) {
    problems.push({
      field: `${field}.coding.reference`,
      message: `the reference level "${coding.reference}" is not a level of the variable`,
    })
  }
  return problems
}

/**
 * Checks a study definition for internal consistency, without its data: unique ids, references between
 * items, arms, persona attributes and analyses, levels that exist on the scales they name.
 */
export const validateDefinition = (study: StudyDefinition): ReadonlyArray<DefinitionProblem> => {
  const problems: Array<DefinitionProblem> = []
  const push = (field: string, message: string) => problems.push({ field, message })
  if (study.arms.length === 0) push("arms", "a study needs at least one arm")
  if (study.items.length === 0) push("items", "a study needs at least one item")
  for (const id of duplicates(study.items.map((i) => i.id))) push("items", `duplicate item id "${id}"`)
  for (const id of duplicates(study.arms.map((a) => a.id))) push("arms", `duplicate arm id "${id}"`)
  for (const value of duplicates(study.arms.map((a) => a.value)))
    push("arms", `two arms share the data value "${value}"`)
  for (const id of duplicates(study.persona.map((a) => a.id)))
    push("persona", `duplicate persona attribute id "${id}"`)
  study.items.forEach((item, index) => {
    const scale = item.scale
    if (scale._tag === "Numeric" && !(scale.min < scale.max))
      push(`items[${index}].scale`, "min must be below max")
    if (scale._tag !== "Numeric") {
      if (scale.options.length < 2)
        push(`items[${index}].scale.options`, "a scale needs at least two options")
      for (const option of duplicates(scale.options))
        push(`items[${index}].scale.options`, `duplicate option "${option}"`)
    }
  })
  study.items.forEach((item, index) => {
    const options = scaleOptions(item.scale)
    if (item.default !== undefined && !options.includes(item.default))
      push(`items[${index}].default`, `"${item.default}" is not an option of ${item.id}`)
    if (item.optionOrder !== undefined) {
      const sorted = (list: ReadonlyArray<string>) => [...list].sort().join("\u0000")
      if (item.optionOrder.length !== options.length || sorted(item.optionOrder) !== sorted(options))
        push(
          `items[${index}].optionOrder`,
          `must list each option of ${item.id} exactly once (${options.map((o) => JSON.stringify(o)).join(", ")})`,
        )
    }
  })
  problems.push(...validatePages(study))
  study.persona.forEach((attribute, index) => {
    if (attribute.levels.length === 0) push(`persona[${index}].levels`, "an attribute needs its levels")
    if (!attribute.template.includes("{value}"))
      push(`persona[${index}].template`, "the template must contain {value}")
  })
  study.subgroups.forEach((id, index) => {
    if (!study.persona.some((a) => a.id === id))
      push(`subgroups[${index}]`, `unknown persona attribute "${id}"`)
  })
  study.beliefActionPairs.forEach((pair, index) => {
    const field = `beliefActionPairs[${index}]`
    for (const [key, itemId, levels] of [
      ["belief", pair.belief, pair.believerLevels],
      ["action", pair.action, pair.contraryLevels],
    ] as const) {
      const item = study.items.find((i) => i.id === itemId)
      if (item === undefined) {
        push(`${field}.${key}`, `unknown item "${itemId}"`)
        continue
      }
      const options = scaleOptions(item.scale)
      for (const level of levels)
        if (!options.includes(level)) push(`${field}.${key}`, `"${level}" is not an option of ${itemId}`)
    }
  })
  study.analyses.forEach((analysis, index) => {
    const field = `analyses[${index}]`
    problems.push(...checkVariable(study, analysis.outcome, `${field}.outcome`))
    problems.push(...analysisModelProblems(study, analysis, field))
    analysis.predictors.forEach((predictor, p) => {
      problems.push(...checkVariable(study, predictor, `${field}.predictors[${p}]`))
    })
    const ids = analysis.predictors.map((p) => p.id)
    for (const id of duplicates(ids)) push(`${field}.predictors`, `duplicate predictor id "${id}"`)
    if (ids.includes(analysis.outcome.id)) push(`${field}.outcome`, "the outcome is also a predictor")
    analysis.interactions.forEach(([a, b], i) => {
      for (const id of [a, b])
        if (!ids.includes(id)) push(`${field}.interactions[${i}]`, `"${id}" is not a predictor`)
    })
    if (analysis.treatment !== undefined && !ids.includes(analysis.treatment)) {
      push(`${field}.treatment`, `"${analysis.treatment}" is not a predictor`)
    }
  })
  study.figures.forEach((figure, index) => {
    const field = `figures[${index}]`
    const item = study.items.find((i) => i.id === figure.item)
    if (item === undefined) push(`${field}.item`, `unknown item "${figure.item}"`)
    else
      for (const level of figure.levels)
        if (!scaleOptions(item.scale).includes(level))
          push(`${field}.levels`, `"${level}" is not an option of ${figure.item}`)
    if (figure.arm !== undefined && !study.arms.some((a) => a.id === figure.arm))
      push(`${field}.arm`, `unknown arm "${figure.arm}"`)
    if (figure.given !== undefined && !study.items.some((i) => i.id === figure.given?.item))
      push(`${field}.given.item`, `unknown item "${figure.given.item}"`)
  })
  const columns = [
    study.respondentId,
    study.armColumn,
    ...study.persona.map((a) => a.column),
    ...study.items.map((i) => i.column),
  ]
  for (const column of duplicates(columns)) push("columns", `the column "${column}" is used twice`)
  if (!study.privateColumns.includes(study.respondentId)) {
    push("privateColumns", `the respondent id column "${study.respondentId}" must be private`)
  }
  return problems
}

const checkStimulusContent = (
  study: StudyDefinition,
  content: StimulusContent,
  field: string,
): Array<DefinitionProblem> => {
  const problems: Array<DefinitionProblem> = []
  content.table?.rows.forEach((row, r) => {
    const at = `${field}.table.rows[${r}]`
    if ((row.value === undefined) === (row.persona === undefined))
      problems.push({
        field: at,
        message: "a row takes exactly one of value (fixed) or persona (an attribute id)",
      })
    if (row.persona !== undefined && !study.persona.some((attribute) => attribute.id === row.persona))
      problems.push({ field: `${at}.persona`, message: `unknown persona attribute "${row.persona}"` })
  })
  if (content.image !== undefined && content.image.alt.trim() === "")
    problems.push({
      field: `${field}.image.alt`,
      message: "an image needs alt text (text-only models read it)",
    })
  return problems
}

/** Pages: unique ids, known items, every item on exactly one page, stimuli that refer to what exists. */
const validatePages = (study: StudyDefinition): Array<DefinitionProblem> => {
  const problems: Array<DefinitionProblem> = []
  if (study.pages === undefined) return problems
  const push = (field: string, message: string) => problems.push({ field, message })
  if (study.pages.length === 0) push("pages", "list at least one page, or leave pages out (one page)")
  for (const id of duplicates(study.pages.map((page) => page.id))) push("pages", `duplicate page id "${id}"`)
  const placed = new Map<string, string>()
  study.pages.forEach((page, index) => {
    const field = `pages[${index}]`
    if (page.items.length === 0) push(`${field}.items`, "a page needs at least one item")
    page.items.forEach((id, i) => {
      if (!study.items.some((item) => item.id === id)) push(`${field}.items[${i}]`, `unknown item "${id}"`)
      else if (placed.has(id))
        push(`${field}.items[${i}]`, `item "${id}" is already on page "${placed.get(id)}"`)
      else placed.set(id, page.id)
    })
    const stimulus = page.stimulus
    if (stimulus === undefined) return
    problems.push(...checkStimulusContent(study, stimulus, `${field}.stimulus`))
    for (const [arm, content] of Object.entries(stimulus.arms ?? {})) {
      if (!study.arms.some((candidate) => candidate.id === arm))
        push(`${field}.stimulus.arms`, `unknown arm "${arm}"`)
      problems.push(...checkStimulusContent(study, content, `${field}.stimulus.arms.${arm}`))
    }
  })
  for (const item of study.items) if (!placed.has(item.id)) push("pages", `item "${item.id}" is on no page`)
  return problems
}
