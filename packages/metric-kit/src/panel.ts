import {
  type Item,
  isOrdered,
  isValidAnswer,
  type MetricInput,
  type Persona,
  type Respondent,
  type StudyDefinition,
  scaleOptions,
} from "@standin/core"
import { withDerivedItems } from "./derived.js"

/** An item with a finite option set, coded 0..k−1 in the scale's option order. */
export interface CodedItem {
  readonly id: string
  readonly label: string
  readonly role: Item["role"]
  readonly options: ReadonlyArray<string>
  readonly k: number
  readonly ordered: boolean
  /** False for numeric and multi-select items, which distribution metrics leave unscored. */
  readonly scorable: boolean
  /** A derived variable scored as a pseudo-item (see withDerivedItems), not an item asked. */
  readonly derived?: true
  /** Why an unscorable item is unscored, when it is not the usual reason (numeric or multi-select). */
  readonly unscored?: string
}

/** Twins grouped by a partition (or, for multi-select attributes, a covering): CSR of group ids per twin. */
export interface Grouping {
  readonly labels: ReadonlyArray<string>
  readonly start: Int32Array
  readonly members: Int32Array
}

/**
 * A metric input, linked and integer-coded once: every statistic afterwards works on typed arrays and a
 * weight per twin (1 for the estimate, the bootstrap multiplicity in a resample).
 */
export interface Panel {
  readonly study: StudyDefinition
  readonly items: ReadonlyArray<CodedItem>
  readonly twins: number
  readonly twinIds: ReadonlyArray<string>
  readonly humans: ReadonlyArray<Respondent>
  readonly armIds: ReadonlyArray<string>
  /** Arm index per twin (−1 when the human's arm is not one of the study's). */
  readonly humanArm: Int32Array
  /** Per item, the answer code per twin (−1 missing or invalid). */
  readonly human: ReadonlyArray<Int32Array>
  /** Synthetic rows linked to a twin, grouped by twin: rows of twin t are rowStart[t]..rowStart[t+1]. */
  readonly rowStart: Int32Array
  readonly rows: number
  /** Per item, the synthetic answer code per row (−1 null, invalid or failed). */
  readonly synthetic: ReadonlyArray<Int32Array>
  /** Per item, row-major rows×k elicited distributions, or null when no row carries one for that item. */
  readonly distributions: ReadonlyArray<Float64Array | null>
  /** Per item, 1 where the row carries a usable distribution. */
  readonly hasDistribution: ReadonlyArray<Uint8Array>
  /** Synthetic respondents whose twinId matches no human (left out). */
  readonly unlinked: number
}

const armIndex = (study: StudyDefinition, arm: string): number => {
  const byId = study.arms.findIndex((candidate) => candidate.id === arm)
  return byId >= 0 ? byId : study.arms.findIndex((candidate) => candidate.value === arm)
}

const codeAnswer = (item: Item, options: ReadonlyArray<string>, value: unknown): number => {
  if (value === null || value === undefined) return -1
  if (!isValidAnswer(item.scale, value as never)) return -1
  return typeof value === "string" ? options.indexOf(value) : -1
}

/**
 * Link synthetic respondents to their humans by twin id and code every answer; the study's scored derived
 * variables follow its items (withDerivedItems).
 */
export const preparePanel = (input: MetricInput): Panel => withDerivedItems(prepareItemPanel(input), input)

