import { rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { type CheckAnalyses, checkStudyFolder, type StudyCheckOptions } from "../src/check.js"
import { formatProblem, type StudyProblem } from "../src/problems.js"
import { csv, header, makeFolder, replaceOnce, rows, sha256, studyYaml } from "./folder-fixture.js"

/** Runs the check with an environment that points nowhere, so only the study folder can hold data. */
const check = (dir: string, options: StudyCheckOptions = {}) =>
  checkStudyFolder(dir, options).pipe(
    Effect.provide(
      ConfigProvider.layer(
        ConfigProvider.fromEnv({ env: { STANDIN_CACHE_DIR: join(dir, ".no-cache"), STANDIN_OFFLINE: "1" } }),
      ),
    ),
  )

const lines = (problems: ReadonlyArray<StudyProblem>) => problems.map(formatProblem)

/** Checks a folder whose study file was edited, expecting exactly the problems of one kind to match. */
const expectProblem = (
  edit: { readonly yaml?: (text: string) => string; readonly data?: string },
  kind: StudyProblem["kind"],
  message: RegExp,
) =>
  Effect.gen(function* () {
    const dir = makeFolder({
      ...(edit.yaml === undefined ? {} : { edit: edit.yaml }),
      ...(edit.data === undefined ? {} : { data: edit.data }),
    })
    const report = yield* check(dir)
    const ofKind = report.problems.filter((problem) => problem.kind === kind)
    expect(ofKind.length, lines(report.problems).join("\n")).toBeGreaterThan(0)
    expect(lines(ofKind).join("\n")).toMatch(message)
    return report
  })

/** The 1-based line of the valid study.yaml that holds `snippet`. */
const lineOf = (snippet: string): number => {
  const text = studyYaml("0")
  const at = text.indexOf(snippet)
  if (at === -1) throw new Error(`${snippet} is not in the fixture`)
  return text.slice(0, at).split("\n").length
}

/** The data with one cell of one row replaced (row is the spreadsheet row: the header is row 1). */
const withCell = (row: number, column: string, value: string): string => {
  const body = rows()
  const index = header.split(",").indexOf(column)
  const cells = body[row - 2]!.match(/("[^"]*"|[^,]+)/g)!
  cells[index] = value
  body[row - 2] = cells.join(",")
  return csv(body)
}

describe("study check on a valid folder", () => {
  it.effect("finds no problem and reads every row", () =>
    Effect.gen(function* () {
      const report = yield* check(makeFolder())
      expect(lines(report.problems)).toEqual([])
      expect(report.rows).toBe(24)
      expect(report.respondents).toBe(24)
      expect(report.study?.id).toBe("reminder")
      expect(report.analysesChecked).toBe(false)
    }),
  )

  it.effect("hands the study and its respondents to the analysis checker and reports what it finds", () =>
    Effect.gen(function* () {
      const seen: Array<number> = []
      const checkAnalyses: CheckAnalyses = (study, respondents) => {
        seen.push(respondents.length)
        return [
          { kind: "analysis", field: "analyses[0].predictors[1]", message: `rank deficient (${study.id})` },
        ]
      }
      const report = yield* check(makeFolder(), { checkAnalyses })
      expect(seen).toEqual([24])
      expect(report.analysesChecked).toBe(true)
      expect(lines(report.problems)).toEqual([
        expect.stringMatching(
          /^study\.yaml:\d+: analyses\[0\]\.predictors\[1\]: rank deficient \(reminder\)$/,
        ),
      ])
    }),
  )
})

describe("study check names each kind of mistake", () => {
  it.effect("1. a folder without a study file", () =>
    Effect.gen(function* () {
      const dir = makeFolder()
      rmSync(join(dir, "study.yaml"))
      const report = yield* check(dir)
      expect(report.problems.map((p) => p.kind)).toEqual(["study-file-missing"])
      expect(formatProblem(report.problems[0]!)).toMatch(/holds no study definition \(looked for study\.yaml/)
    }),
  )

  it.effect("2. invalid YAML, with its line", () =>
    expectProblem(
      { yaml: (text) => replaceOnce(text, "subgroups: [age]", "subgroups: [age") },
      "invalid-syntax",
      /^study\.yaml:\d+: invalid YAML: /,
    ),
  )

  it.effect("3. a field of the wrong type, with its path and line", () =>
    Effect.gen(function* () {
      const report = yield* expectProblem(
        { yaml: (text) => replaceOnce(text, 'scale: { binary: ["No", "Yes"] }', "scale: { binary: No }") },
        "schema",
        new RegExp(
          `^study\\.yaml:${lineOf("scale: { binary")}: items\\[1\\]\\.scale\\.options: expected array, got "No"$`,
        ),
      )
      expect(report.problems).toHaveLength(1)
    }),
  )

  it.effect("4. an unknown field, suggesting the one that was meant", () =>
    expectProblem(
      { yaml: (text) => replaceOnce(text, "wording: Did you donate?", "wordng: Did you donate?") },
      "schema",
      /items\[1\]\.wordng: unknown field "wordng" \(did you mean "wording"\?\)[\s\S]*items\[1\]\.wording: this field is required/,
    ),
  )

  it.effect("5. a value YAML reads as a boolean where text is expected", () =>
    expectProblem(
      { yaml: (text) => replaceOnce(text, "value: control", "value: false") },
      "schema",
      /arms\[0\]\.value: expected string, got the boolean false \(it was read as a boolean: put it in quotes, e\.g\. "false"\)/,
    ),
  )

  it.effect("6. an ambiguous shorthand", () =>
    expectProblem(
      {
        yaml: (text) =>
          replaceOnce(
            text,
            'scale: { binary: ["No", "Yes"] }',
            'scale: { binary: ["No", "Yes"], likert: [a, b] }',
          ),
      },
      "schema",
      /items\[1\]\.scale: a shorthand holds exactly one of likert, binary, categorical, multiSelect, numeric; found likert and binary|found binary and likert/,
    ),
  )

  it.effect("7. a belief–action pair naming an unknown item, and a level not on the action's scale", () =>
    expectProblem(
      {
        yaml: (text) =>
          replaceOnce(
            replaceOnce(text, "belief: worry\n", "belief: wory\n"),
            'contraryLevels: ["No"]',
            "contraryLevels: [Nope]",
          ),
      },
      "definition",
      /beliefActionPairs\[0\]\.belief: unknown item "wory"[\s\S]*beliefActionPairs\[0\]\.action: "Nope" is not an option of donated/,
    ),
  )

  it.effect("8. an interaction of a variable that is not a predictor", () =>
    expectProblem(
      { yaml: (text) => replaceOnce(text, "interactions: [[arm, worried]]", "interactions: [[arm, worry]]") },
      "definition",
      /^study\.yaml:\d+: analyses\[0\]\.interactions\[0\]: "worry" is not a predictor$/m,
    ),
  )

  it.effect("9. a subgroup that is not a persona attribute", () =>
    expectProblem(
      { yaml: (text) => replaceOnce(text, "subgroups: [age]", "subgroups: [age, income]") },
      "definition",
      new RegExp(
        `^study\\.yaml:${lineOf("subgroups:")}: subgroups\\[1\\]: unknown persona attribute "income"$`,
        "m",
      ),
    ),
  )

  it.effect("10. a data file that is nowhere to be found", () =>
    Effect.gen(function* () {
      const dir = makeFolder()
      rmSync(join(dir, "data.csv"))
      const report = yield* check(dir)
      expect(report.problems.map((p) => p.kind)).toEqual(["data-file-missing"])
      expect(formatProblem(report.problems[0]!)).toMatch(
        new RegExp(
          `^study\\.yaml:${lineOf("file: data.csv")}: data\\.file: the data file "data\\.csv" was not found \\(looked in: .*data\\.csv`,
        ),
      )
    }),
  )

  it.effect("11. a checksum mismatch, with the sha256 to declare if the change was on purpose", () =>
    Effect.gen(function* () {
      const dir = makeFolder()
      const changed = csv(rows(23))
      writeFileSync(join(dir, "data.csv"), changed)
      const report = yield* check(dir)
      expect(report.problems.map((p) => p.kind)).toEqual(["checksum-mismatch"])
      expect(formatProblem(report.problems[0]!)).toContain(`data.sha256: `)
      expect(formatProblem(report.problems[0]!)).toContain(`set data.sha256 to ${sha256(changed)}`)
    }),
  )

  it.effect("12. a column the study declares that the data lacks", () =>
    expectProblem(
      { yaml: (text) => replaceOnce(text, "column: hours", "column: hours_volunteered") },
      "unknown-column",
      /^data\.csv, row 1, column "hours_volunteered": the header has no such column \(declared by items\[2\]\.column\)$/,
    ),
  )

  it.effect("13. a value outside the declared scale, at its row", () =>
    expectProblem(
      { data: withCell(7, "worry", "Somewhat agree") },
      "value-outside-scale",
      /^data\.csv, row 7, column "worry": "Somewhat agree" is not one of "Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"$/,
    ),
  )

  it.effect("14. a number outside the numeric range", () =>
    expectProblem(
      { data: withCell(3, "hours", "250") },
      "value-outside-scale",
      /row 3, column "hours": 250 is outside \[0, 100\]/,
    ),
  )

  it.effect("15. an arm value in the data that is no arm", () =>
    expectProblem(
      { data: withCell(5, "condition", "reminder2") },
      "unknown-arm-value",
      /^data\.csv, row 5, column "condition": "reminder2" is not an arm of this study \(expected "control" or "reminder"\)$/,
    ),
  )

  it.effect("16. an arm with no respondents", () =>
    expectProblem(
      { yaml: (text) => replaceOnce(text, "value: reminder", "value: reminded") },
      "arm-without-respondents",
      /^study\.yaml:\d+: arms\[1\]\.value: no respondent is in arm "reminder": no row of data\.csv has "reminded" in column "condition"$/m,
    ),
  )

  it.effect("17. an empty and a duplicate respondent id", () =>
    Effect.gen(function* () {
      const body = rows()
      body[3] = body[3]!.replace(/^p\d+/, "")
      body[9] = body[9]!.replace(/^p\d+/, "p002")
      const report = yield* expectProblem(
        { data: csv(body) },
        "respondent-id",
        /row 5, column "pid": the respondent id is empty/,
      )
      expect(lines(report.problems).join("\n")).toContain(
        'data.csv, row 11, column "pid": the id "p002" already appeared in row 3',
      )
    }),
  )

  it.effect("18. a persona value that is not a declared level, also inside a multi-select cell", () =>
    Effect.gen(function* () {
      const report = yield* expectProblem(
        { data: withCell(4, "languages", '"English,German"') },
        "persona-value",
        /^data\.csv, row 4, column "languages": "German" is not a declared level$/,
      )
      expect(report.respondents).toBe(23)
    }),
  )

  it.effect("19. a declared persona level that no respondent has", () =>
    expectProblem(
      {
        yaml: (text) =>
          replaceOnce(
            text,
            "levels: [English, Spanish, French]",
            "levels: [English, Spanish, French, Dutch]",
          ),
      },
      "persona-level-unseen",
      /^study\.yaml:\d+: persona\[1\]\.levels: the level "Dutch" of "languages" occurs in no row of data\.csv/,
    ),
  )

  it.effect("20. a reference level that does not occur in the data", () =>
    expectProblem(
      {
        yaml: (text) =>
          replaceOnce(
            replaceOnce(text, "levels: [18-34, 35-54, 55+]", "levels: [18-34, 35-54, 55+, 75+]"),
            "reference: 18-34",
            "reference: 75+",
          ),
      },
      "reference-level-absent",
      /analyses\[0\]\.predictors\[1\]\.coding\.reference: the reference level "75\+" of "age" occurs in no respondent \(levels in the data: "18-34", "35-54", "55\+"\)/,
    ),
  )

  it.effect("21. an analysis variable that is constant in the data", () =>
    expectProblem(
      {
        yaml: (text) =>
          replaceOnce(
            text,
            "coding: { indicator: [Agree, Strongly agree] }",
            "coding: { indicator: [Strongly disagree, Disagree, Neutral, Agree, Strongly agree] }",
          ),
      },
      "constant-variable",
      /analyses\[0\]\.predictors\[2\]: "worried" is constant in the data \(every respondent has one of/,
    ),
  )

  it.effect("22. a row with the wrong number of cells", () =>
    Effect.gen(function* () {
      const body = rows()
      body[1] = `${body[1]},extra`
      const report = yield* expectProblem(
        { data: csv(body) },
        "invalid-csv",
        /^data\.csv, row 3: expected 7 cells \(as in the header\), found 8$/,
      )
      expect(report.respondents).toBe(23)
    }),
  )

  it.effect("23. text left for the author to write", () =>
    expectProblem(
      { yaml: (text) => replaceOnce(text, "wording: Did you donate?", "wording: 'TODO: the question'") },
      "placeholder",
      new RegExp(
        `^study\\.yaml:${lineOf("wording: Did you")}: items\\[1\\]\\.wording: still a placeholder: "TODO: the question"$`,
      ),
    ),
  )

  it.effect("23b. a page's lead-in left for the author to write", () =>
    expectProblem(
      {
        yaml: (text) =>
          replaceOnce(
            text,
            "beliefActionPairs:",
            "pages:\n  - { id: first, context: 'TODO: the lead-in', items: [worry, donated, hours] }\nbeliefActionPairs:",
          ),
      },
      "placeholder",
      /^study\.yaml:\d+: pages\[0\]\.context: still a placeholder: "TODO: the lead-in"$/,
    ),
  )

  it.effect("24. a data file path that leaves the study folder", () =>
    expectProblem(
      { yaml: (text) => replaceOnce(text, "file: data.csv", "file: ../data.csv") },
      "definition",
      /data\.file: "\.\.\/data\.csv" must be a file name or a path inside the study folder/,
    ),
  )
})

describe("study check reports everything it finds", () => {
  it.effect("lists problems of several kinds at once, and summarises long runs of bad rows", () =>
    Effect.gen(function* () {
      const body = rows(40).map((row, i) => (i >= 10 ? row.replace(/,(Yes|No),/, ",Maybe,") : row))
      const data = csv(body)
      const dir = makeFolder({
        data,
        edit: (text) =>
          replaceOnce(
            replaceOnce(text, "subgroups: [age]", "subgroups: [agee]"),
            "column: hours",
            "column: hrs",
          ),
      })
      const report = yield* check(dir)
      const kinds = new Set(report.problems.map((p) => p.kind))
      expect([...kinds].sort()).toEqual(["definition", "unknown-column", "value-outside-scale"])
      const maybes = report.problems.filter((p) => p.kind === "value-outside-scale")
      // Five rows named, the other 25 summarised in one line.
      expect(maybes).toHaveLength(6)
      expect(formatProblem(maybes[5]!)).toBe(
        'data.csv, column "donated": 25 more rows with the same kind of problem (first at row 17)',
      )
      expect(report.omitted).toBe(25)
    }),
  )

  it.effect("accepts study.json as well", () =>
    Effect.gen(function* () {
      const data = csv()
      const { parse } = yield* Effect.promise(() => import("yaml"))
      const json = JSON.stringify(parse(studyYaml(sha256(data))), null, 2)
      const dir = makeFolder({ data, yaml: json, fileName: "study.json" })
      const report = yield* check(dir)
      expect(lines(report.problems)).toEqual([])
      const broken = makeFolder({
        data,
        yaml: json.replace('"respondentId": "pid",', '"respondentId": 7,'),
        fileName: "study.json",
      })
      expect(lines((yield* check(broken)).problems)).toEqual([
        expect.stringMatching(/^study\.json:\d+: respondentId: expected string, got the number 7/),
      ])
    }),
  )
})
