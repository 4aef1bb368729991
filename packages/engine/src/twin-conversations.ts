import type { ExperimentShape, RenderOptions, SyntheticRespondent, TwinConversation } from "@standin/core"
import { answerTurn, instrumentPages } from "@standin/core"

/** How the run rendered its prompts (the rest comes from each twin's own record: persona, arm, option order). */
export type ConversationRendering = Pick<RenderOptions, "elicitation" | "includeDemographics">

/**
 * A twin's conversation rebuilt from its record: the prompts are rendered again exactly as the run rendered them
 * (rendering is pure: same study, persona, arm, option order and earlier answers, same text), the replies are the
 * model's verbatim. Under logprobs elicitation the items were asked one by one; the conversation shows the page
 * prompts the per-item prompts were cut from.
 */
export const twinConversation = (
  experiment: ExperimentShape,
  respondent: SyntheticRespondent,
  rendering: ConversationRendering,
): TwinConversation => {
  const pages = instrumentPages(experiment.definition)
  const twin = { id: respondent.twinId, arm: respondent.arm, persona: respondent.persona }
  const replies =
    respondent.turns ??
    (respondent.failure === undefined
      ? [{ page: pages[0]!.id, raw: respondent.raw, attempts: respondent.attempts }]
      : [])
  // A failed call ends the conversation on the page it was asking.
  const asked = Math.min(pages.length, replies.length + (respondent.failure === undefined ? 0 : 1))
  const history = pages.map((page) =>
    Object.fromEntries(page.items.map((item) => [item.id, respondent.answers[item.id] ?? null])),
  )
  const turns: Array<TwinConversation["turns"][number]> = []
  for (let index = 0; index < asked; index++) {
    const page = pages[index]!
    const prompt = experiment.renderPrompt(twin, {
      ...rendering,
      ...(index === 0 ? {} : { page: index, history: history.slice(0, index) }),
      ...(respondent.optionOrders === undefined ? {} : { optionOrders: respondent.optionOrders }),
      ...(respondent.randomisers === undefined
        ? {}
        : {
            randomisers: Object.fromEntries(
              Object.entries(respondent.randomisers).map(([item, draw]) => [item, draw.told]),
            ),
          }),
    })
    if (index === 0)
      for (const message of prompt.messages.filter((m) => m.role === "system"))
        turns.push({ role: "system", content: message.content })
    turns.push({ role: "user", page: page.id, content: prompt.messages.at(-1)!.content })
    const reply = replies[index]
    if (reply === undefined) continue
    turns.push({
      role: "assistant",
      page: page.id,
      content: reply.raw,
      attempts: reply.attempts,
      ...(index < asked - 1
        ? {
            carried: answerTurn(
              page.items.map((item) => item.id),
              history[index]!,
            ).content,
          }
        : {}),
    })
  }
  const invalid: Record<string, string> = {}
  for (const item of respondent.invalidItems) {
    const reason = respondent.warnings.find((warning) => warning.startsWith(`${item}: `))
    invalid[item] =
      reason?.slice(item.length + 2) ??
      (respondent.failure === undefined
        ? "no valid answer"
        : `the conversation ended on a failed call (${respondent.failure.reason}): every answer counts as invalid`)
  }
  return {
    twinId: respondent.twinId,
    replicate: respondent.replicate,
    arm: respondent.arm,
    persona: respondent.persona,
    elicitation: respondent.elicitation,
    turns,
    answers: respondent.answers,
    valid: respondent.valid,
    invalid,
    ...(respondent.failure === undefined ? {} : { failure: respondent.failure }),
    ...(respondent.optionOrders === undefined ? {} : { optionOrders: respondent.optionOrders }),
  }
}

/** An entry's conversations file: one JSON line per twin (× replicate), in the synthetic CSV's order. */
export const conversationsJsonl = (
  experiment: ExperimentShape,
  synthetic: ReadonlyArray<SyntheticRespondent>,
  rendering: ConversationRendering,
): string =>
  synthetic
    .map((respondent) => `${JSON.stringify(twinConversation(experiment, respondent, rendering))}\n`)
    .join("")

/** Where an entry's conversations go: beside its synthetic CSV. */
export const conversationsPath = (syntheticFile: string): string =>
  `${syntheticFile.replace(/\.csv$/, "")}.conversations.jsonl`
