import { type Expression, isExpressionError, parseExpression } from "./expression.js"
import type { DerivedVariable, StudyDefinition } from "./study.js"
import {
  checkExpression,
  derivedValue,
  isExpressionProblem,
  levelScore,
  type NameTarget,
  nameTargets,
  type VariableRow,
} from "./variables.js"

/**
 * Derived variables as measures the item-level metrics score (divergence, subgroup, heterogeneity): a pseudo-item
 * computed the same way from a human's answers and from its twin's. A text result is a category (its levels, in
 * the order the expression gives them); a numeric result whose possible values form a small finite set (an index
 * of Likert items: the mean of three 1–7 items takes 19 values) is an ordered scale over those values, like a
 * Likert item; any other numeric result (one that reads a numeric item or attribute with many values) is left
 * unscored, as numeric items are.
 */
export type DerivedMeasure =
  | {
      readonly _tag: "Levels"
      readonly id: string
      readonly label: string
      /** The levels: texts, or the possible numbers in increasing order, written as numbers. */
      readonly levels: ReadonlyArray<string>
      /** The numbers of a numeric measure (same order as `levels`); absent for a text measure. */
      readonly values?: ReadonlyArray<number>
      readonly ordered: boolean
    }
  | { readonly _tag: "Unscorable"; readonly id: string; readonly label: string; readonly reason: string }

/** Most possible values a numeric derived variable may take to be scored as an ordered scale. */
export const maxDerivedLevels = 101

/** The items a derived variable reads, through other derived variables too (in order of first use). */
export const derivedItems = (study: StudyDefinition, id: string): Array<string> => {
  const items: Array<string> = []
  const visit = (variableId: string, visiting: ReadonlyArray<string>) => {
    const variable = study.derived?.find((candidate) => candidate.id === variableId)
    if (variable === undefined || visiting.includes(variableId)) return
    const parsed = parseExpression(variable.expression)
    if (isExpressionError(parsed)) return
    for (const name of namesOf(parsed)) {
      const target = nameTargets(study, name)[0]
      if (target?.kind === "item" && !items.includes(target.item.id)) items.push(target.item.id)
      if (target?.kind === "derived") visit(target.id, [...visiting, variableId])
    }
  }
  visit(id, [])
  return items
}

const namesOf = (expression: Expression): Array<string> => {
  switch (expression._tag) {
    case "Name":
      return [expression.name]
    case "Call":
      return expression.args.flatMap(namesOf)
    case "Map":
      return expression.entries.flatMap(([, inner]) => namesOf(inner))
    case "Unary":
      return namesOf(expression.operand)
    case "Binary":
      return [...namesOf(expression.left), ...namesOf(expression.right)]
    default:
      return []
  }
}

/**
 * Whether the item-level metrics score a derived variable. Never when it reads no answer (it reads only the
 * persona, factors or arm, which a twin shares with its human: the two agree by construction). Otherwise as its
 * `score` says; by default when it is the outcome of a declared analysis: that is a construct the study measures
 * and publishes, while other derived variables are often steps towards one (a reversed item, a recode) whose
 * scoring would only weigh their items twice in the metrics' means over items.
 */
export const isScoredDerived = (study: StudyDefinition, variable: DerivedVariable): boolean => {
  if (variable.score === false) return false
  if (derivedItems(study, variable.id).length === 0) return false
  if (variable.score === true) return true
  return study.analyses.some(
    (analysis) =>
      analysis.outcome.source._tag === "Derived" && analysis.outcome.source.variable === variable.id,
  )
}

/** The derived variables the item-level metrics score, as measures, in declaration order. */
export const derivedMeasures = (study: StudyDefinition): Array<DerivedMeasure> =>
  (study.derived ?? [])
    .filter((variable) => isScoredDerived(study, variable))
    .map((v) => derivedMeasure(study, v))

/** A derived variable as a measure: its levels, or why it cannot be scored. */
export const derivedMeasure = (study: StudyDefinition, variable: DerivedVariable): DerivedMeasure => {
  const { id, label } = variable
  const type = checkExpression(study, variable.expression, [variable.id])
  if (isExpressionProblem(type))
    return { _tag: "Unscorable", id, label, reason: `its expression has a problem: ${type.message}` }
  if (type.type === "text") return { _tag: "Levels", id, label, levels: type.levels, ordered: false }
  const parsed = parseExpression(variable.expression)
  const support = isExpressionError(parsed) ? undefined : supportOf(study, parsed, [variable.id])
  if (support === undefined || support.size === 0)
    return {
      _tag: "Unscorable",
      id,
      label,
      reason: `a numeric derived variable is scored only when its possible values are a finite set of at most ${maxDerivedLevels} (an index of Likert, binary or ordered items); this one can take more (it reads a numeric item or attribute, or divides by a value)`,
    }
  const values = [...support].sort((a, b) => a - b)
  return { _tag: "Levels", id, label, levels: values.map(formatLevel), values, ordered: true }
}

/** A number as a level: at most six significant digits (4.33333), no trailing zeros. */
export const formatLevel = (value: number): string => String(Number(value.toPrecision(6)))

/** Floating-point noise (1/3 + 1/3 + 1/3) must not make two values of one level. */
const canonical = (value: number): number => Math.round(value * 1e9) / 1e9

type Support = Set<number> | undefined

