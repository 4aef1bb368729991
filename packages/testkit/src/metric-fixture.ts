/**
 * A simulated study of the Berke et al. shape (two arms, two 5-point belief items, one binary action, five
 * persona attributes with a multi-select race, the published logistic model as the analysis) and seeded
 * human and synthetic respondents for it. Metric contract tests and benchmarks run on it; it holds no real data.
 */
import type {
  AnalysisSpec,
  MetricInput,
  MetricOptions,
  Persona,
  Respondent,
  StudyDefinition,
  SyntheticRespondent,
} from "@standin/core"
import { makeRandom, type Random } from "@standin/stats"
import { parse } from "csv-parse/sync"

export const agreeScale = [
  "Strongly disagree",
  "Somewhat disagree",
  "Neutral",
  "Somewhat agree",
  "Strongly agree",
] as const

const ages = [
  "18 - 24 years",
  "25 - 34 years",
  "35 - 44 years",
  "45 - 54 years",
  "55 - 64 years",
  "65 or older",
]
const genders = ["Female", "Male", "Other"]
const incomes = [
  "Less than $25,000",
  "$25,000 - $49,999",
  "$50,000 - $74,999",
  "$75,000 - $99,999",
  "$100,000 - $149,999",
  "$150,000 or more",
  "Prefer not to say",
]
const races = [
  "White or Caucasian",
  "Black or African American",
  "Asian",
  "American Indian/Native American or Alaska Native",
  "Native Hawaiian or Other Pacific Islander",
  "Other",
]

/** The Berke et al. model as a core AnalysisSpec. */
export const berkeAnalysis: AnalysisSpec = {
  id: "share-model",
  label: "Consent to share ~ treatment + demographics + s1 * s2",
  family: "binomial",
  outcome: {
    id: "share",
    source: { _tag: "Item", item: "share" },
    coding: { _tag: "Indicator", levels: ["Consent to share"] },
  },
  predictors: [
    { id: "showdata", source: { _tag: "Arm" }, coding: { _tag: "Indicator", levels: ["shown"] } },
    {
      id: "gender",
      source: { _tag: "Persona", attribute: "gender" },
      coding: { _tag: "Categorical", reference: "Male" },
    },
    {
      id: "age",
      source: { _tag: "Persona", attribute: "age" },
      coding: { _tag: "Categorical", reference: "35 - 44 years" },
    },
    {
      id: "income",
      source: { _tag: "Persona", attribute: "income" },
      coding: { _tag: "Categorical", reference: "$50,000 - $74,999" },
    },
    {
      id: "race",
      source: { _tag: "Persona", attribute: "race" },
      coding: {
        _tag: "Categorical",
        reference: "White or Caucasian",
        recode: { Other: "Multi/Other" },
        multiple: "Multi/Other",
      },
    },
    {
      id: "hispanic",
      source: { _tag: "Persona", attribute: "hispanic" },
      coding: { _tag: "Categorical", reference: "No" },
    },
    {
      id: "s1",
      source: { _tag: "Item", item: "understand" },
      coding: { _tag: "Indicator", levels: ["Somewhat agree", "Strongly agree"] },
    },
    {
      id: "s2",
      source: { _tag: "Item", item: "concern" },
      coding: { _tag: "Indicator", levels: ["Somewhat agree", "Strongly agree"] },
    },
  ],
  interactions: [["s1", "s2"]],
  treatment: "showdata",
}

