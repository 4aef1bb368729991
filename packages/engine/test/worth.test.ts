import {
  type ExperimentShape,
  Provider,
  type ProviderPlugin,
  type ProviderShape,
  type Respondent,
  type ResultsEntry,
  type SyntheticRespondent,
} from "@standin/core"
import { ppiMeanDifference } from "@standin/stats"
import * as testkit from "@standin/testkit"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { planRun } from "../src/plan.js"
import { runStudy } from "../src/run.js"
import { pilotTwinIdFor, pilotTwins, separatePilotTwins, worthLine, worthOf } from "../src/worth.js"
import { descriptor } from "./calls/fixtures.js"
import { fixtureRespondents, fixtureStudy } from "./fixture.js"

const twinOf = (
  id: string,
  human: Respondent,
  answers: SyntheticRespondent["answers"],
): SyntheticRespondent => ({
  twinId: id,
  replicate: 0,
  arm: human.arm,
  persona: human.persona,
  answers,
  raw: "",
  valid: true,
  invalidItems: [],
  warnings: [],
  attempts: 1,
  elicitation: "sample",
  modelVersion: "m",
  usage: { inputTokens: 10, outputTokens: 2 },
})

const entryWith = (overrides: Partial<ResultsEntry>): ResultsEntry => ({
  id: "model",
  label: "Model",
  provider: "fake",
  providerVersion: "1",
  model: "m",
  status: "ok",
  modelVersions: [],
  warnings: [],
  counts: { twins: 0, valid: 0, invalid: 0, failed: 0, reasks: 0 },
  failures: {} as ResultsEntry["failures"],
  usage: { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0.6 },
  syntheticFile: null,
  distributions: {},
  scores: [],
  fidelity: { perMetric: {}, overall: { value: 0.5, ci: null } },
  ...overrides,
})

const pilot = fixtureRespondents(120, 1)
const holdout = fixtureRespondents(600, 2).map((r, i) => ({ ...r, id: `t${i}` }))
const flip = (answer: string) => (answer === "Yes" ? "No" : "Yes")

/** Twins that copy their human's answers except every `wrongEvery`-th, whose action is flipped. */
const copying = (wrongEvery: number) => ({
  pilotSynthetic: pilot.map((h, i) =>
    twinOf(pilotTwinIdFor(i), h, {
      ...h.answers,
      act: i % wrongEvery === 0 ? flip(h.answers.act as string) : h.answers.act!,
    }),
  ),
  holdoutSynthetic: holdout.map((h, i) =>
    twinOf(h.id, h, {
      ...h.answers,
      act: i % wrongEvery === 0 ? flip(h.answers.act as string) : h.answers.act!,
    }),
  ),
})

