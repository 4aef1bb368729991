import type { ItemRole, Scale } from "@standin/core"
import { Document, isMap, isSeq, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from "yaml"
import { type CsvTable, splitMulti } from "./load.js"

/**
 * Drafting a study from a CSV (`standin study init`): each column is profiled and guessed to be the
 * respondent id, the treatment arm, a persona attribute, an item (with its scale and role) or private
 * free text. The draft is a commented study.yaml: every guess says so, and what only the author can
 * know (question wording, what an arm showed, the citation) is left as a `TODO` that `study check`
 * reports until it is filled in.
 */

export interface InferOptions {
  /** Study id (also the data folder name under STANDIN_DATA_DIR). */
  readonly id: string
  /** The data file name written into `data.file`. */
  readonly dataFile: string
  readonly sha256: string
  readonly bytes: number
  /** Whether the CSV is copied into the study folder (else it is looked for under STANDIN_DATA_DIR). */
  readonly copied: boolean
  /** The CSV as the user named it, for the header comment. */
  readonly source: string
  /** Overrides for the two columns that cannot be told from the values alone. */
  readonly idColumn?: string
  readonly armColumn?: string
}

export interface InferredStudy {
  /** The study.yaml text, with comments. */
  readonly yaml: string
  /** One line per column: what it was taken for. */
  readonly summary: ReadonlyArray<string>
}

interface Profile {
  readonly name: string
  /** Trimmed cells, one per row. */
  readonly cells: ReadonlyArray<string>
  /** Non-empty values with their counts, in order of first appearance. */
  readonly counts: ReadonlyMap<string, number>
  readonly empties: number
  readonly numeric: boolean
  readonly integer: boolean
  readonly min: number
  readonly max: number
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/

const profile = (name: string, cells: ReadonlyArray<string>): Profile => {
  const counts = new Map<string, number>()
  let empties = 0
  for (const cell of cells) {
    if (cell === "") empties++
    else counts.set(cell, (counts.get(cell) ?? 0) + 1)
  }
  const values = [...counts.keys()]
  const numeric = values.length > 0 && values.every((value) => NUMBER.test(value))
  const numbers = numeric ? values.map(Number) : []
  return {
    name,
    cells,
    counts,
    empties,
    numeric,
    integer: numeric && numbers.every(Number.isInteger),
    min: numeric ? Math.min(...numbers) : 0,
    max: numeric ? Math.max(...numbers) : 0,
  }
}

// ── Likert label sets ────────────────────────────────────────────────────────────────────────────

/** Common response scales, as survey tools word them. A column whose labels all sit in one is Likert. */
const STANDARD_SCALES: ReadonlyArray<{ readonly name: string; readonly options: ReadonlyArray<string> }> = [
  // When the data cannot tell two variants apart (nobody chose the middle), the first one listed wins.
  {
    name: "5-point agree scale",
    options: [
      "Strongly disagree",
      "Somewhat disagree",
      "Neither agree nor disagree",
      "Somewhat agree",
      "Strongly agree",
    ],
  },
  {
    name: "5-point agree scale",
    options: ["Strongly disagree", "Somewhat disagree", "Neutral", "Somewhat agree", "Strongly agree"],
  },
  {
    name: "5-point agree scale",
    options: ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"],
  },
  {
    name: "5-point agree scale",
    options: ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"],
  },
  {
    name: "7-point agree scale",
    options: [
      "Strongly disagree",
      "Disagree",
      "Somewhat disagree",
      "Neither agree nor disagree",
      "Somewhat agree",
      "Agree",
      "Strongly agree",
    ],
  },
  { name: "3-point agree scale", options: ["Disagree", "Neutral", "Agree"] },
  {
    name: "5-point likelihood scale",
    options: [
      "Very unlikely",
      "Somewhat unlikely",
      "Neither likely nor unlikely",
      "Somewhat likely",
      "Very likely",
    ],
  },
  {
    name: "5-point likelihood scale",
    options: [
      "Extremely unlikely",
      "Somewhat unlikely",
      "Neither likely nor unlikely",
      "Somewhat likely",
      "Extremely likely",
    ],
  },
  {
    name: "4-point likelihood scale",
    options: ["Very unlikely", "Somewhat unlikely", "Somewhat likely", "Very likely"],
  },
  { name: "5-point frequency scale", options: ["Never", "Rarely", "Sometimes", "Often", "Always"] },
  {
    name: "5-point frequency scale",
    options: ["Never", "Sometimes", "About half the time", "Most of the time", "Always"],
  },
  {
    name: "5-point satisfaction scale",
    options: [
      "Very dissatisfied",
      "Somewhat dissatisfied",
      "Neither satisfied nor dissatisfied",
      "Somewhat satisfied",
      "Very satisfied",
    ],
  },
]

/** Positions of labels on an underlying continuum, for label sets that are not one of the standard scales. */
const FAMILIES: ReadonlyArray<{ readonly name: string; readonly ranks: Readonly<Record<string, number>> }> = [
  {
    name: "agree scale",
    ranks: {
      "strongly disagree": 1,
      "completely disagree": 1,
      disagree: 2,
      "mostly disagree": 2.5,
      "somewhat disagree": 3,
      "slightly disagree": 3,
      "neither agree nor disagree": 4,
      "neither disagree nor agree": 4,
      neutral: 4,
      "somewhat agree": 5,
      "slightly agree": 5,
      "mostly agree": 5.5,
      agree: 6,
      "strongly agree": 7,
      "completely agree": 7,
    },
  },
  {
    name: "likelihood scale",
    ranks: {
      "extremely unlikely": 1,
      "very unlikely": 2,
      unlikely: 3,
      "somewhat unlikely": 4,
      "slightly unlikely": 4,
      "neither likely nor unlikely": 5,
      "somewhat likely": 6,
      "slightly likely": 6,
      likely: 7,
      "very likely": 8,
      "extremely likely": 9,
    },
  },
  {
    name: "frequency scale",
    ranks: {
      never: 1,
      rarely: 2,
      seldom: 2,
      sometimes: 3,
      occasionally: 3,
      "about half the time": 3.5,
      often: 4,
      usually: 4.5,
      "most of the time": 4.5,
      "very often": 5,
      always: 6,
    },
  },
  {
    name: "satisfaction scale",
    ranks: {
      "very dissatisfied": 1,
      dissatisfied: 2,
      "somewhat dissatisfied": 3,
      "neither satisfied nor dissatisfied": 4,
      "somewhat satisfied": 5,
      satisfied: 6,
      "very satisfied": 7,
    },
  },
]

/** "Not at all / slightly / somewhat / moderately / very / extremely <adjective>" scales. */
const DEGREES: Readonly<Record<string, number>> = {
  "not at all": 1,
  "not very": 2,
  "a little": 2,
  slightly: 2,
  somewhat: 3,
  moderately: 3,
  fairly: 3.5,
  quite: 3.5,
  very: 4,
  extremely: 5,
  completely: 5,
}

const key = (label: string) => label.trim().toLowerCase().replace(/\s+/g, " ")

interface LikertGuess {
  readonly options: ReadonlyArray<string>
  readonly note: string
}

/** Recognises an ordered label set and orders it; undefined when the labels are not a known scale. */
export const recogniseLikert = (labels: ReadonlyArray<string>): LikertGuess | undefined => {
  if (labels.length < 2) return undefined
  const observed = new Map(labels.map((label) => [key(label), label]))
  // A standard scale that holds every observed label: propose all of its labels, in its order.
  const standard = STANDARD_SCALES.filter((scale) =>
    [...observed.keys()].every((k) => scale.options.some((o) => key(o) === k)),
  )
    .map((scale) => ({ scale, missing: scale.options.filter((o) => !observed.has(key(o))) }))
    .sort((a, b) => a.missing.length - b.missing.length)[0]
  if (standard !== undefined && labels.length >= 3) {
    const options = standard.scale.options.map((o) => observed.get(key(o)) ?? o)
    const missing = standard.missing.map((o) => JSON.stringify(o))
    return {
      options,
      note: `guessed: Likert, a ${standard.scale.name}${missing.length === 0 ? "" : `; not in the data but part of the scale: ${missing.join(", ")}`}`,
    }
  }
  for (const family of FAMILIES) {
    const ranks = [...observed.keys()].map((k) => family.ranks[k])
    if (ranks.every((rank) => rank !== undefined) && new Set(ranks).size === ranks.length) {
      const options = [...observed.entries()]
        .sort(([a], [b]) => family.ranks[a]! - family.ranks[b]!)
        .map(([, label]) => label)
      return {
        options,
        note: `guessed: Likert (${family.name}), ordered by its labels; add any label of the scale that nobody chose`,
      }
    }
  }
  const degree = [...observed.keys()].map((k) => {
    const match = Object.keys(DEGREES)
      .filter((d) => k.startsWith(`${d} `))
      .sort((a, b) => b.length - a.length)[0]
    return match === undefined ? undefined : { rank: DEGREES[match]!, adjective: k.slice(match.length + 1) }
  })
  if (
    degree.every((d) => d !== undefined) &&
    new Set(degree.map((d) => d!.adjective)).size === 1 &&
    new Set(degree.map((d) => d!.rank)).size === degree.length
  ) {
    const order = [...observed.values()].map((label, i) => ({ label, rank: degree[i]!.rank }))
    return {
      options: order.sort((a, b) => a.rank - b.rank).map((entry) => entry.label),
      note: `guessed: Likert ("how ${degree[0]!.adjective}" scale), ordered by its labels; add any label that nobody chose`,
    }
  }
  return undefined
}

// ── column kinds ─────────────────────────────────────────────────────────────────────────────────

const NEGATIVE =
  /^(no|false|0|n|f|off|none|decline[sd]?|reject(ed)?|refuse[sd]?|deny|denied|opt[- ]?out|do not|don't|did not|didn't|not .*)$/i
const POSITIVE = /^(yes|true|1|y|t|on|consent.*|accept(ed)?|agree[sd]?|opt[- ]?in|allow(ed)?|share[sd]?)$/i

const orderBinary = (a: string, b: string): { options: [string, string]; sure: boolean } => {
  if (NEGATIVE.test(a) || POSITIVE.test(b)) return { options: [a, b], sure: true }
  if (NEGATIVE.test(b) || POSITIVE.test(a)) return { options: [b, a], sure: true }
  return { options: a < b ? [a, b] : [b, a], sure: false }
}

/** Levels of a multi-select column (cells joining several levels with commas), or undefined. */
const multiSelectLevels = (p: Profile): ReadonlyArray<string> | undefined => {
  const values = [...p.counts.keys()]
  const joined = values.filter((value) => value.includes(","))
  if (joined.length === 0) return undefined
  const singles = values.filter((value) => !value.includes(","))
  const fresh = new Set<string>()
  const counts = new Map<string, number>()
  for (const value of values) {
    for (const part of splitMulti(value, ",", singles)) {
      if (part === "") return undefined
      if (!singles.includes(part)) fresh.add(part)
      counts.set(part, (counts.get(part) ?? 0) + (p.counts.get(value) ?? 0))
    }
  }
  // Levels that only ever appear inside combinations are fine, fragments of comma-containing labels are not.
  if (counts.size > 20 || fresh.size > Math.max(2, Math.floor(counts.size / 5))) return undefined
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([level]) => level)
}

/** The first number in a label ("$25,000 - $49,999" → 25000), for ordering bracketed levels. */
const leadingNumber = (label: string): number | undefined => {
  const match = label.replace(/(\d),(\d{3})/g, "$1$2").match(/\d+(\.\d+)?/)
  return match === null ? undefined : Number(match[0])
}

/** Orders nominal levels: by their first number when most have one (age groups, income bands), else by frequency. */
const orderLevels = (p: Profile, levels: ReadonlyArray<string>): Array<string> => {
  const withNumber = levels.filter((level) => leadingNumber(level) !== undefined)
  const frequency = (level: string) => p.counts.get(level) ?? 0
  if (withNumber.length >= Math.max(2, levels.length - 2)) {
    return [...levels].sort((a, b) => {
      const x = leadingNumber(a)
      const y = leadingNumber(b)
      if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? 0 : 1) : -1
      if (x !== y) return x - y
      // "Less than $25,000" before "$25,000 - $49,999".
      return Number(/^(less|under|below)/i.test(b)) - Number(/^(less|under|below)/i.test(a))
    })
  }
  // Many nominal levels (states, countries) are easiest to check in alphabetical order.
  if (levels.length > 10) return [...levels].sort((a, b) => a.localeCompare(b, "en"))
  return [...levels].sort((a, b) => frequency(b) - frequency(a))
}

