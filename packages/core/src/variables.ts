import { type Expression, isExpressionError, parseExpression } from "./expression.js"
import type { AnswerValue } from "./scale.js"
import type { AnalysisVariable, Item, Persona, PersonaAttribute, StudyDefinition } from "./study.js"

/**
 * What every analysis or metric reads of a respondent — a human, or a twin with its human's arm and persona —
 * resolved one way for both: the arm, a factor's level, a persona value (numbers for numeric attributes), an
 * answer, or a derived variable computed from them.
 */
export interface VariableRow {
  readonly arm: string
  readonly persona: Persona
  readonly answers: Readonly<Record<string, AnswerValue>>
}

/** What a name in an expression (or a variable source) refers to. */
export type NameTarget =
  | { readonly kind: "item"; readonly item: Item }
  | { readonly kind: "persona"; readonly attribute: PersonaAttribute }
  | { readonly kind: "factor"; readonly factor: string; readonly levels: ReadonlyArray<string> }
  | { readonly kind: "arm" }
  | { readonly kind: "derived"; readonly id: string; readonly expression: string }

const targetsCache = new WeakMap<StudyDefinition, Map<string, ReadonlyArray<NameTarget>>>()

/** nameTargets, remembered per study: expressions are evaluated for every respondent. */
const cachedTargets = (study: StudyDefinition, name: string): ReadonlyArray<NameTarget> => {
  let cache = targetsCache.get(study)
  if (cache === undefined) {
    cache = new Map()
    targetsCache.set(study, cache)
  }
  let targets = cache.get(name)
  if (targets === undefined) {
    targets = nameTargets(study, name)
    cache.set(name, targets)
  }
  return targets
}

const scoreCache = new WeakMap<Item | PersonaAttribute, Map<string, number | undefined>>()

/** The score of an item's option or an ordered attribute's level, remembered per item or attribute. */
const cachedScore = (owner: Item | PersonaAttribute, level: string): number | undefined => {
  let cache = scoreCache.get(owner)
  if (cache === undefined) {
    cache = new Map()
    scoreCache.set(owner, cache)
  }
  if (!cache.has(level)) {
    const score =
      "scale" in owner
        ? owner.scale._tag === "Likert" || owner.scale._tag === "Binary"
          ? levelScore(owner.scale.options, owner.labels, level, owner.scale._tag === "Binary")
          : undefined
        : levelScore(owner.levels, owner.labels, level)
    cache.set(level, score)
  }
  return cache.get(level)
}

/** The targets a name could mean, in order: derived variables, items, persona attributes, factors, `arm`. */
export const nameTargets = (study: StudyDefinition, name: string): Array<NameTarget> => {
  const out: Array<NameTarget> = []
  const derived = study.derived?.find((candidate) => candidate.id === name)
  if (derived !== undefined) out.push({ kind: "derived", id: derived.id, expression: derived.expression })
  const item = study.items.find((candidate) => candidate.id === name)
  if (item !== undefined) out.push({ kind: "item", item })
  const attribute = study.persona.find((candidate) => candidate.id === name)
  if (attribute !== undefined) out.push({ kind: "persona", attribute })
  const factor = study.factors?.find((candidate) => candidate.id === name)
  if (factor !== undefined)
    out.push({ kind: "factor", factor: factor.id, levels: factor.levels.map((level) => level.id) })
  if (name === "arm") out.push({ kind: "arm" })
  return out
}

const numericCode = (
  labels: Readonly<Record<string, string>> | undefined,
  level: string,
): number | undefined => {
  if (labels === undefined) return undefined
  for (const [code, label] of Object.entries(labels)) {
    if (label === level && /^[-+]?\d+(\.\d+)?$/.test(code.trim())) return Number(code)
  }
  return undefined
}

/**
 * The score of an ordered level: its numeric code when value labels give one (`"1": Strongly disagree`),
 * else its 1-based position. Binary options score 0 and 1 (the second is the positive level).
 */
export const levelScore = (
  levels: ReadonlyArray<string>,
  labels: Readonly<Record<string, string>> | undefined,
  level: string,
  binary = false,
): number | undefined => {
  const index = levels.indexOf(level)
  if (index === -1) return undefined
  return numericCode(labels, level) ?? (binary ? index : index + 1)
}