const prepareItemPanel = (input: MetricInput): Panel => {
  const { study } = input
  const items: Array<CodedItem> = study.items.map((item) => {
    const options = scaleOptions(item.scale)
    const scorable = item.scale._tag !== "Numeric" && item.scale._tag !== "MultiSelect"
    return {
      id: item.id,
      label: item.label,
      role: item.role,
      options,
      k: options.length,
      ordered: isOrdered(item.scale),
      scorable,
    }
  })
  const twins = input.human.length
  const position = new Map<string, number>()
  input.human.forEach((respondent, index) => {
    position.set(respondent.id, index)
  })
  const humanArm = Int32Array.from(input.human, (respondent) => armIndex(study, respondent.arm))
  const human = study.items.map((item, index) =>
    Int32Array.from(input.human, (respondent) =>
      items[index]!.scorable ? codeAnswer(item, items[index]!.options, respondent.answers[item.id]) : -1,
    ),
  )

  // Group synthetic rows by twin (stable: replicates keep their input order).
  const perTwin = new Int32Array(twins)
  let unlinked = 0
  const linked: Array<number> = []
  input.synthetic.forEach((respondent, index) => {
    const twin = position.get(respondent.twinId)
    if (twin === undefined) unlinked++
    else {
      perTwin[twin]! += 1
      linked.push(index)
    }
  })
  const rowStart = new Int32Array(twins + 1)
  for (let twin = 0; twin < twins; twin++) rowStart[twin + 1] = rowStart[twin]! + perTwin[twin]!
  const rows = rowStart[twins]!
  const order = new Int32Array(rows)
  const cursor = rowStart.slice(0, twins)
  for (const index of linked) {
    const twin = position.get(input.synthetic[index]!.twinId)!
    order[cursor[twin]!] = index
    cursor[twin]! += 1
  }
  const synthetic = study.items.map((item, itemIndex) => {
    const coded = items[itemIndex]!
    return Int32Array.from(order, (index) => {
      const respondent = input.synthetic[index]!
      if (!coded.scorable || respondent.failure || respondent.invalidItems.includes(item.id)) return -1
      return codeAnswer(item, coded.options, respondent.answers[item.id])
    })
  })
  const hasDistribution = study.items.map(() => new Uint8Array(rows))
  const distributions = study.items.map((item, itemIndex) => {
    const coded = items[itemIndex]!
    if (!coded.scorable) return null
    let any = false
    const out = new Float64Array(rows * coded.k)
    order.forEach((index, row) => {
      const respondent = input.synthetic[index]!
      const distribution = respondent.distributions?.[item.id]
      if (!distribution || respondent.failure) return
      let total = 0
      coded.options.forEach((option, code) => {
        const value = distribution[option]
        if (typeof value === "number" && Number.isFinite(value) && value > 0) {
          out[row * coded.k + code] = value
          total += value
        }
      })
      if (total > 0) {
        for (let code = 0; code < coded.k; code++) out[row * coded.k + code]! /= total
        hasDistribution[itemIndex]![row] = 1
        any = true
      }
    })
    return any ? out : null
  })
  return {
    study,
    items,
    twins,
    twinIds: input.human.map((respondent) => respondent.id),
    humans: input.human,
    armIds: study.arms.map((arm) => arm.id),
    humanArm,
    human,
    rowStart,
    rows,
    synthetic,
    distributions,
    hasDistribution,
    unlinked,
  }
}

export const itemIndex = (panel: Panel, id: string): number => panel.items.findIndex((item) => item.id === id)

const allCache = new WeakMap<Panel, Grouping>()
const armCache = new WeakMap<Panel, Grouping>()

/** Every twin in one group ("all"). */
export const groupingAll = (panel: Panel): Grouping => {
  const cached = allCache.get(panel)
  if (cached) return cached
  const start = new Int32Array(panel.twins + 1)
  for (let index = 0; index <= panel.twins; index++) start[index] = index
  const grouping = { labels: ["all"], start, members: new Int32Array(panel.twins) }
  allCache.set(panel, grouping)
  return grouping
}

/** Twins by their human's arm. */
export const groupingByArm = (panel: Panel): Grouping => {
  const cached = armCache.get(panel)
  if (cached) return cached
  const grouping = armGrouping(panel)
  armCache.set(panel, grouping)
  return grouping
}

const armGrouping = (panel: Panel): Grouping => {
  const start = new Int32Array(panel.twins + 1)
  const members: Array<number> = []
  for (let twin = 0; twin < panel.twins; twin++) {
    if (panel.humanArm[twin]! >= 0) members.push(panel.humanArm[twin]!)
    start[twin + 1] = members.length
  }
  return { labels: panel.armIds, start, members: Int32Array.from(members) }
}

const personaLevels = (persona: Persona, attribute: string): ReadonlyArray<string> => {
  const value = persona[attribute]
  if (value === undefined) return []
  return typeof value === "string" ? [value] : value
}

/**
 * Twins by a persona attribute's declared levels (the human's persona, which the twin shares). For a
 * multi-select attribute a twin belongs to every level it selected.
 */
export const groupingByAttribute = (panel: Panel, attribute: string): Grouping | null => {
  const declared = panel.study.persona.find((candidate) => candidate.id === attribute)
  if (!declared) return null
  const position = new Map(declared.levels.map((level, index) => [level, index]))
  const start = new Int32Array(panel.twins + 1)
  const members: Array<number> = []
  panel.humans.forEach((respondent, twin) => {
    const seen = new Set<number>()
    for (const level of personaLevels(respondent.persona, attribute)) {
      const index = position.get(level)
      if (index !== undefined && !seen.has(index)) {
        seen.add(index)
        members.push(index)
      }
    }
    start[twin + 1] = members.length
  })
  return { labels: declared.levels, start, members: Int32Array.from(members) }
}

export interface Tally {
  readonly k: number
  readonly groups: number
  /** groups×k weighted answer counts. */
  readonly human: Float64Array
  readonly synthetic: Float64Array
  /** Weighted number of valid answers per group. */
  readonly humanN: Float64Array
  readonly syntheticN: Float64Array
}

/**
 * A tally precomputed as a sparse twin × cell incidence: every twin lists the cells of the output it adds to
 * (answer counts and valid-answer totals, human and synthetic, per group and item) with the amount per unit of
 * weight. A resample's tally is then one branch-free pass: out[cell] += weight × amount.
 */
