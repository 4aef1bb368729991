import type { AnalysisSpec, Respondent, StudyDefinition, SyntheticRespondent } from "@standin/core"
import { classicalLogistic, makeRandom, ppiLogistic } from "@standin/stats"
import { describe, expect, it } from "vitest"
import { coefficientTargets } from "../src/worth-coefficients.js"
import { pilotTwinIdFor } from "../src/worth-twins.js"
import { fixtureRespondents, fixtureStudy } from "./fixture.js"

const analysis: AnalysisSpec = {
  id: "acts",
  label: "Acting (logistic)",
  family: "binomial",
  outcome: {
    id: "act",
    source: { _tag: "Item", item: "act" },
    coding: { _tag: "Indicator", levels: ["Yes"] },
  },
  predictors: [
    { id: "treat", source: { _tag: "Arm" }, coding: { _tag: "Indicator", levels: ["treated"] } },
    {
      id: "group",
      source: { _tag: "Persona", attribute: "group" },
      coding: { _tag: "Categorical", reference: "a" },
    },
    {
      id: "worried",
      source: { _tag: "Item", item: "worry" },
      coding: { _tag: "Indicator", levels: ["Agree"] },
    },
  ],
  interactions: [["treat", "worried"]],
  treatment: "treat",
}
const study: StudyDefinition = { ...fixtureStudy, analyses: [analysis] }

/** Humans whose action depends on arm and group, so the coefficient is not zero. */
const humans = (n: number, salt: number): Array<Respondent> => {
  const random = makeRandom(salt)
  return fixtureRespondents(n, salt).map((r) => {
    const p = 0.35 + (r.arm === "treated" ? 0.25 : 0) + (r.persona.group === "b" ? 0.1 : 0)
    return { ...r, answers: { ...r.answers, act: random.nextFloat() < p ? "Yes" : "No" } }
  })
}

const twin = (id: string, human: Respondent, act: string): SyntheticRespondent => ({
  twinId: id,
  replicate: 0,
  arm: human.arm,
  persona: human.persona,
  answers: { ...human.answers, act },
  raw: "",
  valid: true,
  invalidItems: [],
  warnings: [],
  attempts: 1,
  elicitation: "sample",
  modelVersion: "m",
  usage: { inputTokens: 1, outputTokens: 1 },
})

const flip = (a: string) => (a === "Yes" ? "No" : "Yes")

const setting = (pilotSize: number) => {
  const pilot = humans(pilotSize, 1)
  const holdout = humans(900, 2).map((r, i) => ({ ...r, id: `t${i}` }))
  return {
    study,
    pilot,
    holdout,
    // twins copy their human's action except every 8th, which is flipped
    pilotSynthetic: pilot.map((h, i) =>
      twin(pilotTwinIdFor(i), h, i % 8 === 0 ? flip(h.answers.act as string) : (h.answers.act as string)),
    ),
    holdoutSynthetic: holdout.map((h, i) =>
      twin(h.id, h, i % 8 === 3 ? flip(h.answers.act as string) : (h.answers.act as string)),
    ),
    alpha: 0.05,
  }
}

describe("worth k humans: logistic coefficients", () => {
  it("the treatment coefficient of a declared binomial analysis, with arm and persona predictors only", () => {
    const input = setting(150)
    const targets = coefficientTargets(input)
    expect(targets.map((t) => t.id)).toEqual(["acts:coefficient:treat"])
    const t = targets[0]!
    expect(t.kind).toBe("coefficient")
    expect(t.item).toBe("act")
    expect(t.coding).toBe('log-odds of "Yes"')
    expect(t.label).toBe(
      "Acting (logistic): treat coefficient (adjusted for group; item predictors worried left out)",
    )
    expect(t.n).toBe(150)
    expect(t.N).toBe(900)
    // the same fit by hand: intercept, treat, group[b], group[c], group[d]
    const row = (r: Respondent) => [
      1,
      r.arm === "treated" ? 1 : 0,
      r.persona.group === "b" ? 1 : 0,
      r.persona.group === "c" ? 1 : 0,
      r.persona.group === "d" ? 1 : 0,
    ]
    const yes = (a: unknown) => (a === "Yes" ? 1 : 0)
    const direct = ppiLogistic({
      x: input.pilot.map(row),
      y: input.pilot.map((h) => yes(h.answers.act)),
      yhat: input.pilotSynthetic.map((s) => yes(s.answers.act)),
      xUnlabelled: input.holdout.map(row),
      yhatUnlabelled: input.holdoutSynthetic.map((s) => yes(s.answers.act)),
    })
    const pilotOnly = classicalLogistic(
      input.pilot.map(row),
      input.pilot.map((h) => yes(h.answers.act)),
    )
    const truth = classicalLogistic(
      input.holdout.map(row),
      input.holdout.map((h) => yes(h.answers.act)),
    )
    if (!direct.ok || !pilotOnly.ok || !truth.ok) throw new Error("fit failed")
    expect(t.ppi.estimate).toBeCloseTo(direct.value.estimate[1]!, 10)
    expect(t.ppi.lower).toBeCloseTo(direct.value.lower[1]!, 10)
    expect(t.classical.se).toBeCloseTo(pilotOnly.value.se[1]!, 10)
    expect(t.holdout.estimate).toBeCloseTo(truth.value.estimate[1]!, 10)
    expect(t.holdout.n).toBe(900)
    expect(t.nEffective!).toBeCloseTo((150 * t.classical.se ** 2) / t.ppi.se ** 2, 8)
    // a twin right 7 times in 8 is worth more than the pilot alone, and its interval holds the holdout's value
    expect(t.gain!).toBeGreaterThan(50)
    expect(t.covered).toBe(true)
    expect(t.holdout.estimate).toBeGreaterThan(0.5)
  })

  it("a pilot too small for the persona predictors falls back to the arm alone, and says so", () => {
    const targets = coefficientTargets(setting(40))
    expect(targets).toHaveLength(1)
    expect(targets[0]!.label).toMatch(/\(arm only, the pilot being too small to adjust for group; /)
  })

  it("analyses that are not binomial, have no treatment, or have an item as treatment give no target", () => {
    const gaussian: AnalysisSpec = { ...analysis, id: "g", family: "gaussian" }
    const { treatment: _, ...untreated } = analysis
    const itemTreatment: AnalysisSpec = { ...analysis, id: "i", treatment: "worried" }
    const input = setting(150)
    expect(
      coefficientTargets({
        ...input,
        study: { ...study, analyses: [gaussian, { ...untreated, id: "u" }, itemTreatment] },
      }),
    ).toEqual([])
  })
})
