import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { skippedItems, twinOf, twinPages } from "@standin/core"
import { ConfigProvider, Effect } from "effect"
import { checkStudyFolder } from "../src/check.js"
import { loadStudyFolder } from "../src/folder.js"
import { formatProblem } from "../src/problems.js"
import { sha256 } from "./folder-fixture.js"

/**
 * A screener (q1), a follow-up asked only of those who said Yes (q2), an item asked only in the shown arm
 * (q3) and one only in the hidden arm (q4). The survey software wrote filler into cells nobody was asked.
 */
const DATA = `id,arm,q1,q2,q3,q4
a,shown,Yes,Often,Agree,
b,shown,No,FILLER,Disagree,
c,hidden,Yes,Rarely,,Agree
d,hidden,No,,-,Disagree
`

const yaml = (askedIf: Record<string, string>) => `formatVersion: 2
id: screener
version: 1.0.0
title: Screener
citation: made up
data: { file: data.csv, sha256: ${sha256(DATA)} }
respondentId: id
armColumn: arm
arms:
  - { id: shown, label: Shown, value: shown, stimulus: "Here is your data." }
  - { id: hidden, label: Hidden, value: hidden }
persona: []
items:
  - { id: q1, column: q1, label: Uses, wording: Do you use it?, role: action, scale: { binary: ["No", "Yes"] } }
  - { id: q2, column: q2, label: How often, wording: How often?, role: covariate, scale: { likert: [Rarely, Often] }${askedIf.q2 === undefined ? "" : `, askedIf: '${askedIf.q2}'`} }
  - { id: q3, column: q3, label: Shown, wording: Did the data surprise you?, role: belief, scale: { likert: [Disagree, Agree] }${askedIf.q3 === undefined ? "" : `, askedIf: '${askedIf.q3}'`} }
  - { id: q4, column: q4, label: Hidden, wording: Would you like to see your data?, role: belief, scale: { likert: [Disagree, Agree] }${askedIf.q4 === undefined ? "" : `, askedIf: '${askedIf.q4}'`} }
pages:
  - { id: screen, items: [q1] }
  - { id: follow, items: [q2, q3] }
  - { id: last, items: [q4] }
`

const CONDITIONS = { q2: 'q1 == "Yes"', q3: 'arm == "shown"', q4: 'arm == "hidden"' }

const folder = (conditions: Record<string, string> = CONDITIONS) => {
  const dir = mkdtempSync(join(tmpdir(), "standin-skip-"))
  writeFileSync(join(dir, "data.csv"), DATA)
  writeFileSync(join(dir, "study.yaml"), yaml(conditions))
  return dir
}

const offline = (dir: string) =>
  Effect.provide(
    ConfigProvider.layer(
      ConfigProvider.fromEnv({ env: { STANDIN_CACHE_DIR: join(dir, ".no-cache"), STANDIN_OFFLINE: "1" } }),
    ),
  )

