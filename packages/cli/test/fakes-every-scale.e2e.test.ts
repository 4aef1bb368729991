import { createHash } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type FakeServer, startOpenAiFake } from "@standin/testkit/fakes"
import { repoRoot, standin, standinAsync, tempDir } from "./helpers.js"

/**
 * The loopback OpenAI fake answers every kind of item the study format has — options, several options,
 * whole and decimal numbers in range — so a study with numeric or multi-select items gets valid twins from it.
 */
let fake: FakeServer
beforeAll(async () => {
  fake = await startOpenAiFake({ seed: 11 })
})
afterAll(() => fake?.close())

const run = (study: string, out: string) =>
  standinAsync(
    [
      "run",
      "--study",
      study,
      "--provider",
      "openai:gpt-4o-mini",
      "--holdout",
      "12",
      "--pilot",
      "0",
      "--seed",
      "5",
      "--bootstrap",
      "0",
      "--no-site",
      "--quiet",
      "--out",
      out,
    ],
    { OPENAI_API_KEY: "sk-test-PLANTED", OPENAI_BASE_URL: fake.baseUrl, STANDIN_OFFLINE: "1" },
  )

/** The synthetic CSV's rows as objects (quoted fields with commas, quotes and newlines handled). */
const parseCsv = (text: string): Array<Record<string, string>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let field = ""
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (char === '"') quoted = false
      else field += char
    } else if (char === '"') quoted = true
    else if (char === ",") {
      row.push(field)
      field = ""
    } else if (char === "\n") {
      row.push(field)
      rows.push(row)
      row = []
      field = ""
    } else field += char
  }
  const [header, ...body] = rows
  return body.map((cells) => Object.fromEntries(header!.map((name, index) => [name, cells[index] ?? ""])))
}

const synthetic = (out: string) =>
  parseCsv(readFileSync(join(out, "synthetic/openai-gpt-4o-mini.csv"), "utf8"))

const SCALES_CSV = `id,hours,score,tools,mode
${Array.from(
  { length: 30 },
  (_, i) =>
    `p${i},${(i % 12) + 0.5},${i % 11},"${["email", "chat", "email,chat", "video"][i % 4]}",${["office", "home", "both"][i % 3]}`,
).join("\n")}
`

const scalesStudy = (sha: string) => `formatVersion: 2
id: every-scale
version: 1.0.0
title: Every scale
citation: made up for the fakes
data: { file: data.csv, sha256: ${sha} }
respondentId: id
items:
  - { id: hours, column: hours, label: Hours, wording: How many hours a day do you work from home?, role: covariate, scale: { numeric: { min: 0, max: 12, integer: false } } }
  - { id: score, column: score, label: Score, wording: From 0 to 10 how satisfied are you?, role: outcome, scale: { numeric: { min: 0, max: 10, integer: true } } }
  - { id: tools, column: tools, label: Tools, wording: Which tools do you use?, role: covariate, scale: { multiSelect: [email, chat, video] } }
  - { id: mode, column: mode, label: Mode, wording: Where do you work?, role: action, scale: { categorical: [office, home, both] } }
`

