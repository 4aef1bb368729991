import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { hasData, standin, tempDir } from "./helpers.js"

const quick = ["--holdout", "200", "--bootstrap", "50", "--quiet", "--no-site"]

describe.runIf(hasData)("standin results show and standin open on a finished run", () => {
  // Two baselines and a model that is skipped (no key): the summary then has a skipped line too.
  let finished: { out: string; run: ReturnType<typeof standin> } | undefined
  const finishedRun = () => {
    if (finished === undefined) {
      const out = tempDir("results-show")
      const run = standin([
        "run",
        "--out",
        out,
        ...quick,
        "--provider",
        "uniform",
        "--provider",
        "human-split-half",
        "--provider",
        "openai:gpt-4o-mini",
      ])
      finished = { out, run }
    }
    return finished
  }

  it("prints the run's own summary byte for byte, from the folder or the file", () => {
    const { out, run } = finishedRun()
    // A requested model skipped for want of a key fails the run (exit 4) after results.json is written.
    expect(run.status).toBe(4)
    const shown = standin(["results", "show", out])
    expect(shown.status).toBe(0)
    expect(shown.stdout).toContain("skipped openai-gpt-4o-mini: OPENAI_API_KEY is not set")
    // The run printed a blank line, then the summary, then what only a run knows (calls, paths).
    expect(run.stdout.startsWith(`\n${shown.stdout}`)).toBe(true)
    expect(run.stdout.slice(1 + shown.stdout.length)).toMatch(/^calls: .*\nresults: /)
    expect(standin(["results", "show", join(out, "results.json")]).stdout).toBe(shown.stdout)
  })

  it("gives the same figures as json and csv, intervals included", () => {
    const { out } = finishedRun()
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
    const json = JSON.parse(standin(["results", "show", out, "--format", "json"]).stdout)
    expect(json.entries.map((entry: { entry: string }) => entry.entry)).toEqual([
      "uniform",
      "human-split-half",
      "openai-gpt-4o-mini",
    ])
    const uniform = results.entries[0]
    expect(json.entries[0].fidelity.value).toBe(uniform.fidelity.overall.value)
    expect(json.entries[0].metrics.divergence).toEqual({
      measure: uniform.scores[0].headline.measure,
      value: uniform.scores[0].headline.value,
      lower: uniform.scores[0].headline.ci.lower,
      upper: uniform.scores[0].headline.ci.upper,
    })
    expect(json.entries[2].status).toBe("skipped")
    const [header, ...rows] = parse(standin(["results", "show", out, "--format", "csv"]).stdout) as string[][]
    expect(rows).toHaveLength(3)
    expect(Number(rows[0]![header!.indexOf("divergence_lower")])).toBe(uniform.scores[0].headline.ci.lower)
    expect(rows[2]![header!.indexOf("status_reason")]).toMatch(/OPENAI_API_KEY/)
  })

  it("names the file it cannot read, and exits non-zero", () => {
    const { out } = finishedRun()
    const missing = standin(["results", "show", join(out, "nowhere")])
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain(`no results at ${join(out, "nowhere")}`)
    const bad = tempDir("results-bad")
    writeFileSync(join(bad, "results.json"), '{"schemaVersion": 1, "entries": []}')
    const invalid = standin(["results", "show", bad])
    expect(invalid.status).toBe(2)
    expect(invalid.stderr).toMatch(
      /cannot read the results .*results\.json: not a valid schemaVersion 1 results file/,
    )
  })

  it("opens the run's site, building it when the run had none", () => {
    const { out } = finishedRun()
    // BROWSER stands in for the desktop's browser: echo prints the URL it was given.
    const opened = standin(["open", out], { BROWSER: "echo" })
    expect(opened.status).toBe(0)
    expect(opened.stdout.trim()).toBe(`file://${join(out, "site", "index.html")}`)
    expect(opened.stderr).toContain("built the site in")
    expect(readFileSync(join(out, "site", "index.html"), "utf8")).toContain("data.js")
    const again = standin(["open", out], { BROWSER: "echo" })
    expect(again.stderr).not.toContain("built the site")
    const empty = tempDir("open-empty")
    mkdirSync(join(empty, "nothing"))
    const none = standin(["open", join(empty, "nothing")], { BROWSER: "echo" })
    expect(none.status).toBe(2)
    expect(none.stderr).toContain("no leaderboard site and no results.json")
  })
})
