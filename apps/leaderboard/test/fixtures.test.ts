import { readFile } from "node:fs/promises"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ResultsFile } from "@standin/core"
import { Schema } from "effect"
import { fixtureSet, toVersion0 } from "../src/testing/index.js"
import { fixtureSetDir, legacyV0File } from "./support/paths.js"

describe("fixture generator", () => {
  it("reproduces the committed fixtures byte for byte (regenerate with `pnpm fixtures` after a change)", async () => {
    const files = fixtureSet({ models: "standard" })
    expect(files.filter((file) => file.path.endsWith("results.json"))).toHaveLength(3)
    for (const file of files) {
      expect(await readFile(join(fixtureSetDir, ...file.path.split("/")), "utf8"), file.path).toBe(
        file.content,
      )
    }
    const dataSharing = files.find((file) => file.path === "fixture-data-sharing/results.json")!
    const legacy = `${JSON.stringify(toVersion0(JSON.parse(dataSharing.content) as ResultsFile), null, 2)}\n`
    expect(await readFile(legacyV0File, "utf8")).toBe(legacy)
  })

  it("makes 3 studies × N model rows for the bench that decode with core's schema", () => {
    const files = fixtureSet({ models: 50, syntheticCsv: false })
    const results = files
      .filter((file) => file.path.endsWith("/results.json"))
      .map((file) => Schema.decodeUnknownSync(ResultsFile)(JSON.parse(file.content)))
    expect(results).toHaveLength(3)
    for (const file of results) {
      expect(file.entries.filter((entry) => entry.baseline === undefined)).toHaveLength(50)
      expect(file.learningCurves!.length).toBeGreaterThan(0)
    }
  })

  it("computes its figures: the floor scores 0 and the ceiling 1 on every metric", () => {
    const [first] = fixtureSet({ models: "standard", syntheticCsv: false })
    const results = Schema.decodeUnknownSync(ResultsFile)(JSON.parse(first!.content))
    const floor = results.entries.find((entry) => entry.baseline === "floor")!
    const ceiling = results.entries.find((entry) => entry.baseline === "ceiling")!
    for (const metric of results.metrics) {
      expect(floor.fidelity.perMetric[metric.id]!.value).toBe(0)
      expect(ceiling.fidelity.perMetric[metric.id]!.value).toBe(1)
    }
  })
})
