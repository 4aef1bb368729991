import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { hasData, repoRoot, standin, tempDir } from "./helpers.js"

/** A made-up pilot survey about a library's opening hours: nothing the repository has seen. */
const libraryCsv = (): string => {
  const likely = ["Very unlikely", "Somewhat unlikely", "Somewhat likely", "Very likely"]
  const agree = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"]
  const lines = [
    "resp_id,version,age_band,region,hours_matter,visit_likelihood,renewed_card,books_per_month,feedback",
  ]
  for (let i = 0; i < 80; i++) {
    lines.push(
      [
        `L${String(i + 1).padStart(4, "0")}`,
        i % 2 === 0 ? "A" : "B",
        ["18-29", "30-49", "50+"][(i * 5) % 3],
        ["North", "South", "East", "West"][i % 4],
        agree[(i * 3 + (i % 2)) % 5],
        likely[(i + Math.floor(i / 3)) % 4],
        (i * 11) % 5 < 2 ? "No" : "Yes",
        String((i * 7) % 13),
        i % 4 === 0 ? "" : `"Open ${["later", "earlier", "on Sundays", "longer"][i % 4]}, please (${i})"`,
      ].join(","),
    )
  }
  return `${lines.join("\n")}\n`
}

const gitStatus = () =>
  spawnSync("git", ["status", "--porcelain", "--untracked-files=all", "--", ".", ":!.vitest"], {
    cwd: repoRoot,
    encoding: "utf8",
  }).stdout