/** Whether an item's answers have a number: numeric items and ordered scales (Likert, Binary). */
const itemIsNumeric = (item: Item): boolean =>
  item.scale._tag === "Numeric" || item.scale._tag === "Likert" || item.scale._tag === "Binary"

const attributeIsNumeric = (attribute: PersonaAttribute): boolean =>
  attribute.numeric !== undefined || attribute.ordered === true

/** The [lowest, highest] score of an ordered item or attribute, for `reverse`. */
const scoreRange = (target: NameTarget): readonly [number, number] | undefined => {
  if (target.kind === "item") {
    const scale = target.item.scale
    if (scale._tag === "Numeric") return [scale.min, scale.max]
    if (scale._tag !== "Likert" && scale._tag !== "Binary") return undefined
    const scores = (scale.options as ReadonlyArray<string>).map((option) => cachedScore(target.item, option)!)
    return [Math.min(...scores), Math.max(...scores)]
  }
  if (target.kind === "persona" && target.attribute.ordered === true) {
    const scores = target.attribute.levels.map((level) => cachedScore(target.attribute, level)!)
    return [Math.min(...scores), Math.max(...scores)]
  }
  return undefined
}

/** The text levels a target can take (options, persona levels, factor levels, arm ids). */
const targetLevels = (study: StudyDefinition, target: NameTarget): ReadonlyArray<string> => {
  switch (target.kind) {
    case "item":
      return target.item.scale._tag === "Numeric" ? [] : (target.item.scale.options as ReadonlyArray<string>)
    case "persona":
      return target.attribute.levels
    case "factor":
      return target.levels
    case "arm":
      return study.arms.map((arm) => arm.id)
    case "derived":
      return []
  }
}

/** The static type of an expression: a number, or a text with its possible levels. */
export type ExpressionType =
  | { readonly type: "number" }
  | { readonly type: "text"; readonly levels: ReadonlyArray<string> }

export interface ExpressionProblem {
  readonly message: string
  /** 1-based character of the expression. */
  readonly column: number
}

const NUMBER: ExpressionType = { type: "number" }

/**
 * Checks an expression against a study: every name known and unambiguous, no cycle through derived
 * variables, numbers where numbers are needed, compared and recoded levels that exist. Gives the
 * expression's type, or the first problem.
 */
export const checkExpression = (
  study: StudyDefinition,
  source: string,
  visiting: ReadonlyArray<string> = [],
): ExpressionType | ExpressionProblem => {
  const parsed = parseExpression(source)
  if (isExpressionError(parsed)) return parsed
  try {
    return typeOf(study, parsed, visiting)
  } catch (cause) {
    if (cause instanceof TypeFailure) return cause.problem
    throw cause
  }
}

export const isExpressionProblem = (value: ExpressionType | ExpressionProblem): value is ExpressionProblem =>
  "message" in value

class TypeFailure {
  constructor(readonly problem: ExpressionProblem) {}
}

