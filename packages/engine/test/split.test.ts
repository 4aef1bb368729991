import { describe, expect, it } from "@effect/vitest"
import type { PilotDesign } from "@standin/core"
import { Effect, Exit } from "effect"
import fc from "fast-check"
import { balancedQuotas, balanceLevel, splitRespondents } from "../src/split.js"
import { fixtureRespondents, fixtureStudy } from "./fixture.js"

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runSync(Effect.exit(effect))

const design = (
  count: number,
  sampling: PilotDesign["sampling"] = { _tag: "Random" },
  arms = "all",
): PilotDesign => ({
  size: { _tag: "Count", count },
  arms,
  sampling,
})

describe("splitRespondents", () => {
  it("never lets a holdout respondent into the pilot, and loses no one (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 300 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 0.95, noNaN: true }),
        fc.boolean(),
        fc.constantFrom("all", "control", "treated"),
        (n, seed, fraction, balanced, arms) => {
          const respondents = fixtureRespondents(n, seed)
          const scoped = arms === "all" ? respondents : respondents.filter((r) => r.arm === arms)
          const count = Math.min(Math.floor(fraction * scoped.length), Math.max(0, scoped.length - 1))
          const exit = run(
            splitRespondents(
              fixtureStudy,
              respondents,
              design(count, balanced ? { _tag: "Balanced", attribute: "group" } : { _tag: "Random" }, arms),
              seed,
            ),
          )
          if (scoped.length === 0) return Exit.isFailure(exit)
          if (!Exit.isSuccess(exit)) return false
          const { pilot, holdout } = exit.value
          const pilotIds = new Set(pilot.map((r) => r.id))
          const holdoutIds = new Set(holdout.map((r) => r.id))
          const disjoint = [...pilotIds].every((id) => !holdoutIds.has(id))
          const covers = pilotIds.size + holdoutIds.size === respondents.length
          const scopedOk = pilot.every((r) => arms === "all" || r.arm === arms)
          return disjoint && covers && scopedOk && pilot.length === count
        },
      ),
      { numRuns: 300 },
    )
  })

  it("is deterministic for a seed and differs across seeds", () => {
    const respondents = fixtureRespondents(500)
    const a = run(splitRespondents(fixtureStudy, respondents, design(50), 7))
    const b = run(splitRespondents(fixtureStudy, respondents, design(50), 7))
    const c = run(splitRespondents(fixtureStudy, respondents, design(50), 8))
    if (!Exit.isSuccess(a) || !Exit.isSuccess(b) || !Exit.isSuccess(c)) throw new Error("split failed")
    expect(a.value.pilot.map((r) => r.id)).toEqual(b.value.pilot.map((r) => r.id))
    expect(a.value.sha256).toBe(b.value.sha256)
    expect(c.value.sha256).not.toBe(a.value.sha256)
  })

  it("balances the pilot over the attribute's levels", () => {
    const respondents = fixtureRespondents(2_000)
    const exit = run(
      splitRespondents(fixtureStudy, respondents, design(200, { _tag: "Balanced", attribute: "group" }), 3),
    )
    if (!Exit.isSuccess(exit)) throw new Error("split failed")
    const counts = new Map<string, number>()
    for (const r of exit.value.pilot)
      counts.set(r.persona.group as string, (counts.get(r.persona.group as string) ?? 0) + 1)
    // Levels are a (5/9), b (2/9), c (1/9), d (1/9) of the data; a balanced pilot has 50 of each.
    expect([...counts.values()]).toEqual([50, 50, 50, 50])
  })

  it("balances multi-select attributes with several levels as one '(multiple)' level", () => {
    const attribute = fixtureStudy.persona[1]!
    const respondent = fixtureRespondents(1)[0]!
    expect(
      balanceLevel(attribute, { ...respondent, persona: { ...respondent.persona, race: ["x", "y"] } }),
    ).toBe("(multiple)")
    expect(balanceLevel(attribute, { ...respondent, persona: { ...respondent.persona, race: ["z"] } })).toBe(
      "z",
    )
  })

  it("fills quotas with water-filling when a level is small (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 200 }),
        (available, wanted) => {
          const total = available.reduce((a, b) => a + b, 0)
          const size = Math.min(wanted, total)
          const quotas = balancedQuotas(available, size)
          const sum = quotas.reduce((a, b) => a + b, 0)
          const within = quotas.every((q, i) => q >= 0 && q <= available[i]!)
          // Any two levels that are not exhausted differ by at most one.
          const open = quotas.filter((q, i) => q < available[i]!)
          const fair = open.length === 0 || Math.max(...open) - Math.min(...open) <= 1
          const noStarve = quotas.every((q, i) => q === available[i] || q >= Math.max(...open, 0) - 1)
          return sum === size && within && fair && noStarve
        },
      ),
      { numRuns: 500 },
    )
  })

  it("rejects impossible designs with the flag named", () => {
    const respondents = fixtureRespondents(100)
    const tooBig = run(splitRespondents(fixtureStudy, respondents, design(100), 1))
    expect(Exit.isFailure(tooBig)).toBe(true)
    if (Exit.isFailure(tooBig)) expect(String(tooBig.cause)).toContain("leaves no one to hold out")
    const badArm = run(splitRespondents(fixtureStudy, respondents, design(5, { _tag: "Random" }, "nope"), 1))
    expect(Exit.isFailure(badArm)).toBe(true)
    const badAttribute = run(
      splitRespondents(fixtureStudy, respondents, design(5, { _tag: "Balanced", attribute: "nope" }), 1),
    )
    expect(Exit.isFailure(badAttribute)).toBe(true)
  })

  it("caps the holdout with a seeded subset", () => {
    const respondents = fixtureRespondents(300)
    const exit = run(splitRespondents(fixtureStudy, respondents, design(20), 5, 50))
    if (!Exit.isSuccess(exit)) throw new Error("split failed")
    expect(exit.value.holdout.length).toBe(50)
    const pilotIds = new Set(exit.value.pilot.map((r) => r.id))
    expect(exit.value.holdout.some((r) => pilotIds.has(r.id))).toBe(false)
  })
})
