import { describe, expect, it } from "@effect/vitest"
import type { ProviderRequest, ProviderResponse, ProviderShape, StudyDefinition } from "@standin/core"
import { ProviderError } from "@standin/core"
import { defineStudy } from "@standin/study"
import { Effect } from "effect"
import { directExecutor, simulate } from "../src/simulate.js"
import { conversationsJsonl, twinConversation } from "../src/twin-conversations.js"
import { descriptor } from "./calls/fixtures.js"
import { fixtureRespondents, fixtureStudy } from "./fixture.js"

/** The engine's fixture study as two pages: the action, then the belief. */
const paged: StudyDefinition = {
  ...fixtureStudy,
  pages: [
    { id: "action", items: ["act"] },
    { id: "belief", context: "Now about you.", items: ["worry"] },
  ],
}
const { experiment } = defineStudy(paged)
const twins = fixtureRespondents(3).map((respondent, index) => ({
  id: `t0000${index + 1}`,
  arm: respondent.arm,
  persona: respondent.persona,
}))
const zero = { inputTokens: 0, outputTokens: 0 }

/** Answers every page with its first option, but twin 2 never answers the belief page usably and twin 3's belief call fails. */
const scripted = () => {
  const requests: Array<ProviderRequest> = []
  const provider: ProviderShape = {
    descriptor,
    model: "fake-model",
    generate: (request) => {
      requests.push(request)
      const onBelief = request.items.some((item) => item.id === "worry")
      if (onBelief && request.twin.id === "t00003")
        return Effect.fail(
          new ProviderError({ provider: "fake", reason: "server", message: "502 Bad Gateway" }),
        )
      return Effect.sync((): ProviderResponse => {
        if (onBelief && request.twin.id === "t00002")
          return { text: "I would rather not say.", modelVersion: "fake-1", usage: zero, warnings: [] }
        const properties = request.prompt.responseSchema.properties as Record<string, { enum: Array<string> }>
        const answer = Object.fromEntries(
          request.items.map((item) => [item.id, properties[item.id]!.enum[0]]),
        )
        return { text: JSON.stringify(answer), modelVersion: "fake-1", usage: zero, warnings: [] }
      })
    },
  }
  return { provider, requests }
}

const rendering = { elicitation: "sample", includeDemographics: true } as const

describe("a twin's conversation, rebuilt from its record", () => {
  const { provider, requests } = scripted()
  const { synthetic } = Effect.runSync(
    simulate(
      {
        experiment,
        provider,
        twins,
        replicates: 1,
        ...rendering,
        settings: {},
        maxReasks: 2,
        seed: 5,
        concurrency: 1,
      },
      directExecutor(provider),
    ),
  )
  const last = (twin: string) =>
    requests.filter((request) => request.twin.id === twin).at(-1)!.prompt.messages

  it("holds the prompts exactly as the provider received them, each reply verbatim and how it was carried forward", () => {
    const conversation = twinConversation(experiment, synthetic[0]!, rendering)
    expect(conversation.turns.map((turn) => `${turn.role} ${turn.page ?? ""}`.trim())).toEqual([
      "system",
      "user action",
      "assistant action",
      "user belief",
      "assistant belief",
    ])
    const sent = last("t00001")
    expect(sent.map((message) => message.content)).toEqual([
      conversation.turns[0]!.content,
      conversation.turns[1]!.content,
      conversation.turns[2]!.carried,
      conversation.turns[3]!.content,
    ])
    expect(conversation.turns[2]!.content).toBe(synthetic[0]!.turns![0]!.raw)
    expect(conversation.turns[4]!.carried).toBeUndefined()
    expect(conversation).toMatchObject({ twinId: "t00001", valid: true, invalid: {}, arm: twins[0]!.arm })
    expect(conversation.persona).toEqual(twins[0]!.persona)
  })

  it("says why an answer was invalid, with the calls the page took", () => {
    const conversation = twinConversation(experiment, synthetic[1]!, rendering)
    expect(conversation.valid).toBe(false)
    expect(Object.keys(conversation.invalid)).toEqual(["worry"])
    expect(conversation.invalid.worry).not.toBe("no valid answer")
    expect(synthetic[1]!.warnings).toContain(`worry: ${conversation.invalid.worry}`)
    const reply = conversation.turns.at(-1)!
    expect(reply).toMatchObject({
      role: "assistant",
      page: "belief",
      content: "I would rather not say.",
      attempts: 3,
    })
    expect(conversation.answers.worry).toBeNull()
  })

  it("ends on the page whose call failed, with the failure and every answer invalid", () => {
    const conversation = twinConversation(experiment, synthetic[2]!, rendering)
    expect(conversation.turns.map((turn) => `${turn.role} ${turn.page ?? ""}`.trim())).toEqual([
      "system",
      "user action",
      "assistant action",
      "user belief",
    ])
    expect(conversation.failure).toEqual({ reason: "server", message: expect.stringContaining("502") })
    expect(Object.keys(conversation.invalid).sort()).toEqual(["act", "worry"])
    expect(conversation.invalid.worry).toMatch(/failed call \(server\)/)
    // The failed page's prompt is the one the provider got.
    expect(conversation.turns[3]!.content).toBe(last("t00003").at(-1)!.content)
  })

  it("writes one JSON line per twin, in the synthetic order, the same bytes every time", () => {
    const text = conversationsJsonl(experiment, synthetic, rendering)
    expect(text.endsWith("\n")).toBe(true)
    const lines = text.trimEnd().split("\n")
    expect(lines.map((line) => JSON.parse(line).twinId)).toEqual(["t00001", "t00002", "t00003"])
    expect(conversationsJsonl(experiment, synthetic, rendering)).toBe(text)
  })
})