const typeOf = (
  study: StudyDefinition,
  expression: Expression,
  visiting: ReadonlyArray<string>,
): ExpressionType => {
  const fail = (message: string, at = expression.at): never => {
    throw new TypeFailure({ message, column: at + 1 })
  }
  const number = (inner: Expression, what: string) => {
    const type = typeOf(study, inner, visiting)
    if (type.type !== "number") fail(`${what} needs a number, but this is text`, inner.at)
  }
  const labelsOf = (inner: Expression): ReadonlyArray<string> | undefined => {
    if (inner._tag !== "Name") return undefined
    const target = resolveName(study, inner.name, inner.at)
    return target.kind === "derived" ? undefined : targetLevels(study, target)
  }
  switch (expression._tag) {
    case "Number":
      return NUMBER
    case "Text":
      return { type: "text", levels: [expression.value] }
    case "Name": {
      const target = resolveName(study, expression.name, expression.at)
      switch (target.kind) {
        case "item":
          if (target.item.scale._tag === "MultiSelect")
            return fail(`"${expression.name}" is a multi-select item, which an expression cannot use`)
          return itemIsNumeric(target.item) ? NUMBER : { type: "text", levels: targetLevels(study, target) }
        case "persona":
          if (target.attribute.multiple)
            return fail(`"${expression.name}" is a multi-select attribute, which an expression cannot use`)
          return attributeIsNumeric(target.attribute)
            ? NUMBER
            : { type: "text", levels: targetLevels(study, target) }
        case "factor":
        case "arm":
          return { type: "text", levels: targetLevels(study, target) }
        case "derived": {
          if (visiting.includes(target.id))
            return fail(`"${target.id}" depends on itself (${[...visiting, target.id].join(" → ")})`)
          const inner = checkExpression(study, target.expression, [...visiting, target.id])
          if (isExpressionProblem(inner))
            return fail(`the derived variable "${target.id}" it uses has a problem: ${inner.message}`)
          return inner
        }
      }
      return NUMBER
    }
    case "Map":
      return fail("a {…} map only goes in recode(…)")
    case "Unary":
      number(expression.operand, expression.op === "-" ? "a minus sign" : '"not"')
      return NUMBER
    case "Binary": {
      const { op, left, right } = expression
      if (op === "==" || op === "!=") {
        // A name compared with a text compares the name's level (`q1 == "Agree"`, even for a Likert item).
        for (const [name, text] of [
          [left, right],
          [right, left],
        ] as const) {
          if (text._tag === "Text") {
            const levels = labelsOf(name)
            if (levels !== undefined) {
              if (levels.length > 0 && !levels.includes(text.value))
                fail(
                  `${JSON.stringify(text.value)} is not a level of "${(name as { name: string }).name}" (${levels.map((l) => JSON.stringify(l)).join(", ")})`,
                  text.at,
                )
              return NUMBER
            }
          }
        }
        const a = typeOf(study, left, visiting)
        const b = typeOf(study, right, visiting)
        if (a.type !== b.type) fail(`"${op}" compares a ${a.type} with a ${b.type}`)
        return NUMBER
      }
      const what = `"${op}"`
      number(left, what)
      number(right, what)
      return NUMBER
    }
    case "Call": {
      const { name, args } = expression
      if (args.some((arg) => arg._tag === "Map") && name !== "recode") fail(`${name}(…) takes no {…} map`)
      switch (name) {
        case "mean":
        case "sum":
        case "min":
        case "max":
          if (args.length === 0) fail(`${name}(…) needs at least one value`)
          for (const arg of args) number(arg, `${name}(…)`)
          return NUMBER
        case "count":
          if (args.length === 0) fail("count(…) needs at least one value")
          for (const arg of args) typeOf(study, arg, visiting)
          return NUMBER
        case "reverse": {
          const [arg] = args
          if (args.length !== 1 || arg?._tag !== "Name")
            return fail("reverse(…) takes one item or ordered attribute, e.g. reverse(q3)")
          const target = resolveName(study, arg.name, arg.at)
          if (scoreRange(target) === undefined)
            fail(
              `reverse(${arg.name}) needs a Likert, binary or numeric item, or an ordered attribute`,
              arg.at,
            )
          return NUMBER
        }
        case "recode": {
          const [value, map] = args
          if (args.length !== 2 || map?._tag !== "Map")
            return fail('recode(…) takes a value and a map, e.g. recode(q1, {"Yes": 1, "No": 0})')
          const levels = labelsOf(value!)
          if (levels === undefined) typeOf(study, value!, visiting)
          else if (levels.length > 0)
            for (const [key] of map.entries)
              if (!levels.includes(key))
                fail(
                  `${JSON.stringify(key)} is not a level of "${(value as { name: string }).name}" (${levels.map((l) => JSON.stringify(l)).join(", ")})`,
                  map.at,
                )
          const types = map.entries.map(([, inner]) => typeOf(study, inner, visiting))
          if (types.length === 0) fail("recode(…) needs at least one entry in its map", map.at)
          if (types.every((type) => type.type === "number")) return NUMBER
          if (types.every((type) => type.type === "text"))
            return {
              type: "text",
              levels: unique(types.flatMap((type) => (type.type === "text" ? type.levels : []))),
            }
          return fail("a recode map gives all numbers or all texts", map.at)
        }
        case "if": {
          if (args.length !== 3) fail("if(…) takes a condition, a value when true and a value when false")
          number(args[0]!, "if(…)'s condition")
          const a = typeOf(study, args[1]!, visiting)
          const b = typeOf(study, args[2]!, visiting)
          if (a.type !== b.type) fail("if(…) gives a number on one side and a text on the other")
          return a.type === "text" && b.type === "text"
            ? { type: "text", levels: unique([...a.levels, ...b.levels]) }
            : NUMBER
        }
      }
      return fail(`unknown function "${name}"`)
    }
  }
}