type ItemGuess =
  | { readonly kind: "item"; readonly scale: Scale; readonly role: ItemRole; readonly notes: Array<string> }
  | { readonly kind: "private"; readonly what: string }
  | { readonly kind: "skip"; readonly note: string }

const guessItem = (p: Profile): ItemGuess => {
  const levels = [...p.counts.keys()]
  if (levels.length === 0) return { kind: "skip", note: "every cell is empty" }
  if (levels.length === 1)
    return {
      kind: "skip",
      note: `every non-empty cell is ${JSON.stringify(levels[0])}, so it tells nothing apart`,
    }
  const multi = multiSelectLevels(p)
  if (multi !== undefined) {
    return {
      kind: "item",
      scale: { _tag: "MultiSelect", options: multi },
      role: "outcome",
      notes: [
        "guessed: multi-select (cells join several of these options with commas)",
        "guessed role: outcome",
      ],
    }
  }
  const likert = recogniseLikert(levels)
  if (likert !== undefined) {
    return {
      kind: "item",
      scale: { _tag: "Likert", options: likert.options },
      role: "belief",
      notes: [
        likert.note,
        "guessed role: belief (a stated view); pair it with an action in beliefActionPairs",
      ],
    }
  }
  if (p.numeric) {
    return {
      kind: "item",
      scale: { _tag: "Numeric", min: p.min, max: p.max, integer: p.integer },
      role: "covariate",
      notes: [
        `guessed: numeric; min and max are the observed range [${p.min}, ${p.max}]: widen them to what respondents could answer`,
        "guessed role: covariate",
      ],
    }
  }
  if (levels.length === 2) {
    const binary = orderBinary(levels[0]!, levels[1]!)
    return {
      kind: "item",
      scale: { _tag: "Binary", options: binary.options },
      role: "action",
      notes: [
        binary.sure
          ? `guessed: binary; "${binary.options[1]}" is the positive level (coded 1 in analyses)`
          : `guessed: binary; the second option, "${binary.options[1]}", is coded 1 in analyses: swap them if the other is the positive level`,
        "guessed role: action (a choice respondents made)",
      ],
    }
  }
  const distinctShare = levels.length / Math.max(1, p.cells.length - p.empties)
  if (levels.length <= 20 || (levels.length <= 60 && distinctShare <= 0.5)) {
    return {
      kind: "item",
      scale: { _tag: "Categorical", options: orderLevels(p, levels) },
      role: "outcome",
      notes: [`guessed: categorical with ${levels.length} options`, "guessed role: outcome"],
    }
  }
  return { kind: "private", what: `free text (${levels.length} different answers)` }
}

