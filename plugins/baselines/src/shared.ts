import type {
  AnswerValue,
  BaselineRole,
  Item,
  OptionDistribution,
  Persona,
  ProviderDescriptor,
  ProviderRequest,
  ProviderResponse,
  Respondent,
} from "@standin/core"
import { ProviderSpecVersion, scaleOptions, settingsWarnings } from "@standin/core"
import { mulberry32, shuffled } from "@standin/stats"

export const BASELINES_VERSION = "0.1.0"

/**
 * A uniform stream (@standin/stats' mulberry32) seeded per call from the request's seed, its attempt (and its
 * page, after the first): a baseline's draws are reproducible call by call, and independent from page to page.
 */
export const randomFor = (request: ProviderRequest): (() => number) => {
  let state = ((request.settings.seed ?? 0) ^ Math.imul(request.attempt + 1, 0x9e3779b1)) >>> 0
  if (request.page !== undefined && request.page > 0)
    state = (state ^ Math.imul(request.page, 0x85ebca6b)) >>> 0
  return mulberry32(state).next
}

export const baselineDescriptor = (
  id: string,
  label: string,
  description: string,
  baseline: BaselineRole,
): ProviderDescriptor => ({
  kind: "provider",
  id,
  version: BASELINES_VERSION,
  specVersion: ProviderSpecVersion,
  label,
  description,
  capabilities: {
    logprobs: true,
    seed: true,
    structuredOutput: true,
    batch: false,
    finetune: false,
    temperature: false,
    topP: false,
    elicitation: ["sample", "logprobs", "verbalized"],
  },
  keyEnv: [],
  baseline,
  defaultModel: "v1",
})

/** An empirical distribution: answer value (JSON) → weight. Keys are JSON so multi-select answers count too. */
export type Empirical = ReadonlyMap<string, number>

export const empirical = (values: ReadonlyArray<AnswerValue>): Empirical => {
  const counts = new Map<string, number>()
  for (const value of values) {
    if (value === null) continue
    const key = JSON.stringify(value)
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts
}

export const drawEmpirical = (distribution: Empirical, random: () => number): AnswerValue => {
  let total = 0
  for (const weight of distribution.values()) total += weight
  let u = random() * total
  let last: string | undefined
  for (const [key, weight] of distribution) {
    last = key
    u -= weight
    if (u < 0) return JSON.parse(key) as AnswerValue
  }
  return last === undefined ? null : (JSON.parse(last) as AnswerValue)
}

/** The option distribution of an empirical answer distribution (single-choice scales only). */
export const optionDistribution = (item: Item, distribution: Empirical): OptionDistribution | undefined => {
  const options = scaleOptions(item.scale)
  if (options.length === 0 || item.scale._tag === "MultiSelect") return undefined
  let total = 0
  for (const weight of distribution.values()) total += weight
  if (!(total > 0)) return undefined
  return Object.fromEntries(
    options.map((option) => [option, (distribution.get(JSON.stringify(option)) ?? 0) / total]),
  )
}

/**
 * Builds the reply in the form the elicitation asks for: answers as JSON (sample), distributions as JSON
 * (verbalized) or first-token-like distributions (logprobs). Baselines thus go through the same engine
 * path — parsing, validation, scoring — as a language model.
 */
export const reply = (
  descriptor: ProviderDescriptor,
  request: ProviderRequest,
  perItem: (item: Item) => Empirical,
  random: () => number,
): ProviderResponse => {
  const base = {
    modelVersion: `${descriptor.id}@${descriptor.version}`,
    usage: { inputTokens: 0, outputTokens: 0 },
    warnings: settingsWarnings(descriptor, request.settings),
  }
  if (request.elicitation === "sample") {
    const answers = Object.fromEntries(
      request.items.map((item) => [item.id, drawEmpirical(perItem(item), random)]),
    )
    return { ...base, text: JSON.stringify(answers) }
  }
  const distributions: Record<string, OptionDistribution> = {}
  for (const item of request.items) {
    const distribution = optionDistribution(item, perItem(item))
    if (distribution !== undefined) distributions[item.id] = distribution
  }
  return request.elicitation === "logprobs"
    ? { ...base, text: "", distributions }
    : { ...base, text: JSON.stringify(distributions) }
}

/** A persona cell key over the given attributes; multi-select levels are sorted and joined. */
export const cellKey = (persona: Persona, attributes: ReadonlyArray<string>): string =>
  JSON.stringify(
    attributes.map((attribute) => {
      const value = persona[attribute]
      return typeof value === "string" ? value : value === undefined ? null : [...value].sort().join("|")
    }),
  )

/**
 * An index that matches a twin to respondents with the same arm and persona cell, backing off one
 * attribute at a time (from the last subgroup attribute to the first), then to the arm alone, then to
 * everyone. Built once per pool, so a lookup costs one map access per back-off level.
 */
export const cellIndex = (
  pool: ReadonlyArray<Respondent>,
  attributes: ReadonlyArray<string>,
  minMatches: number,
) => {
  const levels: Array<Map<string, Array<Respondent>>> = []
  for (let keep = attributes.length; keep >= 0; keep--) {
    const used = attributes.slice(0, keep)
    const map = new Map<string, Array<Respondent>>()
    for (const respondent of pool) {
      const key = `${respondent.arm}\u0000${cellKey(respondent.persona, used)}`
      const list = map.get(key)
      if (list === undefined) map.set(key, [respondent])
      else list.push(respondent)
    }
    levels.push(map)
  }
  return (twin: {
    readonly arm: string
    readonly persona: Persona
  }): { readonly matches: ReadonlyArray<Respondent>; readonly backoff: number } => {
    for (let level = 0; level < levels.length; level++) {
      const used = attributes.slice(0, attributes.length - level)
      const matches = levels[level]!.get(`${twin.arm}\u0000${cellKey(twin.persona, used)}`)
      if (matches !== undefined && matches.length >= minMatches) return { matches, backoff: level }
    }
    return { matches: pool, backoff: levels.length }
  }
}

/**
 * Matches every twin to a donor of its arm and persona cell (the back-off of `cellIndex`, as pilot-cell uses it),
 * without replacement: the twins (in a seeded order) take a cell's donors in a seeded order, and a donor is used a
 * second time only once every donor of that cell has been used. So where a cell holds as many donors as twins each
 * twin gets a different person, and the twins' answers are a sample of different people, not a resample of a few.
 */
export const matchDonors = (
  donors: ReadonlyArray<Respondent>,
  twins: ReadonlyArray<{ readonly id: string; readonly arm: string; readonly persona: Persona }>,
  attributes: ReadonlyArray<string>,
  seed: number,
): Map<string, Respondent> => {
  const lookup = cellIndex(donors, attributes, 1)
  const random = mulberry32(seed)
  const queues = new Map<ReadonlyArray<Respondent>, { order: Array<Respondent>; next: number }>()
  const matched = new Map<string, Respondent>()
  const ordered = [...twins].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  for (const twin of shuffled(ordered, random)) {
    const { matches } = lookup(twin)
    if (matches.length === 0) continue
    let queue = queues.get(matches)
    if (queue === undefined || queue.next >= queue.order.length) {
      queue = { order: shuffled(matches, random), next: 0 }
      queues.set(matches, queue)
    }
    matched.set(twin.id, queue.order[queue.next]!)
    queue.next++
  }
  return matched
}