const unique = (values: ReadonlyArray<string>): Array<string> => [...new Set(values)]

const resolveName = (study: StudyDefinition, name: string, at: number): NameTarget => {
  const targets = nameTargets(study, name)
  if (targets.length === 0)
    throw new TypeFailure({
      message: `unknown name "${name}" (an item, persona attribute, factor, derived variable or arm)`,
      column: at + 1,
    })
  if (targets.length > 1)
    throw new TypeFailure({
      message: `"${name}" is ambiguous: it names a ${targets.map((target) => target.kind).join(" and a ")}; rename one`,
      column: at + 1,
    })
  return targets[0]!
}

type Value = number | string | null

/** A respondent's value of a name: a number for numeric and ordered sources, else its level; null when missing. */
const nameValue = (study: StudyDefinition, target: NameTarget, row: VariableRow, label: boolean): Value => {
  switch (target.kind) {
    case "item": {
      const answer = row.answers[target.item.id]
      if (answer === null || answer === undefined || typeof answer === "object") return null
      if (typeof answer === "number") return answer
      const scale = target.item.scale
      if (label || (scale._tag !== "Likert" && scale._tag !== "Binary")) return answer
      return cachedScore(target.item, answer) ?? null
    }
    case "persona": {
      const value = row.persona[target.attribute.id]
      if (value === undefined || typeof value !== "string") return null
      if (label) return value
      if (target.attribute.numeric !== undefined) return Number(value)
      if (target.attribute.ordered === true) return cachedScore(target.attribute, value) ?? null
      return value
    }
    case "factor":
      return study.arms.find((arm) => arm.id === row.arm)?.factors?.[target.factor] ?? null
    case "arm":
      return row.arm
    case "derived":
      return derivedValue(study, target.id, row)
  }
}

const truth = (value: boolean): number => (value ? 1 : 0)