interface TallyPlan {
  readonly start: Int32Array
  readonly cell: Int32Array
  readonly amount: Float64Array
  readonly size: number
  /** Per item: offsets of its human counts, synthetic counts, human totals and synthetic totals in the output. */
  readonly layout: ReadonlyArray<{
    readonly k: number
    readonly human: number
    readonly synthetic: number
    readonly humanN: number
    readonly syntheticN: number
  }>
  readonly groups: number
}

const planCache = new WeakMap<Grouping, Map<string, TallyPlan>>()

const planTally = (
  panel: Panel,
  grouping: Grouping,
  items: ReadonlyArray<number>,
  useDistributions: boolean,
): TallyPlan => {
  const key = `${useDistributions ? "d" : "a"}|${items.join(",")}`
  let plans = planCache.get(grouping)
  if (!plans) {
    plans = new Map()
    planCache.set(grouping, plans)
  }
  const cached = plans.get(key)
  if (cached) return cached
  const groups = grouping.labels.length
  let size = 0
  const layout = items.map((item) => {
    const k = panel.items[item]!.k
    const block = {
      k,
      human: size,
      synthetic: size + groups * k,
      humanN: size + 2 * groups * k,
      syntheticN: size + 2 * groups * k + groups,
    }
    size += 2 * groups * k + 2 * groups
    return block
  })
  const start = new Int32Array(panel.twins + 1)
  const cells: Array<number> = []
  const amounts: Array<number> = []
  const add = (cell: number, amount: number) => {
    cells.push(cell)
    amounts.push(amount)
  }
  for (let twin = 0; twin < panel.twins; twin++) {
    start[twin] = cells.length
    for (let m = grouping.start[twin]!; m < grouping.start[twin + 1]!; m++) {
      const group = grouping.members[m]!
      items.forEach((item, position) => {
        const block = layout[position]!
        const k = block.k
        const code = panel.human[item]![twin]!
        // Valid-answer totals are not listed: they are the sums of the counts (a distribution sums to 1).
        if (code >= 0) add(block.human + group * k + code, 1)
        const distribution = useDistributions ? panel.distributions[item]! : null
        for (let row = panel.rowStart[twin]!; row < panel.rowStart[twin + 1]!; row++) {
          if (distribution !== null && panel.hasDistribution[item]![row] === 1) {
            for (let option = 0; option < k; option++) {
              const amount = distribution[row * k + option]!
              if (amount > 0) add(block.synthetic + group * k + option, amount)
            }
          } else {
            const answer = panel.synthetic[item]![row]!
            if (answer >= 0) add(block.synthetic + group * k + answer, 1)
          }
        }
      })
    }
  }
  start[panel.twins] = cells.length
  const plan: TallyPlan = {
    start,
    cell: Int32Array.from(cells),
    amount: Float64Array.from(amounts),
    size,
    layout,
    groups,
  }
  plans.set(key, plan)
  return plan
}

/**
 * Weighted answer counts of several items per group, human and synthetic. With `useDistributions`, a synthetic
 * row that carries an elicited distribution for an item contributes that distribution instead of its sampled
 * answer (so the synthetic side is the mean of the distributions). The twin × cell incidence is planned once per
 * grouping and item set; each call is one pass over it.
 */
export const tallyItems = (
  panel: Panel,
  grouping: Grouping,
  items: ReadonlyArray<number>,
  weights: Float64Array,
  useDistributions: boolean,
): Array<Tally> => {
  const plan = planTally(panel, grouping, items, useDistributions)
  const out = new Float64Array(plan.size)
  const { start, cell, amount } = plan
  const twins = panel.twins
  for (let twin = 0; twin < twins; twin++) {
    const weight = weights[twin]!
    if (weight === 0) continue
    const end = start[twin + 1]!
    for (let entry = start[twin]!; entry < end; entry++) out[cell[entry]!]! += weight * amount[entry]!
  }
  const groups = plan.groups
  for (const block of plan.layout) {
    for (let group = 0; group < groups; group++) {
      let human = 0
      let synthetic = 0
      for (let option = 0; option < block.k; option++) {
        human += out[block.human + group * block.k + option]!
        synthetic += out[block.synthetic + group * block.k + option]!
      }
      out[block.humanN + group] = human
      out[block.syntheticN + group] = synthetic
    }
  }
  return plan.layout.map((block) => ({
    k: block.k,
    groups,
    human: out.subarray(block.human, block.human + groups * block.k),
    synthetic: out.subarray(block.synthetic, block.synthetic + groups * block.k),
    humanN: out.subarray(block.humanN, block.humanN + groups),
    syntheticN: out.subarray(block.syntheticN, block.syntheticN + groups),
  }))
}

/** Weighted answer counts of one item per group (see tallyItems). */
export const tally = (
  panel: Panel,
  grouping: Grouping,
  item: number,
  weights: Float64Array,
  useDistributions: boolean,
): Tally => tallyItems(panel, grouping, [item], weights, useDistributions)[0]!
