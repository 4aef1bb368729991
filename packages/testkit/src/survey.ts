import type { FaultKind } from "./faults.js"
import { hash32, hashUnit, Rng } from "./random.js"

export type Vendor = "openai" | "anthropic" | "google" | "together"

export interface SurveyMessage {
  readonly role: "system" | "user" | "assistant"
  readonly content: string
}

/** A generation request as every fake sees it, whatever the vendor's wire format. */
export interface SurveyRequest {
  readonly vendor: Vendor
  /** e.g. `chat.completions`, `responses`, `messages`, `generateContent`, or `batch:<endpoint>`. */
  readonly endpoint: string
  readonly model: string
  readonly messages: ReadonlyArray<SurveyMessage>
  /** The structured-output schema, wherever the vendor carries it (response format, tool, config). */
  readonly schema?: { readonly [key: string]: unknown }
  /** Present when logprobs were asked for: how many top candidates per token. */
  readonly logprobs?: { readonly top: number }
  readonly seed?: number
  readonly temperature?: number
  readonly topP?: number
  readonly maxTokens?: number
  /** The vendor's request body, verbatim. */
  readonly body: unknown
}

export interface TokenChoice {
  readonly token: string
  readonly logprob: number
}

/** What a model says; the fake renders it in its vendor's wire format. */
export interface FakeAnswer {
  readonly text: string
  /** First output token's chosen candidate and top candidates, most likely first. */
  readonly logprobs?: { readonly chosen: TokenChoice; readonly top: ReadonlyArray<TokenChoice> }
  /** A refusal (OpenAI `refusal`, Anthropic `stop_reason: "refusal"`, Gemini `SAFETY`). */
  readonly refusal?: string
}

export interface ResponderContext {
  /** The fake's generator, advanced by every unseeded call. */
  readonly rng: Rng
  /** The fake's seed. */
  readonly seed: number
  /** A content fault drawn for this call, for the responder to act out. */
  readonly fault?: Extract<FaultKind, "offscale" | "lowmass" | "refusal">
}

/**
 * A scriptable responder: a function from the parsed request to an answer. Returning a fault kind
 * makes the fake inject that fault instead (e.g. `"429"` for one particular persona).
 */
export type Responder = (request: SurveyRequest, context: ResponderContext) => FakeAnswer | FaultKind

/** Lines of the user messages that describe the persona (`- <Attribute label>: <value>`). */
export const personaLines = (messages: ReadonlyArray<SurveyMessage>): ReadonlyArray<string> =>
  messages
    .filter((message) => message.role === "user")
    .flatMap((message) => message.content.split("\n"))
    .map((line) => line.trim())
    .filter((line) => line.startsWith("- "))

/**
 * One question of a structured request, by the kind of answer its schema asks for: one option (`enum`),
 * several options (an array of an enum), a number (with its bounds), free text, or a stated distribution
 * over options (verbalized elicitation). `options` is empty for numbers and text.
 */
export type ShapeItem =
  | {
      readonly id: string
      readonly kind: "choice" | "multi" | "distribution"
      readonly options: ReadonlyArray<string>
    }
  | {
      readonly id: string
      readonly kind: "numeric"
      readonly options: ReadonlyArray<string>
      readonly min: number
      readonly max: number
      readonly integer: boolean
    }
  | { readonly id: string; readonly kind: "text"; readonly options: ReadonlyArray<string> }

/** The survey shape a request asks for, read from its schema or, for logprobs, its option list. */
export type SurveyShape =
  | { readonly _tag: "Sample"; readonly items: ReadonlyArray<ShapeItem> }
  | { readonly _tag: "Verbalized"; readonly items: ReadonlyArray<ShapeItem> }
  | {
      readonly _tag: "Logprobs"
      readonly labels: ReadonlyArray<string>
      readonly options: ReadonlyArray<string>
    }
  | { readonly _tag: "Free" }

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const enumOf = (schema: unknown): ReadonlyArray<string> | undefined => {
  if (!isRecord(schema)) return undefined
  const values = schema.enum
  if (Array.isArray(values) && values.every((v) => typeof v === "string"))
    return values as ReadonlyArray<string>
  return undefined
}

const finite = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined

/** What one property of a structured-output schema asks for, or undefined when the fake cannot tell. */
const shapeItem = (id: string, schema: unknown): ShapeItem | undefined => {
  if (!isRecord(schema)) return undefined
  const options = enumOf(schema)
  if (options !== undefined) return { id, kind: "choice", options }
  // Gemini's OpenAPI subset (`responseSchema`) spells types in capitals.
  const type = typeof schema.type === "string" ? schema.type.toLowerCase() : schema.type
  if (type === "array") {
    const inner = enumOf(schema.items)
    return inner === undefined ? undefined : { id, kind: "multi", options: inner }
  }
  if (type === "number" || type === "integer") {
    const min = finite(schema.minimum) ?? 0
    const max = finite(schema.maximum) ?? Math.max(min + 100, 100)
    return { id, kind: "numeric", options: [], min, max, integer: type === "integer" }
  }
  if (type === "string") return { id, kind: "text", options: [] }
  if (type === "object" && isRecord(schema.properties) && Object.keys(schema.properties).length > 0)
    return { id, kind: "distribution", options: Object.keys(schema.properties) }
  return undefined
}

/** Option lists labelled `1`..`k` (`1. text`, `1) text`, `1: text`), the last such list in the prompt. */
export const labelledOptions = (
  text: string,
): { readonly labels: ReadonlyArray<string>; readonly options: ReadonlyArray<string> } | undefined => {
  const lines = text.split("\n")
  let best: { labels: Array<string>; options: Array<string> } | undefined
  let current: { labels: Array<string>; options: Array<string> } | undefined
  for (const line of lines) {
    const match = /^\s*(\d{1,2})\s*[.):]\s+(.+?)\s*$/.exec(line)
    if (match !== null && match[1] !== undefined && match[2] !== undefined) {
      const expected = String((current?.labels.length ?? 0) + 1)
      if (match[1] === expected) {
        current ??= { labels: [], options: [] }
        current.labels.push(match[1])
        current.options.push(match[2])
        continue
      }
      if (match[1] === "1") {
        current = { labels: ["1"], options: [match[2]] }
        continue
      }
    }
    if (current !== undefined && current.labels.length >= 2) best = current
    current = undefined
  }
  if (current !== undefined && current.labels.length >= 2) best = current
  return best
}

export const surveyShape = (request: SurveyRequest): SurveyShape => {
  const properties = isRecord(request.schema) ? request.schema.properties : undefined
  if (isRecord(properties) && Object.keys(properties).length > 0) {
    const items = Object.entries(properties).map(([id, schema]) => shapeItem(id, schema))
    if (items.every((item) => item !== undefined)) {
      const known = items as ReadonlyArray<ShapeItem>
      return known.some((item) => item.kind === "distribution")
        ? { _tag: "Verbalized", items: known }
        : { _tag: "Sample", items: known }
    }
  }
  if (request.logprobs !== undefined) {
    const user = [...request.messages].reverse().find((message) => message.role === "user")
    const list = user === undefined ? undefined : labelledOptions(user.content)
    if (list !== undefined) return { _tag: "Logprobs", labels: list.labels, options: list.options }
  }
  return { _tag: "Free" }
}

/**
 * The fake model's answer distribution for one item: logits from a base term per option plus one
 * term per persona line (so personas that share an attribute level share its pull), divided by the
 * temperature. The same scale and persona always give the same distribution.
 */
export const answerDistribution = (
  options: ReadonlyArray<string>,
  persona: ReadonlyArray<string>,
  temperature: number | undefined,
): ReadonlyArray<number> => {
  const scale = options.join("|")
  const t = Math.max(temperature ?? 1, 0.05)
  const logits = options.map((_, j) => {
    let logit = 1.5 * (hashUnit(`base|${scale}|${j}`) - 0.5)
    for (const line of persona) logit += 2 * (hashUnit(`${line}|${scale}|${j}`) - 0.5)
    return logit / t
  })
  const max = Math.max(...logits)
  const weights = logits.map((logit) => Math.exp(logit - max))
  const total = weights.reduce((a, b) => a + b, 0)
  return weights.map((w) => w / total)
}

/** Tokens a real model might put first instead of a label; they take the mass left to non-labels. */
const fillerTokens = [" ", "The", "I", "**"]

const round2 = (values: ReadonlyArray<number>): ReadonlyArray<number> => {
  const rounded = values.map((v) => Math.round(v * 100) / 100)
  const drift = Math.round((1 - rounded.reduce((a, b) => a + b, 0)) * 100) / 100
  const top = rounded.indexOf(Math.max(...rounded))
  return rounded.map((v, i) => (i === top ? Math.round((v + drift) * 100) / 100 : v))
}

/** Bins of a numeric answer's range; the persona pulls the answer towards some of them. */
const NUMERIC_BINS = 10

/**
 * One drawn answer to an item that is not a stated distribution, persona-dependent and seeded: an option,
 * a non-empty set of options, a number within the item's bounds (a persona-weighted bin, then a uniform
 * point in it, whole when the item asks for integers), or a short sentence.
 */
