import { describe, expect, it } from "@effect/vitest"
import type {
  ProviderRequest,
  ProviderResponse,
  ProviderShape,
  StudyDefinition,
  SyntheticRespondent,
} from "@standin/core"
import { callKey } from "@standin/store"
import { defineStudy } from "@standin/study"
import { Effect } from "effect"
import { callKeyParts } from "../src/calls/call-runner.js"
import { exampleInstrument, instrumentConversation } from "../src/conversation.js"
import { csvField, syntheticCsv } from "../src/csv.js"
import { optionOrdersFor } from "../src/option-order.js"
import { callRequest, directExecutor, reasksOf, simulate } from "../src/simulate.js"
import { buildTrainingSet } from "../src/training.js"
import { descriptor } from "./calls/fixtures.js"
import { fixtureRespondents, fixtureStudy } from "./fixture.js"

/** The engine's fixture study as two pages: the action (its "Yes" preselected and listed first), then the belief. */
const paged: StudyDefinition = {
  ...fixtureStudy,
  items: fixtureStudy.items.map((item) =>
    item.id === "act" ? { ...item, default: "Yes", optionOrder: ["Yes", "No"] } : item,
  ),
  pages: [
    { id: "action", items: ["act"] },
    { id: "belief", context: "Now about you.", items: ["worry"] },
  ],
}
const { experiment } = defineStudy(paged)
const twins = fixtureRespondents(6).map((respondent, index) => ({
  id: `t0000${index + 1}`,
  arm: respondent.arm,
  persona: respondent.persona,
}))

/**
 * A provider that answers each page with the first option its schema lists, except that it garbles the
 * first ask of the belief page once per twin (to be re-asked), and records every request it gets.
 */
const scripted = () => {
  const requests: Array<ProviderRequest> = []
  const garbled = new Set<string>()
  const provider: ProviderShape = {
    descriptor,
    model: "fake-model",
    generate: (request) =>
      Effect.sync((): ProviderResponse => {
        requests.push(request)
        const onBelief = request.items.some((item) => item.id === "worry")
        if (onBelief && !garbled.has(request.twin.id)) {
          garbled.add(request.twin.id)
          return { text: "I would rather not say.", modelVersion: "fake-1", usage: zero, warnings: [] }
        }
        const properties = request.prompt.responseSchema.properties as Record<string, { enum: Array<string> }>
        const answer = Object.fromEntries(
          request.items.map((item) => [item.id, properties[item.id]!.enum[0]]),
        )
        return { text: JSON.stringify(answer), modelVersion: "fake-1", usage: zero, warnings: [] }
      }),
  }
  return { provider, requests }
}
const zero = { inputTokens: 0, outputTokens: 0 }

const run = (optionOrder?: "as-shown" | "reversed" | "shuffled", seed = 5) => {
  const { provider, requests } = scripted()
  const { synthetic } = Effect.runSync(
    simulate(
      {
        experiment,
        provider,
        twins,
        replicates: 1,
        elicitation: "sample",
        settings: {},
        includeDemographics: true,
        maxReasks: 2,
        seed,
        concurrency: 1,
        ...(optionOrder === undefined ? {} : { optionOrder }),
      },
      directExecutor(provider),
    ),
  )
  return { synthetic, requests }
}