/** A study definition of the Berke et al. shape. */
export const berkeLikeStudy: StudyDefinition = {
  id: "simulated-consent",
  version: "0.1.0",
  title: "Simulated browser-data consent experiment",
  description: "A simulated study with the shape of Berke et al. (2025), for tests and benchmarks.",
  citation: "Simulated after Berke et al., PoPETs 2025",
  data: { directory: "simulated", file: "simulated.csv", sha256: "0".repeat(64) },
  respondentId: "id",
  armColumn: "showdata",
  arms: [
    { id: "control", label: "Not shown", value: "false", stimulus: "" },
    {
      id: "shown",
      label: "Shown own data",
      value: "true",
      stimulus: "You were shown your browser's attributes.",
    },
  ],
  persona: [
    { id: "age", column: "age", label: "Age", multiple: false, levels: ages, template: "Age: {value}" },
    {
      id: "gender",
      column: "gender",
      label: "Gender",
      multiple: false,
      levels: genders,
      template: "Gender: {value}",
    },
    {
      id: "hispanic",
      column: "hispanic",
      label: "Hispanic",
      multiple: false,
      levels: ["No", "Yes"],
      template: "Hispanic: {value}",
    },
    {
      id: "race",
      column: "race",
      label: "Race",
      multiple: true,
      separator: ",",
      levels: races,
      template: "Race: {value}",
    },
    {
      id: "income",
      column: "income",
      label: "Income",
      multiple: false,
      levels: incomes,
      template: "Income: {value}",
    },
  ],
  subgroups: ["race", "gender", "age", "income"],
  items: [
    {
      id: "understand",
      column: "understand",
      wording: "I think that I understand how browser fingerprinting works.",
      label: "Understands fingerprinting",
      scale: { _tag: "Likert", options: [...agreeScale] },
      role: "belief",
    },
    {
      id: "concern",
      column: "concern",
      wording: "I am concerned that websites and companies try to fingerprint my browser.",
      label: "Concerned about tracking",
      scale: { _tag: "Likert", options: [...agreeScale] },
      role: "belief",
    },
    {
      id: "share",
      column: "share",
      wording: "Do you consent to share your browser data?",
      label: "Consents to share",
      scale: { _tag: "Binary", options: ["Decline", "Consent to share"] },
      role: "action",
    },
  ],
  preamble: "",
  beliefActionPairs: [
    {
      id: "concern-share",
      label: "Concerned yet shares",
      belief: "concern",
      believerLevels: ["Somewhat agree", "Strongly agree"],
      action: "share",
      contraryLevels: ["Consent to share"],
    },
  ],
  analyses: [berkeAnalysis],
  figures: [],
  privateColumns: ["id"],
  trimWhitespace: true,
}

const pick = (random: Random, weights: ReadonlyArray<number>): number => {
  let total = 0
  for (const weight of weights) total += weight
  let u = random.nextFloat() * total
  for (let index = 0; index < weights.length; index++) {
    u -= weights[index]!
    if (u < 0) return index
  }
  return weights.length - 1
}

/** Level weights: the study's marginals, each floored at `floor` so small simulated samples still fill every cell. */
const floored = (weights: ReadonlyArray<number>, floor: number): Array<number> => {
  const total = weights.reduce((sum, weight) => sum + weight, 0)
  return weights.map((weight) => Math.max(weight / total, floor))
}

export interface HumanSimulation {
  readonly n: number
  readonly seed: number
  /** Lowest probability of any persona level (default 0.03). Use 0 for the study's own marginals. */
  readonly levelFloor?: number
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x))

interface Behaviour {
  /** Shift of the Likert latent position (in options). */
  readonly concernShift: number
  readonly understandShift: number
  /** Spread of the Likert latent; below 1 narrows answers toward the mode. */
  readonly spread: number
  /** Multiplies the belief effects on sharing. */
  readonly beliefEffect: number
  readonly treatmentEffect: number
  readonly intercept: number
}

const humanBehaviour: Behaviour = {
  concernShift: 0,
  understandShift: 0,
  spread: 1,
  beliefEffect: 1,
  treatmentEffect: -0.134,
  intercept: 1.3,
}

const likert = (random: Random, centre: number, spread: number): number => {
  const latent = centre + random.nextNormal() * 1.05 * spread
  return Math.max(0, Math.min(4, Math.round(latent)))
}