describe("worth k humans", () => {
  it("a near-perfect twin is worth many participants, and its treatment-effect CI covers the holdout", () => {
    const { pilotSynthetic, holdoutSynthetic } = copying(10)
    const ppi = worthOf({
      study: fixtureStudy,
      pilot,
      pilotSynthetic,
      holdout,
      holdoutSynthetic,
      entry: entryWith({}),
      settings: { humanCostUsd: 2.5 },
    })
    expect(ppi.headline).toBe("act:effect:treated-control")
    expect(ppi.pilotTwins).toBe(120)
    expect(ppi.holdoutTwins).toBe(600)
    expect(ppi.inSample).toBe(false)
    // per arm: means of act and worry; one effect for the action item
    expect(ppi.targets.map((t) => t.id).sort()).toEqual(
      [
        "act:effect:treated-control",
        "act:mean:control",
        "act:mean:treated",
        "worry:mean:control",
        "worry:mean:treated",
      ].sort(),
    )
    const effect = ppi.targets.find((t) => t.id === ppi.headline)!
    expect(effect.n).toBe(120)
    expect(effect.N).toBe(600)
    expect(effect.correlation!).toBeGreaterThan(0.5)
    expect(effect.gain!).toBeGreaterThan(100)
    expect(effect.nEffective!).toBeCloseTo((120 * effect.classical.se ** 2) / effect.ppi.se ** 2, 10)
    expect(effect.covered).toBe(true)
    // the effect is the stats package's PPI++ difference on the same arms
    const arm = (id: string) => {
      const members = pilot.flatMap((h, i) => (h.arm === id ? [i] : []))
      return {
        y: members.map((i) => (pilot[i]!.answers.act === "Yes" ? 1 : 0)),
        yhat: members.map((i) => (pilotSynthetic[i]!.answers.act === "Yes" ? 1 : 0)),
        yhatUnlabelled: holdoutSynthetic
          .filter((t) => t.arm === id)
          .map((t) => (t.answers.act === "Yes" ? 1 : 0)),
      }
    }
    const direct = ppiMeanDifference(arm("treated"), arm("control"))
    if (!direct.ok) throw new Error(direct.error.message)
    expect(effect.ppi.estimate).toBeCloseTo(direct.value.estimate, 12)
    expect(effect.ppi.se).toBeCloseTo(direct.value.se, 12)
    // the worry items are exact copies: a Likert score coded 1–3
    expect(ppi.targets.find((t) => t.id === "worry:mean:control")!.coding).toBe("score 1–3")
    // cost: $0.60 over 720 twins; mixed design = 120 humans + 720 twins, against n_eff humans
    const twin = 0.6 / 720
    expect(ppi.cost.twinCostUsd).toBeCloseTo(twin, 12)
    expect(ppi.cost.mixedDesignUsd).toBeCloseTo(120 * 2.5 + 720 * twin, 10)
    expect(ppi.cost.savingUsd).toBeCloseTo(effect.nEffective! * 2.5 - (120 * 2.5 + 720 * twin), 8)
    expect(ppi.cost.costPerFidelityUsd).toBeCloseTo(1.2, 12)
    expect(worthLine(entryWith({ ppi }))).toMatch(
      /^model: adds the precision of \d+ participants .* covers .* saves \$/,
    )
  })

  it("a twin that answers at random adds about nothing, and says so", () => {
    const { pilotSynthetic, holdoutSynthetic } = copying(2) // half flipped: independent of the human
    const ppi = worthOf({
      study: fixtureStudy,
      pilot,
      pilotSynthetic: pilotSynthetic.map((t, i) => ({
        ...t,
        answers: { ...t.answers, act: i % 3 === 0 ? "Yes" : "No" },
      })),
      holdout,
      holdoutSynthetic,
      entry: entryWith({
        provider: "uniform",
        baseline: "floor",
        usage: { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: null },
      }),
      settings: { humanCostUsd: 2.5 },
    })
    const effect = ppi.targets.find((t) => t.id === ppi.headline)!
    expect(Math.abs(effect.gain!)).toBeLessThan(15)
    expect(ppi.cost.twinCostUsd).toBe(0)
    expect(ppi.note).toMatch(/λ ≈ 0/)
  })

  it("pilot baselines and finetunes are flagged in-sample", () => {
    const { pilotSynthetic, holdoutSynthetic } = copying(10)
    const base = {
      study: fixtureStudy,
      pilot,
      pilotSynthetic,
      holdout,
      holdoutSynthetic,
      settings: { humanCostUsd: 2.5 },
    }
    expect(
      worthOf({ ...base, entry: entryWith({ provider: "pilot-cell", baseline: "pilot" }) }).inSample,
    ).toBe(true)
    expect(
      worthOf({
        ...base,
        entry: entryWith({
          finetune: {
            finetuner: "f",
            baseModel: "b",
            pilot: { size: { _tag: "Count", count: 120 }, arms: "all", sampling: { _tag: "Random" } },
            pilotSize: 120,
            includeDemographics: true,
            seed: 1,
          },
        }),
      }).inSample,
    ).toBe(true)
    expect(
      worthOf({ ...base, entry: entryWith({ provider: "human-split-half", baseline: "ceiling" }) }).note,
    ).toMatch(/persona cell/)
  })

  it("a twin's answer distribution (logprobs, verbalized) predicts by its expected value", () => {
    const { pilotSynthetic, holdoutSynthetic } = copying(10)
    // every pilot twin reports P(Yes) = 0.9 for a human who said Yes and 0.2 for one who said No, and its
    // sampled answer is always "Yes": the draw alone carries nothing, the distribution carries everything
    const withDistributions = pilotSynthetic.map((t, i) => ({
      ...t,
      answers: { ...t.answers, act: "Yes" },
      distributions: { act: pilot[i]!.answers.act === "Yes" ? { Yes: 0.9, No: 0.1 } : { Yes: 0.2, No: 0.8 } },
    }))
    const ppi = worthOf({
      study: fixtureStudy,
      pilot,
      pilotSynthetic: withDistributions,
      holdout,
      holdoutSynthetic,
      entry: entryWith({}),
      settings: { humanCostUsd: 2.5 },
    })
    const control = ppi.targets.find((t) => t.id === "act:mean:control")!
    expect(control.correlation!).toBeCloseTo(1, 12)
  })

  it("pilot twins get their own ids and are separated from the scored ones", () => {
    const twins = pilotTwins(pilot.slice(0, 3))
    expect(twins.map((t) => t.id)).toEqual(["p00001", "p00002", "p00003"])
    const { pilotSynthetic, holdoutSynthetic } = copying(10)
    const parts = separatePilotTwins([...holdoutSynthetic.slice(0, 5), ...pilotSynthetic.slice(0, 3)], twins)
    expect(parts.pilot.map((t) => t.twinId)).toEqual(["p00001", "p00002", "p00003"])
    expect(parts.holdout).toHaveLength(5)
  })
})

