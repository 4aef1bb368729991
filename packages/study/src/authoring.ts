import type { StudyProblem } from "./problems.js"

/**
 * The declarative study format (study.yaml / study.json) is the core `StudyDefinition` plus a few
 * authoring conveniences, each expanded here before the core schema decodes the result:
 *
 * - shorthands for tagged values, each a map with exactly one known key (so it cannot be misread):
 *   `scale: { likert: [...] }` for `{ _tag: Likert, options: [...] }` (also `binary`, `categorical`,
 *   `multiSelect`, and `numeric: { min, max, integer }`); `source: arm`, `source: { persona: age }`,
 *   `source: { item: share }`; `coding: { indicator: [...] }`, `coding: { categorical: { reference } }`,
 *   `coding: numeric` (analysis `subset` conditions take the same `source` shorthands). The canonical `_tag`
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
    return out
  })
  study.items = mapArray(study.items, (item, index) => {
    if (!isRecord(item) || !("scale" in item)) return item
    return { ...item, scale: expandTagged(item.scale, `items[${index}].scale`, scaleShorthands, problems) }
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
}

const codingShorthands: Readonly<Record<string, Expansion>> = {
  indicator: (body) => ({ _tag: "Indicator", levels: body }),
  categorical: withFields("Categorical", "{ reference, recode?, multiple? }"),
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