const answerFor = (random: Random, persona: Persona, arm: string, behaviour: Behaviour) => {
  const age = ages.indexOf(persona.age as string)
  const race = persona.race as ReadonlyArray<string>
  const understand = likert(random, 2.25 + behaviour.understandShift - 0.12 * (age - 2), behaviour.spread)
  const concern = likert(random, 2.9 + behaviour.concernShift + 0.08 * age, behaviour.spread)
  const s1 = understand >= 3 ? 1 : 0
  const s2 = concern >= 3 ? 1 : 0
  const eta =
    behaviour.intercept +
    (arm === "shown" ? behaviour.treatmentEffect : 0) +
    behaviour.beliefEffect * (0.997 * s1 - 0.877 * s2 - 0.781 * s1 * s2) +
    (age === 0 ? 0.43 : age === 5 ? -0.238 : 0) +
    (persona.gender === "Female" ? -0.088 : 0) +
    (race.length === 1 && race[0] === "Asian" ? 0.174 : 0) +
    (persona.income === "Prefer not to say" ? -0.64 : 0)
  return {
    understand: agreeScale[understand]!,
    concern: agreeScale[concern]!,
    share: random.nextFloat() < logistic(eta) ? "Consent to share" : "Decline",
  }
}

/** Seeded human respondents of `berkeLikeStudy`. */
export const simulateHumans = (options: HumanSimulation): Array<Respondent> => {
  const random = makeRandom(options.seed)
  const floor = options.levelFloor ?? 0.03
  const ageWeights = floored([1727, 4136, 3039, 1803, 1164, 592], floor)
  const genderWeights = floored([6076, 6134, 251], floor)
  const incomeWeights = floored([1594, 2724, 2554, 1918, 2042, 1363, 266], floor)
  const raceWeights = floored([8832, 1400, 1179, 75, 20, 292], floor)
  return Array.from({ length: options.n }, (_, index) => {
    const first = races[pick(random, raceWeights)]!
    const race = random.nextFloat() < 0.06 && first !== races[0] ? [races[0]!, first] : [first]
    const persona: Persona = {
      age: ages[pick(random, ageWeights)]!,
      gender: genders[pick(random, genderWeights)]!,
      hispanic: random.nextFloat() < 0.108 ? "Yes" : "No",
      race,
      income: incomes[pick(random, incomeWeights)]!,
    }
    const arm = random.nextFloat() < 0.5 ? "control" : "shown"
    return {
      id: `h${index}`,
      row: index + 2,
      arm,
      persona,
      answers: answerFor(random, persona, arm, humanBehaviour),
    }
  })
}

export interface SyntheticSimulation {
  readonly seed: number
  /** Synthetic replicates per twin (default 1). */
  readonly replicates?: number
  /** 0 behaves like another human sample; 1 is a strongly distorted, mode-collapsed model (default 0.5). */
  readonly distortion?: number
  /** Share of synthetic respondents whose answers failed validation on every item (default 0). */
  readonly invalidRate?: number
  /** Attach elicited distributions (logprobs elicitation) to every answer. */
  readonly distributions?: boolean
}

const syntheticBase = {
  raw: "",
  valid: true,
  invalidItems: [] as Array<string>,
  warnings: [] as Array<string>,
  attempts: 1,
  modelVersion: "simulated-1",
  usage: { inputTokens: 0, outputTokens: 0 },
}

/** Seeded synthetic twins: the human process, distorted toward more concern, less spread and weaker belief effects. */
export const simulateSynthetic = (
  humans: ReadonlyArray<Respondent>,
  options: SyntheticSimulation,
): Array<SyntheticRespondent> => {
  const random = makeRandom(options.seed)
  const distortion = options.distortion ?? 0.5
  const behaviour: Behaviour = {
    concernShift: 0.9 * distortion,
    understandShift: 0.6 * distortion,
    spread: 1 - 0.7 * distortion,
    beliefEffect: 1 - 0.8 * distortion,
    treatmentEffect: -0.134 * (1 - distortion),
    intercept: 1.3 + 0.5 * distortion,
  }
  const replicates = options.replicates ?? 1
  return humans.flatMap((human) =>
    Array.from({ length: replicates }, (_, replicate): SyntheticRespondent => {
      const answers = answerFor(random, human.persona, human.arm, behaviour)
      if (random.nextFloat() < (options.invalidRate ?? 0)) {
        return {
          ...syntheticBase,
          twinId: human.id,
          replicate,
          arm: human.arm,
          persona: human.persona,
          answers: { understand: null, concern: null, share: null },
          valid: false,
          invalidItems: ["understand", "concern", "share"],
          raw: "I'd rather not say.",
          elicitation: "sample",
        }
      }
      const distributions = options.distributions
        ? Object.fromEntries(
            berkeLikeStudy.items.map((item) => {
              const options =
                item.scale._tag === "Numeric" ? [] : (item.scale.options as ReadonlyArray<string>)
              const chosen = answers[item.id as keyof typeof answers]
              return [
                item.id,
                Object.fromEntries(
                  options.map((option) => [option, option === chosen ? 0.7 : 0.3 / (options.length - 1)]),
                ),
              ]
            }),
          )
        : undefined
      return {
        ...syntheticBase,
        twinId: human.id,
        replicate,
        arm: human.arm,
        persona: human.persona,
        answers,
        ...(distributions ? { distributions } : {}),
        elicitation: options.distributions ? "logprobs" : "sample",
      }
    }),
  )
}