const DEMOGRAPHIC_WORDS = new Set([
  "age",
  "gender",
  "sex",
  "race",
  "ethnicity",
  "hispanic",
  "latino",
  "latina",
  "latinx",
  "income",
  "education",
  "degree",
  "state",
  "region",
  "country",
  "province",
  "party",
  "partisanship",
  "ideology",
  "religion",
  "marital",
  "employment",
  "occupation",
  "children",
  "household",
  "urban",
  "rural",
  "demographic",
  "demographics",
  "demos",
  "demo",
])
const DEMOGRAPHIC_STEMS = ["educ", "religi", "employ", "politic", "ethnic", "partisan"]

const words = (name: string): Array<string> =>
  name
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== "")

const isDemographic = (name: string): boolean =>
  words(name).some(
    (word) => DEMOGRAPHIC_WORDS.has(word) || DEMOGRAPHIC_STEMS.some((stem) => word.startsWith(stem)),
  )

/** Survey-platform bookkeeping (timings, dates, addresses, names): never a survey answer. */
const METADATA_WORDS = new Set([
  "duration",
  "seconds",
  "timestamp",
  "date",
  "startdate",
  "enddate",
  "recordeddate",
  "time",
  "ip",
  "ipaddress",
  "latitude",
  "longitude",
  "location",
  "email",
  "name",
  "firstname",
  "lastname",
  "progress",
  "finished",
  "status",
  "distributionchannel",
  "userlanguage",
  "useragent",
])