describe("bring your own study, end to end", () => {
  it("drafts a study from an unseen CSV, flags its TODOs, passes check once edited, and runs on the baselines — without touching the repository", () => {
    const before = gitStatus()
    const work = tempDir("byos")
    writeFileSync(join(work, "library.csv"), libraryCsv())
    const dir = join(work, "library-hours")

    const init = standin(["study", "init", "--from", join(work, "library.csv"), "--out", dir])
    expect(init.stderr).toBe("")
    expect(init.status).toBe(0)
    expect(init.stdout).toContain("version: treatment arm with 2 arms (guessed)")
    expect(init.stdout).toContain("hours_matter: item, Likert with 5 options, belief")
    expect(init.stdout).toContain("feedback: private, free text")
    expect(readdirSync(dir).sort()).toEqual(["library.csv", "study.yaml"])

    // As drafted, the study is consistent but its TODOs are not filled in: check says where.
    const draft = standin(["study", "check", dir])
    expect(draft.status).toBe(1)
    expect(draft.stdout).toMatch(/study\.yaml:\d+: items\[0\]\.wording: still a placeholder/)
    expect(draft.stdout).toMatch(/study\.yaml:\d+: arms\[\d\]\.stimulus: still a placeholder/)

    // The scripted edit: write the wording, stimuli and citation, and declare the example analysis.
    let yaml = readFileSync(join(dir, "study.yaml"), "utf8")
    yaml = yaml
      .replace(/description: .*TODO.*/, "description: Library members were asked about opening hours.")
      .replace(/citation: .*TODO.*/, "citation: unpublished pilot")
      .replace(/stimulus: .*TODO.*/g, "stimulus: You were shown the proposed new opening hours.")
      .replace(
        /wording: .*TODO: the question for column \\?"([^"\\]+)\\?".*/g,
        "wording: How do you answer $1?",
      )
    const example = yaml
      .split("\n")
      .filter((line) => /^# (beliefActionPairs|analyses| {2})/.test(line))
      .map((line) => line.slice(2))
    expect(example.length).toBeGreaterThan(8)
    writeFileSync(join(dir, "study.yaml"), `${yaml}\n${example.join("\n")}\n`)

    const checked = standin(["study", "check", dir])
    expect(checked.stdout).toContain("80 rows in library.csv, 80 without problems")
    expect(checked.stdout).toMatch(/ok: .*library-hours has no problems\./)
    expect(checked.status).toBe(0)

    const out = join(work, "out")
    const run = standin([
      "run",
      "--study",
      dir,
      "--pilot",
      "20",
      "--bootstrap",
      "20",
      "--out",
      out,
      "--quiet",
    ])
    expect(run.stderr).toBe("")
    expect(run.status).toBe(0)
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
    expect(results.study.id).toBe("library-hours")
    expect(results.manifest.data.file).toBe("library.csv")
    expect(results.manifest.holdoutSize).toBe(60)
    expect(results.entries.map((entry: { id: string; status: string }) => [entry.id, entry.status])).toEqual([
      ["uniform", "ok"],
      ["pilot-marginal", "ok"],
      ["pilot-cell", "ok"],
      ["human-split-half", "ok"],
    ])
    // Neither the ids nor the free-text feedback reach the outputs.
    const synthetic = readFileSync(join(out, "synthetic", "pilot-cell.csv"), "utf8")
    expect(synthetic).not.toMatch(/L\d{4}|Open (later|earlier)/)

    // The same folder goes through analyze.
    const analyzed = standin(["analyze", dir, "--format", "json"])
    expect(analyzed.stderr).toBe("")
    expect(analyzed.status).toBe(0)
    const report = JSON.parse(analyzed.stdout)
    expect(report.data.respondents).toBe(80)
    expect(report.analyses.length).toBeGreaterThan(0)
    expect(report.analyses[0].coefficients.length).toBeGreaterThan(1)

    // An analysis that cannot be estimated is caught by study check: in this data the region determines the
    // version (arm), so arm and region dummies are collinear.
    const edited = readFileSync(join(dir, "study.yaml"), "utf8")
    const armIds = [...edited.matchAll(/^ {2}- id: (\S+)\n {4}label: .*\n {4}value: /gm)].map(
      (match) => match[1],
    )
    expect(armIds).toHaveLength(2)
    const collinear = edited.replace(
      /^analyses:\n/m,
      `analyses:\n  - id: collinear\n    label: Renewal by version and region\n    family: binomial\n    outcome: { id: renewed, source: { item: renewed_card }, coding: { indicator: ["Yes"] } }\n    predictors:\n      - { id: arm, source: arm, coding: { indicator: ["${armIds[1]}"] } }\n      - { id: region, source: { persona: region }, coding: { categorical: { reference: North } } }\n`,
    )
    writeFileSync(join(dir, "study.yaml"), collinear)
    const flagged = standin(["study", "check", dir])
    expect(flagged.status).toBe(1)
    expect(flagged.stdout).toMatch(
      /analyses\[0\].*"collinear" cannot be estimated on this data: .*(rank|collinear)/i,
    )
    expect(gitStatus()).toBe(before)
  })

  it("never replaces an existing study without --force", () => {
    const work = tempDir("byos-force")
    writeFileSync(join(work, "library.csv"), libraryCsv())
    const dir = join(work, "study")
    expect(standin(["study", "init", "--from", join(work, "library.csv"), "--out", dir]).status).toBe(0)
    writeFileSync(join(dir, "study.yaml"), "# my edits\n")
    const again = standin(["study", "init", "--from", join(work, "library.csv"), "--out", dir])
    expect(again.status).toBe(2)
    expect(again.stderr.trim()).toMatch(
      /already holds a study \(study\.yaml\); pass --force to replace it\.$/,
    )
    expect(readFileSync(join(dir, "study.yaml"), "utf8")).toBe("# my edits\n")
    expect(
      standin(["study", "init", "--from", join(work, "library.csv"), "--out", dir, "--force"]).status,
    ).toBe(0)
    expect(readFileSync(join(dir, "study.yaml"), "utf8")).toContain("respondentId: resp_id")
  })

  it("leaves the data out with --no-copy, to be found under STANDIN_DATA_DIR", () => {
    const work = tempDir("byos-nocopy")
    writeFileSync(join(work, "library.csv"), libraryCsv())
    const dir = join(work, "study")
    const init = standin([
      "study",
      "init",
      "--from",
      join(work, "library.csv"),
      "--out",
      dir,
      "--no-copy",
      "--id",
      "lib",
    ])
    expect(init.status).toBe(0)
    expect(init.stdout).toContain("put it at $STANDIN_DATA_DIR/lib/library.csv")
    expect(existsSync(join(dir, "library.csv"))).toBe(false)
    const missing = standin(["study", "check", dir], { STANDIN_DATA_DIR: work })
    expect(missing.status).toBe(1)
    expect(missing.stdout).toMatch(/data\.file: the data file "library\.csv" was not found/)
  })

  it("exits 1 listing every problem of a broken study, one per line", () => {
    const work = tempDir("byos-broken")
    writeFileSync(join(work, "library.csv"), libraryCsv())
    const dir = join(work, "study")
    expect(standin(["study", "init", "--from", join(work, "library.csv"), "--out", dir]).status).toBe(0)
    // The data then grew a third arm value and a duplicate id, and its checksum was updated; nobody wrote
    // the TODOs either.
    const changed = libraryCsv().replace("L0007,A", "L0007,C").replace("L0009,A,", "L0008,A,")
    writeFileSync(join(dir, "library.csv"), changed)
    const yaml = readFileSync(join(dir, "study.yaml"), "utf8")
    writeFileSync(
      join(dir, "study.yaml"),
      yaml.replace(/sha256: \w+/, `sha256: ${createHash("sha256").update(changed).digest("hex")}`),
    )
    const result = standin(["study", "check", dir])
    expect(result.status).toBe(1)
    const lines = result.stdout.trim().split("\n")
    expect(lines).toContain(
      '  library.csv, row 8, column "version": "C" is not an arm of this study (expected "A" or "B")',
    )
    expect(lines).toContain(
      '  library.csv, row 10, column "resp_id": the id "L0008" already appeared in row 9',
    )
    // description, citation, two arms' stimuli and four items' wording.
    expect(lines.filter((line) => line.includes("still a placeholder"))).toHaveLength(8)
    expect(lines[lines.length - 1]).toMatch(/: 10 problems\.$/)
  })

  it("refuses a --study path that does not exist, in one paragraph", () => {
    const result = standin(["run", "--study", "./no/such/study", "--out", tempDir("none")])
    expect(result.status).toBe(2)
    expect(result.stderr).toBe(
      'standin: --study "./no/such/study" is not an installed study, and there is no folder ./no/such/study.\n',
    )
  })
})

