import type { StudyProblem } from "./problems.js"

/**
 * The declarative study format (study.yaml / study.json) is the core `StudyDefinition` plus a few
 * authoring conveniences, each expanded here before the core schema decodes the result:
 *
 * - shorthands for tagged values, each a map with exactly one known key (so it cannot be misread):
 *   `scale: { likert: [...] }` for `{ _tag: Likert, options: [...] }` (also `binary`, `categorical`,
 *   `multiSelect`, and `numeric: { min, max, integer }`); `source: arm`, `source: { persona: age }`,
 *   `source: { item: share }`; `coding: { indicator: [...] }`, `coding: { categorical: { reference } }`,
 *   `coding: numeric` (analysis `subset` conditions take the same `source` shorthands); item
 *   `protect: { forcedResponse: { pYes: 1/6, pNo: 1/6 } }` (also `warner`, `crosswise`, `list`), whose
 *   probabilities may be written as fractions. The canonical `_tag`
 *   form is accepted everywhere too.
 * - defaults for fields whose obvious value is the only sensible one: empty `description`, `preamble`,
 *   `subgroups`, `beliefActionPairs`, `analyses`, `figures`, `interactions` and arm `stimulus`;
 *   `trimWhitespace: true`; `privateColumns: [<respondentId>]`; `data.directory: <id>`; persona
 *   `multiple: false` and `template: "<label>: {value}"`.
 *
 * Paths are preserved (a shorthand expands in place), so schema errors still point at the author's field.
 */
export const expandAuthoring = (
  input: unknown,
): { readonly value: unknown; readonly problems: StudyProblem[] } => {
  const problems: Array<StudyProblem> = []
  if (!isRecord(input)) return { value: input, problems }
  const study: Record<string, unknown> = { ...input }
  const fill = (target: Record<string, unknown>, key: string, value: unknown) => {
    if (!(key in target)) target[key] = value
  }
  fill(study, "description", "")
  fill(study, "preamble", "")
  fill(study, "subgroups", [])
  fill(study, "persona", [])
  fill(study, "beliefActionPairs", [])
  fill(study, "analyses", [])
  fill(study, "figures", [])
  fill(study, "trimWhitespace", true)
  // Without a valid respondentId the schema reports it; an empty default avoids a second, misleading error.
  fill(study, "privateColumns", typeof study.respondentId === "string" ? [study.respondentId] : [])
  if (isRecord(study.data) && typeof study.id === "string") {
    study.data = { ...study.data }
    fill(study.data as Record<string, unknown>, "directory", study.id)
  }
  if ("factors" in study)
    study.factors = mapArray(study.factors, (factor) => {
      if (!isRecord(factor)) return factor
      const out = { ...factor }
      out.levels = mapArray(out.levels, (level) => {
        if (!isRecord(level)) return level
        const filled = { ...level }
        fill(filled, "stimulus", "")
        if (typeof filled.id === "string") fill(filled, "label", filled.id)
        return filled
      })
      return out
    })
  if (!("arms" in study)) {
    if (Array.isArray(study.factors)) {
      const arms = armsFromFactors(study.factors)
      if (arms !== undefined) study.arms = arms
    } else if (!("armColumn" in study)) {
      // An observational survey: everyone is in one arm that shows nothing.
      study.arms = [{ id: ONE_ARM, label: "All respondents", value: "", stimulus: "" }]
    }
  }
  study.arms = mapArray(study.arms, (arm) => {
    if (!isRecord(arm)) return arm
    const out = { ...arm }
    fill(out, "stimulus", "")
    return out
  })
  study.persona = mapArray(study.persona, (attribute) => {
    if (!isRecord(attribute)) return attribute
    const out = { ...attribute }
    fill(out, "multiple", false)
    if (typeof out.label === "string") fill(out, "template", `${out.label}: {value}`)
    // `numeric: true` (no unit) is `numeric: {}`; a numeric attribute has no levels.
    if (out.numeric === true) out.numeric = {}
    if (isRecord(out.numeric)) fill(out, "levels", [])
    return out
  })
  study.items = mapArray(study.items, (item, index) => {
    if (!isRecord(item)) return item
    const out = { ...item }
    if ("scale" in out)
      out.scale = expandTagged(out.scale, `items[${index}].scale`, scaleShorthands, problems)
    if ("protect" in out) out.protect = expandProtect(out.protect, `items[${index}].protect`, problems)
    return out
  })
  study.analyses = mapArray(study.analyses, (analysis, index) => {
    if (!isRecord(analysis)) return analysis
    const out = { ...analysis }
    fill(out, "interactions", [])
    const field = `analyses[${index}]`
    out.outcome = expandVariable(out.outcome, `${field}.outcome`, problems)
    out.predictors = mapArray(out.predictors, (predictor, p) =>
      expandVariable(predictor, `${field}.predictors[${p}]`, problems),
    )
    if ("subset" in out)
      out.subset = mapArray(out.subset, (condition, c) =>
        expandVariable(condition, `${field}.subset[${c}]`, problems),
      )
    return out
  })
  return { value: study, problems }
}

