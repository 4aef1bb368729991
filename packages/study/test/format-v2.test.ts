import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { derivedValue, type Respondent, sourceNumber, sourceValue } from "@standin/core"
import { ConfigProvider, Effect } from "effect"
import { checkStudyFolder } from "../src/check.js"
import { loadStudyFolder } from "../src/folder.js"
import { formatProblem } from "../src/problems.js"
import { sha256 } from "./folder-fixture.js"

const fixture = join(import.meta.dirname, "fixtures/factorial-index")
const golden = JSON.parse(readFileSync(join(fixture, "golden.json"), "utf8")) as {
  readonly index: Record<string, number | null>
}

const environment = (dir: string) =>
  Effect.provide(
    ConfigProvider.layer(
      ConfigProvider.fromEnv({ env: { STANDIN_CACHE_DIR: join(dir, ".no-cache"), STANDIN_OFFLINE: "1" } }),
    ),
  )

const check = (dir: string) => checkStudyFolder(dir).pipe(environment(dir))

const humans = (dir: string) =>
  Effect.gen(function* () {
    const folder = yield* loadStudyFolder(dir)
    const data = yield* folder.plugin.experiment.loadHumanData
    return { folder, respondents: data.respondents }
  }).pipe(environment(dir))

/** A copy of the fixture folder with its study file (and optionally its data) edited. */
const edited = (edit: (yaml: string) => string, data?: string): string => {
  const dir = mkdtempSync(join(tmpdir(), "standin-format2-"))
  let yaml = edit(readFileSync(join(fixture, "study.yaml"), "utf8"))
  if (data === undefined) copyFileSync(join(fixture, "data.csv"), join(dir, "data.csv"))
  else {
    writeFileSync(join(dir, "data.csv"), data)
    yaml = yaml.replace(/sha256: \w+/, `sha256: ${sha256(data)}`)
  }
  writeFileSync(join(dir, "study.yaml"), yaml)
  return dir
}

const problemLines = (dir: string) =>
  check(dir).pipe(Effect.map((report) => report.problems.map(formatProblem)))

