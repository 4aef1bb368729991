import type { AnswerValue, Item, ProviderPlugin, ProviderShape, Respondent } from "@standin/core"
import { HoldoutData, PilotData, PluginConfigError, Provider, settingsWarnings } from "@standin/core"
import { Effect, Layer } from "effect"
import {
  baselineDescriptor,
  cellIndex,
  type Empirical,
  empirical,
  matchDonors,
  randomFor,
  reply,
} from "./shared.js"

/** Uniform: every option equally likely; numeric items uniform on their range. The floor of normalised scores. */
export const uniformDescriptor = baselineDescriptor(
  "uniform",
  "Uniform (floor)",
  "Answers every item uniformly at random over its options: the floor that normalised fidelity starts from (0).",
  "floor",
)

const uniformOver = (item: Item, random: () => number): Empirical => {
  const scale = item.scale
  switch (scale._tag) {
    case "Numeric": {
      const value = scale.integer
        ? Math.ceil(scale.min) + Math.floor(random() * (Math.floor(scale.max) - Math.ceil(scale.min) + 1))
        : scale.min + random() * (scale.max - scale.min)
      return new Map([[JSON.stringify(value), 1]])
    }
    case "MultiSelect": {
      // Each option independently with probability 1/2, conditioned on choosing at least one.
      let chosen: Array<string> = []
      while (chosen.length === 0) chosen = scale.options.filter(() => random() < 0.5)
      return new Map([[JSON.stringify(chosen), 1]])
    }
    default:
      return new Map(scale.options.map((option) => [JSON.stringify(option), 1]))
  }
}

export const uniform: ProviderPlugin = {
  descriptor: uniformDescriptor,
  layer: () =>
    Layer.succeed(Provider, {
      descriptor: uniformDescriptor,
      model: "v1",
      generate: (request) =>
        Effect.sync(() => {
          const random = randomFor(request)
          return reply(uniformDescriptor, request, (item) => uniformOver(item, random), random)
        }),
    } satisfies ProviderShape),
}

const needPilot = (plugin: string, pilot: ReadonlyArray<Respondent>) =>
  pilot.length === 0
    ? Effect.fail(
        new PluginConfigError({
          plugin,
          message: `${plugin} learns from the pilot, but the pilot is empty: give --pilot a size above 0.`,
        }),
      )
    : Effect.void

/** Pilot marginal: each item drawn independently from the pilot's answers in the twin's arm (all arms if none). */
export const pilotMarginalDescriptor = baselineDescriptor(
  "pilot-marginal",
  "Pilot marginal",
  "Draws each answer independently from the pilot's answer distribution for that item in the twin's arm (pooled over arms when the arm has no pilot respondents).",
  "pilot",
)

export const pilotMarginal: ProviderPlugin = {
  descriptor: pilotMarginalDescriptor,
  layer: () =>
    Layer.effect(
      Provider,
      Effect.gen(function* () {
        const { study, pilot } = yield* PilotData
        yield* needPilot("pilot-marginal", pilot)
        const byArm = new Map<string, Map<string, Empirical>>()
        const pooled = new Map<string, Empirical>()
        for (const item of study.items)
          pooled.set(item.id, empirical(pilot.map((r) => r.answers[item.id] ?? null)))
        for (const arm of study.arms) {
          const members = pilot.filter((r) => r.arm === arm.id)
          if (members.length === 0) continue
          byArm.set(
            arm.id,
            new Map(
              study.items.map((item) => [item.id, empirical(members.map((r) => r.answers[item.id] ?? null))]),
            ),
          )
        }
        return {
          descriptor: pilotMarginalDescriptor,
          model: "v1",
          generate: (request) =>
            Effect.sync(() => {
              const table = byArm.get(request.twin.arm)
              const perItem = (item: Item): Empirical => {
                const own = table?.get(item.id)
                return own !== undefined && own.size > 0 ? own : (pooled.get(item.id) ?? new Map())
              }
              return reply(pilotMarginalDescriptor, request, perItem, randomFor(request))
            }),
        } satisfies ProviderShape
      }),
    ),
}

/**
 * Draws a whole answer vector from the matched respondents, so the joint structure (coherence) is kept: the
 * respondent is drawn as for the first page, so every page of a twin's instrument is answered by the same one.
 */
