import { describe, expect, it } from "@effect/vitest"
import { HoldoutData, PilotData, Provider, type Respondent, scaleOptions } from "@standin/core"
import { fixtureRespondents, fixtureStudy, renderFixturePrompt } from "@standin/testkit"
import { Effect, Layer } from "effect"
import { humanSplitHalf } from "../src/index.js"

// Two halves with answers that cannot be confused: the people scored (half A) always give each item's
// first option, the donors (half B) always its last. Every answer the ceiling gives must be a donor's.
const people = fixtureRespondents(80, 4)
const firstOf = (respondent: Respondent, pick: "first" | "last"): Respondent => ({
  ...respondent,
  answers: Object.fromEntries(
    fixtureStudy.items.map((item) => {
      const options = scaleOptions(item.scale)
      return [item.id, pick === "first" ? options[0]! : options[options.length - 1]!]
    }),
  ),
})
const scored = people.slice(0, 40).map((r) => firstOf(r, "first"))
const donors = people.slice(40).map((r) => firstOf(r, "last"))

const data = Layer.mergeAll(
  Layer.succeed(PilotData, { study: fixtureStudy, pilot: [], seed: 1 }),
  Layer.succeed(HoldoutData, { holdout: donors, twinIndex: new Map(donors.map((r, i) => [r.id, i])) }),
)

describe("human split-half", () => {
  it.effect("answers the twins of the scored half with donors' answers only", () =>
    Effect.gen(function* () {
      const provider = yield* Provider
      for (const person of scored) {
        const twin = { id: person.id, arm: person.arm, persona: person.persona }
        const response = yield* provider.generate({
          model: "v1",
          twin,
          items: fixtureStudy.items,
          prompt: renderFixturePrompt(fixtureStudy, twin, {
            elicitation: "sample",
            includeDemographics: true,
          }),
          settings: { seed: 1 },
          elicitation: "sample",
          replicate: 0,
          attempt: 0,
        })
        const answers = JSON.parse(response.text) as Record<string, unknown>
        for (const item of fixtureStudy.items) {
          const options = scaleOptions(item.scale)
          expect(answers[item.id]).toBe(options[options.length - 1])
        }
      }
    }).pipe(
      Effect.provide(humanSplitHalf.layer({ provider: "human-split-half", model: "v1" })),
      Effect.provide(data),
    ),
  )

  it.effect("given the twins it will be asked for, answers them with distinct donors of their cell", () =>
    Effect.gen(function* () {
      // Donors are the scored people's own cell-mates: each donor is the respondent with the same persona and
      // arm, with answers tagged by an id-specific option pattern, so a reused donor shows as a repeated pattern.
      const twins = scored.map((person) => ({ id: person.id, arm: person.arm, persona: person.persona }))
      const sameCellDonors = scored.map((person, index) => ({
        ...person,
        id: `d${index}`,
        answers: Object.fromEntries(
          fixtureStudy.items.map((item) => [item.id, `${index}`]),
        ) as Respondent["answers"],
      }))
      const provider = yield* Effect.provide(
        Effect.gen(function* () {
          return yield* Provider
        }),
        humanSplitHalf.layer({ provider: "human-split-half", model: "v1" }).pipe(
          Layer.provide(
            Layer.mergeAll(
              Layer.succeed(PilotData, { study: fixtureStudy, pilot: [], seed: 1 }),
              Layer.succeed(HoldoutData, {
                holdout: sameCellDonors,
                twinIndex: new Map(sameCellDonors.map((r, i) => [r.id, i])),
                twins,
              }),
            ),
          ),
        ),
      )
      const used: Array<string> = []
      for (const twin of twins) {
        const response = yield* provider.generate({
          model: "v1",
          twin,
          items: fixtureStudy.items,
          prompt: renderFixturePrompt(fixtureStudy, twin, {
            elicitation: "sample",
            includeDemographics: true,
          }),
          settings: { seed: 1 },
          elicitation: "sample",
          replicate: 0,
          attempt: 0,
        })
        const answers = JSON.parse(response.text) as Record<string, string>
        const donor = sameCellDonors[Number(answers[fixtureStudy.items[0]!.id])]!
        expect(donor.arm).toBe(twin.arm)
        for (const attribute of fixtureStudy.subgroups)
          expect(donor.persona[attribute]).toEqual(twin.persona[attribute])
        used.push(donor.id)
      }
      // As many donors as twins in every cell: a perfect matching, no donor twice.
      expect(new Set(used).size).toBe(twins.length)
    }),
  )

  it.effect("refuses to run without donors", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.gen(function* () {
          return yield* Provider
        }).pipe(
          Effect.provide(humanSplitHalf.layer({ provider: "human-split-half", model: "v1" })),
          Effect.provide(
            Layer.mergeAll(
              Layer.succeed(PilotData, { study: fixtureStudy, pilot: [], seed: 1 }),
              Layer.succeed(HoldoutData, { holdout: [], twinIndex: new Map() }),
            ),
          ),
        ),
      )
      expect(error.message).toMatch(/one half to score, one half of donors/)
    }),
  )
})