const evaluate = (study: StudyDefinition, expression: Expression, row: VariableRow): Value => {
  const name = (inner: Expression, label: boolean): Value => {
    if (inner._tag !== "Name") return evaluate(study, inner, row)
    // An unknown name (validation reports it) is missing, never a crash.
    const target = cachedTargets(study, inner.name)[0]
    return target === undefined ? null : nameValue(study, target, row, label)
  }
  switch (expression._tag) {
    case "Number":
    case "Text":
      return expression.value
    case "Name":
      return name(expression, false)
    case "Map":
      return null
    case "Unary": {
      const value = evaluate(study, expression.operand, row)
      if (typeof value !== "number") return null
      return expression.op === "-" ? -value : truth(value === 0)
    }
    case "Binary": {
      const { op, left, right } = expression
      if (op === "==" || op === "!=") {
        const byLabel = left._tag === "Text" || right._tag === "Text"
        const a = name(left, byLabel)
        const b = name(right, byLabel)
        if (a === null || b === null) return null
        return truth(op === "==" ? a === b : a !== b)
      }
      const a = evaluate(study, left, row)
      const b = evaluate(study, right, row)
      if (op === "and" || op === "or") {
        // Three-valued logic: false and missing is false; true or missing is true.
        const x = typeof a === "number" ? a !== 0 : null
        const y = typeof b === "number" ? b !== 0 : null
        if (op === "and") return x === false || y === false ? 0 : x === null || y === null ? null : 1
        return x === true || y === true ? 1 : x === null || y === null ? null : 0
      }
      if (typeof a !== "number" || typeof b !== "number") return null
      switch (op) {
        case "+":
          return a + b
        case "-":
          return a - b
        case "*":
          return a * b
        case "/":
          return b === 0 ? null : a / b
        case "<":
          return truth(a < b)
        case "<=":
          return truth(a <= b)
        case ">":
          return truth(a > b)
        case ">=":
          return truth(a >= b)
      }
      return null
    }
    case "Call": {
      const { args } = expression
      switch (expression.name) {
        case "count":
          return args.filter((arg) => evaluate(study, arg, row) !== null).length
        case "mean":
        case "sum":
        case "min":
        case "max": {
          const values = args.map((arg) => evaluate(study, arg, row))
          if (values.some((value) => typeof value !== "number")) return null
          const numbers = values as Array<number>
          if (expression.name === "min") return Math.min(...numbers)
          if (expression.name === "max") return Math.max(...numbers)
          const total = numbers.reduce((a, b) => a + b, 0)
          return expression.name === "sum" ? total : total / numbers.length
        }
        case "reverse": {
          const arg = args[0]!
          if (arg._tag !== "Name") return null
          const target = cachedTargets(study, arg.name)[0]
          if (target === undefined) return null
          const range = scoreRange(target)
          const value = nameValue(study, target, row, false)
          return range === undefined || typeof value !== "number" ? null : range[0] + range[1] - value
        }
        case "recode": {
          const map = args[1]
          if (map?._tag !== "Map") return null
          const key = name(args[0]!, true)
          if (key === null) return null
          const entry = map.entries.find(([level]) => level === String(key))
          return entry === undefined ? null : evaluate(study, entry[1], row)
        }
        case "if": {
          const condition = evaluate(study, args[0]!, row)
          if (typeof condition !== "number") return null
          return evaluate(study, args[condition !== 0 ? 1 : 2]!, row)
        }
      }
      return null
    }
  }
}

const parsedCache = new WeakMap<StudyDefinition, Map<string, Expression | undefined>>()

const parsedOf = (study: StudyDefinition, source: string): Expression | undefined => {
  let cache = parsedCache.get(study)
  if (cache === undefined) {
    cache = new Map()
    parsedCache.set(study, cache)
  }
  if (!cache.has(source)) {
    const parsed = parseExpression(source)
    cache.set(source, isExpressionError(parsed) ? undefined : parsed)
  }
  return cache.get(source)
}

/** Evaluates an expression for one respondent (null when a value it needs is missing, or it does not parse). */
export const evaluateExpression = (study: StudyDefinition, source: string, row: VariableRow): Value => {
  const parsed = parsedOf(study, source)
  return parsed === undefined ? null : evaluate(study, parsed, row)
}

/** A derived variable's value for one respondent: a number, a level, or null (missing, or unknown variable). */
export const derivedValue = (study: StudyDefinition, id: string, row: VariableRow): Value => {
  const variable = study.derived?.find((candidate) => candidate.id === id)
  return variable === undefined ? null : evaluateExpression(study, variable.expression, row)
}

/**
 * The value of an analysis variable's source for one respondent: the arm id, a factor's level id, a persona
 * value (a number for numeric attributes), an answer, or a derived value. Undefined or null when missing.
 */
export const sourceValue = (
  study: StudyDefinition,
  source: AnalysisVariable["source"],
  row: VariableRow,
): AnswerValue | undefined => {
  switch (source._tag) {
    case "Arm":
      return row.arm
    case "Factor":
      return study.arms.find((arm) => arm.id === row.arm)?.factors?.[source.factor] ?? null
    case "Persona": {
      const value = row.persona[source.attribute]
      const attribute = study.persona.find((candidate) => candidate.id === source.attribute)
      return attribute?.numeric !== undefined && typeof value === "string" ? Number(value) : value
    }
    case "Item":
      return row.answers[source.item]
    case "Derived":
      return derivedValue(study, source.variable, row)
  }
}

/**
 * The value of a source as a number, for a numeric coding: numbers as they are; Likert, Binary and ordered
 * persona levels as their scores (numeric code, else position). Null when missing or not numeric.
 */