const jointReply = (
  descriptor: typeof pilotMarginalDescriptor,
  request: Parameters<ProviderShape["generate"]>[0],
  matches: ReadonlyArray<Respondent>,
) => {
  const random = randomFor(request)
  if (request.elicitation === "sample") {
    const { page: _page, ...firstPage } = request
    const pick = request.page === undefined ? random : randomFor(firstPage)
    const chosen = matches[Math.floor(pick() * matches.length)]!
    const answers: Record<string, AnswerValue> = Object.fromEntries(
      request.items.map((item) => [item.id, chosen.answers[item.id] ?? null]),
    )
    return {
      modelVersion: `${descriptor.id}@${descriptor.version}`,
      usage: { inputTokens: 0, outputTokens: 0 },
      warnings: settingsWarnings(descriptor, request.settings),
      text: JSON.stringify(answers),
    }
  }
  return reply(
    descriptor,
    request,
    (item) => empirical(matches.map((r) => r.answers[item.id] ?? null)),
    random,
  )
}

/** Pilot cell: a pilot respondent with the same arm and persona cell (backing off), answers copied whole. */
export const pilotCellDescriptor = baselineDescriptor(
  "pilot-cell",
  "Pilot persona cell",
  "Copies the answers of a pilot respondent in the same arm and persona cell (over the study's subgroup attributes), backing off one attribute at a time when the cell is empty.",
  "pilot",
)

export const pilotCell: ProviderPlugin = {
  descriptor: pilotCellDescriptor,
  layer: () =>
    Layer.effect(
      Provider,
      Effect.gen(function* () {
        const { study, pilot } = yield* PilotData
        yield* needPilot("pilot-cell", pilot)
        const lookup = cellIndex(pilot, study.subgroups, 1)
        return {
          descriptor: pilotCellDescriptor,
          model: "v1",
          generate: (request) =>
            Effect.sync(() => jointReply(pilotCellDescriptor, request, lookup(request.twin).matches)),
        } satisfies ProviderShape
      }),
    ),
}

/**
 * Human split-half (the ceiling). The engine splits the holdout once into halves (seeded, stratified on arm and
 * persona cell) and builds this baseline once per half: with half B as `HoldoutData` (the donors) to answer half
 * A's twins, and with half A to answer half B's. Each twin gets the answers of a donor with the same arm and
 * persona cell (backing off, as pilot-cell does), and — when the engine names the twins it will ask for — a
 * distinct donor (matched without replacement, since 0.3.0): a donor drawn twice is a duplicated answer vector,
 * noise no model of those personas has, which made the ceiling worse than another sample of people. Each half is
 * scored against its own humans only, so the people scored are never donors: this is another sample of different
 * real people, the ceiling of normalised fidelity (1).
 */
export const splitHalfDescriptor = {
  ...baselineDescriptor(
    "human-split-half",
    "Human split-half (ceiling)",
    "Answers each twin of one half of the holdout (halves stratified on arm and persona cell) with the answers of a distinct real respondent from the other half, matched on arm and persona cell (backing off one attribute at a time where the cell is empty, as pilot-cell does); each half is scored against its own humans only, so the people scored are never donors: another sample of different real people of the same size, the ceiling that normalised fidelity reaches (1). Not test–retest agreement.",
    "ceiling",
  ),
  version: "0.3.0",
}

export const humanSplitHalf: ProviderPlugin = {
  descriptor: splitHalfDescriptor,
  layer: () =>
    Layer.effect(
      Provider,
      Effect.gen(function* () {
        const { study, seed } = yield* PilotData
        const { holdout: donors, twins } = yield* HoldoutData
        if (donors.length === 0) {
          return yield* new PluginConfigError({
            plugin: "human-split-half",
            message: "the holdout needs at least two respondents (one half to score, one half of donors).",
          })
        }
        const lookup = cellIndex(donors, study.subgroups, 1)
        const matched =
          twins === undefined
            ? new Map<string, Respondent>()
            : matchDonors(donors, twins, study.subgroups, (seed ^ 0x5eed0c11) >>> 0)
        return {
          descriptor: splitHalfDescriptor,
          model: "v1",
          generate: (request) =>
            Effect.sync(() => {
              // A sampled answer is the matched donor's; a distribution (logprobs, verbalized) and further
              // replicates of a twin are drawn from the cell.
              const donor =
                request.elicitation === "sample" && request.replicate === 0
                  ? matched.get(request.twin.id)
                  : undefined
              return jointReply(
                splitHalfDescriptor,
                request,
                donor === undefined ? lookup(request.twin).matches : [donor],
              )
            }),
        } satisfies ProviderShape
      }),
    ),
}

/** Every baseline, in the order results list them. */
export const baselines: ReadonlyArray<ProviderPlugin> = [uniform, pilotMarginal, pilotCell, humanSplitHalf]
