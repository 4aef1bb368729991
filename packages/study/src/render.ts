import type {
  ChatMessage,
  InstrumentPage,
  Item,
  ItemPrompt,
  JsonSchema,
  PersonaAttribute,
  RenderedPrompt,
  RenderOptions,
  Stimulus,
  StimulusContent,
  StimulusRow,
  StudyDefinition,
  Twin,
} from "@standin/core"
import { answerTurn, instrumentPages, optionsAsShown, twinPages } from "@standin/core"

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
): string => {
  const unit = attribute.numeric?.unit
  const text = typeof value === "string" ? value : joinLevels(value)
  // A numeric attribute reads with its unit ("Age: 34 years") unless the template already says it.
  const shown =
    unit !== undefined && unit !== "" && !attribute.template.includes(unit) ? `${text} ${unit}` : text
  return attribute.template.replaceAll("{value}", shown)
}

const DEFAULT_SYSTEM =
  "You are taking part in a research survey. You answer as the person described to you: their circumstances, " +
  "their views, their choices — not as an AI assistant. Answer every question, choosing from the options given."

/** The answer instruction and schema for one item, by elicitation method; options in the order shown. */
const itemAnswerSchema = (item: Item, shown: ReadonlyArray<string>, verbalized: boolean): JsonSchema => {
  const scale = item.scale
  if (verbalized && scale._tag !== "Numeric") {
    return {
      type: "object",
      properties: Object.fromEntries(
        shown.map((option) => [option, { type: "number", minimum: 0, maximum: 1 }]),
      ),
      required: [...shown],
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
        items: { type: "string", enum: [...shown] },
        minItems: 1,
        uniqueItems: true,
      }
    default:
      return { type: "string", enum: [...shown] }
  }
}

/** An option as listed: quoted, and marked when it was preselected for the respondents. */
const listedOption = (item: Item, option: string): string =>
  item.default === option ? `${JSON.stringify(option)} (selected by default)` : JSON.stringify(option)

const optionLine = (item: Item, shown: ReadonlyArray<string>): string => {
  const scale = item.scale
  switch (scale._tag) {
    case "Numeric":
      return `Answer with a ${scale.integer ? "whole " : ""}number from ${scale.min} to ${scale.max}.`
    case "MultiSelect":
      return `Options (choose one or more): ${shown.map((o) => listedOption(item, o)).join(", ")}`
    default:
      return `Options: ${shown.map((o) => listedOption(item, o)).join(", ")}`
  }
}

/**
 * What this twin's randomiser showed for a protected item (a design that protects respondents), on its own line
 * under the item's unchanged wording; nothing for other items.
 */
const toldLine = (item: Item, options: RenderOptions, indent: string): string => {
  const told = options.randomisers?.[item.id]
  return told === undefined || told.trim() === "" ? "" : `${indent}${told.trim()}\n`
}

/** Single-token labels for logprob elicitation: 1–9, or letters when an item has more than nine options. */
export const optionLabels = (count: number): ReadonlyArray<string> =>
  count <= 9
    ? Array.from({ length: count }, (_, i) => String(i + 1))
    : Array.from({ length: count }, (_, i) => String.fromCharCode(65 + i))

const tableCell = (text: string): string => text.replaceAll("|", "\\|").replace(/\s+/g, " ").trim()

/**
 * A stimulus as a text-only model reads it: its text, its table as a Markdown table (values from the
 * study's fixed list or from the twin's persona), its image as alt text.
 */
export const renderStimulus = (
  content: StimulusContent,
  twin: Twin,
  options: { readonly includeDemographics: boolean },
): string => {
  const parts: Array<string> = []
  if (content.text !== undefined && content.text.trim() !== "") parts.push(content.text.trim())
  const table = content.table
  if (table !== undefined && table.rows.length > 0) {
    const value = (row: StimulusRow): string => {
      if (row.persona === undefined) return row.value ?? ""
      // The demographics-removed ablation leaves out every persona value, in tables too.
      if (!options.includeDemographics) return "(withheld)"
      const level = twin.persona[row.persona]
      return level === undefined ? "" : typeof level === "string" ? level : level.join(", ")
    }
    const [left, right] = table.header ?? ["", ""]
    const lines = [
      `| ${tableCell(left)} | ${tableCell(right)} |`,
      "| --- | --- |",
      ...table.rows.map((row) => `| ${tableCell(row.label)} | ${tableCell(value(row))} |`),
    ]
    if (table.note !== undefined && table.note.trim() !== "") lines.push("", table.note.trim())
    parts.push(lines.join("\n"))
  }
  if (content.image !== undefined) parts.push(`[Image: ${content.image.alt.trim()}]`)
  return parts.join("\n\n")
}