/** Pairwise combination of two supports, or undefined when either is unknown or the result is too large. */
const combine = (a: Support, b: Support, op: (x: number, y: number) => number | null): Support => {
  if (a === undefined || b === undefined) return undefined
  const out = new Set<number>()
  for (const x of a)
    for (const y of b) {
      const value = op(x, y)
      if (value === null || !Number.isFinite(value)) continue
      out.add(canonical(value))
      if (out.size > maxDerivedLevels * 8) return undefined
    }
  return out
}

const BOOLEAN: Set<number> = new Set([0, 1])

/** The possible values of an item or attribute read as a number, when finite. */
const targetSupport = (
  study: StudyDefinition,
  target: NameTarget,
  visiting: ReadonlyArray<string>,
): Support => {
  switch (target.kind) {
    case "item": {
      const { item } = target
      const scale = item.scale
      if (scale._tag === "Likert" || scale._tag === "Binary")
        return new Set(
          (scale.options as ReadonlyArray<string>).map((option) =>
            canonical(levelScore(scale.options, item.labels, option, scale._tag === "Binary")!),
          ),
        )
      if (scale._tag === "Numeric" && scale.integer && scale.max - scale.min < maxDerivedLevels) {
        const out = new Set<number>()
        for (let value = Math.ceil(scale.min); value <= scale.max; value++) out.add(value)
        return out
      }
      return undefined
    }
    case "persona": {
      const { attribute } = target
      if (attribute.ordered !== true || attribute.numeric !== undefined) return undefined
      return new Set(
        attribute.levels.map((level) => canonical(levelScore(attribute.levels, attribute.labels, level)!)),
      )
    }
    case "derived": {
      if (visiting.includes(target.id)) return undefined
      const parsed = parseExpression(target.expression)
      return isExpressionError(parsed) ? undefined : supportOf(study, parsed, [...visiting, target.id])
    }
    default:
      return undefined
  }
}

/**
 * The possible values of a numeric expression (assumed to type-check), or undefined when they are not a known
 * finite set small enough to score.
 */
const supportOf = (
  study: StudyDefinition,
  expression: Expression,
  visiting: ReadonlyArray<string>,
): Support => {
  const result = supportWithin(study, expression, visiting)
  return result !== undefined && result.size > maxDerivedLevels ? undefined : result
}

/** supportOf before the final size check (intermediate sums may hold more values than the result). */
const supportWithin = (
  study: StudyDefinition,
  expression: Expression,
  visiting: ReadonlyArray<string>,
): Support => {
  const of = (inner: Expression): Support => supportWithin(study, inner, visiting)
  switch (expression._tag) {
    case "Number":
      return new Set([canonical(expression.value)])
    case "Name": {
      const target = nameTargets(study, expression.name)[0]
      return target === undefined ? undefined : targetSupport(study, target, visiting)
    }
    case "Unary":
      return expression.op === "not" ? BOOLEAN : combine(of(expression.operand), new Set([0]), (x) => -x)
    case "Binary": {
      const { op, left, right } = expression
      switch (op) {
        case "+":
          return combine(of(left), of(right), (x, y) => x + y)
        case "-":
          return combine(of(left), of(right), (x, y) => x - y)
        case "*":
          return combine(of(left), of(right), (x, y) => x * y)
        case "/":
          return combine(of(left), of(right), (x, y) => (y === 0 ? null : x / y))
        default:
          return BOOLEAN
      }
    }
    case "Call": {
      const { args } = expression
      switch (expression.name) {
        case "count":
          return new Set(Array.from({ length: args.length + 1 }, (_, index) => index))
        case "sum":
        case "mean":
        case "min":
        case "max": {
          const op =
            expression.name === "min"
              ? Math.min
              : expression.name === "max"
                ? Math.max
                : (x: number, y: number) => x + y
          let total = of(args[0]!)
          for (const arg of args.slice(1)) total = combine(total, of(arg), op)
          return expression.name === "mean" ? combine(total, new Set([args.length]), (x, y) => x / y) : total
        }
        case "reverse": {
          const arg = args[0]
          if (arg?._tag !== "Name") return undefined
          const values = of(arg)
          if (values === undefined) return undefined
          const low = Math.min(...values)
          const high = Math.max(...values)
          return new Set([...values].map((value) => canonical(low + high - value)))
        }
        case "recode": {
          const map = args[1]
          if (map?._tag !== "Map") return undefined
          return union(map.entries.map(([, inner]) => of(inner)))
        }
        case "if":
          return union([of(args[1]!), of(args[2]!)])
      }
      return undefined
    }
    default:
      return undefined
  }
}

const union = (supports: ReadonlyArray<Support>): Support => {
  const out = new Set<number>()
  for (const support of supports) {
    if (support === undefined) return undefined
    for (const value of support) out.add(value)
  }
  return out
}

/**
 * A respondent's level of a scored derived measure: its index in `levels`, or −1 when missing (a value it
 * needs is missing or invalid) or when the measure is unscorable.
 */
export const derivedCode = (study: StudyDefinition, measure: DerivedMeasure, row: VariableRow): number => {
  if (measure._tag === "Unscorable") return -1
  const value = derivedValue(study, measure.id, row)
  if (value === null) return -1
  if (measure.values === undefined) return typeof value === "string" ? measure.levels.indexOf(value) : -1
  if (typeof value !== "number") return -1
  const key = canonical(value)
  return measure.values.indexOf(key)
}
