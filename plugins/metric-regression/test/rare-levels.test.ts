import { describe, expect, it } from "@effect/vitest"
import { metricFixture } from "@standin/testkit/metric-fixture"
import { Effect } from "effect"
import { metric } from "../src/index.js"

type Analyses = ReadonlyArray<{ readonly excludedLevels: Record<string, ReadonlyArray<string>> }>

describe("regression metric: the minimum-cell boundary for rare levels", () => {
  it.effect("keeps a level held by exactly minCellSize humans and leaves out one held by one fewer", () =>
    Effect.gen(function* () {
      const fixture = metricFixture({ n: 400, seed: 46, metric: { resamples: 0, minCellSize: 30 } })
      const others = fixture.human.filter((h) => h.persona.gender === "Other").length
      expect(others).toBeGreaterThan(1)
      const excludedAt = (minCellSize: number) =>
        metric
          .score({ ...fixture, options: { ...fixture.options, minCellSize } })
          .pipe(Effect.map((score) => (score.details!.analyses as Analyses)[0]!.excludedLevels.gender ?? []))
      expect(yield* excludedAt(others)).not.toContain("Other")
      expect(yield* excludedAt(others + 1)).toEqual(["Other"])
    }),
  )
})