describe("the factorial-index fixture (format 2, its CSV as generated)", () => {
  it.effect("checks clean: factors, derived index, value labels, missing codes, numeric attributes", () =>
    Effect.gen(function* () {
      const report = yield* check(fixture)
      expect(report.problems.map(formatProblem)).toEqual([])
      expect(report.rows).toBe(600)
      expect(report.respondents).toBe(600)
      expect(report.study?.arms.map((arm) => arm.id)).toEqual([
        "gain.none",
        "gain.expert",
        "gain.peer",
        "loss.none",
        "loss.expert",
        "loss.peer",
      ])
      const lossExpert = report.study?.arms[4]
      expect(lossExpert?.factors).toEqual({ frame: "loss", source: "expert" })
      expect(lossExpert?.label).toBe("Loss frame × Expert")
      expect(lossExpert?.stimulus).toBe(
        "Under the policy, 400 of 600 jobs would be lost.\n\nThe message was written by an economist.",
      )
    }),
  )

  it.effect(
    "computes the index for every respondent exactly as pandas did (reverse coding, 8 = missing)",
    () =>
      Effect.gen(function* () {
        const { folder, respondents } = yield* humans(fixture)
        const study = folder.definition
        expect(respondents).toHaveLength(600)
        let compared = 0
        for (const respondent of respondents) {
          const expected = golden.index[respondent.id]
          const actual = derivedValue(study, "trust", respondent)
          if (expected === null) expect(actual).toBeNull()
          else expect(actual).toBeCloseTo(expected!, 12)
          compared++
        }
        expect(compared).toBe(Object.keys(golden.index).length)
        const missing = respondents.filter((r) => derivedValue(study, "trust", r) === null).length
        expect(missing).toBeGreaterThan(0)
        expect(missing).toBeLessThan(60)
      }),
  )

  it.effect("reads codes as labels and missing codes as missing, for humans and analyses alike", () =>
    Effect.gen(function* () {
      const { folder, respondents } = yield* humans(fixture)
      const study = folder.definition
      const first = respondents[0]! as Respondent
      // R0001,1,0,52,-99,1,5,5,4,3,3,3,4
      expect(first.arm).toBe("gain.none")
      expect(first.persona).toEqual({ age: "52", gender: "Female" })
      expect(first.answers.t1).toBe("Somewhat agree")
      expect(sourceNumber(study, { _tag: "Item", item: "t1" }, first)).toBe(5)
      expect(sourceValue(study, { _tag: "Persona", attribute: "age" }, first)).toBe(52)
      expect(sourceValue(study, { _tag: "Persona", attribute: "ideology" }, first)).toBeUndefined()
      expect(sourceValue(study, { _tag: "Factor", factor: "frame" }, first)).toBe("gain")
      const prefersNot = respondents.find((r) => r.answers.t2 === null)
      expect(prefersNot).toBeDefined()
      expect(derivedValue(study, "trust", prefersNot!)).toBeNull()
    }),
  )

  it.effect("a persona shows labels and units and leaves missing values out of the prompt", () =>
    Effect.gen(function* () {
      const { folder, respondents } = yield* humans(fixture)
      const first = respondents[0]!
      const prompt = folder.plugin.experiment.renderPrompt(
        { id: "t00001", arm: first.arm, persona: first.persona },
        { elicitation: "sample", includeDemographics: true },
      )
      const user = prompt.messages[1]!.content
      expect(user).toContain("About you:\n- Age: 52 years\n- Gender: Female")
      expect(user).not.toContain("ideology")
      expect(user).not.toContain("-99")
      expect(user).toContain("The policy would save 200 of 600 jobs.")
      // The derived index is never asked.
      expect(Object.keys((prompt.responseSchema as { properties: object }).properties)).toEqual([
        "t1",
        "t2",
        "t3",
        "t4",
        "t5",
        "t6",
        "t7",
      ])
    }),
  )
})

