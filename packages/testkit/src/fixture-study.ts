import type {
  ChatMessage,
  ItemPrompt,
  JsonSchema,
  RenderedPrompt,
  RenderOptions,
  Respondent,
  StudyDefinition,
  Twin,
} from "@standin/core"
import { scaleOptions } from "@standin/core"
import { Rng } from "./random.js"
import { answerDistribution } from "./survey.js"

/**
 * A small study for tests: a binary action, two 5-point Likert beliefs, two arms and three persona
 * attributes (one multi-select), with a prompt renderer that follows the real renderer's conventions.
 */

const agree = [
  "Strongly disagree",
  "Somewhat disagree",
  "Neither agree nor disagree",
  "Somewhat agree",
  "Strongly agree",
]

export const fixtureStudy: StudyDefinition = {
  id: "fixture-consent",
  version: "0.1.0",
  title: "Fixture: sharing browser data",
  description: "A small synthetic study that mirrors the bundled one, for tests.",
  citation: "standin test fixture",
  data: {
    directory: "fixture-consent",
    file: "fixture.csv",
    sha256: "0000000000000000000000000000000000000000000000000000000000000000",
  },
  respondentId: "id",
  armColumn: "showdata",
  arms: [
    { id: "control", label: "Not shown", value: "false", stimulus: "" },
    {
      id: "shown",
      label: "Shown their data",
      value: "true",
      stimulus:
        "Before this question, you were shown the details your browser reveals to every website you visit: your screen size, fonts, time zone and graphics card.",
    },
  ],
  persona: [
    {
      id: "age",
      column: "Q-demos-age",
      label: "Age",
      multiple: false,
      levels: ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"],
      template: "I am {value} years old.",
    },
    {
      id: "gender",
      column: "Q-demos-gender",
      label: "Gender",
      multiple: false,
      levels: ["Male", "Female", "Non-binary"],
      template: "My gender is {value}.",
    },
    {
      id: "race",
      column: "Q-demos-race",
      label: "Race",
      multiple: true,
      separator: ",",
      levels: ["White", "Black", "Asian", "Other"],
      template: "My race is {value}.",
    },
  ],
  subgroups: ["gender", "race"],
  items: [
    {
      id: "understand",
      column: "Q-perceptions-1",
      wording: "I understand how websites can identify my browser from its characteristics.",
      label: "Understands fingerprinting",
      scale: { _tag: "Likert", options: agree },
      role: "belief",
    },
    {
      id: "concern",
      column: "Q-perceptions-2",
      wording: "I am concerned that websites track my browser without my consent.",
      label: "Concerned about tracking",
      scale: { _tag: "Likert", options: agree },
      role: "belief",
    },
    {
      id: "share",
      column: "Q-share-browser-data",
      wording: "Will you share your browser's data with the researchers?",
      label: "Shares browser data",
      scale: { _tag: "Binary", options: ["Decline", "Consent to share"] },
      role: "action",
    },
  ],
  preamble: "This is a short survey about browsing the web.",
  beliefActionPairs: [
    {
      id: "concern-share",
      label: "Concerned but shares",
      belief: "concern",
      believerLevels: ["Somewhat agree", "Strongly agree"],
      action: "share",
      contraryLevels: ["Consent to share"],
    },
  ],
  analyses: [
    {
      id: "share",
      label: "Sharing by arm and concern",
      family: "binomial",
      outcome: {
        id: "share",
        source: { _tag: "Item", item: "share" },
        coding: { _tag: "Indicator", levels: ["Consent to share"] },
      },
      predictors: [
        { id: "shown", source: { _tag: "Arm" }, coding: { _tag: "Indicator", levels: ["shown"] } },
        {
          id: "concerned",
          source: { _tag: "Item", item: "concern" },
          coding: { _tag: "Indicator", levels: ["Somewhat agree", "Strongly agree"] },
        },
      ],
      interactions: [],
      treatment: "shown",
    },
  ],
  figures: [],
  privateColumns: ["id"],
  trimWhitespace: true,
}

/** `- <Attribute label>: <value>` lines of a persona, in the study's attribute order. */
export const personaPromptLines = (study: StudyDefinition, twin: Twin): ReadonlyArray<string> =>
  study.persona.flatMap((attribute) => {
    const value = twin.persona[attribute.id]
    if (value === undefined) return []
    return [`- ${attribute.label}: ${Array.isArray(value) ? value.join(", ") : value}`]
  })

const systemMessage: ChatMessage = {
  role: "system",
  content:
    "You are taking part in a survey as the person described. Answer every question as that person would, with one of the options given.",
}

/** The structured-output schema: one string enum per item. */
export const sampleSchema = (study: StudyDefinition): JsonSchema => ({
  type: "object",
  properties: Object.fromEntries(
    study.items.map((item) => [item.id, { type: "string", enum: [...scaleOptions(item.scale)] }]),
  ),
  required: study.items.map((item) => item.id),
  additionalProperties: false,
})

