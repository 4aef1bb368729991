/**
 * The contract every metric plugin passes: `MetricContract.suite(metric)` inside a vitest file registers
 * the checks below on a simulated study (or on the fixture given).
 */
import { describe, expect, it } from "@effect/vitest"
import { type Measure, type MetricInput, MetricScore, type MetricShape } from "@standin/core"
import { Effect, Schema } from "effect"
import { identicalSynthetic, metricFixture, simulateSynthetic, uniformSynthetic } from "./metric-fixture.js"

export interface ContractFixture {
  /** A realistic input: a distorted model with replicates and some invalid answers. */
  readonly input: MetricInput
  /** The same humans with synthetic twins identical to them. */
  readonly identical: MetricInput
  /** A ceiling: twins drawn from the humans' own process (another sample of people with the same personas). */
  readonly ceiling: MetricInput
  /** The uniform floor: every option equally likely. */
  readonly floor: MetricInput
}

export const defaultContractFixture = (): ContractFixture => {
  const input = metricFixture({
    n: 600,
    seed: 7,
    replicates: 2,
    distortion: 0.5,
    invalidRate: 0.05,
    metric: { resamples: 100 },
  })
  // Ceiling and floor on a larger sample without CIs: at a few hundred respondents sampling noise can make a
  // uniform responder match a single human figure (its belief–action gap is 50% for a binary action).
  const large = metricFixture({ n: 3000, seed: 8, metric: { resamples: 0 } })
  return {
    input,
    identical: { ...input, synthetic: identicalSynthetic(input.human) },
    ceiling: { ...large, synthetic: simulateSynthetic(large.human, { seed: 9, distortion: 0 }) },
    floor: { ...large, synthetic: uniformSynthetic(large.human, 10) },
  }
}

const contains = (measure: { value: number | null; ci: Measure["ci"] }): boolean =>
  measure.value === null ||
  measure.ci === null ||
  (measure.ci.lower <= measure.value && measure.value <= measure.ci.upper)