const ID_WORDS = new Set(["id", "uuid", "responseid", "respondent", "participant", "pid", "subject", "uid"])
const ARM_WORDS = [
  "arm",
  "condition",
  "cond",
  "treatment",
  "treat",
  "group",
  "variant",
  "version",
  "manipulation",
  "intervention",
  "message",
  "nudge",
  "framing",
  "frame",
  "prime",
  "stimulus",
  "vignette",
  "exposure",
  "showdata",
  "randomization",
  "random",
]

/** `Q-demos-age` → `Age`, `household_income` → `Household income`. */
const humanise = (name: string): string => {
  const kept = words(name).filter((word) => !/^(q\d*|demos?|dem)$/.test(word))
  const text = (kept.length > 0 ? kept : words(name)).join(" ")
  return text === "" ? name : text[0]!.toUpperCase() + text.slice(1)
}

const slug = (text: string): string => {
  const base = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
  return base === "" ? "x" : /^\d/.test(base) ? `c_${base}` : base
}

const uniqueIds = () => {
  const taken = new Set<string>()
  return (text: string): string => {
    const base = slug(text)
    let id = base
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`
    taken.add(id)
    return id
  }
}

// ── the draft ────────────────────────────────────────────────────────────────────────────────────

type Path = ReadonlyArray<string | number>

/** Drafts a commented study.yaml from a parsed CSV, or explains why it cannot. */
export const inferStudy = (
  table: CsvTable,
  options: InferOptions,
): InferredStudy | { readonly error: string } => {
  const header = table.header.map((name) => name.trim())
  const duplicate = header.find((name, i) => header.indexOf(name) !== i)
  if (duplicate !== undefined) return { error: `the header names the column "${duplicate}" twice` }
  if (header.some((name) => name === "")) return { error: "the header has a column without a name" }
  if (table.records.length < 2) return { error: "the file needs at least two data rows to guess from" }
  const ragged = table.records.find((record) => record.cells.length !== header.length)
  if (ragged !== undefined)
    return { error: `row ${ragged.row} has ${ragged.cells.length} cells, the header ${header.length}` }
  const profiles = header.map((name, index) =>
    profile(
      name,
      table.records.map((record) => (record.cells[index] ?? "").trim()),
    ),
  )
  const byName = new Map(profiles.map((p) => [p.name, p]))
  const rows = table.records.length
  const comments = new Map<string, Array<string>>()
  const note = (path: Path, text: string) => {
    const k = JSON.stringify(path)
    comments.set(k, [...(comments.get(k) ?? []), text])
  }
  const summary: Array<string> = []

  // The respondent id: every row has its own non-empty value.
  const unique = (p: Profile) => p.empties === 0 && p.counts.size === rows
  let idColumn = options.idColumn
  if (idColumn !== undefined) {
    const p = byName.get(idColumn)
    if (p === undefined) return { error: `--id-column "${idColumn}" is not a column of the file` }
    if (!unique(p))
      return { error: `--id-column "${idColumn}" does not hold a different, non-empty value in every row` }
  } else {
    const candidates = profiles.filter(unique)
    idColumn = (
      candidates.find((p) => words(p.name).some((word) => ID_WORDS.has(word))) ??
      candidates.find((p) => !p.numeric) ??
      candidates[0]
    )?.name
    if (idColumn === undefined)
      return {
        error:
          "no column holds a different, non-empty value in every row, so there is no respondent id: add one (e.g. a row number)",
      }
  }

  // The arm: a column with a few levels, every row in one of them; or several such columns named like
  // experimental factors (a 2×3 design), whose combinations are the arms; or none (an observational survey).
  let armColumn = options.armColumn
  let armGuessed = false
  let factorProfiles: Array<Profile> = []
  if (armColumn !== undefined) {
    const p = byName.get(armColumn)
    if (p === undefined) return { error: `--arm-column "${armColumn}" is not a column of the file` }
    if (armColumn === idColumn) return { error: `--arm-column "${armColumn}" is also the respondent id` }
  } else {
    const candidates = profiles.filter(
      (p) => p.name !== idColumn && p.empties === 0 && p.counts.size >= 2 && p.counts.size <= 12,
    )
    // "age_group" names a group, but a demographic one: demographics are never the arm.
    const namedAll = candidates.filter(
      (p) => !isDemographic(p.name) && words(p.name).some((word) => ARM_WORDS.includes(word)),
    )
    const factorLike = namedAll.filter((p) => p.counts.size <= 6)
    if (factorLike.length >= 2) factorProfiles = factorLike.slice(0, 3)
    else {
      const unnamed = candidates.find(
        (p) =>
          !isDemographic(p.name) && recogniseLikert([...p.counts.keys()]) === undefined && p.counts.size <= 8,
      )
      armColumn = (namedAll[0] ?? unnamed)?.name
      armGuessed = true
    }
  }
  const armProfile = armColumn === undefined ? undefined : byName.get(armColumn)!
  const newId = uniqueIds()
  const isControl = (value: string) => /^(control|false|0|none|no|baseline|placebo)$/i.test(value)
  const arms = [...(armProfile?.counts.keys() ?? [])].map((value) => {
    const control = isControl(value)
    return {
      id: newId(value),
      label: `${armColumn} = ${value}`,
      value,
      stimulus: control
        ? ""
        : `TODO: what respondents in this arm saw before the questions, in words a model can read`,
      control,
    }
  })
  const factorIds = uniqueIds()
  const factors = factorProfiles.map((p) => {
    const levelIds = uniqueIds()
    return {
      id: factorIds(humanise(p.name)),
      column: p.name,
      label: humanise(p.name),
      levels: [...p.counts.keys()].map((value) => ({
        id: levelIds(value),
        label: `${humanise(p.name)} = ${value}`,
        value,
        stimulus: isControl(value) ? "" : "TODO: what this level showed, in words a model can read",
      })),
    }
  })
  summary.push(`${idColumn}: respondent id (private)`)
  if (armColumn !== undefined)
    summary.push(`${armColumn}: treatment arm with ${arms.length} arms${armGuessed ? " (guessed)" : ""}`)
  for (const factor of factors)
    summary.push(`${factor.column}: factor with ${factor.levels.length} levels (guessed)`)
  if (armColumn === undefined && factors.length === 0)
    summary.push("no treatment arm (guessed): an observational survey, everyone in one arm")
  // Combinations of factor levels nobody is in: the design is not fully crossed.
  const cellsSeen = new Set(
    table.records.map((record) =>
      factorProfiles.map((p) => (record.cells[header.indexOf(p.name)] ?? "").trim()).join("\u0000"),
    ),
  )
  const cellCount = factors.reduce((product, factor) => product * factor.levels.length, 1)
  const persona: Array<Record<string, unknown>> = []
  const items: Array<Record<string, unknown>> = []
  const privateColumns = [idColumn]
  note(["privateColumns"], "columns that are never sent to a model, never written to results")
  const skipped: Array<string> = []
  const itemIds = uniqueIds()
  const personaIds = uniqueIds()

  for (const p of profiles) {
    if (p.name === idColumn || p.name === armColumn || factorProfiles.includes(p)) continue
    const levels = [...p.counts.keys()]
    if (
      isDemographic(p.name) &&
      p.empties === 0 &&
      levels.length >= 2 &&
      levels.length <= 60 &&
      !(p.numeric && levels.length > 15)
    ) {
      const multi = multiSelectLevels(p)
      const path: Path = ["persona", persona.length]
      persona.push({
        id: personaIds(humanise(p.name)),
        column: p.name,
        label: humanise(p.name),
        ...(multi === undefined ? {} : { multiple: true, separator: "," }),
        levels: multi ?? orderLevels(p, levels),
      })
      note(path, `column "${p.name}": guessed to be a persona attribute (a demographic) from its name`)
      if (multi !== undefined)
        note([...path, "multiple"], "guessed: several levels per respondent, joined by commas")
      summary.push(
        `${p.name}: persona attribute with ${(multi ?? levels).length} levels${multi === undefined ? "" : " (multi-select)"}`,
      )
      continue
    }
    const guess: ItemGuess = words(p.name).some((word) => METADATA_WORDS.has(word))
      ? { kind: "private", what: "survey metadata (timings, dates, contact details)" }
      : guessItem(p)
    if (guess.kind === "skip") {
      skipped.push(`"${p.name}" (${guess.note})`)
      summary.push(`${p.name}: left out (${guess.note})`)
      continue
    }
    if (guess.kind === "private") {
      privateColumns.push(p.name)
      summary.push(`${p.name}: private, ${guess.what}`)
      note(["privateColumns"], `"${p.name}": guessed: ${guess.what}; kept private, never sent to a model`)
      continue
    }
    const path: Path = ["items", items.length]
    const scale = guess.scale
    items.push({
      id: itemIds(humanise(p.name)),
      column: p.name,
      label: humanise(p.name),
      wording: `TODO: the question for column "${p.name}" as respondents read it`,
      scale:
        scale._tag === "Numeric"
          ? { numeric: { min: scale.min, max: scale.max, integer: scale.integer } }
          : { [scale._tag === "MultiSelect" ? "multiSelect" : scale._tag.toLowerCase()]: scale.options },
      role: guess.role,
    })
    note(
      path,
      `column "${p.name}"${p.empties > 0 ? ` (${p.empties} empty cells: read as missing answers)` : ""}`,
    )
    note([...path, "scale"], guess.notes[0]!)
    note([...path, "role"], guess.notes[1]!)
    if (isDemographic(p.name))
      note(path, "a demographic kept as an item: persona attributes need a few levels and no empty cell")
    summary.push(
      `${p.name}: item, ${scale._tag}${scale._tag === "Numeric" ? "" : ` with ${scale.options.length} options`}, ${guess.role}`,
    )
  }
  if (items.length === 0)
    return {
      error: "no column could be read as a survey item (an answer with a few levels, a scale or a number)",
    }

  const subgroups = persona
    .filter((attribute) => (attribute.levels as Array<string>).length <= 12)
    .map((attribute) => attribute.id as string)

  const formatVersion2 = armColumn === undefined
  const study: Record<string, unknown> = {
    ...(formatVersion2 ? { formatVersion: 2 } : {}),
    id: options.id,
    version: "0.1.0",
    title: humanise(options.id),
    description: "TODO: one paragraph: who was asked what, when, and why",
    citation: "TODO: how to cite the study (or: unpublished)",
    data: { file: options.dataFile, sha256: options.sha256, bytes: options.bytes },
    respondentId: idColumn,
    ...(armColumn === undefined ? {} : { armColumn, arms: arms.map(({ control: _, ...arm }) => arm) }),
    ...(factors.length === 0 ? {} : { factors }),
    persona,
    subgroups,
    items,
    privateColumns,
  }

  const document = new Document(study)
  document.commentBefore = [
    ` A standin study drafted by \`standin study init\` from ${options.source} (${rows} rows, ${header.length} columns).`,
    ' Comments that say "guessed" are guesses about your data: check each one. Replace every TODO (question',
    " wording, what each arm showed, the citation), then run `standin study check` on this folder.",
    " The format, field by field: docs/adding-a-study.md.",
    ...(skipped.length > 0 ? [` Left out: ${skipped.join("; ")}.`] : []),
  ].join("\n")
  note(
    ["data"],
    options.copied
      ? "the data file sits in this folder; sha256 pins its exact bytes"
      : `the data is not copied here: put it at $STANDIN_DATA_DIR/${options.id}/${options.dataFile} (sha256 pins its exact bytes)`,
  )
  // Items empty in every row of some arms and answered in others look asked only in those arms.
  if (armProfile !== undefined) {
    items.forEach((item, index) => {
      const cells = byName.get(item.column as string)!.cells
      const answeredIn = arms.filter((arm) =>
        armProfile.cells.some((value, row) => value === arm.value && cells[row] !== ""),
      )
      if (answeredIn.length === 0 || answeredIn.length === arms.length) return
      const condition =
        answeredIn.length === 1
          ? `arm == "${answeredIn[0]!.id}"`
          : answeredIn.map((arm) => `arm == "${arm.id}"`).join(" or ")
      note(
        ["items", index],
        `guessed: asked only in arm${answeredIn.length === 1 ? "" : "s"} ${answeredIn.map((arm) => arm.id).join(", ")} (empty in every row of the others): declare askedIf: '${condition}' (with formatVersion: 2) so twins in other arms are not asked it`,
      )
      summary.push(`${item.column}: looks asked only in ${answeredIn.map((arm) => arm.id).join(", ")}`)
    })
  }
  if (armColumn !== undefined)
    note(
      ["armColumn"],
      armGuessed
        ? `guessed: the column that assigns respondents to arms (${arms.length} levels); pass --arm-column to choose another`
        : "the column that assigns respondents to arms",
    )
  else if (factors.length > 0) {
    note(
      ["factors"],
      `guessed: ${factors.length} columns named like experimental factors; the arms are every combination of their levels (${factors.map((f) => f.levels.length).join("×")} = ${cellCount}). Pass --arm-column to use one column instead`,
    )
    if (cellsSeen.size < cellCount)
      note(
        ["factors"],
        `only ${cellsSeen.size} of the ${cellCount} combinations occur in the data: check that these are crossed factors`,
      )
    factors.forEach((factor, index) => {
      factor.levels.forEach((level, l) => {
        if (level.stimulus === "")
          note(["factors", index, "levels", l, "stimulus"], "guessed: a control level, which shows nothing")
      })
    })
  } else
    note(
      ["id"],
      "no column looks like a treatment arm (a few levels, no empty cell, named like a condition): read as an observational survey with one arm (formatVersion 2). Pass --arm-column if there is one",
    )
  arms.forEach((arm, index) => {
    if (arm.control)
      note(["arms", index, "stimulus"], "guessed: a control arm, which shows nothing (empty stimulus)")
  })
  note(["subgroups"], "guessed: persona attributes with at most 12 levels, compared level by level")
  applyComments(document, comments)
  flowShortLists(document.contents as Node)
  const predictors =
    factors.length > 0
      ? factors.map(
          (factor) =>
            `       - { id: ${factor.id}, source: { factor: ${factor.id} }, coding: { categorical: { reference: ${JSON.stringify(factor.levels[0]!.id)} } } }`,
        )
      : arms.length > 0
        ? [
            `       - { id: arm, source: arm, coding: { categorical: { reference: ${JSON.stringify(arms[0]!.id)} } } }`,
          ]
        : []
  const pairs = exampleLines(items, predictors, factors[0]?.id ?? (arms.length > 0 ? "arm" : undefined))
  if (pairs.length > 0) document.comment = pairs.join("\n")
  return { yaml: document.toString({ lineWidth: 110, flowCollectionPadding: false }), summary }
}

