import { describe, expect, it } from "@effect/vitest"
import { defineStudy } from "@standin/study"
import { Effect, Exit } from "effect"
import { splitRespondents } from "../src/split.js"
import { assertUploadSafe, buildTrainingSet, pilotKeyFor, privateValues } from "../src/training.js"
import { fixtureRespondents, fixtureStudy } from "./fixture.js"

const { experiment } = defineStudy(fixtureStudy)
const respondents = fixtureRespondents(200).map((r, i) => ({ ...r, id: `R_${String(i).padStart(15, "x")}` }))

const split = Effect.runSync(
  splitRespondents(
    fixtureStudy,
    respondents,
    { size: { _tag: "Count", count: 30 }, arms: "all", sampling: { _tag: "Random" } },
    3,
  ),
)
const jsonl = (examples: ReadonlyArray<{ messages: ReadonlyArray<unknown> }>) =>
  examples.map((e) => JSON.stringify({ messages: e.messages })).join("\n")

describe("buildTrainingSet", () => {
  it("renders each pilot respondent with the inference prompt and their real answers as the target", () => {
    const set = buildTrainingSet(experiment, split.pilot, {
      includeDemographics: true,
      validationFraction: 0,
      seed: 1,
    })
    expect(set.train).toHaveLength(30)
    const first = set.train[0]!
    const pilot = split.pilot[0]!
    const inference = experiment.renderPrompt(
      { id: "x", arm: pilot.arm, persona: pilot.persona },
      { elicitation: "sample", includeDemographics: true },
    )
    expect(first.messages.slice(0, 2)).toEqual(inference.messages)
    expect(JSON.parse(first.messages[2]!.content)).toEqual(pilot.answers)
    expect(jsonl(set.train)).not.toContain(pilot.id)
  })

  it("holds back a seeded validation share and drops the persona for the ablation", () => {
    const set = buildTrainingSet(experiment, split.pilot, {
      includeDemographics: false,
      validationFraction: 0.2,
      seed: 1,
    })
    expect(set.train).toHaveLength(24)
    expect(set.validation).toHaveLength(6)
    expect(jsonl([...set.train, ...set.validation])).not.toContain("Group:")
  })
})

describe("assertUploadSafe", () => {
  const set = buildTrainingSet(experiment, split.pilot, {
    includeDemographics: true,
    validationFraction: 0,
    seed: 1,
  })
  const pilotKeys = new Set(split.pilot.map((_, i) => pilotKeyFor(i)))
  const forbidden = privateValues(fixtureStudy, respondents)

  it("passes a file built from the pilot", () => {
    expect(
      Exit.isSuccess(
        Effect.runSync(
          Effect.exit(
            assertUploadSafe("t", set.train, pilotKeys, forbidden, [
              { filename: "train.jsonl", content: jsonl(set.train) },
            ]),
          ),
        ),
      ),
    ).toBe(true)
  })

  it("fails before upload when a holdout respondent's id is planted in a training example", () => {
    const holdoutId = split.holdout[0]!.id
    const planted = set.train.map((example, i) =>
      i === 3
        ? {
            ...example,
            messages: example.messages.map((m, j) =>
              j === 1 ? { ...m, content: `${m.content}\nRespondent ${holdoutId}` } : m,
            ),
          }
        : example,
    )
    const exit = Effect.runSync(
      Effect.exit(
        assertUploadSafe("t", planted, pilotKeys, forbidden, [
          { filename: "train.jsonl", content: jsonl(planted) },
        ]),
      ),
    )
    expect(Exit.isFailure(exit)).toBe(true)
    expect(String(Exit.isFailure(exit) ? exit.cause : "")).toMatch(
      /train\.jsonl contains a respondent id .* Nothing was uploaded/,
    )
  })

  it("fails when an example does not come from the pilot", () => {
    const stranger = [...set.train, { respondentKey: "t00001", messages: set.train[0]!.messages }]
    const exit = Effect.runSync(Effect.exit(assertUploadSafe("t", stranger, pilotKeys, forbidden, [])))
    expect(String(Exit.isFailure(exit) ? exit.cause : "")).toContain("t00001 is not a pilot respondent")
  })
})
