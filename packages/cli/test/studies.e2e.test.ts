import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { dataDir, standin, tempDir } from "./helpers.js"

const bundled = [
  ["fingerprint-consent", "berke-fingerprint-consent/survey-experiment-data.csv"],
  ["anes1996-vote", "anes1996-vote/anes96.csv"],
  ["beps-uk-vote", "beps-uk-vote/Rdatasets-BEPS.csv"],
  ["brader2008-immigration-framing", "brader2008-immigration-framing/Rdatasets-framing.csv"],
] as const
const missing = bundled.filter(([, file]) => !existsSync(join(dataDir, file))).map(([, file]) => file)
const available = missing.length === 0

describe("the bundled studies", () => {
  it("are listed by `standin studies`, each with its data licence and source", () => {
    const result = standin(["studies"])
    expect(result.status).toBe(0)
    for (const [id] of bundled)
      expect(result.stdout).toMatch(new RegExp(`^${id}\\n  licence: .+\\n  source:  .+`, "m"))
    expect(result.stdout).toMatch(/beps-uk-vote\n {2}licence: GPL \(>= 2\)/)
    expect(result.stdout).toMatch(/anes1996-vote\n {2}licence: Public domain/)
  })

  it("refuses --pilot-arms other than all, and a study named twice, when --study names several", () => {
    const arms = standin(["run", "--study", "all", "--pilot-arms", "shown", "--out", tempDir("many-arms")])
    expect(arms.status).not.toBe(0)
    expect(arms.stderr).toMatch(/--pilot-arms "shown" names an arm of one study/)
    const twice = standin(["run", "--study", "anes1996-vote,anes1996-vote", "--out", tempDir("many-twice")])
    expect(twice.status).not.toBe(0)
    expect(twice.stderr).toMatch(/names "anes1996-vote" twice/)
  })
})

describe("the bundled studies' data", () => {
  it(
    available ? `are in ${dataDir}` : `are missing (${missing.join(", ")}): set STANDIN_DATA_DIR`,
    (context) => {
      if (!available && !process.env.CI) {
        context.skip()
        return
      }
      // Under CI a missing file fails here rather than silently skipping the run below.
      expect(missing).toEqual([])
    },
  )
})

describe.runIf(available)("standin run --study all", () => {
  it("runs every bundled study on the baselines into one folder each plus one site, and a rerun gives the same results", () => {
    const out = tempDir("many")
    const args = ["run", "--study", "all", "--holdout", "60", "--bootstrap", "20", "--quiet", "--out", out]
    const first = standin(args)
    expect(first.status).toBe(0)
    expect(readdirSync(out).sort()).toEqual([...bundled.map(([id]) => id), "site"].sort())
    const results = Object.fromEntries(
      bundled.map(([id]) => [id, readFileSync(join(out, id, "results.json"), "utf8")] as const),
    )
    for (const [id] of bundled) {
      const parsed = JSON.parse(results[id]!)
      expect(parsed.study.id).toBe(id)
      expect(parsed.entries.map((entry: { id: string }) => entry.id)).toEqual([
        "uniform",
        "pilot-marginal",
        "pilot-cell",
        "human-split-half",
      ])
    }
    expect(existsSync(join(out, "site", "index.html"))).toBe(true)
    expect(first.stdout).toMatch(/leaderboard of 4 studies: open /)
    // The same command again: the same studies, the same results (baselines are seeded), in the same folders.
    const again = standin(args)
    expect(again.status).toBe(0)
    for (const [id] of bundled) expect(readFileSync(join(out, id, "results.json"), "utf8")).toBe(results[id])
  })
})

describe.runIf(available)("standin run with a comma list of studies and --holdout", () => {
  it("caps each study at --holdout; a study with fewer respondents left runs with them all, and says so", () => {
    const out = tempDir("many-cap")
    const result = standin([
      "run",
      "--study",
      "anes1996-vote,brader2008-immigration-framing",
      "--holdout",
      "300",
      "--bootstrap",
      "0",
      "--quiet",
      "--no-site",
      "--out",
      out,
    ])
    expect(result.status).toBe(0)
    expect(result.stderr).toMatch(
      /brader2008-immigration-framing has fewer respondents left after its pilot than --holdout 300: it is run with all of them \(no cap\)/,
    )
    const manifest = (id: string) => JSON.parse(readFileSync(join(out, id, "results.json"), "utf8")).manifest
    expect(manifest("anes1996-vote")).toMatchObject({ holdoutSize: 300, holdoutCap: 300 })
    const brader = manifest("brader2008-immigration-framing")
    expect(brader.holdoutCap).toBeNull()
    expect(brader.holdoutSize).toBe(265 - brader.pilotSize)
    // The study page says what was reconstructed and what the study can and cannot measure: results carry both.
    const study = JSON.parse(readFileSync(join(out, "brader2008-immigration-framing", "results.json"), "utf8")).study
    expect(study.notes.length).toBeGreaterThan(0)
    expect(study.reconstructed[0].texts).toContain("arm neg-latino (stimulus)")
    expect(study.reconstructed[0].source).toMatch(/\w/)
  })
})

describe.runIf(available)("standin study show on a bundled study", () => {
  it("lists the reconstructed texts, each source once, and the study's notes under the conversation", () => {
    const result = standin(["study", "show", "brader2008-immigration-framing", "--arm", "neg-latino"])
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/NEW IMMIGRANTS STRAIN LOCAL SERVICES/)
    expect(result.stdout).toMatch(
      /── reconstructed texts \(the originals were not available\) ──\n- arm neg-latino \(stimulus\), arm neg-european \(stimulus\), arm pos-latino \(stimulus\), arm pos-european \(stimulus\): The published description/,
    )
    expect(result.stdout).toMatch(
      /── what this study can and cannot measure ──\n- The four news stories are reconstructions/,
    )
  })
})