/** The id of the one arm of a study without arms (an observational survey). */
export const ONE_ARM = "all"

/**
 * The arms of a factorial design: every combination of the factors' levels, in order (the first factor
 * varies slowest). Arm id `<level id>.<level id>`, label `<label> × <label>`, stimulus the levels' stimuli.
 * Undefined when the factors are not well-formed enough to combine (the schema then reports why).
 */
export const armsFromFactors = (
  factors: ReadonlyArray<unknown>,
): Array<Record<string, unknown>> | undefined => {
  type Level = { id: string; label: string; stimulus: string }
  const parsed: Array<{ id: string; levels: Array<Level> }> = []
  for (const factor of factors) {
    if (!isRecord(factor) || typeof factor.id !== "string" || !Array.isArray(factor.levels)) return undefined
    const levels: Array<Level> = []
    for (const level of factor.levels) {
      if (!isRecord(level) || typeof level.id !== "string") return undefined
      levels.push({
        id: level.id,
        label: typeof level.label === "string" ? level.label : level.id,
        stimulus: typeof level.stimulus === "string" ? level.stimulus : "",
      })
    }
    parsed.push({ id: factor.id, levels })
  }
  let cells: Array<Array<{ factor: string; level: Level }>> = [[]]
  for (const factor of parsed)
    cells = cells.flatMap((cell) => factor.levels.map((level) => [...cell, { factor: factor.id, level }]))
  return cells.map((cell) => {
    const id = cell.map((part) => part.level.id).join(".")
    return {
      id,
      label: cell.map((part) => part.level.label).join(" × "),
      value: id,
      stimulus: cell
        .map((part) => part.level.stimulus.trim())
        .filter((text) => text !== "")
        .join("\n\n"),
      factors: Object.fromEntries(cell.map((part) => [part.factor, part.level.id])),
    }
  })
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const mapArray = (value: unknown, f: (element: unknown, index: number) => unknown): unknown =>
  Array.isArray(value) ? value.map(f) : value

/** How one shorthand key expands into the canonical tagged value. */
type Expansion = (body: unknown) => Record<string, unknown> | { readonly error: string }

const withOptions =
  (tag: string): Expansion =>
  (body) => ({ _tag: tag, options: body })

const withFields =
  (tag: string, shape: string): Expansion =>
  (body) =>
    isRecord(body) ? { ...body, _tag: tag } : { error: `${tag.toLowerCase()} takes a map: ${shape}` }

const scaleShorthands: Readonly<Record<string, Expansion>> = {
  likert: withOptions("Likert"),
  binary: withOptions("Binary"),
  categorical: withOptions("Categorical"),
  multiSelect: withOptions("MultiSelect"),
  numeric: withFields("Numeric", "{ min, max, integer }"),
}

const sourceShorthands: Readonly<Record<string, Expansion>> = {
  persona: (body) => ({ _tag: "Persona", attribute: body }),
  item: (body) => ({ _tag: "Item", item: body }),
  derived: (body) => ({ _tag: "Derived", variable: body }),
  factor: (body) => ({ _tag: "Factor", factor: body }),
}

const codingShorthands: Readonly<Record<string, Expansion>> = {
  indicator: (body) => ({ _tag: "Indicator", levels: body }),
  categorical: withFields("Categorical", "{ reference, recode?, multiple? }"),
}

const protectShorthands: Readonly<Record<string, Expansion>> = {
  forcedResponse: withFields("ForcedResponse", "{ pYes, pNo, told? }"),
  warner: withFields("Warner", "{ p, told? }"),
  crosswise: withFields("Crosswise", "{ p, innocuous, told? }"),
  list: withFields("List", "{ control, treatment, items? }"),
}

/** A probability written as a fraction (`1/6`), which YAML reads as text, as its number. */
const fraction = (value: unknown): unknown => {
  if (typeof value !== "string") return value
  const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(value)
  return match === null || Number(match[2]) === 0 ? value : Number(match[1]) / Number(match[2])
}

/** `protect: { forcedResponse: { pYes: 1/6, pNo: 1/6 } }` and the like; probabilities may be fractions. */
const expandProtect = (value: unknown, field: string, problems: Array<StudyProblem>): unknown => {
  const expanded = expandTagged(value, field, protectShorthands, problems)
  if (!isRecord(expanded)) return expanded
  const out = { ...expanded }
  for (const key of ["p", "pYes", "pNo"]) if (key in out) out[key] = fraction(out[key])
  return out
}

/** Bare words that stand for a tagged value without fields. */
const bareSources: Readonly<Record<string, string>> = { arm: "Arm" }
const bareCodings: Readonly<Record<string, string>> = { numeric: "Numeric" }

const expandTagged = (
  value: unknown,
  field: string,
  shorthands: Readonly<Record<string, Expansion>>,
  problems: Array<StudyProblem>,
  bare: Readonly<Record<string, string>> = {},
): unknown => {
  if (typeof value === "string" && value in bare) return { _tag: bare[value] }
  if (!isRecord(value)) return value
  // A value with "_tag" is in the canonical form (whose fields may share a shorthand's name, like
  // `{ _tag: Item, item: share }`); the core schema decodes it strictly.
  if ("_tag" in value) return value
  const used = Object.keys(value).filter((key) => Object.hasOwn(shorthands, key))
  if (used.length === 0) return value
  const known = Object.keys(shorthands).join(", ")
  if (used.length > 1) {
    problems.push({
      kind: "schema",
      field,
      message: `a shorthand holds exactly one of ${known}; found ${used.join(" and ")}`,
    })
    return value
  }
  const key = used[0]!
  const extra = Object.keys(value).filter((k) => k !== key)
  if (extra.length > 0) {
    problems.push({
      kind: "schema",
      field,
      message: `unexpected ${extra.map((k) => `"${k}"`).join(", ")} next to the shorthand "${key}" (put it inside, or use the "_tag" form)`,
    })
    return value
  }
  const expanded = shorthands[key]!(value[key])
  if ("error" in expanded) {
    problems.push({ kind: "schema", field: `${field}.${key}`, message: String(expanded.error) })
    return value
  }
  return expanded
}

const expandVariable = (variable: unknown, field: string, problems: Array<StudyProblem>): unknown => {
  if (!isRecord(variable)) return variable
  const out = { ...variable }
  if ("source" in out)
    out.source = expandTagged(out.source, `${field}.source`, sourceShorthands, problems, bareSources)
  if ("coding" in out)
    out.coding = expandTagged(out.coding, `${field}.coding`, codingShorthands, problems, bareCodings)
  return out
}
