import type { AnswerValue, ChatMessage, ExperimentShape, Persona, RenderOptions, Twin } from "@standin/core"
import { answerTurn, instrumentPages, twinPages } from "@standin/core"

/** One turn of a twin's conversation with the instrument, with the page it belongs to (none for the system turn). */
export interface InstrumentTurn {
  readonly role: ChatMessage["role"]
  readonly page?: string
  readonly content: string
}

/**
 * A twin's whole conversation with the study's instrument, turn by turn, exactly as a provider receives it:
 * the system message, each page as a user turn and, after each page, the assistant turn with the answers to it
 * — the given answers (e.g. the human's own), or a placeholder that says what the twin would answer. No model is
 * called.
 */
export const instrumentConversation = (
  experiment: ExperimentShape,
  twin: Twin,
  options: Omit<RenderOptions, "page" | "history"> & {
    readonly answers?: Readonly<Record<string, AnswerValue>>
  },
): ReadonlyArray<InstrumentTurn> => {
  const { answers, ...render } = options
  const history = instrumentPages(experiment.definition).map((page) =>
    Object.fromEntries(page.items.map((item) => [item.id, answers?.[item.id] ?? null])),
  )
  const turns: Array<InstrumentTurn> = []
  // Skip logic: only the pages (and items) the twin is asked.
  for (const [position, page] of twinPages(experiment.definition, twin).entries()) {
    const index = page.index
    const prompt = experiment.renderPrompt(twin, {
      ...render,
      ...(index === 0 ? {} : { page: index, history: history.slice(0, index) }),
    })
    if (position === 0)
      for (const message of prompt.messages.filter((m) => m.role === "system"))
        turns.push({ role: "system", content: message.content })
    turns.push({ role: "user", page: page.id, content: prompt.messages.at(-1)!.content })
    const ids = page.items.map((item) => item.id)
    turns.push({
      role: "assistant",
      page: page.id,
      content:
        answers === undefined
          ? `<the twin's answer to ${ids.join(", ")}, as a JSON object>`
          : answerTurn(ids, history[index]!).content,
    })
  }
  return turns
}

/** A persona of each attribute's first level: an example that needs no data. */
export const examplePersona = (experiment: ExperimentShape): Persona =>
  Object.fromEntries(
    experiment.definition.persona.flatMap((attribute) =>
      attribute.levels.length === 0
        ? []
        : [[attribute.id, attribute.multiple ? [attribute.levels[0]!] : attribute.levels[0]!]],
    ),
  )

/**
 * The instrument as each arm sees it, for results files and the leaderboard: an example twin's conversation
 * per arm (the example persona, placeholder answers, options as the humans saw them).
 */
export const exampleInstrument = (
  experiment: ExperimentShape,
  includeDemographics: boolean,
): ReadonlyArray<{ readonly arm: string; readonly turns: ReadonlyArray<InstrumentTurn> }> => {
  const persona = examplePersona(experiment)
  return experiment.definition.arms.map((arm) => ({
    arm: arm.id,
    turns: instrumentConversation(
      experiment,
      { id: "example", arm: arm.id, persona },
      { elicitation: "sample", includeDemographics },
    ),
  }))
}