/** The verbalized schema: per item, one probability per option, bounded to [0, 1] as the real renderer does. */
export const verbalizedSchema = (study: StudyDefinition): JsonSchema => ({
  type: "object",
  properties: Object.fromEntries(
    study.items.map((item) => {
      const options = scaleOptions(item.scale)
      return [
        item.id,
        {
          type: "object",
          properties: Object.fromEntries(
            options.map((option) => [option, { type: "number", minimum: 0, maximum: 1 }]),
          ),
          required: [...options],
          additionalProperties: false,
        },
      ]
    }),
  ),
  required: study.items.map((item) => item.id),
  additionalProperties: false,
})

const schemas = new WeakMap<
  StudyDefinition,
  { readonly sample: JsonSchema; readonly verbalized: JsonSchema }
>()

/** The study's answer schemas, made once and shared by every prompt (as the real renderer does). */
const sharedSchema = (study: StudyDefinition, verbalized: boolean): JsonSchema => {
  let known = schemas.get(study)
  if (known === undefined) {
    known = { sample: sampleSchema(study), verbalized: verbalizedSchema(study) }
    schemas.set(study, known)
  }
  return verbalized ? known.verbalized : known.sample
}

/**
 * A simple renderer following the real one's conventions: persona lines in the user message, the
 * arm's stimulus, the items with their options, and (for logprobs) one prompt per item that ends
 * with the options labelled `1`..`k` and asks for the number only.
 */
export const renderFixturePrompt = (
  study: StudyDefinition,
  twin: Twin,
  options: RenderOptions,
): RenderedPrompt => {
  const arm = study.arms.find((candidate) => candidate.id === twin.arm)
  const about = options.includeDemographics ? ["About you:", ...personaPromptLines(study, twin), ""] : []
  const context = [study.preamble, "", ...about, ...(arm?.stimulus ? [arm.stimulus, ""] : [])]
  const questions = study.items.map(
    (item, index) => `${index + 1}. ${item.wording}\n   Options: ${scaleOptions(item.scale).join(" | ")}`,
  )
  const instruction =
    options.elicitation === "verbalized"
      ? "For each question, give the probability that you would choose each option (numbers that add up to 1), as JSON keyed by question id."
      : "Answer each question with exactly one of its options, as JSON keyed by question id."
  const ids = `Question ids: ${study.items.map((item) => item.id).join(", ")}.`
  const messages: ReadonlyArray<ChatMessage> = [
    systemMessage,
    { role: "user", content: [...context, ...questions, "", ids, instruction].join("\n") },
  ]
  const perItem: ReadonlyArray<ItemPrompt> =
    options.elicitation === "logprobs"
      ? study.items.map((item) => {
          const itemOptions = scaleOptions(item.scale)
          const labels = itemOptions.map((_, index) => String(index + 1))
          const list = itemOptions.map((option, index) => `${labels[index]}. ${option}`)
          return {
            itemId: item.id,
            labels,
            options: [...itemOptions],
            messages: [
              systemMessage,
              {
                role: "user",
                content: [...context, item.wording, "", ...list, "", "Answer with the number only."].join(
                  "\n",
                ),
              },
            ],
          }
        })
      : []
  return {
    messages,
    responseSchema: sharedSchema(study, options.elicitation === "verbalized"),
    responseSchemaName: options.elicitation === "verbalized" ? "survey_distributions" : "survey_answers",
    perItem,
  }
}

const drawPersona = (study: StudyDefinition, rng: Rng): Twin["persona"] => {
  const persona: Record<string, string | ReadonlyArray<string>> = {}
  for (const attribute of study.persona) {
    const levels = attribute.levels
    if (attribute.multiple) {
      const chosen = levels.filter(() => rng.next() < 0.2)
      persona[attribute.id] = chosen.length > 0 ? chosen : [levels[rng.int(0, levels.length - 1)] ?? ""]
    } else persona[attribute.id] = levels[rng.int(0, levels.length - 1)] ?? ""
  }
  return persona as Twin["persona"]
}

/** `n` seeded twins of the fixture study, alternating arms. */
export const fixtureTwins = (
  n: number,
  seed = 1,
  study: StudyDefinition = fixtureStudy,
): ReadonlyArray<Twin> => {
  const rng = new Rng(seed)
  return Array.from({ length: n }, (_, index) => ({
    id: `twin-${index + 1}`,
    arm: study.arms[index % study.arms.length]?.id ?? "",
    persona: drawPersona(study, rng),
  }))
}

/**
 * `n` seeded human respondents of the fixture study. Their answers follow the fake model's own
 * persona-dependent distributions at temperature `temperature` (default 1.3, a little more spread),
 * so a synthetic run against the fakes is close to them but not identical.
 */
export const fixtureRespondents = (
  n: number,
  seed = 1,
  temperature = 1.3,
  study: StudyDefinition = fixtureStudy,
): ReadonlyArray<Respondent> => {
  const rng = new Rng(seed ^ 0x9e3779b9)
  return fixtureTwins(n, seed, study).map((twin, index) => {
    const lines = personaPromptLines(study, twin)
    const answers: Record<string, string> = {}
    for (const item of study.items) {
      const options = scaleOptions(item.scale)
      answers[item.id] = options[rng.pick(answerDistribution(options, lines, temperature))] ?? ""
    }
    return { id: twin.id, row: index + 2, arm: twin.arm, persona: twin.persona, answers }
  })
}