export const sourceNumber = (
  study: StudyDefinition,
  source: AnalysisVariable["source"],
  row: VariableRow,
): number | null => {
  switch (source._tag) {
    case "Item": {
      const item = study.items.find((candidate) => candidate.id === source.item)
      return item === undefined ? null : asNumber(nameValue(study, { kind: "item", item }, row, false))
    }
    case "Persona": {
      const attribute = study.persona.find((candidate) => candidate.id === source.attribute)
      return attribute === undefined
        ? null
        : asNumber(nameValue(study, { kind: "persona", attribute }, row, false))
    }
    default:
      return asNumber(sourceValue(study, source, row) ?? null)
  }
}

const asNumber = (value: AnswerValue): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null

/**
 * The levels a source takes, in their declared order, or null for a numeric source (a numeric item or
 * attribute, a numeric derived variable) and for an unknown one.
 */
export const sourceLevels = (
  study: StudyDefinition,
  source: AnalysisVariable["source"],
): ReadonlyArray<string> | null => {
  switch (source._tag) {
    case "Arm":
      return study.arms.map((arm) => arm.id)
    case "Factor":
      return (
        study.factors?.find((factor) => factor.id === source.factor)?.levels.map((level) => level.id) ?? null
      )
    case "Persona": {
      const attribute = study.persona.find((candidate) => candidate.id === source.attribute)
      return attribute === undefined || attribute.numeric !== undefined ? null : attribute.levels
    }
    case "Item": {
      const item = study.items.find((candidate) => candidate.id === source.item)
      return item === undefined || item.scale._tag === "Numeric"
        ? null
        : (item.scale.options as ReadonlyArray<string>)
    }
    case "Derived": {
      const variable = study.derived?.find((candidate) => candidate.id === source.variable)
      if (variable === undefined) return null
      const type = checkExpression(study, variable.expression, [variable.id])
      return isExpressionProblem(type) || type.type === "number" ? null : type.levels
    }
  }
}

/** Whether a source can be read as a number (numeric coding): numbers, ordered scales and ordered attributes. */
export const sourceIsNumeric = (study: StudyDefinition, source: AnalysisVariable["source"]): boolean => {
  switch (source._tag) {
    case "Item": {
      const item = study.items.find((candidate) => candidate.id === source.item)
      return item !== undefined && itemIsNumeric(item)
    }
    case "Persona": {
      const attribute = study.persona.find((candidate) => candidate.id === source.attribute)
      return attribute !== undefined && attributeIsNumeric(attribute)
    }
    case "Derived": {
      const variable = study.derived?.find((candidate) => candidate.id === source.variable)
      if (variable === undefined) return false
      const type = checkExpression(study, variable.expression, [variable.id])
      return !isExpressionProblem(type) && type.type === "number"
    }
    default:
      return false
  }
}

/**
 * The items a respondent was not asked, in the study's item order: those whose `askedIf` does not hold
 * (0, or unknown because what it reads is missing; any other number holds). Each condition reads the answers with the items
 * skipped before it already treated as missing.
 */
export const skippedItems = (study: StudyDefinition, row: VariableRow): Array<string> => {
  if (!study.items.some((item) => item.askedIf !== undefined)) return []
  const answers: Record<string, AnswerValue> = { ...row.answers }
  const skipped: Array<string> = []
  for (const item of study.items) {
    if (item.askedIf === undefined) continue
    const holds = evaluateExpression(study, item.askedIf, { ...row, answers })
    if (typeof holds !== "number" || holds === 0) {
      skipped.push(item.id)
      answers[item.id] = null
    }
  }
  return skipped
}

/** The twin of a respondent: its arm, persona and the items its human was not asked; never its answers. */
export const twinOf = (
  study: StudyDefinition,
  respondent: VariableRow,
  id: string,
): {
  readonly id: string
  readonly arm: string
  readonly persona: Persona
  readonly skipped?: Array<string>
} => {
  const skipped = skippedItems(study, respondent)
  return {
    id,
    arm: respondent.arm,
    persona: respondent.persona,
    ...(skipped.length === 0 ? {} : { skipped }),
  }
}
