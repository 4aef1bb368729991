import type { AnswerValue, Item, ProviderPlugin, ProviderShape, Respondent } from "@standin/core"
import { HoldoutData, PilotData, PluginConfigError, Provider, settingsWarnings } from "@standin/core"
import { Effect, Layer } from "effect"
import { baselineDescriptor, cellIndex, type Empirical, empirical, randomFor, reply } from "./shared.js"

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
 * Human split-half: the holdout is split in two halves (seeded, within arms); each twin gets the answers of
 * a real person from the other half with the same arm and persona cell (backing off). This is what another
 * sample of real people looks like at the same n: the ceiling of normalised fidelity (1).
 */
export const splitHalfDescriptor = baselineDescriptor(
  "human-split-half",
  "Human split-half (ceiling)",
  "Answers each twin with the answers of a real respondent from the other half of the holdout, matched on arm and persona cell: another sample of real people, the ceiling that normalised fidelity reaches (1).",
  "ceiling",
)

export const humanSplitHalf: ProviderPlugin = {
  descriptor: splitHalfDescriptor,
  layer: () =>
    Layer.effect(
      Provider,
      Effect.gen(function* () {
        const { study, seed } = yield* PilotData
        const { holdout, twinIndex } = yield* HoldoutData
        if (holdout.length < 2) {
          return yield* new PluginConfigError({
            plugin: "human-split-half",
            message: "the holdout needs at least two respondents.",
          })
        }
        // Seeded halves within each arm: sort by a hash of (seed, id) and alternate.
        const half = new Map<number, 0 | 1>()
        for (const arm of study.arms) {
          const members = holdout.map((r, index) => ({ r, index })).filter(({ r }) => r.arm === arm.id)
          const keyed = members
            .map(({ r, index }) => ({ index, key: hashKey(seed, r.id) }))
            .sort((a, b) => a.key - b.key || a.index - b.index)
          keyed.forEach(({ index }, position) => {
            half.set(index, (position % 2) as 0 | 1)
          })
        }
        const halves: [Array<Respondent>, Array<Respondent>] = [[], []]
        holdout.forEach((respondent, index) => {
          halves[half.get(index) ?? 0].push(respondent)
        })
        const lookups = [cellIndex(halves[1], study.subgroups, 1), cellIndex(halves[0], study.subgroups, 1)]
        return {
          descriptor: splitHalfDescriptor,
          model: "v1",
          generate: (request) =>
            Effect.sync(() => {
              const index = twinIndex.get(request.twin.id)
              const own = index === undefined ? 0 : (half.get(index) ?? 0)
              return jointReply(splitHalfDescriptor, request, lookups[own]!(request.twin).matches)
            }),
        } satisfies ProviderShape
      }),
    ),
}

/** A 32-bit FNV-1a hash of the seed and an id, for seeded orderings that do not depend on input order. */
const hashKey = (seed: number, id: string): number => {
  let hash = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash
}

/** Every baseline, in the order results list them. */
export const baselines: ReadonlyArray<ProviderPlugin> = [uniform, pilotMarginal, pilotCell, humanSplitHalf]
