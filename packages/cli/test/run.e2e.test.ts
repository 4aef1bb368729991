import { createHash } from "node:crypto"
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { dataDir, hasData, repoRoot, standin, tempDir } from "./helpers.js"

const quick = ["--holdout", "400", "--bootstrap", "50", "--quiet"]

const filesOf = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const path = join(sub, name.name)
      if (name.isDirectory()) walk(path)
      else out[path] = readFileSync(join(dir, path), "utf8")
    }
  }
  walk("")
  return out
}

describe.runIf(hasData)("standin run on the bundled study", () => {
  it("gives byte-identical results and CSVs for the same seed, and a different split for another seed", () => {
    const a = tempDir("run-a")
    const b = tempDir("run-b")
    const c = tempDir("run-c")
    expect(standin(["run", "--seed", "11", "--out", a, ...quick]).status).toBe(0)
    expect(standin(["run", "--seed", "11", "--out", b, ...quick]).status).toBe(0)
    expect(standin(["run", "--seed", "12", "--out", c, ...quick]).status).toBe(0)
    const first = filesOf(a)
    expect(
      Object.keys(first)
        .filter((file) => !file.startsWith("site/"))
        .sort(),
    ).toEqual([
      "results.json",
      "run-meta.json",
      "synthetic/human-split-half.csv",
      "synthetic/pilot-cell.csv",
      "synthetic/pilot-marginal.csv",
      "synthetic/uniform.csv",
    ])
    expect(first["site/index.html"]).toBeDefined()
    // The site names the folder its results came from, and run-meta.json when the run happened (which is why
    // it is not in results.json); everything else must match byte for byte.
    const withoutSite = (files: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(files).filter(([file]) => !file.startsWith("site/") && file !== "run-meta.json"),
      )
    expect(withoutSite(filesOf(b))).toEqual(withoutSite(first))
    const meta = JSON.parse(first["run-meta.json"]!)
    expect(Object.keys(meta)).toEqual(["schemaVersion", "startedAt", "finishedAt", "phaseSeconds"])
    // each phase's wall-clock seconds, as the bench reads the scoring phase's
    expect(Object.keys(meta.phaseSeconds)).toEqual(["prepare", "simulate", "score", "report"])
    for (const seconds of Object.values(meta.phaseSeconds)) expect(seconds).toBeGreaterThanOrEqual(0)
    expect(meta.phaseSeconds.score).toBeGreaterThan(0)
    expect(meta.phaseSeconds.score).toBeLessThanOrEqual(
      (Date.parse(meta.finishedAt) - Date.parse(meta.startedAt)) / 1000,
    )
    expect(meta.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(Date.parse(meta.finishedAt)).toBeGreaterThanOrEqual(Date.parse(meta.startedAt))
    expect(first["results.json"]).not.toContain(meta.startedAt.slice(0, 10))
    // The run's site labels the run with its date.
    expect(first["site/data.js"]).toContain(`"finishedAt":"${meta.finishedAt}"`)
    expect(first["site/data.js"]).toContain(
      `${meta.finishedAt.slice(0, 10)} ${meta.finishedAt.slice(11, 16)} UTC`,
    )
    const resultsA = JSON.parse(first["results.json"]!)
    const resultsC = JSON.parse(readFileSync(join(c, "results.json"), "utf8"))
    expect(resultsC.manifest.splitSha256).not.toBe(resultsA.manifest.splitSha256)
    expect(resultsA.schemaVersion).toBe(2)
    expect(resultsA.entries.map((e: { id: string }) => e.id)).toEqual([
      "uniform",
      "pilot-marginal",
      "pilot-cell",
      "human-split-half",
    ])
    expect(resultsA.manifest.holdoutSize).toBe(400)
    // No human id ever reaches the outputs.
    expect(first["synthetic/uniform.csv"]).not.toMatch(/R_[A-Za-z0-9]{15}/)
    expect(first["results.json"]).not.toMatch(/R_[A-Za-z0-9]{15}/)
  })

  const badInputs: Array<[string, ReadonlyArray<string>, Record<string, string>, RegExp]> = [
    ["an unknown study", ["--study", "fingerprint-consnet"], {}, /unknown study "fingerprint-consnet"/],
    ["an unknown provider", ["--provider", "gpt5"], {}, /unknown provider "gpt5".*Installed providers/],
    ["a negative pilot size", ["--pilot=-5"], {}, /--pilot "-5" is negative/],
    ["a pilot larger than the data", ["--pilot", "20000"], {}, /a pilot of 20000 leaves no one to hold out/],
    ["a bad pilot fraction", ["--pilot", "1.5"], {}, /fraction outside/],
    [
      "an unknown pilot arm",
      ["--pilot-arms", "treated"],
      {},
      /--pilot-arms "treated" is not "all" or an arm/,
    ],
    [
      "a missing data directory",
      [],
      { STANDIN_DATA_DIR: "/nonexistent/standin-data" },
      /STANDIN_DATA_DIR is set to \/nonexistent\/standin-data, which is not a directory/,
    ],
    ["zero splits", ["--splits", "0"], {}, /--splits must be a whole number from 1 to 100, got 0/],
  ]
  badInputs.push(
    [
      "a holdout larger than what the pilot leaves",
      ["--holdout", "20000"],
      {},
      /--holdout 20000 is more than the 12361 respondents left after the pilot of 100 \(the study has 12461\)/,
    ],
    [
      "a base URL that is not one",
      ["--provider", "openai-compatible:x@notaurl"],
      {},
      /--provider "openai-compatible:x@notaurl": "notaurl" after "@" is not a base URL\. A base URL starts with http:\/\/ or https:\/\//,
    ],
  )
  for (const [what, args, env, message] of badInputs) {
    it(`refuses ${what} with one clear paragraph, a non-zero exit and no results file`, () => {
      const out = tempDir("bad")
      // the last --holdout given wins over quick's
      const flags = args.includes("--holdout") ? quick.filter((_, i) => i > 1) : quick
      const result = standin(["run", "--out", out, ...flags, ...args], env)
      expect(result.status).not.toBe(0)
      expect(result.stderr).toMatch(message)
      expect(result.stderr.trim().split("\n")).toHaveLength(1)
      expect(result.stderr).not.toMatch(/at .*\.js:\d+/)
      expect(existsSync(join(out, "results.json"))).toBe(false)
    })
  }

  it("repeats the run on K splits, records each figure across them and keeps every split's results", () => {
    const out = tempDir("splits")
    const result = standin(["run", "--seed", "4", "--splits", "3", "--out", out, "--no-site", ...quick])
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/overall fidelity over 3 splits/)
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
    expect(results.splits.count).toBe(3)
    expect(results.splits.seeds[0]).toBe(4)
    expect(results.splits.seeds[0]).toBe(results.manifest.seed)
    expect(new Set(results.splits.splitSha256).size).toBe(3)
    expect(results.splits.files).toEqual([
      "results.json",
      "splits/2/split-results.json",
      "splits/3/split-results.json",
    ])
    for (const [k, file] of results.splits.files.entries()) {
      const split = JSON.parse(readFileSync(join(out, file), "utf8"))
      expect(split.manifest.seed).toBe(results.splits.seeds[k])
      expect(split.manifest.splitSha256).toBe(results.splits.splitSha256[k])
      expect(existsSync(join(out, dirname(file), "synthetic", "pilot-cell.csv"))).toBe(true)
    }
    const overall = results.splits.figures.find(
      (f: { entry: string; figure: string }) => f.entry === "pilot-marginal" && f.figure === "overall",
    )
    expect(overall.values).toHaveLength(3)
    expect(overall.values[0]).toBe(
      results.entries.find((e: { id: string }) => e.id === "pilot-marginal").fidelity.overall.value,
    )
    const mean = overall.values.reduce((a: number, b: number) => a + b, 0) / 3
    expect(overall.mean).toBeCloseTo(mean, 12)
    expect(overall.sd).toBeGreaterThan(0)
    expect(overall.ci.method).toBe("splits")
    expect(overall.ci.lower).toBeLessThan(overall.mean)
    expect(overall.ci.upper).toBeGreaterThan(overall.mean)
    // Every metric's fidelity and headline is summarised too.
    const figures = new Set(
      results.splits.figures
        .filter((f: { entry: string }) => f.entry === "pilot-marginal")
        .map((f: { figure: string }) => f.figure),
    )
    for (const metric of results.metrics as ReadonlyArray<{ id: string }>) {
      expect(figures.has(metric.id)).toBe(true)
      expect(figures.has(`headline:${metric.id}`)).toBe(true)
    }
  })

  it("refuses data whose checksum is wrong, saying how to fix it", () => {
    const copy = tempDir("data")
    mkdirSync(join(copy, "berke-fingerprint-consent"))
    const original = readFileSync(
      join(dataDir, "berke-fingerprint-consent", "survey-experiment-data.csv"),
      "utf8",
    )
    writeFileSync(
      join(copy, "berke-fingerprint-consent", "survey-experiment-data.csv"),
      original.replace("Decline", "Consent to share"),
    )
    const out = tempDir("bad")
    const result = standin(["run", "--out", out, ...quick], { STANDIN_DATA_DIR: copy })
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/checksum mismatch .* expected sha256 87a8e241/)
    expect(existsSync(join(out, "results.json"))).toBe(false)
  })

  it("refuses a study folder whose data has a corrupt row, naming file, row and column", () => {
    const study = tempDir("corrupt")
    const yaml = readFileSync(join(repoRoot, "docs/examples/study/study.yaml"), "utf8")
    const csv = readFileSync(join(repoRoot, "docs/examples/study/commute.csv"), "utf8").split("\n")
    csv[5] = csv[5]!.replace(
      /,(Strongly agree|Agree|Disagree|Strongly disagree|Neither agree nor disagree),/,
      ",Sort of,",
    )
    const corrupt = csv.join("\n")
    writeFileSync(join(study, "commute.csv"), corrupt)
    writeFileSync(
      join(study, "study.yaml"),
      yaml.replace(/sha256: [0-9a-f]{64}/, `sha256: ${createHash("sha256").update(corrupt).digest("hex")}`),
    )
    const out = tempDir("bad")
    const result = standin(["run", "--study", study, "--out", out, "--pilot", "10", ...quick])
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/commute\.csv, row 6, column "cycling_safe": "Sort of" is not one of/)
    expect(result.stderr.trim().split("\n")).toHaveLength(1)
    expect(existsSync(join(out, "results.json"))).toBe(false)
  })

  it("reports a CSV that is not UTF-8 as an encoding problem, naming the file and the line", () => {
    const study = tempDir("latin1")
    const yaml = readFileSync(join(repoRoot, "docs/examples/study/study.yaml"), "utf8")
    const lines = readFileSync(join(repoRoot, "docs/examples/study/commute.csv"), "latin1").split("\n")
    lines[5] = lines[5]!.replace(/^E(\d+)/, "É$1")
    // saved as Latin-1, as Excel's plain "CSV" does on Windows: É is the single byte 0xC9
    const bytes = Buffer.from(lines.join("\n"), "latin1")
    writeFileSync(join(study, "commute.csv"), bytes)
    writeFileSync(
      join(study, "study.yaml"),
      yaml.replace(/sha256: [0-9a-f]{64}/, `sha256: ${createHash("sha256").update(bytes).digest("hex")}`),
    )
    const result = standin(["run", "--study", study, "--out", tempDir("bad"), "--pilot", "10", ...quick])
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(
      /commute\.csv: it is not UTF-8 \(byte 0xc9 at line 6, byte \d+, is not valid UTF-8; .*\)\. Save it as UTF-8/,
    )
    expect(result.stderr.trim().split("\n")).toHaveLength(1)
    const check = standin(["study", "check", study])
    expect(check.status).not.toBe(0)
    expect(check.stdout + check.stderr).toMatch(/commute\.csv.*it is not UTF-8 \(byte 0xc9 at line 6/)
  })

  it("runs a small study with the default pilot: 10% of its respondents, at most 100", () => {
    const out = tempDir("small")
    const result = standin(["run", "--study", join(repoRoot, "docs/examples/study"), "--out", out, "--quiet"])
    expect(result.status, result.stderr).toBe(0)
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
    // 48 respondents: a pilot of round(4.8) = 5, everyone else held out
    expect(results.manifest.pilot.size).toEqual({ _tag: "Fraction", fraction: 0.1, max: 100 })
    expect(results.manifest.holdoutSize).toBe(43)
  })

  it("tells the user to set STANDIN_DATA_DIR when the data is nowhere to be found", () => {
    const empty = tempDir("empty")
    copyFileSync(join(dataDir, "berke-fingerprint-consent", "SOURCE.md"), join(empty, "SOURCE.md"))
    const out = tempDir("bad")
    const result = standin(["run", "--out", out, ...quick], { STANDIN_DATA_DIR: empty })
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(
      /was not found .* Set STANDIN_DATA_DIR to a folder containing berke-fingerprint-consent\/survey-experiment-data.csv/,
    )
  })
})