/** Attaches collected comments above the keys (map entries) or elements (list entries) they belong to. */
const applyComments = (document: Document, comments: ReadonlyMap<string, ReadonlyArray<string>>) => {
  for (const [k, lines] of comments) {
    const path = JSON.parse(k) as Array<string | number>
    const text = lines.map((line) => ` ${line}`).join("\n")
    const last = path[path.length - 1]!
    const parent = document.getIn(path.slice(0, -1), true) as YAMLMap | YAMLSeq | undefined
    if (parent === undefined) continue
    if (isSeq(parent)) {
      const element = parent.items[last as number] as Node | undefined
      if (element !== undefined) element.commentBefore = text
    } else if (isMap(parent)) {
      const pair = parent.items.find((candidate) => (candidate.key as Scalar).value === last) as
        | Pair<Scalar>
        | undefined
      if (pair !== undefined) pair.key.commentBefore = text
    }
  }
}

/** Short lists of labels read better on one line: `[No, Yes]`. */
const flowShortLists = (node: Node | null) => {
  if (node === null) return
  if (isSeq(node)) {
    const scalars = node.items.every((element) => !isMap(element) && !isSeq(element))
    const width = node.items.reduce<number>(
      (sum, element) => sum + String((element as Scalar).value).length + 4,
      0,
    )
    if (scalars && width <= 70) node.flow = true
    else for (const element of node.items) flowShortLists(element as Node)
  } else if (isMap(node)) {
    for (const pair of node.items) flowShortLists(pair.value as Node)
  }
}