describe("a run with ppi", () => {
  const experiment: ExperimentShape = {
    descriptor: {
      kind: "experiment",
      id: "fixture",
      version: "1.0.0",
      specVersion: "1.0",
      title: "Fixture",
      citation: "none",
    },
    definition: testkit.fixtureStudy,
    loadHumanData: Effect.succeed({
      respondents: testkit.fixtureRespondents(200, 3),
      path: "fixture.csv",
      sha256: "0".repeat(64),
      origin: "data-dir",
    }),
    renderPrompt: (twin, options) => testkit.renderFixturePrompt(testkit.fixtureStudy, twin, options),
  }
  let asked: Array<string> = []
  const shape: ProviderShape = {
    descriptor: { ...descriptor, id: "by-group", label: "By group", description: "answers by persona group" },
    model: "g-1",
    generate: (request) =>
      Effect.sync(() => {
        asked.push(request.twin.id)
        const female = request.twin.persona.gender === "Female"
        return {
          text: JSON.stringify({
            share: female ? "Decline" : "Consent to share",
            understand: "Neither agree nor disagree",
            concern: female ? "Strongly agree" : "Neither agree nor disagree",
          }),
          modelVersion: "g-1",
          usage: { inputTokens: 5, outputTokens: 5 },
          warnings: [],
        }
      }),
  }
  const plugin: ProviderPlugin = { descriptor: shape.descriptor, layer: () => Layer.succeed(Provider, shape) }
  const design = {
    experiment,
    providers: [{ plugin, spec: { provider: "by-group", model: "g-1" } }],
    pilot: {
      size: { _tag: "Count" as const, count: 40 },
      arms: "all",
      sampling: { _tag: "Random" as const },
    },
    seed: 4,
    replicates: 1,
    elicitation: "sample" as const,
    settings: {},
    includeDemographics: true,
    maxReasks: 0,
    metrics: [],
    bootstrap: 0,
    minCellSize: 5,
    concurrency: 4,
  }

  it("simulates the pilot's twins too, scores only the holdout's, and adds the ppi block", async () => {
    asked = []
    const without = await Effect.runPromise(runStudy(design))
    expect(asked).toHaveLength(160)
    expect(without.results.entries[0]!.ppi).toBeUndefined()
    asked = []
    const withPpi = await Effect.runPromise(runStudy({ ...design, ppi: { humanCostUsd: 3 } }))
    expect(asked).toHaveLength(200)
    expect(asked.filter((id) => id.startsWith("p"))).toHaveLength(40)
    const data = withPpi.entries[0]!
    expect(data.synthetic).toHaveLength(160)
    expect(data.synthetic.every((t) => t.twinId.startsWith("t"))).toBe(true)
    // the scored part of the run is unchanged by the pilot twins
    expect(data.entry.distributions).toEqual(without.entries[0]!.entry.distributions)
    expect(data.entry.counts).toEqual(without.entries[0]!.entry.counts)
    const ppi = data.entry.ppi!
    expect(ppi.pilotTwins).toBe(40)
    expect(ppi.holdoutTwins).toBe(160)
    expect(ppi.cost.humanCostUsd).toBe(3)
    expect(ppi.targets.find((t) => t.id === "share:effect:shown-control")!.n).toBe(40)
  })

  it("the dry run counts the pilot's twins when the run will ask them", async () => {
    const plain = await Effect.runPromise(planRun(design))
    const withPpi = await Effect.runPromise(planRun({ ...design, ppi: { humanCostUsd: 3 } }))
    expect(plain.providers[0]!.calls).toBe(160)
    expect(withPpi.providers[0]!.calls).toBe(200)
  })
})
