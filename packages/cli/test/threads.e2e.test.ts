import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { hasData, standin, tempDir } from "./helpers.js"

const quick = ["--holdout", "600", "--bootstrap", "40", "--quiet", "--no-site", "--seed", "5"]

const outputs = (dir: string): Record<string, string> => {
  const files: Record<string, string> = { "results.json": readFileSync(join(dir, "results.json"), "utf8") }
  for (const name of readdirSync(join(dir, "synthetic")))
    files[`synthetic/${name}`] = readFileSync(join(dir, "synthetic", name), "utf8")
  return files
}

describe.runIf(hasData)("standin run --threads", () => {
  it("writes the same bytes on one thread and on two (the five metrics scored on worker threads)", () => {
    const one = tempDir("threads-1")
    const two = tempDir("threads-2")
    expect(standin(["run", "--threads", "1", "--out", one, ...quick]).status).toBe(0)
    expect(standin(["run", "--threads", "2", "--out", two, ...quick]).status).toBe(0)
    const first = outputs(one)
    expect(outputs(two)).toEqual(first)
    const results = JSON.parse(first["results.json"]!)
    // every entry scored by all five metrics, with intervals from the resamples
    for (const entry of results.entries) {
      expect(entry.scores.map((score: { metric: string }) => score.metric)).toEqual([
        "divergence",
        "subgroup",
        "heterogeneity",
        "coherence",
        "regression",
      ])
      expect(entry.fidelity.overall.value).not.toBeNull()
    }
  })

  it("refuses a thread count that is not a whole number from 1", () => {
    const result = standin(["run", "--threads", "0", "--out", tempDir("threads-0"), ...quick])
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/--threads must be a whole number from 1 to 256, got 0/)
  })
})