export const suite = (metric: MetricShape, fixture: ContractFixture = defaultContractFixture()): void => {
  const { descriptor } = metric
  const measureIds = new Set(descriptor.measures.map((measure) => measure.id))

  describe(`MetricContract: ${descriptor.id}`, () => {
    it.effect("is deterministic for a seed", () =>
      Effect.gen(function* () {
        const first = yield* metric.score(fixture.input)
        const second = yield* metric.score(fixture.input)
        expect(second).toEqual(first)
        expect(first.measures.length).toBeGreaterThan(0)
      }),
    )

    it.effect("decodes with core's MetricScore schema and names the descriptor's measures", () =>
      Effect.gen(function* () {
        const score = yield* metric.score(fixture.input)
        const decoded = yield* Schema.decodeUnknownEffect(MetricScore)(JSON.parse(JSON.stringify(score)))
        expect(decoded.metric).toBe(descriptor.id)
        expect(decoded.version).toBe(descriptor.version)
        expect(score.headline.measure).toBe(descriptor.headline)
        expect(measureIds.has(descriptor.headline)).toBe(true)
        for (const measure of score.measures) expect(measureIds.has(measure.measure), measure.key).toBe(true)
        expect(new Set(score.measures.map((measure) => measure.key)).size).toBe(score.measures.length)
      }),
    )

    it.effect("gives every scored measure a CI that contains its value, and every unscored one a note", () =>
      Effect.gen(function* () {
        const score = yield* metric.score(fixture.input)
        expect(score.headline.value).not.toBeNull()
        expect(score.headline.ci).not.toBeNull()
        expect(contains(score.headline)).toBe(true)
        for (const measure of score.measures) {
          expect(contains(measure), measure.key).toBe(true)
          if (measure.value === null) expect(measure.note, measure.key).toMatch(/\S/)
          else expect(Number.isFinite(measure.value), measure.key).toBe(true)
          if (measure.value !== null && measure.ci === null) expect(measure.note, measure.key).toMatch(/\S/)
        }
      }),
    )

    it.effect("fills headlineReplicates: one per resample, none without resamples", () =>
      Effect.gen(function* () {
        const score = yield* metric.score(fixture.input)
        const replicates = score.headlineReplicates ?? []
        expect(replicates).toHaveLength(fixture.input.options.resamples)
        // NaN marks a resample the headline could not be scored on; most must be scored.
        expect(replicates.filter(Number.isFinite).length * 2).toBeGreaterThan(replicates.length)
        const none = yield* metric.score({
          ...fixture.input,
          options: { ...fixture.input.options, resamples: 0 },
        })
        expect(none.headlineReplicates ?? []).toHaveLength(0)
      }),
    )

    it.effect(
      "resamples twins by id: the same replicates whatever the order of respondents, other ones for other ids",
      () =>
        Effect.gen(function* () {
          // Weights keyed by twin id (not by position or rank) give every twin shared by two scorings, e.g. a
          // model and its floor, or a subset of the twins, the same weight in every resample.
          const first = yield* metric.score(fixture.input)
          const reversed = yield* metric.score({
            ...fixture.input,
            human: [...fixture.input.human].reverse(),
            synthetic: [...fixture.input.synthetic].reverse(),
          })
          const a = first.headlineReplicates ?? []
          const b = reversed.headlineReplicates ?? []
          expect(b).toHaveLength(a.length)
          a.forEach((value, round) => {
            if (Number.isNaN(value)) expect(b[round], `resample ${round}`).toBeNaN()
            else expect(Math.abs(b[round]! - value), `resample ${round}`).toBeLessThan(1e-9)
          })
          // Renaming every twin (same order, same sorted order) changes the weights, so the replicates.
          const renamed = yield* metric.score({
            ...fixture.input,
            human: fixture.input.human.map((human) => ({ ...human, id: `renamed-${human.id}` })),
            synthetic: fixture.input.synthetic.map((twin) => ({ ...twin, twinId: `renamed-${twin.twinId}` })),
          })
          expect(renamed.headline.value).toBeCloseTo(first.headline.value!, 9)
          const c = renamed.headlineReplicates ?? []
          expect(c.some((value, round) => Math.abs(value - a[round]!) > 1e-9)).toBe(true)
        }),
    )

    it.effect("gives its best value when the synthetic twins answer exactly as their humans", () =>
      Effect.gen(function* () {
        const score = yield* metric.score(fixture.identical)
        const headline = descriptor.measures.find((measure) => measure.id === descriptor.headline)!
        const best =
          descriptor.direction === "lower" ? (headline.range?.[0] ?? 0) : (headline.range?.[1] ?? 1)
        expect(score.headline.value).not.toBeNull()
        expect(Math.abs(score.headline.value! - best)).toBeLessThan(1e-9)
      }),
    )

    it.effect("scores worse on a distorted model than on identical twins", () =>
      Effect.gen(function* () {
        const model = yield* metric.score(fixture.input)
        const perfect = yield* metric.score(fixture.identical)
        const sign = descriptor.direction === "lower" ? 1 : -1
        expect(sign * (model.headline.value! - perfect.headline.value!)).toBeGreaterThan(0)
      }),
    )

    it.effect("scores a same-process twin (the human ceiling) better than the uniform floor", () =>
      Effect.gen(function* () {
        const ceiling = yield* metric.score(fixture.ceiling)
        const floor = yield* metric.score(fixture.floor)
        const sign = descriptor.direction === "lower" ? 1 : -1
        expect(ceiling.headline.value).not.toBeNull()
        expect(floor.headline.value).not.toBeNull()
        expect(sign * (floor.headline.value! - ceiling.headline.value!)).toBeGreaterThan(0)
      }),
    )
  })
}

export const MetricContract = { suite, defaultContractFixture }
