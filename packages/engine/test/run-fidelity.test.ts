import { describe, expect, it } from "@effect/vitest"
import { humanSplitHalf, pilotCell, pilotMarginal, uniform } from "@standin/baselines"
import {
  type ExperimentShape,
  HoldoutData,
  type MetricInput,
  type MetricScore,
  type MetricShape,
  Provider,
  type ProviderPlugin,
  type Respondent,
  ResultsFile,
} from "@standin/core"
import { keyedSeed, mulberry32 } from "@standin/stats"
import { defineStudy } from "@standin/study"
import { Effect, Layer, Schema } from "effect"
import { ceilingHalves, ceilingHalvingCount } from "../src/ceiling.js"
import { runStudy, twinIdFor } from "../src/run.js"
import { combineSplits, splitSeeds } from "../src/splits.js"
import { fixtureRespondents, fixtureStudy } from "./fixture.js"

const respondents: ReadonlyArray<Respondent> = fixtureRespondents(400).map((r, i) => ({ ...r, id: `h${i}` }))
const { experiment: defined } = defineStudy(fixtureStudy)
const experiment: ExperimentShape = {
  ...defined,
  loadHumanData: Effect.succeed({ respondents, path: "memory", sha256: "0".repeat(64), origin: "data-dir" }),
}

/** Poisson(1) bootstrap weight keyed by (seed, resample, twin id), as the metrics' contract describes. */
const weight = (seed: number, r: number, twinId: string): number => {
  const u = mulberry32(keyedSeed(seed, r, twinId)).next()
  let k = 0
  let p = Math.exp(-1)
  let cumulative = p
  while (u > cumulative && k < 20) {
    k++
    p /= k
    cumulative += p
  }
  return k
}

/**
 * A tiny metric: |P(act = Yes) synthetic − P(act = Yes) human| (lower is better), with per-resample values
 * from keyed Poisson weights. It records what it was asked to score.
 */
const recordingMetric = (calls: Array<MetricInput>): MetricShape => ({
  descriptor: {
    kind: "metric",
    id: "metric-share",
    version: "1.0.0",
    specVersion: "1.0",
    label: "Share acting",
    family: "divergence",
    description: "Absolute difference in the share who act.",
    headline: "gap",
    direction: "lower",
    measures: [{ id: "gap", label: "Gap", description: "Absolute difference.", direction: "lower" }],
    citations: [],
  },
  score: (input) =>
    Effect.sync((): MetricScore => {
      calls.push(input)
      const share = (pairs: ReadonlyArray<{ id: string; yes: boolean }>, r: number | null) => {
        let total = 0
        let yes = 0
        for (const pair of pairs) {
          const w = r === null ? 1 : weight(input.options.seed, r, pair.id)
          total += w
          if (pair.yes) yes += w
        }
        return total === 0 ? Number.NaN : yes / total
      }
      const human = input.human.map((h) => ({ id: h.id, yes: h.answers.act === "Yes" }))
      const synthetic = input.synthetic.map((s) => ({ id: s.twinId, yes: s.answers.act === "Yes" }))
      const at = (r: number | null) => Math.abs(share(synthetic, r) - share(human, r))
      return {
        metric: "metric-share",
        version: "1.0.0",
        headline: { measure: "gap", value: at(null), ci: null },
        measures: [],
        headlineReplicates: Array.from({ length: input.options.resamples }, (_, r) => at(r)),
      }
    }),
})

const spec = (plugin: ProviderPlugin) => ({ plugin, spec: { provider: plugin.descriptor.id, model: "v1" } })

const run = (providers: ReadonlyArray<ReturnType<typeof spec>>, calls: Array<MetricInput>, seed = 3) =>
  Effect.runPromise(
    runStudy({
      experiment,
      providers,
      metrics: [recordingMetric(calls)],
      pilot: { size: { _tag: "Count", count: 80 }, arms: "all", sampling: { _tag: "Random" } },
      seed,
      replicates: 1,
      elicitation: "sample",
      settings: { seed },
      includeDemographics: true,
      maxReasks: 0,
      bootstrap: 60,
      minCellSize: 5,
      concurrency: 4,
    }),
  )