describe("skip logic", () => {
  it.effect("reads cells nobody was asked as missing (filler is not an error) and the rest as answers", () =>
    Effect.gen(function* () {
      const dir = folder()
      const report = yield* checkStudyFolder(dir).pipe(offline(dir))
      expect(report.problems.map(formatProblem)).toEqual([])
      const loaded = yield* loadStudyFolder(dir)
      const people = (yield* loaded.plugin.experiment.loadHumanData.pipe(offline(dir))).respondents
      expect(people.map((person) => [person.id, person.answers])).toEqual([
        ["a", { q1: "Yes", q2: "Often", q3: "Agree", q4: null }],
        ["b", { q1: "No", q2: null, q3: "Disagree", q4: null }],
        ["c", { q1: "Yes", q2: "Rarely", q3: null, q4: "Agree" }],
        ["d", { q1: "No", q2: null, q3: null, q4: "Disagree" }],
      ])
      expect(people.map((person) => skippedItems(loaded.definition, person))).toEqual([
        ["q4"],
        ["q2", "q4"],
        ["q3"],
        ["q2", "q3"],
      ])
      // Without the condition, the filler is an answer off the scale.
      const strict = folder({ q3: CONDITIONS.q3, q4: CONDITIONS.q4 })
      const lines = (yield* checkStudyFolder(strict).pipe(offline(strict))).problems.map(formatProblem)
      expect(lines).toContain('data.csv, row 3, column "q2": "FILLER" is not one of "Rarely", "Often"')
    }),
  )

  it.effect("asks each twin exactly what its human was asked, page by page", () =>
    Effect.gen(function* () {
      const dir = folder()
      const loaded = yield* loadStudyFolder(dir)
      const study = loaded.definition
      const people = (yield* loaded.plugin.experiment.loadHumanData.pipe(offline(dir))).respondents
      const twins = people.map((person, index) => twinOf(study, person, `t${index}`))
      expect(twins[1]).toEqual({ id: "t1", arm: "shown", persona: {}, skipped: ["q2", "q4"] })
      expect("answers" in twins[1]!).toBe(false)
      expect(twinPages(study, twins[3]!).map((page) => [page.id, page.items.map((item) => item.id)])).toEqual(
        [
          ["screen", ["q1"]],
          ["last", ["q4"]],
        ],
      )
      const render = loaded.plugin.experiment.renderPrompt
      // b (shown, said No): the follow-up page holds q3 only, and its schema asks for q3 only.
      const follow = render(twins[1]!, {
        elicitation: "sample",
        includeDemographics: true,
        page: 1,
        history: [{ q1: "No" }],
      })
      const turn = follow.messages.at(-1)!.content
      expect(turn).toContain("[q3] Did the data surprise you?")
      expect(turn).not.toContain("[q2]")
      expect((follow.responseSchema as { required: Array<string> }).required).toEqual(["q3"])
      // d (hidden, said No) skips the whole second page: its conversation goes from page 1 to page 3.
      const last = render(twins[3]!, {
        elicitation: "sample",
        includeDemographics: true,
        page: 2,
        history: [{ q1: "No" }, {}],
      })
      expect(last.messages.map((message) => message.role)).toEqual(["system", "user", "assistant", "user"])
      expect(last.messages[2]!.content).toBe('{"q1":"No"}')
      expect(last.messages[3]!.content).toContain("[q4] Would you like to see your data?")
    }),
  )

  it.effect("opens the conversation on the first page a twin is asked, with the preamble and stimulus", () =>
    Effect.gen(function* () {
      const dir = folder({ ...CONDITIONS, q2: 'arm == "shown"' })
      // q1 asked only in the shown arm: a hidden twin starts on page 2 (q2 is skipped too, q3 shown-only).
      writeFileSync(
        join(dir, "study.yaml"),
        yaml({ ...CONDITIONS, q2: 'arm == "shown"' }).replace(
          'scale: { binary: ["No", "Yes"] } }',
          `scale: { binary: ["No", "Yes"] }, askedIf: 'arm == "shown"' }`,
        ),
      )
      const loaded = yield* loadStudyFolder(dir)
      const twin = twinOf(loaded.definition, { arm: "hidden", persona: {}, answers: {} }, "t")
      expect(twin.skipped).toEqual(["q1", "q2", "q3"])
      const prompt = loaded.plugin.experiment.renderPrompt(twin, {
        elicitation: "sample",
        includeDemographics: true,
        page: 2,
        history: [{}, {}],
      })
      expect(prompt.messages.map((message) => message.role)).toEqual(["system", "user"])
      expect(prompt.messages[1]!.content).toContain("[q4]")
    }),
  )

  const mistakes: ReadonlyArray<readonly [string, Record<string, string>, RegExp]> = [
    [
      "a condition on a later item",
      { q2: 'q3 == "Agree"' },
      /items\[1\]\.askedIf: at character 1: "q3" is asked after this item; a condition reads only the arm, factors, persona and earlier items$/,
    ],
    [
      "a condition that is not a yes/no",
      { q2: "arm" },
      /items\[1\]\.askedIf: must be a condition \(e\.g\. q1 == "Yes"\), not a text$/,
    ],
    [
      "a condition with a level the item does not have",
      { q2: 'q1 == "Maybe"' },
      /items\[1\]\.askedIf: at character 7 of .*"Maybe" is not a level of "q1" \("No", "Yes"\)$/,
    ],
  ]
  for (const [name, conditions, message] of mistakes) {
    it.effect(`study check explains ${name}`, () =>
      Effect.gen(function* () {
        const dir = folder({ ...CONDITIONS, ...conditions })
        const lines = (yield* checkStudyFolder(dir).pipe(offline(dir))).problems.map(formatProblem)
        expect(
          lines.some((line) => message.test(line)),
          lines.join("\n"),
        ).toBe(true)
      }),
    )
  }
})
