import type { AnswerValue, Elicitation, Item, OptionDistribution } from "@standin/core"
import { isValidAnswer, scaleOptions } from "@standin/core"
import { drawIndex, type Uniform } from "@standin/stats"

export interface ParsedAnswers {
  /** Valid answers; invalid or missing items are null. */
  readonly answers: Record<string, AnswerValue>
  readonly distributions: Record<string, OptionDistribution>
  readonly invalidItems: ReadonlyArray<string>
  /** Why items were invalid, and other things worth recording. */
  readonly problems: ReadonlyArray<string>
}

/**
 * Finds the JSON object in a model's reply. Models wrap JSON in code fences or prose; anything but one
 * parseable object is malformed output (then every item is invalid and will be re-asked).
 */
export const extractJsonObject = (text: string): Record<string, unknown> | undefined => {
  const unfenced = text.replace(/```(?:json)?/gi, "")
  const start = unfenced.indexOf("{")
  const end = unfenced.lastIndexOf("}")
  if (start === -1 || end <= start) return undefined
  try {
    const value: unknown = JSON.parse(unfenced.slice(start, end + 1))
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Matches a stated answer to the item's scale. Only exact matches count, up to surrounding whitespace and
 * letter case: an answer that is not on the scale is invalid, never coerced to the nearest option.
 */
export const matchAnswer = (item: Item, value: unknown): AnswerValue | undefined => {
  const scale = item.scale
  if (scale._tag === "Numeric") {
    const number =
      typeof value === "number"
        ? value
        : typeof value === "string" && value.trim() !== ""
          ? Number(value)
          : Number.NaN
    return isValidAnswer(scale, number) ? number : undefined
  }
  const options = scaleOptions(scale)
  const find = (candidate: unknown): string | undefined => {
    if (typeof candidate !== "string") return undefined
    const wanted = candidate.trim()
    return (
      options.find((option) => option === wanted) ??
      options.find((option) => option.toLowerCase() === wanted.toLowerCase())
    )
  }
  if (scale._tag === "MultiSelect") {
    if (!Array.isArray(value) || value.length === 0) return undefined
    const matched = value.map(find)
    if (matched.some((m) => m === undefined)) return undefined
    const unique = [...new Set(matched as Array<string>)]
    return unique.length === matched.length ? unique : undefined
  }
  return find(value)
}

/** Normalises a stated distribution over an item's options; undefined when it is not one. */
export const matchDistribution = (
  item: Item,
  value: unknown,
): { distribution: OptionDistribution; note?: string } | undefined => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined
  const options = scaleOptions(item.scale)
  const entries = Object.entries(value as Record<string, unknown>)
  const distribution: Record<string, number> = Object.fromEntries(options.map((option) => [option, 0]))
  for (const [key, probability] of entries) {
    const option =
      options.find((o) => o === key.trim()) ??
      options.find((o) => o.toLowerCase() === key.trim().toLowerCase())
    const p = typeof probability === "number" ? probability : Number.NaN
    if (option === undefined || !Number.isFinite(p) || p < 0) return undefined
    distribution[option] = (distribution[option] ?? 0) + p
  }
  const total = Object.values(distribution).reduce((a, b) => a + b, 0)
  if (!(total > 0)) return undefined
  for (const option of options) distribution[option] = distribution[option]! / total
  return Math.abs(total - 1) > 0.02
    ? { distribution, note: `${item.id}: stated probabilities summed to ${total.toFixed(3)}; renormalised` }
    : { distribution }
}

/** Draws an option from a distribution (seeded). */
export const drawFromDistribution = (
  item: Item,
  distribution: OptionDistribution,
  random: Uniform,
): string | undefined => {
  const options = scaleOptions(item.scale)
  if (options.length === 0) return undefined
  return options[
    drawIndex(
      options.map((option) => distribution[option] ?? 0),
      random,
    )
  ]
}

/**
 * Turns a provider's reply into answers for every item, by elicitation method:
 * - sample: the JSON object's values are the answers;
 * - verbalized: the JSON object's values are distributions, and the answer is drawn from each;
 * - logprobs: the provider's first-token distributions, and the answer is drawn from each.
 */
export const parseReply = (
  items: ReadonlyArray<Item>,
  elicitation: Elicitation,
  reply: { readonly text: string; readonly distributions?: Readonly<Record<string, OptionDistribution>> },
  random: Uniform,
): ParsedAnswers => {
  const answers: Record<string, AnswerValue> = {}
  const distributions: Record<string, OptionDistribution> = {}
  const invalidItems: Array<string> = []
  const problems: Array<string> = []
  const invalid = (item: Item, why: string) => {
    answers[item.id] = null
    invalidItems.push(item.id)
    problems.push(`${item.id}: ${why}`)
  }
  if (elicitation === "logprobs") {
    for (const item of items) {
      const distribution = reply.distributions?.[item.id]
      const drawn = distribution === undefined ? undefined : drawFromDistribution(item, distribution, random)
      if (distribution === undefined || drawn === undefined)
        invalid(item, "no first-token distribution was returned")
      else {
        distributions[item.id] = distribution
        answers[item.id] = drawn
      }
    }
    return { answers, distributions, invalidItems, problems }
  }
  const object = extractJsonObject(reply.text)
  if (object === undefined) {
    for (const item of items) invalid(item, "the reply holds no JSON object")
    return { answers, distributions, invalidItems, problems }
  }
  for (const item of items) {
    const value = object[item.id]
    if (value === undefined || value === null) {
      invalid(item, "no answer given")
      continue
    }
    if (elicitation === "verbalized" && item.scale._tag !== "Numeric") {
      const matched = matchDistribution(item, value)
      const drawn =
        matched === undefined ? undefined : drawFromDistribution(item, matched.distribution, random)
      if (matched === undefined || drawn === undefined)
        invalid(item, `${JSON.stringify(value).slice(0, 80)} is not a distribution over the options`)
      else {
        distributions[item.id] = matched.distribution
        answers[item.id] = drawn
        if (matched.note !== undefined) problems.push(matched.note)
      }
      continue
    }
    const matched = matchAnswer(item, value)
    if (matched === undefined) invalid(item, `${JSON.stringify(value).slice(0, 80)} is not on the scale`)
    else answers[item.id] = matched
  }
  return { answers, distributions, invalidItems, problems }
}