const filesOf = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const path = join(sub, entry.name)
      if (entry.isDirectory()) walk(path)
      // run-meta.json says when the run happened: it differs from run to run by design
      else if (entry.name !== "run-meta.json") out[path] = readFileSync(join(dir, path), "utf8")
    }
  }
  walk("")
  return out
}

describe.runIf(hasData)("the fingerprint-consent study as YAML", () => {
  it("gives byte-identical results to the TypeScript study for the same seed and holdout cap", () => {
    const args = ["--seed", "5", "--holdout", "300", "--bootstrap", "30", "--quiet", "--no-site"]
    const ts = tempDir("twin-ts")
    const yaml = tempDir("twin-yaml")
    expect(standin(["run", "--study", "fingerprint-consent", "--out", ts, ...args]).status).toBe(0)
    const fromFolder = standin(["run", "--study", "benchmarks/fingerprint-consent", "--out", yaml, ...args])
    expect(fromFolder.stderr).toBe("")
    expect(fromFolder.status).toBe(0)
    const a = filesOf(ts)
    expect(Object.keys(a)).toHaveLength(5)
    expect(filesOf(yaml)).toEqual(a)
  })

  it("passes study check against the real data", () => {
    const result = standin(["study", "check", "benchmarks/fingerprint-consent"])
    expect(result.stdout).toContain("12,461 rows in survey-experiment-data.csv, 12,461 without problems")
    expect(result.status).toBe(0)
  })
})
