import type { Respondent, ResultsEntry, SyntheticRespondent } from "@standin/core"
import { describe, expect, it } from "vitest"
import { pointWorth, unionOfPilots } from "../src/sweep-worth.js"
import { pilotTwinIdFor, worthOf } from "../src/worth.js"
import { fixtureRespondents, fixtureStudy } from "./fixture.js"

const twinOf = (id: string, human: Respondent, index: number): SyntheticRespondent => ({
  twinId: id,
  replicate: 0,
  arm: human.arm,
  persona: human.persona,
  // right except for every 6th person (by the person, not by the twin id)
  answers: {
    ...human.answers,
    act: index % 6 === 0 ? (human.answers.act === "Yes" ? "No" : "Yes") : human.answers.act!,
  },
  raw: "",
  valid: true,
  invalidItems: [],
  warnings: [],
  attempts: 1,
  elicitation: "sample",
  modelVersion: "m",
  usage: { inputTokens: 1, outputTokens: 1 },
})

const entry = (id: string): ResultsEntry => ({
  id,
  label: id,
  provider: "fake",
  providerVersion: "1",
  model: "m",
  status: "ok",
  modelVersions: [],
  warnings: [],
  counts: { twins: 0, valid: 0, invalid: 0, failed: 0, reasks: 0 },
  failures: {} as ResultsEntry["failures"],
  usage: { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 },
  syntheticFile: null,
  distributions: {},
  scores: [],
  fidelity: { perMetric: {}, overall: { value: 0.5, ci: null } },
})

describe("the sweep's n_eff curve", () => {
  const people = fixtureRespondents(200, 5)
  const number = new Map(people.map((person, index) => [person.id, index]))
  const holdout = fixtureRespondents(400, 6).map((r, i) => ({ ...r, id: `t${i}` }))
  const holdoutSynthetic = holdout.map((h, i) => twinOf(h.id, h, i + 1))
  const small = people.slice(100, 160)
  const large = [...people.slice(0, 100), ...people.slice(100, 160).reverse()]

  it("the union keeps every pilot person once, in first-seen order", () => {
    const union = unionOfPilots([small, large])
    expect(union).toHaveLength(160)
    expect(union.slice(0, 60).map((r) => r.id)).toEqual(small.map((r) => r.id))
  })

  it("a point's base n_eff is PPI++ on the point's pilot with the base model's answers for those people", () => {
    const union = unionOfPilots([small, large])
    const base = {
      entry: entry("base"),
      synthetic: holdoutSynthetic,
      pilotSynthetic: union.map((person, i) => twinOf(pilotTwinIdFor(i), person, number.get(person.id)!)),
    }
    const finetuned = { entry: entry("ft"), synthetic: holdoutSynthetic }
    const settings = { humanCostUsd: 2.5 }
    for (const pilot of [small, large]) {
      const worth = pointWorth({ study: fixtureStudy, pilot, union, base, finetuned, holdout, settings })
      // the same figure made directly: the point's pilot with its own twins, numbered in the point's order
      const direct = worthOf({
        study: fixtureStudy,
        pilot,
        pilotSynthetic: pilot.map((person, j) => twinOf(pilotTwinIdFor(j), person, number.get(person.id)!)),
        holdout,
        holdoutSynthetic,
        entry: base.entry,
        settings,
      })
      const headline = direct.targets.find((t) => t.id === direct.headline)!
      expect(worth).toEqual({
        target: headline.id,
        n: pilot.length,
        base: headline.nEffective,
        finetuned: null,
      })
      expect(headline.nEffective!).toBeGreaterThan(pilot.length)
    }
  })
})
