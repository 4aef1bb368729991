import type {
  ChatMessage,
  Item,
  ItemPrompt,
  JsonSchema,
  PersonaAttribute,
  RenderedPrompt,
  RenderOptions,
  StudyDefinition,
  Twin,
} from "@standin/core"
import { scaleOptions } from "@standin/core"

export interface RendererOverrides {
  /** Replaces the system message. */
  readonly system?: string
  /** Renders one persona attribute; defaults to the attribute's template. */
  readonly personaLine?: (attribute: PersonaAttribute, value: string | ReadonlyArray<string>) => string
}

const joinLevels = (levels: ReadonlyArray<string>): string =>
  levels.length <= 1
    ? (levels[0] ?? "")
    : `${levels.slice(0, -1).join(", ")} and ${levels[levels.length - 1]}`

export const defaultPersonaLine = (
  attribute: PersonaAttribute,
  value: string | ReadonlyArray<string>,
): string => attribute.template.replaceAll("{value}", typeof value === "string" ? value : joinLevels(value))

const DEFAULT_SYSTEM =
  "You are taking part in a research survey. You answer as the person described to you: their circumstances, " +
  "their views, their choices — not as an AI assistant. Answer every question, choosing from the options given."

/** The answer instruction and schema for one item, by elicitation method. */
const itemAnswerSchema = (item: Item, verbalized: boolean): JsonSchema => {
  const scale = item.scale
  if (verbalized && scale._tag !== "Numeric") {
    const options = scaleOptions(scale)
    return {
      type: "object",
      properties: Object.fromEntries(
        options.map((option) => [option, { type: "number", minimum: 0, maximum: 1 }]),
      ),
      required: [...options],
      additionalProperties: false,
    }
  }
  switch (scale._tag) {
    case "Numeric":
      return scale.integer
        ? { type: "integer", minimum: scale.min, maximum: scale.max }
        : { type: "number", minimum: scale.min, maximum: scale.max }
    case "MultiSelect":
      return {
        type: "array",
        items: { type: "string", enum: [...scale.options] },
        minItems: 1,
        uniqueItems: true,
      }
    default:
      return { type: "string", enum: [...scaleOptions(scale)] }
  }
}

const optionLine = (item: Item): string => {
  const scale = item.scale
  switch (scale._tag) {
    case "Numeric":
      return `Answer with a ${scale.integer ? "whole " : ""}number from ${scale.min} to ${scale.max}.`
    case "MultiSelect":
      return `Options (choose one or more): ${scale.options.map((o) => JSON.stringify(o)).join(", ")}`
    default:
      return `Options: ${scaleOptions(scale)
        .map((o) => JSON.stringify(o))
        .join(", ")}`
  }
}

/** Single-token labels for logprob elicitation: 1–9, or letters when an item has more than nine options. */
export const optionLabels = (count: number): ReadonlyArray<string> =>
  count <= 9
    ? Array.from({ length: count }, (_, i) => String(i + 1))
    : Array.from({ length: count }, (_, i) => String.fromCharCode(65 + i))

/**
 * Makes the study's one prompt renderer. Inference and finetuning files both call it, so the prompt a
 * finetuned model was trained on is exactly the prompt it is asked. Items keep the original study order;
 * the arm's stimulus comes before the items, as in the original design. The respondent's id never
 * appears; with `includeDemographics: false` (the ablation) the persona is left out entirely.
 */
export const makeRenderer = (study: StudyDefinition, overrides: RendererOverrides = {}) => {
  const personaLine = overrides.personaLine ?? defaultPersonaLine
  const system = overrides.system ?? DEFAULT_SYSTEM
  const armById = new Map(study.arms.map((arm) => [arm.id, arm]))
  // One answer schema per elicitation, shared by every twin's prompt: it is the same for all of them,
  // and a shared object is serialised once for all the cache keys of a run.
  const answerSchema = (verbalized: boolean): JsonSchema => ({
    type: "object",
    properties: Object.fromEntries(study.items.map((item) => [item.id, itemAnswerSchema(item, verbalized)])),
    required: study.items.map((item) => item.id),
    additionalProperties: false,
  })
  const schemas = { answers: answerSchema(false), distributions: answerSchema(true) }

  const context = (twin: Twin, options: RenderOptions): Array<string> => {
    const parts: Array<string> = []
    if (study.preamble.trim() !== "") parts.push(study.preamble.trim())
    if (options.includeDemographics) {
      const lines = study.persona
        .filter((attribute) => twin.persona[attribute.id] !== undefined)
        .map((attribute) => `- ${personaLine(attribute, twin.persona[attribute.id]!)}`)
      if (lines.length > 0) parts.push(["About you:", ...lines].join("\n"))
    }
    const stimulus = armById.get(twin.arm)?.stimulus.trim() ?? ""
    if (stimulus !== "") parts.push(stimulus)
    return parts
  }

  return (twin: Twin, options: RenderOptions): RenderedPrompt => {
    const verbalized = options.elicitation === "verbalized"
    const head = context(twin, options)
    const questions = study.items.map(
      (item, index) => `${index + 1}. [${item.id}] ${item.wording.trim()}\n   ${optionLine(item)}`,
    )
    const ids = study.items.map((item) => item.id).join(", ")
    const instruction = verbalized
      ? `For each question, say how likely you would be to choose each option: give a probability from 0 to 1 for every option, summing to 1 per question. Reply with a JSON object only, whose keys are the question ids (${ids}) and whose values are objects mapping each option, copied exactly, to its probability.`
      : `Reply with a JSON object only, whose keys are the question ids (${ids}) and whose values are your answers, with options copied exactly.`
    const user = [...head, `Questions:\n${questions.join("\n")}`, instruction].join("\n\n")
    const messages: ReadonlyArray<ChatMessage> = [
      { role: "system", content: system },
      { role: "user", content: user },
    ]
    const responseSchema = verbalized ? schemas.distributions : schemas.answers
    const perItem: Array<ItemPrompt> = []
    if (options.elicitation === "logprobs") {
      for (const item of study.items) {
        const choices = scaleOptions(item.scale)
        if (choices.length === 0 || item.scale._tag === "MultiSelect") continue
        const labels = optionLabels(choices.length)
        const listed = choices.map((choice, i) => `${labels[i]}. ${choice}`).join("\n")
        const content = [
          ...head,
          `Question: ${item.wording.trim()}`,
          `${listed}\n\nAnswer with the ${labels.length <= 9 ? "number" : "letter"} of your choice only.`,
        ].join("\n\n")
        perItem.push({
          itemId: item.id,
          messages: [
            { role: "system", content: system },
            { role: "user", content },
          ],
          labels,
          options: choices,
        })
      }
    }
    return {
      messages,
      responseSchema,
      responseSchemaName: `${study.id.replace(/[^a-zA-Z0-9_-]/g, "_")}_answers`,
      perItem,
    }
  }
}

/** The assistant message that states a respondent's real answers: the finetuning target. */
export const renderTarget = (
  study: StudyDefinition,
  answers: Readonly<Record<string, unknown>>,
): ChatMessage => ({
  role: "assistant",
  content: JSON.stringify(Object.fromEntries(study.items.map((item) => [item.id, answers[item.id] ?? null]))),
})