/** The content a twin's arm sees of a page's stimulus: its arm's variant, else the common content. */
export const stimulusFor = (stimulus: Stimulus, arm: string): StimulusContent => {
  const variant = stimulus.arms?.[arm]
  if (variant !== undefined) return variant
  return {
    ...(stimulus.text === undefined ? {} : { text: stimulus.text }),
    ...(stimulus.table === undefined ? {} : { table: stimulus.table }),
    ...(stimulus.image === undefined ? {} : { image: stimulus.image }),
  }
}

/**
 * Makes the study's one prompt renderer. Inference and finetuning files both call it, so the prompt a
 * finetuned model was trained on is exactly the prompt it is asked. A twin answers the instrument page by
 * page in one conversation: page 1 (with the preamble, the persona and the arm's stimulus) is the first user
 * turn, its answers the first assistant turn, then page 2, and so on; rendering page k gives the whole
 * conversation up to page k, with earlier answers taken from `history`. A study without pages is one page.
 * Options are listed in the order the humans saw them (or as `optionOrders` says), with the default marked.
 * The respondent's id never appears; with `includeDemographics: false` (the ablation) the persona is left
 * out entirely.
 */
export const makeRenderer = (study: StudyDefinition, overrides: RendererOverrides = {}) => {
  const personaLine = overrides.personaLine ?? defaultPersonaLine
  const system = overrides.system ?? DEFAULT_SYSTEM
  const armById = new Map(study.arms.map((arm) => [arm.id, arm]))
  const pages = instrumentPages(study)
  const schemaName = `${study.id.replace(/[^a-zA-Z0-9_-]/g, "_")}_answers`
  /** A page as this twin is asked it: without the items its human was not asked (skip logic). */
  const pageFor = (twin: Twin, index: number): InstrumentPage => {
    const page = pages[index]!
    const skipped = twin.skipped
    if (skipped === undefined || skipped.length === 0) return page
    return { ...page, items: page.items.filter((item) => !skipped.includes(item.id)) }
  }
  const visible = (twin: Twin) => twinPages(study, twin)

  /** The options shown for an item: the arm's own when they differed by arm, reordered as the run asks. */
  const shownOf = (item: Item, options: RenderOptions, arm?: string): ReadonlyArray<string> => {
    const offered = optionsAsShown(item, arm)
    const order = options.optionOrders?.[item.id]
    return order === undefined ? offered : order.filter((option) => offered.includes(option))
  }

  const answerSchema = (
    page: InstrumentPage,
    verbalized: boolean,
    options: RenderOptions,
    arm?: string,
  ): JsonSchema => ({
    type: "object",
    properties: Object.fromEntries(
      page.items.map((item) => [item.id, itemAnswerSchema(item, shownOf(item, options, arm), verbalized)]),
    ),
    required: page.items.map((item) => item.id),
    additionalProperties: false,
  })
  // One answer schema per page and elicitation, shared by every twin shown the options as the humans saw
  // them: a shared object is serialised once for all the cache keys of a run.
  const asShown: RenderOptions = { elicitation: "sample", includeDemographics: true }
  const schemas = pages.map((page) => ({
    answers: answerSchema(page, false, asShown),
    distributions: answerSchema(page, true, asShown),
  }))

  /** What a page shows before its questions; the first page opens with the preamble and the persona. */
  const head = (twin: Twin, options: RenderOptions, index: number): Array<string> => {
    const parts: Array<string> = []
    // The first page the twin is asked opens the conversation (page 1 unless skip logic left it out).
    if (index === (visible(twin)[0]?.index ?? 0)) {
      if (study.preamble.trim() !== "") parts.push(study.preamble.trim())
      if (options.includeDemographics) {
        const lines = study.persona
          .filter((attribute) => twin.persona[attribute.id] !== undefined)
          .map((attribute) => `- ${personaLine(attribute, twin.persona[attribute.id]!)}`)
        if (lines.length > 0) parts.push(["About you:", ...lines].join("\n"))
      }
      const stimulus = armById.get(twin.arm)?.stimulus.trim() ?? ""
      if (stimulus !== "") parts.push(stimulus)
    }
    const page = pages[index]!
    if (page.context !== undefined && page.context.trim() !== "") parts.push(page.context.trim())
    if (page.stimulus !== undefined) {
      const shown = renderStimulus(stimulusFor(page.stimulus, twin.arm), twin, options)
      if (shown !== "") parts.push(shown)
    }
    return parts
  }

  const pageTurn = (twin: Twin, options: RenderOptions, index: number): string => {
    const page = pageFor(twin, index)
    const verbalized = options.elicitation === "verbalized"
    const questions = page.items.map(
      (item, position) =>
        `${position + 1}. [${item.id}] ${item.wording.trim()}\n${toldLine(item, options, "   ")}   ${optionLine(item, shownOf(item, options, twin.arm))}`,
    )
    const ids = page.items.map((item) => item.id).join(", ")
    const instruction = verbalized
      ? `For each question, say how likely you would be to choose each option: give a probability from 0 to 1 for every option, summing to 1 per question. Reply with a JSON object only, whose keys are the question ids (${ids}) and whose values are objects mapping each option, copied exactly, to its probability.`
      : `Reply with a JSON object only, whose keys are the question ids (${ids}) and whose values are your answers, with options copied exactly.`
    return [...head(twin, options, index), `Questions:\n${questions.join("\n")}`, instruction].join("\n\n")
  }

  return (twin: Twin, options: RenderOptions): RenderedPrompt => {
    const index = Math.min(Math.max(0, options.page ?? 0), pages.length - 1)
    const page = pageFor(twin, index)
    // Skip logic or options that differ by arm: this twin's page needs its own answer schema.
    const skipping =
      page.items.length !== pages[index]!.items.length ||
      page.items.some((item) => item.optionsByArm?.[twin.arm] !== undefined)
    const verbalized = options.elicitation === "verbalized"
    // The conversation before this page: each earlier page the twin was asked and the answers given to it.
    const earlier: Array<ChatMessage> = []
    for (const shown of visible(twin)) {
      if (shown.index >= index) break
      earlier.push({ role: "user", content: pageTurn(twin, options, shown.index) })
      earlier.push(
        answerTurn(
          shown.items.map((item) => item.id),
          options.history?.[shown.index] ?? {},
        ),
      )
    }
    const messages: ReadonlyArray<ChatMessage> = [
      { role: "system", content: system },
      ...earlier,
      { role: "user", content: pageTurn(twin, options, index) },
    ]
    const reordered =
      options.optionOrders !== undefined && page.items.some((item) => options.optionOrders?.[item.id])
    const responseSchema =
      reordered || skipping
        ? answerSchema(page, verbalized, options, twin.arm)
        : verbalized
          ? schemas[index]!.distributions
          : schemas[index]!.answers
    const perItem: Array<ItemPrompt> = []
    if (options.elicitation === "logprobs") {
      const context = head(twin, options, index)
      for (const item of page.items) {
        const choices = shownOf(item, options, twin.arm)
        if (choices.length === 0 || item.scale._tag === "MultiSelect") continue
        const labels = optionLabels(choices.length)
        const listed = choices
          .map(
            (choice, i) =>
              `${labels[i]}. ${choice}${item.default === choice ? " (selected by default)" : ""}`,
          )
          .join("\n")
        const content = [
          ...context,
          `Question: ${item.wording.trim()}${toldLine(item, options, "\n").trimEnd()}`,
          `${listed}\n\nAnswer with the ${labels.length <= 9 ? "number" : "letter"} of your choice only.`,
        ].join("\n\n")
        perItem.push({
          itemId: item.id,
          messages: [{ role: "system", content: system }, ...earlier, { role: "user", content }],
          labels,
          options: [...choices],
        })
      }
    }
    return { messages, responseSchema, responseSchemaName: schemaName, perItem }
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
