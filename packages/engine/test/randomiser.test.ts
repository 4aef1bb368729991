import { describe, expect, it } from "@effect/vitest"
import type { ProviderRequest, ProviderResponse, ProviderShape, StudyDefinition } from "@standin/core"
import { defineStudy } from "@standin/study"
import { Effect } from "effect"
import { csvField, syntheticCsv } from "../src/csv.js"
import { randomisersFor } from "../src/randomiser.js"
import { directExecutor, simulate } from "../src/simulate.js"
import { twinConversation } from "../src/twin-conversations.js"
import { descriptor } from "./calls/fixtures.js"
import { fixtureRespondents, fixtureStudy } from "./fixture.js"

const die = (faces: ReadonlyArray<number>) => faces.map((face) => `The die shows ${face}.`)

/** The fixture's binary item "act" asked as a forced-response item (a die: 1 → Yes, 6 → No), "worry" unprotected. */
const study = (protect: NonNullable<StudyDefinition["items"][number]["protect"]>): StudyDefinition => ({
  ...fixtureStudy,
  formatVersion: 2,
  items: fixtureStudy.items.map((item) => (item.id === "act" ? { ...item, protect } : item)),
})
const forced = study({
  _tag: "ForcedResponse",
  pYes: 1 / 6,
  pNo: 1 / 6,
  told: { yes: die([1]), no: die([6]), truth: die([2, 3, 4, 5]) },
})

/** Two-sided binomial check at about 4.4 SDs: a correct sampler fails it with probability below 1e-5. */
const expectShare = (count: number, n: number, p: number) => {
  const sd = Math.sqrt((n * p * (1 - p)) as number)
  expect(Math.abs(count - n * p)).toBeLessThan(4.4 * sd)
}

describe("each twin's randomiser (designs that protect respondents)", () => {
  it("draws outcomes with the declared probabilities over many twins (fixed seed)", () => {
    const n = 20_000
    const counts = new Map<string, number>()
    const faces = new Map<string, number>()
    for (let index = 0; index < n; index++) {
      const draw = randomisersFor(forced, 2026, `t${index}`)!.act!
      counts.set(draw.outcome, (counts.get(draw.outcome) ?? 0) + 1)
      faces.set(draw.told, (faces.get(draw.told) ?? 0) + 1)
      // The text told matches the outcome drawn.
      const face = Number(/shows (\d)/.exec(draw.told)![1])
      expect(draw.outcome).toBe(face === 1 ? "yes" : face === 6 ? "no" : "truth")
    }
    expectShare(counts.get("yes") ?? 0, n, 1 / 6)
    expectShare(counts.get("no") ?? 0, n, 1 / 6)
    expectShare(counts.get("truth") ?? 0, n, 2 / 3)
    // Each of the six faces turns up a sixth of the time (the truth's four faces drawn uniformly).
    for (const face of die([1, 2, 3, 4, 5, 6])) expectShare(faces.get(face) ?? 0, n, 1 / 6)

    const crosswise = study({
      _tag: "Crosswise",
      p: 0.25,
      innocuous: "My mother's birthday is in January–March.",
    })
    const warner = study({ _tag: "Warner", p: 0.7 })
    let crosswiseTrue = 0
    let warnerStatement = 0
    for (let index = 0; index < n; index++) {
      if (randomisersFor(crosswise, 7, `t${index}`)!.act!.outcome === "true") crosswiseTrue++
      if (randomisersFor(warner, 7, `t${index}`)!.act!.outcome === "statement") warnerStatement++
    }
    expectShare(crosswiseTrue, n, 0.25)
    expectShare(warnerStatement, n, 0.7)
  })

  it("is deterministic per run seed and twin, and independent of other twins", () => {
    expect(randomisersFor(forced, 5, "t00001")).toEqual(randomisersFor(forced, 5, "t00001"))
    const draws = (seed: number) =>
      Array.from({ length: 40 }, (_, index) => randomisersFor(forced, seed, `t${index}`)!.act!.told)
    expect(draws(5)).toEqual(draws(5))
    expect(draws(5)).not.toEqual(draws(6))
    // A list experiment draws nothing (the arm is the human's); an unprotected study neither.
    expect(
      randomisersFor(study({ _tag: "List", control: "control", treatment: "treated" }), 5, "t1"),
    ).toBeUndefined()
    expect(randomisersFor(fixtureStudy, 5, "t1")).toBeUndefined()
  })

  it("tells the twin its outcome under the item's unchanged wording, records it, and rebuilds the conversation", () => {
    const { experiment } = defineStudy(forced)
    const requests: Array<ProviderRequest> = []
    const provider: ProviderShape = {
      descriptor,
      model: "fake-model",
      generate: (request) =>
        Effect.sync((): ProviderResponse => {
          requests.push(request)
          return {
            text: JSON.stringify({ act: "Yes", worry: "Agree" }),
            modelVersion: "fake-1",
            usage: { inputTokens: 0, outputTokens: 0 },
            warnings: [],
          }
        }),
    }
    const twins = fixtureRespondents(8).map((respondent, index) => ({
      id: `t0000${index + 1}`,
      arm: respondent.arm,
      persona: respondent.persona,
    }))
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
          maxReasks: 0,
          seed: 31,
          concurrency: 1,
        },
        directExecutor(provider),
      ),
    )
    for (const respondent of synthetic) {
      const draw = randomisersFor(forced, 31, respondent.twinId)!.act!
      expect(respondent.randomisers).toEqual({ act: draw })
      const prompt = requests.find((request) => request.twin.id === respondent.twinId)!.prompt
      const user = prompt.messages.at(-1)!.content
      expect(user).toContain(`1. [act] Do you act?\n   ${draw.told}\n   Options: "No", "Yes"`)
      // Only the protected item is told anything.
      expect(user.match(/The die shows/g)).toHaveLength(1)
      const conversation = twinConversation(experiment, respondent, {
        elicitation: "sample",
        includeDemographics: true,
      })
      expect(conversation.turns.find((turn) => turn.role === "user")!.content).toBe(user)
    }
    expect(new Set(synthetic.map((respondent) => respondent.randomisers!.act!.told)).size).toBeGreaterThan(1)
    // The synthetic CSV records each twin's outcome.
    const csv = syntheticCsv(forced, synthetic)
    expect(csv.split("\n")[0]!.split(",").at(-1)).toBe("randomisers")
    for (const respondent of synthetic)
      expect(csv).toContain(csvField(JSON.stringify({ act: respondent.randomisers!.act!.outcome })))
  })
})