describe("study check explains each new mistake (file, line, field, what to do)", () => {
  const cases: ReadonlyArray<readonly [string, (yaml: string) => string, RegExp]> = [
    [
      "a version-2 field in a version-1 file",
      (yaml) => yaml.replace("formatVersion: 2\n", ""),
      /^study\.yaml:\d+: factors: is new in format version 2: add `formatVersion: 2` at the top of the file$/,
    ],
    [
      "an expression that does not parse",
      (yaml) => yaml.replace("reverse(t6), t7)", "reverse(t6) t7)"),
      /^study\.yaml:\d+: derived\[0\]\.expression: at character 56 of .*: expected "\)", found "t7"$/,
    ],
    [
      "an expression naming nothing",
      (yaml) => yaml.replace("reverse(t6), t7)", "reverse(t6), t8)"),
      /derived\[0\]\.expression: at character 57 .*unknown name "t8" \(an item, persona attribute, factor, derived variable or arm\)$/,
    ],
    [
      "reverse of a categorical attribute",
      (yaml) => yaml.replace("reverse(t6), t7)", "reverse(gender), t7)"),
      /derived\[0\]\.expression: .*reverse\(gender\) needs a Likert, binary or numeric item, or an ordered attribute$/,
    ],
    [
      "a comparison with a level that does not exist",
      (yaml) => yaml.replace("    expression: mean(", '    expression: if(gender == "Woman", 1, 0) + mean('),
      /derived\[0\]\.expression: at character 14 .*"Woman" is not a level of "gender" \("Male", "Female"\)$/,
    ],
    [
      "a missing code that is also an option",
      (yaml) => yaml.replace('missing: ["8"]', 'missing: ["Disagree"]'),
      /items\[0\]\.missing: "Disagree" is both a missing code and an option of t1: a missing answer is never offered to a model/,
    ],
    [
      "a value label for no level",
      (yaml) => yaml.replace('"1": Female', '"1": Woman'),
      /persona\[2\]\.labels: the code "1" stands for "Woman", which is not one of its levels$/,
    ],
    [
      "a numeric coding of a categorical attribute",
      (yaml) => yaml.replace("{ persona: age }, coding: numeric", "{ persona: gender }, coding: numeric"),
      /analyses\[0\]\.predictors\[2\]\.coding: a numeric coding needs a number/,
    ],
    [
      "an unknown derived source",
      (yaml) => yaml.replace("{ derived: trust }", "{ derived: trst }"),
      /analyses\[0\]\.outcome\.source\.variable: unknown derived variable "trst" \(declare it under `derived`\)$/,
    ],
    [
      "an arm column next to factors",
      (yaml) => yaml.replace("respondentId: respondent\n", "respondentId: respondent\narmColumn: frame\n"),
      /armColumn: a study has either an arm column or factors/,
    ],
    [
      "a derived id that is already an item",
      (yaml) => yaml.replace("  - id: trust\n", "  - id: t1\n"),
      /derived\[0\]\.id: "t1" is already an item; give the derived variable its own id$/,
    ],
  ]
  for (const [name, edit, message] of cases) {
    it.effect(name, () =>
      Effect.gen(function* () {
        const lines = yield* problemLines(edited(edit))
        expect(
          lines.some((line) => message.test(line)),
          lines.join("\n"),
        ).toBe(true)
      }),
    )
  }

  it.effect("a combination of factor levels nobody is in", () =>
    Effect.gen(function* () {
      const data = readFileSync(join(fixture, "data.csv"), "utf8")
        .split("\n")
        .filter((line) => !/^R\d+,2,2,/.test(line))
        .join("\n")
      const lines = yield* problemLines(edited((yaml) => yaml, data))
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^study\.yaml:\d+: factors: no valid row of data\.csv is in arm "loss\.peer" \(frame = loss, source = peer\): if the design is not fully crossed, list the arms that occur under `arms`/,
        ),
      )
      // Listing the five arms that occur, each with its factors, fixes it.
      const five = ["gain.none", "gain.expert", "gain.peer", "loss.none", "loss.expert"]
        .map((id) => {
          const [frame, source] = id.split(".")
          return `  - { id: ${id}, label: ${id}, value: ${id}, factors: { frame: ${frame}, source: ${source} } }`
        })
        .join("\n")
      const listed = yield* problemLines(
        edited((yaml) => yaml.replace("persona:\n", `arms:\n${five}\npersona:\n`), data),
      )
      expect(listed).toEqual([])
    }),
  )

  it.effect("data mistakes: a factor value that is no level, a numeric attribute that is no number", () =>
    Effect.gen(function* () {
      const data = readFileSync(join(fixture, "data.csv"), "utf8")
        .replace("R0001,1,0,52,", "R0001,3,0,52,")
        .replace("R0002,2,0,33,", "R0002,2,0,thirty,")
      const lines = yield* problemLines(edited((yaml) => yaml, data))
      expect(lines).toContain(
        'data.csv, row 2, column "frame": "3" is not a level of factor "frame" (expected "1" or "2")',
      )
      expect(lines).toContain(
        'data.csv, row 3, column "age": "thirty" is not a number (declare it in `missing` or `missingCodes` if it means "unknown")',
      )
    }),
  )
})