export const sampleAnswer = (
  item: ShapeItem,
  persona: ReadonlyArray<string>,
  temperature: number | undefined,
  rng: Rng,
): unknown => {
  switch (item.kind) {
    case "numeric": {
      const bins = Array.from({ length: NUMERIC_BINS }, (_, i) => `${item.min}..${item.max}#${i}`)
      const bin = rng.pick(answerDistribution(bins, persona, temperature))
      const width = (item.max - item.min) / NUMERIC_BINS
      const point = item.min + width * (bin + rng.next())
      const value = item.integer ? Math.round(point) : Math.round(point * 100) / 100
      return Math.min(item.max, Math.max(item.min, value))
    }
    case "multi": {
      const weights = answerDistribution(item.options, persona, temperature)
      const first = rng.pick(weights)
      // Each other option is ticked with a chance that grows with its weight; the drawn one always is.
      return item.options.filter(
        (_, j) => j === first || rng.next() < Math.min(0.8, (weights[j] ?? 0) * item.options.length * 0.4),
      )
    }
    case "text":
      return persona.length > 0
        ? `Speaking for myself (${persona.length} things about me were given), I would say it depends.`
        : "It depends."
    default:
      return item.options[rng.pick(answerDistribution(item.options, persona, temperature))] ?? ""
  }
}

/** What an off-scale answer looks like for an item of each kind. */
const offScale = (item: ShapeItem): unknown =>
  item.kind === "numeric"
    ? item.max + 1
    : item.kind === "multi"
      ? ["Somewhere in between"]
      : "Somewhere in between"

/**
 * The default responder. It answers survey items the way a persona-dependent, seeded, stochastic
 * model would: structured-output schemas get one drawn answer per item (an option, several options, a
 * number in range or a sentence, by what the schema asks), verbalized schemas get the distribution itself,
 * logprob prompts get a first-token distribution over the labels `1`..`k`.
 * A request with a seed gets the same answer every time; without one, the fake's generator advances.
 */
export const defaultResponder: Responder = (request, context) => {
  const persona = personaLines(request.messages)
  const rng =
    request.seed === undefined
      ? context.rng
      : new Rng(hash32(`${context.seed}|${request.seed}|${JSON.stringify(request.messages)}`))
  const shape = surveyShape(request)
  switch (shape._tag) {
    case "Sample": {
      const answers: Record<string, unknown> = {}
      shape.items.forEach((item, index) => {
        const drawn = sampleAnswer(item, persona, request.temperature, rng)
        answers[item.id] = context.fault === "offscale" && index === 0 ? offScale(item) : drawn
      })
      return { text: JSON.stringify(answers) }
    }
    case "Verbalized": {
      const answers: Record<string, unknown> = {}
      shape.items.forEach((item, index) => {
        if (item.kind !== "distribution") {
          answers[item.id] = sampleAnswer(item, persona, request.temperature, rng)
          return
        }
        const probabilities = round2(answerDistribution(item.options, persona, request.temperature))
        const stated: Record<string, number> = {}
        item.options.forEach((option, j) => {
          stated[context.fault === "offscale" && index === 0 && j === 0 ? "Somewhere in between" : option] =
            probabilities[j] ?? 0
        })
        answers[item.id] = stated
      })
      return { text: JSON.stringify(answers) }
    }
    case "Logprobs": {
      const distribution = answerDistribution(shape.options, persona, request.temperature)
      const labelMass = context.fault === "lowmass" ? 0.08 : context.fault === "offscale" ? 0 : 0.97
      const candidates: Array<TokenChoice> = shape.labels.map((label, j) => ({
        token: label,
        logprob: Math.log(Math.max((distribution[j] ?? 0) * labelMass, 1e-12)),
      }))
      const rest = (1 - labelMass) / fillerTokens.length
      for (const token of fillerTokens) candidates.push({ token, logprob: Math.log(rest) })
      const usable = candidates.filter((candidate) => candidate.logprob > Math.log(1e-11))
      usable.sort((a, b) => b.logprob - a.logprob)
      const chosen = usable[rng.pick(usable.map((candidate) => Math.exp(candidate.logprob)))] ?? usable[0]!
      const top = usable.slice(0, Math.max(1, Math.min(20, request.logprobs?.top ?? 0)))
      return { text: chosen.token, logprobs: { chosen, top } }
    }
    case "Free":
      return {
        text: persona.length > 0 ? `As someone with ${persona.length} traits, I would say yes.` : "Yes.",
      }
  }
}