describe("the human ceiling does not leak", () => {
  it("splits the holdout once, within arms, into disjoint halves", () => {
    const holdout = respondents.map((r, i) => ({ ...r, id: twinIdFor(i) }))
    const halves = ceilingHalves("fixture", holdout, 7)
    const scored = new Set(halves.scored.map((r) => r.id))
    expect(halves.donors.some((r) => scored.has(r.id))).toBe(false)
    expect(halves.scored.length + halves.donors.length).toBe(holdout.length)
    for (const arm of ["control", "treated"]) {
      const a = halves.scored.filter((r) => r.arm === arm).length
      const b = halves.donors.filter((r) => r.arm === arm).length
      expect(Math.abs(a - b)).toBeLessThanOrEqual(1)
    }
    expect(ceilingHalves("fixture", holdout, 7)).toEqual(halves)
    expect(ceilingHalves("fixture", holdout, 8).scored).not.toEqual(halves.scored)
  })

  it("stratifies the halves on arm and persona cell, so a twin's cell has as many donors as twins (±1)", () => {
    const holdout = respondents.map((r, i) => ({ ...r, id: twinIdFor(i) }))
    const attributes = fixtureStudy.subgroups
    const halves = ceilingHalves("fixture", holdout, 7, attributes)
    const cellOf = (r: Respondent) =>
      JSON.stringify([
        r.arm,
        ...attributes.map((a) => {
          const value = r.persona[a]
          return typeof value === "string" ? value : [...(value ?? [])].sort().join("|")
        }),
      ])
    const counts = new Map<string, [number, number]>()
    for (const [side, people] of [halves.scored, halves.donors].entries())
      for (const r of people) {
        const count = counts.get(cellOf(r)) ?? [0, 0]
        count[side]! += 1
        counts.set(cellOf(r), count)
      }
    expect(counts.size).toBeGreaterThan(4)
    for (const [a, b] of counts.values()) expect(Math.abs(a - b)).toBeLessThanOrEqual(1)
    for (const arm of ["control", "treated"]) {
      const a = halves.scored.filter((r) => r.arm === arm).length
      const b = halves.donors.filter((r) => r.arm === arm).length
      expect(Math.abs(a - b)).toBeLessThanOrEqual(1)
    }
    // Without the attributes only the arms are balanced, and the cells come out uneven.
    const byArm = ceilingHalves("fixture", holdout, 7)
    const uneven = [...counts.keys()].some((cell) => {
      const a = byArm.scored.filter((r) => cellOf(r) === cell).length
      const b = byArm.donors.filter((r) => cellOf(r) === cell).length
      return Math.abs(a - b) > 1
    })
    expect(uneven).toBe(true)
  })

  it("answers each half's twins with the other half's donors and never scores a donor", async () => {
    /** Per build of the ceiling: the donors the engine handed it and the twins it was then asked about. */
    const builds: Array<{ donors: Array<Respondent>; asked: Array<string> }> = []
    // The real ceiling baseline, wrapped to record its donors and the twins each build answers.
    const recordingCeiling: ProviderPlugin = {
      descriptor: humanSplitHalf.descriptor,
      layer: (providerSpec) =>
        Layer.effect(
          Provider,
          Effect.gen(function* () {
            const data = yield* HoldoutData
            const build = { donors: [...data.holdout], asked: [] as Array<string> }
            builds.push(build)
            const inner = yield* Provider
            return {
              ...inner,
              generate: (request) => {
                build.asked.push(request.twin.id)
                return inner.generate(request)
              },
            }
          }),
        ).pipe(Layer.provide(humanSplitHalf.layer(providerSpec))),
    }
    const calls: Array<MetricInput> = []
    const outcome = await run([spec(uniform), spec(pilotMarginal), spec(recordingCeiling)], calls)
    const ceilingEntry = outcome.entries.find((data) => data.entry.baseline === "ceiling")!
    // Two builds (one per half) for each of the ceiling's halvings, halving 0 first.
    expect(builds).toHaveLength(2 * ceilingHalvingCount)
    const halves = builds.map((build) => new Set(build.asked))
    for (const [index, build] of builds.entries()) {
      const donorIds = new Set(build.donors.map((d) => d.id))
      const other = index % 2 === 0 ? index + 1 : index - 1
      // A build's twins are never its own donors, and its donors are exactly the other half of its halving.
      expect([...halves[index]!].filter((id) => donorIds.has(id))).toEqual([])
      expect(donorIds).toEqual(halves[other])
      expect(halves[index]!.size + halves[other]!.size).toBe(outcome.holdout.length)
    }
    // The halvings differ.
    expect(halves[2]).not.toEqual(halves[0])
    // Every ceiling answer vector is one of its donors', of the same arm (the entry's answers: halving 0).
    for (const twin of ceilingEntry.synthetic) {
      const build = builds.slice(0, 2).find((b) => b.asked.includes(twin.twinId))!
      expect(
        build.donors.some(
          (donor) =>
            donor.arm === twin.arm &&
            donor.answers.act === twin.answers.act &&
            donor.answers.worry === twin.answers.worry,
        ),
      ).toBe(true)
    }
    // The ceiling is scored on each half's own humans only: no scoring call mixes a half's twins with donors.
    const ceilingCalls = calls.filter((call) =>
      call.synthetic.every((s) => s.modelVersion.startsWith("human-split-half")),
    )
    expect(ceilingCalls.length).toBeGreaterThan(0)
    for (const call of ceilingCalls) {
      const humans = new Set(call.human.map((h) => h.id))
      // The humans are exactly one half of some halving, and the twins scored are that half's.
      const half = halves.find((h) => h.size === humans.size && [...h].every((id) => humans.has(id)))
      expect(half).toBeDefined()
      expect(new Set(call.synthetic.map((s) => s.twinId))).toEqual(half)
    }
    // The floor and the models are scored on the whole holdout (their reported scores) and, for fidelity, on
    // each half with their own twins of those people.
    for (const id of ["uniform", "pilot-marginal"]) {
      const own = calls.filter((call) => call.synthetic.every((s) => s.modelVersion.startsWith(id)))
      const sizes = own.map((call) => call.human.length).sort((a, b) => a - b)
      expect(sizes).toEqual([halves[0]!.size, halves[1]!.size, outcome.holdout.length].sort((a, b) => a - b))
      for (const call of own)
        expect(new Set(call.synthetic.map((s) => s.twinId))).toEqual(new Set(call.human.map((h) => h.id)))
    }
    expect(outcome.results.manifest.ceiling).toMatchObject({ halfA: halves[0]!.size, halfB: halves[1]!.size })
    expect(outcome.results.manifest.ceiling!.description).toMatch(/not test–retest/)
  })

  it("puts fidelity on the same resamples, strips them from results, and pairs entries", async () => {
    const calls: Array<MetricInput> = []
    const outcome = await run(
      [spec(uniform), spec(pilotMarginal), spec(pilotCell), spec(humanSplitHalf)],
      calls,
    )
    const results = outcome.results
    expect(Schema.is(ResultsFile)(results)).toBe(true)
    expect(JSON.stringify(results)).not.toContain("headlineReplicates")
    const byId = new Map(results.entries.map((entry) => [entry.id, entry]))
    const marginal = byId.get("pilot-marginal")!.fidelity
    expect(marginal.perMetric["metric-share"]!.ci?.method).toBe("resampled-fidelity")
    expect(marginal.overall.ci?.method).toBe("resampled-fidelity")
    expect(marginal.overall.ci!.lower).toBeLessThanOrEqual(marginal.overall.ci!.upper)
    expect(marginal.validRate).toBe(1)
    // The floor's and ceiling's fidelity are 0 and 1 on every resample.
    expect(byId.get("uniform")!.fidelity.overall).toMatchObject({ value: 0, ci: { lower: 0, upper: 0 } })
    expect(byId.get("human-split-half")!.fidelity.overall).toMatchObject({
      value: 1,
      ci: { lower: 1, upper: 1 },
    })
    // Paired comparisons against every other entry; reference rows are not ranked.
    expect(marginal.comparisons!.map((c) => c.entry).sort()).toEqual([
      "human-split-half",
      "pilot-cell",
      "uniform",
    ])
    expect(marginal.rank).toBeNull()
  })
})