/** Synthetic twins that answer exactly as their humans did: every metric must give its best value. */
export const identicalSynthetic = (humans: ReadonlyArray<Respondent>): Array<SyntheticRespondent> =>
  humans.map((human) => ({
    ...syntheticBase,
    twinId: human.id,
    replicate: 0,
    arm: human.arm,
    persona: human.persona,
    answers: { ...human.answers },
    elicitation: "sample",
  }))

/** The uniform floor: every option of every item equally likely, independent of persona and arm. */
export const uniformSynthetic = (
  humans: ReadonlyArray<Respondent>,
  seed: number,
): Array<SyntheticRespondent> => {
  const random = makeRandom(seed)
  return humans.map((human) => ({
    ...syntheticBase,
    twinId: human.id,
    replicate: 0,
    arm: human.arm,
    persona: human.persona,
    answers: Object.fromEntries(
      berkeLikeStudy.items.map((item) => {
        const options = item.scale._tag === "Numeric" ? [] : (item.scale.options as ReadonlyArray<string>)
        return [item.id, options[random.nextInt(options.length)]!]
      }),
    ),
    elicitation: "sample",
  }))
}

export interface FixtureOptions extends HumanSimulation, SyntheticSimulation {
  readonly metric?: Partial<MetricOptions>
}

/** A complete metric input on the simulated study. */
export const metricFixture = (options: FixtureOptions): MetricInput => {
  const human = simulateHumans(options)
  return {
    study: berkeLikeStudy,
    human,
    synthetic: simulateSynthetic(human, { ...options, seed: options.seed + 1 }),
    options: { seed: options.seed, resamples: 200, alpha: 0.05, minCellSize: 30, ...options.metric },
  }
}

/** RFC 4180 rows (csv-parse); blank lines skipped. */
export const parseCsv = (text: string): Array<Array<string>> =>
  parse(text, { relax_column_count: true, skip_empty_lines: true }) as Array<Array<string>>

/**
 * The Berke et al. CSV as respondents of `berkeLikeStudy` (same item ids, arm ids and persona attributes;
 * cells trimmed). For tests and benchmarks that read the real data from STANDIN_DATA_DIR; never bundled.
 */
export const berkeRespondentsFromCsv = (text: string): Array<Respondent> => {
  const [header, ...records] = parseCsv(text)
  const at = (name: string) => header!.indexOf(name)
  return records.map((record, index): Respondent => {
    const cell = (name: string) => record[at(name)]!.trim()
    return {
      id: cell("ResponseId"),
      row: index + 2,
      arm: cell("showdata") === "true" ? "shown" : "control",
      persona: {
        age: cell("Q-demos-age"),
        gender: cell("Q-demos-gender"),
        hispanic: cell("Q-demos-hispanic"),
        race: cell("Q-demos-race")
          .split(",")
          .map((race) => race.trim())
          .filter((race) => race !== ""),
        income: cell("Q-demos-income"),
      },
      answers: {
        understand: cell("Q-perceptions-1"),
        concern: cell("Q-perceptions-2"),
        share: cell("Q-share-browser-data"),
      },
    }
  })
}