describe("observational surveys, files without ids, tab-separated files", () => {
  const survey = (data: string, file: string) => `formatVersion: 2
id: vote
version: 1.0.0
title: Vote choice
citation: made up
data: { file: ${file}, sha256: ${sha256(data)} }
persona:
  - { id: age, column: age, label: Age, numeric: { unit: years } }
items:
  - id: vote
    column: vote
    label: Vote
    wording: Whom did you vote for?
    scale: { categorical: [Left, Centre, Right] }
    role: action
    missing: ["Prefer not to say"]
`
  const folder = (data: string, file: string) => {
    const dir = mkdtempSync(join(tmpdir(), "standin-vote-"))
    writeFileSync(join(dir, file), data)
    writeFileSync(join(dir, "study.yaml"), survey(data, file))
    return dir
  }

  it.effect("a TSV file with no id column and no arms: one arm, rows numbered r2, r3, …", () =>
    Effect.gen(function* () {
      const data = "age\tvote\n34\tLeft\n51\tPrefer not to say\n68\tRight\n"
      const dir = folder(data, "vote.tsv")
      expect((yield* check(dir)).problems.map(formatProblem)).toEqual([])
      const { folder: loaded, respondents } = yield* humans(dir)
      expect(loaded.definition.arms).toEqual([
        { id: "all", label: "All respondents", value: "", stimulus: "" },
      ])
      expect(respondents.map((r) => [r.id, r.arm, r.persona.age, r.answers.vote])).toEqual([
        ["r2", "all", "34", "Left"],
        ["r3", "all", "51", null],
        ["r4", "all", "68", "Right"],
      ])
    }),
  )

  it.effect("a missing code offered as an option is refused", () =>
    Effect.gen(function* () {
      const data = "age,vote\n34,Left\n"
      const dir = folder(data, "vote.csv")
      writeFileSync(
        join(dir, "study.yaml"),
        survey(data, "vote.csv").replace("[Left, Centre, Right]", "[Left, Centre, Right, Prefer not to say]"),
      )
      const lines = (yield* check(dir)).problems.map(formatProblem)
      expect(
        lines.some((line) => /items\[0\]\.missing: "Prefer not to say" is both a missing code/.test(line)),
      ).toBe(true)
    }),
  )

  it.effect("a long-format file (one row per respondent × question) reshaped as declared", () =>
    Effect.gen(function* () {
      const data = `pid,age,question,answer
p1,34,vote,Left
p1,34,turnout,Yes
p2,51,turnout,No
p2,51,vote,Prefer not to say
p3,68,vote,Right
`
      const study = `formatVersion: 2
id: vote-long
version: 1.0.0
title: Vote (long)
citation: made up
data: { file: answers.csv, sha256: ${sha256(data)}, long: { respondent: pid, question: question, answer: answer } }
respondentId: pid
persona:
  - { id: age, column: age, label: Age, numeric: { unit: years } }
items:
  - { id: vote, column: vote, label: Vote, wording: Whom did you vote for?, role: action, scale: { categorical: [Left, Centre, Right] }, missing: ["Prefer not to say"] }
  - { id: turnout, column: turnout, label: Turnout, wording: Did you vote?, role: action, scale: { binary: ["No", "Yes"] } }
`
      const dir = mkdtempSync(join(tmpdir(), "standin-long-"))
      writeFileSync(join(dir, "answers.csv"), data)
      writeFileSync(join(dir, "study.yaml"), study)
      const report = yield* check(dir)
      expect(report.problems.map(formatProblem)).toEqual([])
      expect([report.rows, report.respondents]).toEqual([3, 3])
      const { respondents } = yield* humans(dir)
      expect(respondents.map((r) => [r.id, r.row, r.persona.age, r.answers])).toEqual([
        ["p1", 2, "34", { vote: "Left", turnout: "Yes" }],
        ["p2", 4, "51", { vote: null, turnout: "No" }],
        ["p3", 6, "68", { vote: "Right", turnout: null }],
      ])
      // A respondent whose age differs between their rows cannot be reshaped: the check names the row.
      const bad = data.replace("p2,51,vote", "p2,52,vote")
      writeFileSync(join(dir, "answers.csv"), bad)
      writeFileSync(join(dir, "study.yaml"), study.replace(sha256(data), sha256(bad)))
      expect((yield* check(dir)).problems.map(formatProblem)).toEqual([
        'answers.csv, row 5, column "age": cannot reshape the long-format file (data.long): respondent "p2" has "52" here but "51" in row 4: a column other than the question and the answer holds one value per respondent',
      ])
    }),
  )
})