describe("simulating a paged instrument", () => {
  it("asks page by page in one conversation, re-asks only the invalid page, and keeps every turn's raw text", () => {
    const { synthetic, requests } = run()
    const mine = requests.filter((request) => request.twin.id === "t00001")
    // action page, belief page (garbled), belief page again
    expect(mine.map((request) => request.items.map((item) => item.id))).toEqual([
      ["act"],
      ["worry"],
      ["worry"],
    ])
    expect(mine.map((request) => request.attempt)).toEqual([0, 0, 1])
    const [first, second] = mine
    expect(first!.prompt.messages.map((m) => m.role)).toEqual(["system", "user"])
    expect(first!.prompt.messages[1]!.content).toContain('Options: "Yes" (selected by default), "No"')
    expect(first!.prompt.messages[1]!.content).not.toContain("I worry.")
    expect(second!.prompt.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"])
    expect(second!.prompt.messages.slice(0, 2)).toEqual(first!.prompt.messages)
    expect(second!.prompt.messages[2]!.content).toBe('{"act":"Yes"}')
    expect(second!.prompt.messages[3]!.content.startsWith("Now about you.")).toBe(true)
    // One seed per ask of a twin; the page is its own field, for providers that draw at random.
    expect(second!.settings.seed).toBe(first!.settings.seed)
    expect([first!.page, second!.page]).toEqual([undefined, 1])

    const twin = synthetic[0]!
    expect(twin.answers).toEqual({ act: "Yes", worry: "Disagree" })
    expect(twin.valid).toBe(true)
    expect(twin.attempts).toBe(3)
    expect(twin.turns).toEqual([
      { page: "action", raw: '{"act":"Yes"}', attempts: 1 },
      { page: "belief", raw: '{"worry":"Disagree"}', attempts: 2 },
    ])
    expect(twin.raw).toBe('{"worry":"Disagree"}')
    expect(reasksOf(twin)).toBe(1)
    expect(twin.optionOrders).toBeUndefined()
  })

  it("puts the conversation so far in the call key: another earlier answer is another call", () => {
    const spec = { provider: "fake", model: "fake-model" }
    const keyWith = (act: string) => {
      const prompt = experiment.renderPrompt(twins[0]!, {
        elicitation: "sample",
        includeDemographics: true,
        page: 1,
        history: [{ act }],
      })
      const request = callRequest(
        { provider: { model: "fake-model" }, experiment, settings: {}, elicitation: "sample", seed: 1 },
        twins[0]!,
        prompt,
        0,
        0,
        { index: 1, items: [paged.items[1]!] },
      )
      return callKey(callKeyParts(spec, request))
    }
    expect(keyWith("Yes")).not.toBe(keyWith("No"))
    expect(keyWith("Yes")).toBe(keyWith("Yes"))
  })

  it("--option-order shuffled: seeded per twin, shown in the prompt, recorded per row, same seed same bytes", () => {
    const a = run("shuffled", 11)
    const b = run("shuffled", 11)
    const csv = (synthetic: ReadonlyArray<SyntheticRespondent>) => syntheticCsv(paged, synthetic)
    expect(csv(a.synthetic)).toBe(csv(b.synthetic))
    expect(a.requests).toEqual(b.requests)
    const orders = a.synthetic.map((twin) => twin.optionOrders!)
    for (const [index, twin] of a.synthetic.entries()) {
      expect(orders[index]).toEqual(optionOrdersFor(paged, "shuffled", 11, twin.twinId))
      const asked = a.requests.find((request) => request.twin.id === twin.twinId)!
      const act = orders[index]!.act!
      expect(asked.prompt.messages[1]!.content).toContain(
        `Options: ${act.map((option) => (option === "Yes" ? '"Yes" (selected by default)' : `"${option}"`)).join(", ")}`,
      )
      // the provider answered the first option shown, which the twin's row records
      expect(twin.answers.act).toBe(act[0])
    }
    // six twins cannot all draw the same order of three belief options by chance here (seeded, checked once)
    expect(new Set(orders.map((order) => order.worry!.join("|"))).size).toBeGreaterThan(1)
    const header = csv(a.synthetic).split("\n")[0]!.split(",")
    expect(header.slice(-2)).toEqual(["option_order", "turns"])
    expect(csv(a.synthetic)).toContain(csvField(JSON.stringify(orders[0])))
    // another seed, other orders
    const other = run("shuffled", 12).synthetic.map((twin) => twin.optionOrders)
    expect(other).not.toEqual(orders)
  })

  it("--option-order reversed shows every twin the reverse of what the humans saw", () => {
    const { synthetic } = run("reversed")
    for (const twin of synthetic) {
      expect(twin.optionOrders).toEqual({ act: ["No", "Yes"], worry: ["Agree", "Neutral", "Disagree"] })
      expect(twin.answers.act).toBe("No")
    }
  })
})

describe("training files of a paged instrument", () => {
  it("are the inference conversation with the human's real answers as every assistant turn", () => {
    const pilot = fixtureRespondents(5)
    const set = buildTrainingSet(experiment, pilot, {
      includeDemographics: true,
      validationFraction: 0,
      seed: 1,
    })
    expect(set.train).toHaveLength(5)
    for (const [index, example] of set.train.entries()) {
      const human = pilot[index]!
      expect(example.messages.map((m) => m.role)).toEqual([
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
      ])
      expect(example.messages[2]!.content).toBe(JSON.stringify({ act: human.answers.act }))
      expect(example.messages[4]!.content).toBe(JSON.stringify({ worry: human.answers.worry }))
      const inference = experiment.renderPrompt(
        { id: "x", arm: human.arm, persona: human.persona },
        { elicitation: "sample", includeDemographics: true, page: 1, history: [{ act: human.answers.act! }] },
      )
      expect(example.messages.slice(0, 4)).toEqual(inference.messages)
    }
  })
})

describe("the instrument as a conversation, without a model", () => {
  it("gives each arm's example conversation with placeholders, or a human's answers as the assistant turns", () => {
    const examples = exampleInstrument(experiment, true)
    expect(examples.map((example) => example.arm)).toEqual(["control", "treated"])
    for (const example of examples) {
      expect(example.turns.map((turn) => `${turn.role} ${turn.page ?? ""}`.trim())).toEqual([
        "system",
        "user action",
        "assistant action",
        "user belief",
        "assistant belief",
      ])
      expect(example.turns[2]!.content).toBe("<the twin's answer to act, as a JSON object>")
    }
    expect(examples[1]!.turns[1]!.content).toContain("You were shown a warning.")
    expect(examples[0]!.turns[1]!.content).not.toContain("You were shown a warning.")
    const human = fixtureRespondents(1)[0]!
    const turns = instrumentConversation(
      experiment,
      { id: "x", arm: human.arm, persona: human.persona },
      { elicitation: "sample", includeDemographics: true, answers: human.answers },
    )
    const training = buildTrainingSet(experiment, [human], {
      includeDemographics: true,
      validationFraction: 0,
      seed: 1,
    }).train[0]!
    expect(turns.map(({ role, content }) => ({ role, content }))).toEqual(training.messages)
  })
})