describe("the fake vendors answer every scale", () => {
  it("gives valid answers to the docs' example study (numeric commute minutes)", async () => {
    const out = tempDir("fakes-docs")
    const result = await run(join(repoRoot, "docs/examples/study"), out)
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const rows = synthetic(out)
    expect(rows).toHaveLength(12)
    for (const row of rows) {
      expect(row.valid, row.raw).toBe("true")
      const minutes = Number(row.minutes)
      expect(minutes).toBeGreaterThanOrEqual(0)
      expect(minutes).toBeLessThanOrEqual(180)
    }
    // Plausible, not constant: the minutes vary with the twin.
    expect(new Set(rows.map((row) => row.minutes)).size).toBeGreaterThan(3)
  })

  it("gives valid whole and decimal numbers, multi-selections and options, the same for the same seed", async () => {
    const dir = tempDir("fakes-scales")
    writeFileSync(join(dir, "data.csv"), SCALES_CSV)
    writeFileSync(join(dir, "study.yaml"), scalesStudy(createHash("sha256").update(SCALES_CSV).digest("hex")))
    const out = tempDir("fakes-scales-out")
    const result = await run(dir, out)
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const rows = synthetic(out)
    expect(rows).toHaveLength(12)
    for (const row of rows) {
      expect(row.valid, row.raw).toBe("true")
      const answers = JSON.parse(row.raw!) as {
        hours: number
        score: number
        tools: Array<string>
        mode: string
      }
      expect(answers.hours).toBeGreaterThanOrEqual(0)
      expect(answers.hours).toBeLessThanOrEqual(12)
      expect(Number.isInteger(answers.score)).toBe(true)
      expect(answers.tools.length).toBeGreaterThan(0)
      for (const tool of answers.tools) expect(["email", "chat", "video"]).toContain(tool)
      expect(["office", "home", "both"]).toContain(answers.mode)
    }
    expect(rows.some((row) => !Number.isInteger((JSON.parse(row.raw!) as { hours: number }).hours))).toBe(
      true,
    )
    const again = tempDir("fakes-scales-again")
    expect((await run(dir, again)).status).toBe(0)
    expect(synthetic(again).map((row) => row.raw)).toEqual(rows.map((row) => row.raw))
  })

  it("runs a factorial study: twins in every combination, the derived index never asked", async () => {
    const out = tempDir("fakes-factorial")
    const result = await run(join(repoRoot, "packages/study/test/fixtures/factorial-index"), out)
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const rows = synthetic(out)
    for (const row of rows) {
      expect(row.valid, row.raw).toBe("true")
      expect(Object.keys(JSON.parse(row.raw!))).toEqual(["t1", "t2", "t3", "t4", "t5", "t6", "t7"])
    }
    expect(new Set(rows.map((row) => row.arm)).size).toBeGreaterThan(2)
    // The results record which definition and which data they came from.
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
    expect(results.study.definitionSha256).toMatch(/^[0-9a-f]{64}$/)
    expect(results.manifest.data.sha256).toBe(
      "e5306522c1d3de2f3ec03e7de2e1fc6eeab569dacd2c0a8d29b5319280f3f253",
    )
  })

  it("asks each twin on the wire exactly the items its human was asked (skip logic)", async () => {
    const data = `id,arm,q1,q2,q3
${Array.from({ length: 24 }, (_, i) => `r${i},${i % 2 === 0 ? "shown" : "hidden"},${i % 3 === 0 ? "Yes" : "No"},${i % 3 === 0 ? "Often" : "FILLER"},${i % 2 === 0 ? "Agree" : ""}`).join("\n")}
`
    const dir = tempDir("fakes-skip")
    writeFileSync(join(dir, "data.csv"), data)
    writeFileSync(
      join(dir, "study.yaml"),
      `formatVersion: 2
id: screener
version: 1.0.0
title: Screener
citation: made up
data: { file: data.csv, sha256: ${createHash("sha256").update(data).digest("hex")} }
respondentId: id
armColumn: arm
arms:
  - { id: shown, label: Shown, value: shown, stimulus: Here is your data. }
  - { id: hidden, label: Hidden, value: hidden }
items:
  - { id: q1, column: q1, label: Uses, wording: Do you use it?, role: action, scale: { binary: ["No", "Yes"] } }
  - { id: q2, column: q2, label: Often, wording: How often?, role: covariate, scale: { likert: [Rarely, Often] }, askedIf: 'q1 == "Yes"' }
  - { id: q3, column: q3, label: Shown, wording: Did it surprise you?, role: belief, scale: { likert: [Disagree, Agree] }, askedIf: 'arm == "shown"' }
pages:
  - { id: screen, items: [q1] }
  - { id: follow, items: [q2, q3] }
`,
    )
    const out = tempDir("fakes-skip-out")
    const before = fake.log.entries.length
    const result = await run(dir, out)
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const rows = synthetic(out)
    expect(rows).toHaveLength(12)
    const requests = fake.log.entries
      .slice(before)
      .filter((entry) => entry.path.endsWith("/chat/completions"))
      .map(
        (entry) =>
          entry.body as { response_format?: { json_schema?: { schema?: { required?: Array<string> } } } },
      )
    const asked = requests.map((body) => body.response_format?.json_schema?.schema?.required ?? [])
    // Hidden twins whose human said No are asked page 1 only; the rest two pages, page 2 without skipped items.
    expect(asked.every((ids) => ids.length > 0)).toBe(true)
    expect(asked.some((ids) => ids.join() === "q3")).toBe(true)
    expect(asked.some((ids) => ids.join() === "q2")).toBe(true)
    expect(asked.some((ids) => ids.join() === "q2,q3")).toBe(true)
    for (const row of rows) {
      expect(row.valid, row.raw).toBe("true")
      if (row.arm === "hidden") expect(row.q3).toBe("")
    }
    expect(requests.length).toBeLessThan(rows.length * 2)
  })

  it("runs an observational vote-choice survey end to end: TSV, no id column, no arms, missing codes", async () => {
    const parties = ["Left", "Centre", "Right"]
    const data = `age\tideology\tvote\n${Array.from(
      { length: 40 },
      (_, i) =>
        `${i % 9 === 0 ? "NA" : 20 + ((i * 7) % 60)}\t${(i % 7) + 1}\t${i % 11 === 0 ? "Prefer not to say" : parties[(i * 5) % 3]}`,
    ).join("\n")}\n`
    const dir = tempDir("fakes-vote")
    writeFileSync(join(dir, "vote.tsv"), data)
    writeFileSync(
      join(dir, "study.yaml"),
      `formatVersion: 2
id: vote-choice
version: 1.0.0
title: Vote choice
citation: made up
data: { file: vote.tsv, sha256: ${createHash("sha256").update(data).digest("hex")} }
missingCodes: ["NA", "Prefer not to say"]
persona:
  - { id: age, column: age, label: Age, numeric: { unit: years } }
  - { id: ideology, column: ideology, label: Ideology (1 left to 7 right), numeric: {} }
items:
  - { id: vote, column: vote, label: Vote, wording: Which party did you vote for?, role: action, scale: { categorical: [Left, Centre, Right] } }
`,
    )
    const check = standin(["study", "check", dir])
    expect(check.stdout).toContain("has no problems")
    const out = tempDir("fakes-vote-out")
    const before = fake.log.entries.length
    const result = await run(dir, out)
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const rows = synthetic(out)
    expect(rows).toHaveLength(12)
    for (const row of rows) {
      expect(row.valid, row.raw).toBe("true")
      expect(row.arm).toBe("all")
    }
    // A twin whose human's age is NA is told no age; the others are told it in years.
    const prompts = fake.log.entries
      .slice(before)
      .filter((entry) => entry.path.endsWith("/chat/completions"))
      .map((entry) => (entry.body as { messages: Array<{ content: string }> }).messages[1]!.content)
    expect(prompts.every((prompt) => /- Age: \d+ years\n/.test(prompt) || !prompt.includes("- Age:"))).toBe(
      true,
    )
    expect(prompts.some((prompt) => /- Age: \d+ years\n/.test(prompt))).toBe(true)
    expect(prompts.every((prompt) => !prompt.includes("NA") && !prompt.includes("Prefer not to say"))).toBe(
      true,
    )
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
    expect(results.study.arms).toEqual([{ id: "all", label: "All respondents" }])
  })
})
