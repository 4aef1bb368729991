import type {
  AnalysisVariable,
  DerivedVariable,
  StimulusContent,
  StudyDefinition,
  VariableSource,
} from "@standin/core"
import {
  checkExpression,
  sourceLevels as coreSourceLevels,
  derivedItems,
  derivedMeasure,
  expressionNames,
  isExpressionError,
  isExpressionProblem,
  parseExpression,
  scaleOptions,
  sourceIsNumeric,
} from "@standin/core"
import { analysisModelProblems } from "./validate-analysis.js"
import { mediationProblems } from "./validate-mediation.js"
import { protectProblems } from "./validate-protect.js"

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

/**
 * The levels a variable's source can take (arm ids, factor levels, persona levels, item options, a text-valued
 * derived variable's levels), or undefined for numeric sources and unknown ones.
 */
export const sourceLevels = (
  study: StudyDefinition,
  source: VariableSource,
): ReadonlyArray<string> | undefined => coreSourceLevels(study, source) ?? undefined

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
  if (source._tag === "Derived" && !(study.derived ?? []).some((d) => d.id === source.variable)) {
    return [
      {
        field: `${field}.source.variable`,
        message: `unknown derived variable "${source.variable}" (declare it under \`derived\`)`,
      },
    ]
  }
  if (source._tag === "Factor" && !(study.factors ?? []).some((f) => f.id === source.factor)) {
    return [{ field: `${field}.source.factor`, message: `unknown factor "${source.factor}"` }]
  }
  const levels = sourceLevels(study, source)
  const coding = variable.coding
  if (coding._tag === "Numeric") {
    if (!sourceIsNumeric(study, source))
      problems.push({
        field: `${field}.coding`,
        message:
          "a numeric coding needs a number: a numeric, Likert or binary item, a numeric or ordered persona attribute, or a numeric derived variable",
      })
    return problems
  }
  if (levels === undefined) {
    problems.push({
      field: `${field}.coding`,
      message: `a numeric source cannot take a ${coding._tag.toLowerCase()} coding (use numeric)`,
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
  problems.push(...validateVersion2(study))
  if (study.arms.length === 0) push("arms", "a study needs at least one arm")
  problems.push(...validateDesign(study))
  problems.push(...validateCodes(study))
  problems.push(...validateDerived(study))
  problems.push(...validateSkipLogic(study))
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
    for (const [arm, offered] of Object.entries(item.optionsByArm ?? {})) {
      const field = `items[${index}].optionsByArm`
      if (!study.arms.some((candidate) => candidate.id === arm))
        push(field, `unknown arm "${arm}" (arms: ${study.arms.map((a) => a.id).join(", ")})`)
      if (item.scale._tag === "Numeric") push(field, "a numeric item has no options to vary by arm")
      if (offered.length < 2) push(`${field}.${arm}`, "an arm needs at least two options")
      for (const option of offered)
        if (!options.includes(option))
          push(
            `${field}.${arm}`,
            `"${option}" is not an option of ${item.id}: list every option any arm saw in the scale, and each arm's own here`,
          )
      for (const option of duplicates(offered)) push(`${field}.${arm}`, `duplicate option "${option}"`)
    }
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
    if (attribute.numeric !== undefined) {
      if (attribute.levels.length > 0)
        push(`persona[${index}].levels`, "a numeric attribute takes any number: remove its levels")
      if (attribute.multiple) push(`persona[${index}].multiple`, "a numeric attribute holds one number")
      if (attribute.ordered === true)
        push(`persona[${index}].ordered`, "a numeric attribute is already ordered: remove `ordered`")
    } else if (attribute.levels.length === 0)
      push(
        `persona[${index}].levels`,
        "an attribute needs its levels (or `numeric: { unit: … }` for a number such as age)",
      )
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
    ...(study.respondentId === undefined ? [] : [study.respondentId]),
    ...(study.armColumn === undefined ? [] : [study.armColumn]),
    ...(study.factors ?? []).map((f) => f.column),
    ...study.persona.map((a) => a.column),
    ...study.items.map((i) => i.column),
  ]
  for (const column of duplicates(columns)) push("columns", `the column "${column}" is used twice`)
  const long = study.data.long
  if (long !== undefined) {
    if (study.respondentId !== long.respondent)
      push(
        "respondentId",
        `a long-format file is reshaped by its respondent column: set respondentId to "${long.respondent}" (data.long.respondent)`,
      )
    const roles = [long.respondent, long.question, long.answer]
    if (new Set(roles).size !== 3)
      push("data.long", "the respondent, question and answer columns must be three different columns")
  }
  if (study.respondentId !== undefined && !study.privateColumns.includes(study.respondentId)) {
    push("privateColumns", `the respondent id column "${study.respondentId}" must be private`)
  }
  problems.push(...mediationProblems(study))
  problems.push(...protectProblems(study))
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

/** What needs `formatVersion: 2`: every field and source kind added after version 1. */
const version2Fields = (study: StudyDefinition): Array<string> => {
  const fields: Array<string> = []
  if (study.respondentId === undefined) fields.push("respondentId")
  if (study.armColumn === undefined) fields.push("armColumn")
  for (const key of ["factors", "missingCodes", "derived", "private"] as const)
    if (study[key] !== undefined) fields.push(key)
  for (const key of ["delimiter", "encoding", "long"] as const)
    if (study.data[key] !== undefined) fields.push(`data.${key}`)
  study.persona.forEach((attribute, index) => {
    for (const key of ["numeric", "labels", "missing", "ordered"] as const)
      if (attribute[key] !== undefined) fields.push(`persona[${index}].${key}`)
  })
  study.items.forEach((item, index) => {
    for (const key of ["labels", "missing", "askedIf", "optionsByArm", "protect"] as const)
      if (item[key] !== undefined) fields.push(`items[${index}].${key}`)
  })
  if (study.reference?.prevalences !== undefined) fields.push("reference.prevalences")
  study.analyses.forEach((analysis, index) => {
    const variables = [
      ["outcome", analysis.outcome],
      ...analysis.predictors.map((p, i) => [`predictors[${i}]`, p] as const),
    ] as const
    for (const [name, variable] of variables)
      if (variable.source._tag === "Derived" || variable.source._tag === "Factor")
        fields.push(`analyses[${index}].${name}.source`)
  })
  return fields
}

/** A version-1 file (no `formatVersion`) that uses a version-2 field says so, once per field. */
const validateVersion2 = (study: StudyDefinition): Array<DefinitionProblem> => {
  if (study.formatVersion === 2) return []
  return version2Fields(study).map((field) => ({
    field,
    message:
      field === "respondentId" || field === "armColumn"
        ? `is required in a version-1 study; add \`formatVersion: 2\` at the top of the file to leave it out (${field === "respondentId" ? "rows are then numbered r2, r3, …" : "one arm, or arms from `factors`"})`
        : "is new in format version 2: add `formatVersion: 2` at the top of the file",
  }))
}

/** The arm column, factors and arms agree with one another. */
const validateDesign = (study: StudyDefinition): Array<DefinitionProblem> => {
  const problems: Array<DefinitionProblem> = []
  const push = (field: string, message: string) => problems.push({ field, message })
  const factors = study.factors ?? []
  if (study.factors !== undefined) {
    if (study.armColumn !== undefined)
      push("armColumn", "a study has either an arm column or factors: the arms are the factors' combinations")
    if (factors.length === 0) push("factors", "list at least one factor, or leave factors out")
    for (const id of duplicates(factors.map((f) => f.id))) push("factors", `duplicate factor id "${id}"`)
    factors.forEach((factor, index) => {
      const field = `factors[${index}]`
      if (factor.levels.length < 2) push(`${field}.levels`, "a factor needs at least two levels")
      for (const id of duplicates(factor.levels.map((l) => l.id)))
        push(`${field}.levels`, `duplicate level id "${id}"`)
      for (const value of duplicates(factor.levels.map((l) => l.value)))
        push(`${field}.levels`, `two levels share the data value "${value}"`)
      factor.levels.forEach((level, l) => {
        if (level.id.includes("."))
          push(`${field}.levels[${l}].id`, `"${level.id}" holds a "." (arm ids join level ids with ".")`)
      })
    })
    study.arms.forEach((arm, index) => {
      const cell = arm.factors ?? {}
      for (const factor of factors) {
        const level = cell[factor.id]
        if (level === undefined || !factor.levels.some((candidate) => candidate.id === level))
          push(
            `arms[${index}].factors`,
            `arm "${arm.id}" needs a level of factor "${factor.id}" (${factor.levels.map((l) => l.id).join(", ")}); leave \`arms\` out to have them made from the factors`,
          )
      }
    })
    const cells = study.arms.map((arm) =>
      factors.map((factor) => arm.factors?.[factor.id] ?? "").join("\u0000"),
    )
    for (const cell of duplicates(cells))
      push("arms", `two arms are the same combination of factor levels (${cell.split("\u0000").join(", ")})`)
  } else if (study.armColumn === undefined && study.arms.length > 1) {
    push(
      "armColumn",
      `${study.arms.length} arms need the column that says who is in which (armColumn), or factors`,
    )
  }
  return problems
}

/** Value labels map codes to declared levels; a missing code is never an option or a level. */
const validateCodes = (study: StudyDefinition): Array<DefinitionProblem> => {
  const problems: Array<DefinitionProblem> = []
  const push = (field: string, message: string) => problems.push({ field, message })
  const studyMissing = study.missingCodes ?? []
  study.persona.forEach((attribute, index) => {
    const field = `persona[${index}]`
    if (attribute.labels !== undefined && attribute.numeric !== undefined)
      push(`${field}.labels`, "a numeric attribute takes no value labels")
    for (const [code, level] of Object.entries(attribute.labels ?? {}))
      if (!attribute.levels.includes(level))
        push(`${field}.labels`, `the code "${code}" stands for "${level}", which is not one of its levels`)
    for (const code of [...studyMissing, ...(attribute.missing ?? [])])
      if (attribute.levels.includes(code))
        push(
          attribute.missing?.includes(code) ? `${field}.missing` : "missingCodes",
          `"${code}" is both a missing code and a level of "${attribute.id}": a missing value is left out of the persona, so remove it from one`,
        )
  })
  study.items.forEach((item, index) => {
    const field = `items[${index}]`
    const options = scaleOptions(item.scale)
    if (item.labels !== undefined && item.scale._tag === "Numeric")
      push(`${field}.labels`, "a numeric item takes no value labels")
    for (const [code, option] of Object.entries(item.labels ?? {}))
      if (!options.includes(option))
        push(
          `${field}.labels`,
          `the code "${code}" stands for "${option}", which is not an option of ${item.id}`,
        )
    for (const code of [...studyMissing, ...(item.missing ?? [])])
      if (options.includes(code))
        push(
          item.missing?.includes(code) ? `${field}.missing` : "missingCodes",
          `"${code}" is both a missing code and an option of ${item.id}: a missing answer is never offered to a model, so remove it from the options (or from the missing codes)`,
        )
  })
  return problems
}

/** `score: true` asks the metrics to score a derived variable: it must read an answer and be scorable. */
const derivedScoreProblems = (
  study: StudyDefinition,
  variable: DerivedVariable,
  index: number,
): Array<DefinitionProblem> => {
  if (variable.score !== true) return []
  const field = `derived[${index}].score`
  if (derivedItems(study, variable.id).length === 0)
    return [
      {
        field,
        message: `"${variable.id}" reads no answer (only the persona, factors or arm, which a twin shares with its human), so humans and twins agree on it by construction; remove \`score: true\``,
      },
    ]
  const measure = derivedMeasure(study, variable)
  return measure._tag === "Unscorable"
    ? [{ field, message: `"${variable.id}" cannot be scored: ${measure.reason}; remove \`score: true\`` }]
    : []
}

/** Derived variables: unique ids that name nothing else, expressions that parse and type-check. */
const validateDerived = (study: StudyDefinition): Array<DefinitionProblem> => {
  const problems: Array<DefinitionProblem> = []
  const derived = study.derived ?? []
  for (const id of duplicates(derived.map((d) => d.id)))
    problems.push({ field: "derived", message: `duplicate derived variable id "${id}"` })
  const taken = new Map<string, string>([
    ...study.items.map((item): [string, string] => [item.id, "an item"]),
    ...study.persona.map((attribute): [string, string] => [attribute.id, "a persona attribute"]),
    ...(study.factors ?? []).map((factor): [string, string] => [factor.id, "a factor"]),
    ["arm", "the arm"],
  ])
  derived.forEach((variable, index) => {
    const other = taken.get(variable.id)
    if (other !== undefined)
      problems.push({
        field: `derived[${index}].id`,
        message: `"${variable.id}" is already ${other}; give the derived variable its own id`,
      })
    const type = checkExpression(study, variable.expression, [variable.id])
    if (isExpressionProblem(type))
      problems.push({
        field: `derived[${index}].expression`,
        message: `at character ${type.column} of ${JSON.stringify(variable.expression)}: ${type.message}`,
      })
    else problems.push(...derivedScoreProblems(study, variable, index))
  })
  return problems
}

/**
 * Skip conditions: each parses to a yes/no, and reads only what is known before its item is asked — the
 * arm, factors, persona and items asked before it (in the study's item order).
 */
const validateSkipLogic = (study: StudyDefinition): Array<DefinitionProblem> => {
  const problems: Array<DefinitionProblem> = []
  study.items.forEach((item, index) => {
    if (item.askedIf === undefined) return
    const field = `items[${index}].askedIf`
    const parsed = parseExpression(item.askedIf)
    if (isExpressionError(parsed)) {
      problems.push({
        field,
        message: `at character ${parsed.column} of ${JSON.stringify(item.askedIf)}: ${parsed.message}`,
      })
      return
    }
    const later = new Set(study.items.slice(index).map((other) => other.id))
    for (const { name, at } of expressionNames(parsed)) {
      const derived = study.derived?.some((variable) => variable.id === name) ?? false
      if (later.has(name) || derived)
        problems.push({
          field,
          message: `at character ${at + 1}: "${name}" ${derived ? "is a derived variable" : name === item.id ? "is this item itself" : "is asked after this item"}; a condition reads only the arm, factors, persona and earlier items`,
        })
    }
    if (problems.some((problem) => problem.field === field)) return
    const type = checkExpression(study, item.askedIf)
    if (isExpressionProblem(type))
      problems.push({
        field,
        message: `at character ${type.column} of ${JSON.stringify(item.askedIf)}: ${type.message}`,
      })
    else if (type.type !== "number")
      problems.push({
        field,
        message: `must be a condition (e.g. q1 == "Yes"), not a ${type.type}`,
      })
  })
  return problems
}