describe("no silent drops", () => {
  it("flags an overall fidelity that leaves out a metric it could not normalise", async () => {
    const unscorable: MetricShape = {
      descriptor: { ...recordingMetric([]).descriptor, id: "metric-never", label: "Never" },
      score: () =>
        Effect.succeed({
          metric: "metric-never",
          version: "1.0.0",
          headline: { measure: "gap", value: null, ci: null },
          measures: [],
        }),
    }
    const outcome = await Effect.runPromise(
      runStudy({
        experiment,
        providers: [spec(uniform), spec(pilotMarginal), spec(humanSplitHalf)],
        metrics: [recordingMetric([]), unscorable],
        pilot: { size: { _tag: "Count", count: 80 }, arms: "all", sampling: { _tag: "Random" } },
        seed: 3,
        replicates: 1,
        elicitation: "sample",
        settings: { seed: 3 },
        includeDemographics: true,
        maxReasks: 0,
        bootstrap: 20,
        minCellSize: 5,
        concurrency: 4,
      }),
    )
    const marginal = outcome.results.entries.find((e) => e.id === "pilot-marginal")!.fidelity
    expect(marginal.perMetric["metric-never"]!.value).toBeNull()
    expect(marginal.overall.value).toBe(marginal.perMetric["metric-share"]!.value)
    expect(marginal.overall.flag).toMatch(
      /the mean over 1 of 2 metrics: metric-never could not be normalised/,
    )
  })
})

describe("repeated splits", () => {
  it("derives split seeds from the run's seed, the first being the seed itself", () => {
    const seeds = splitSeeds(5, 4)
    expect(seeds[0]).toBe(5)
    expect(new Set(seeds).size).toBe(4)
    expect(splitSeeds(5, 4)).toEqual(seeds)
  })

  it("combines within- and between-split variance by Rubin's rules", () => {
    // Values 0.4, 0.5, 0.6: mean 0.5, B = 0.01; SEs 0.05 each: W = 0.0025.
    const combined = combineSplits([0.4, 0.5, 0.6], [0.05, 0.05, 0.05])
    expect(combined.mean).toBeCloseTo(0.5, 12)
    expect(combined.sd).toBeCloseTo(0.1, 12)
    const total = 0.0025 + (1 + 1 / 3) * 0.01
    const df = 2 * (1 + 0.0025 / ((1 + 1 / 3) * 0.01)) ** 2
    // scipy.stats.t.ppf(0.975, 2.8203125) = 3.3003 (df = 2.8203125)
    expect(df).toBeCloseTo(2.8203125, 12)
    expect(combined.ci!.method).toBe("splits")
    expect(combined.ci!.upper - 0.5).toBeCloseTo(3.3003 * Math.sqrt(total), 3)
    expect(combined.ci!.lower).toBeLessThan(combined.ci!.upper)
    expect(combineSplits([0.4, null], [0.05, undefined])).toEqual({ mean: 0.4, sd: null, ci: null })
  })
})