/** A commented example of a belief–action pair and an analysis, with this study's own ids. */
const exampleLines = (
  items: ReadonlyArray<Record<string, unknown>>,
  predictors: ReadonlyArray<string>,
  treatment: string | undefined,
): Array<string> => {
  const belief = items.find((item) => item.role === "belief")
  const action = items.find((item) => item.role === "action")
  if (action === undefined) return []
  const positive = ((action.scale as { binary: [string, string] }).binary ?? [])[1]
  const lines = [
    " To measure belief–action coherence and regression recovery, declare pairs and analyses, e.g.:",
  ]
  if (belief !== undefined) {
    const options = (belief.scale as { likert: Array<string> }).likert
    lines.push(
      " beliefActionPairs:",
      `   - id: ${belief.id}-${action.id}`,
      "     label: Holds the belief, yet acts against it",
      `     belief: ${belief.id}`,
      `     believerLevels: ${JSON.stringify(options.slice(-2))}`,
      `     action: ${action.id}`,
      `     contraryLevels: [${JSON.stringify(positive)}]`,
    )
  }
  lines.push(
    " analyses:",
    `   - id: ${action.id}`,
    `     label: ${action.label} by arm (logistic)`,
    "     family: binomial",
    `     outcome: { id: ${action.id}, source: { item: ${action.id} }, coding: { indicator: [${JSON.stringify(positive)}] } }`,
  )
  if (predictors.length === 0) return lines.slice(0, lines.length - 5)
  lines.push(
    "     predictors:",
    ...predictors,
    ...(treatment === undefined ? [] : [`     treatment: ${treatment}`]),
  )
  return lines
}
