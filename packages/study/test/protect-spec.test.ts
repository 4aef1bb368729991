import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { checkStudyFolder } from "../src/check.js"
import { formatProblem } from "../src/problems.js"
import { makeFolder, replaceOnce } from "./folder-fixture.js"

const check = (dir: string) =>
  checkStudyFolder(dir).pipe(
    Effect.provide(
      ConfigProvider.layer(
        ConfigProvider.fromEnv({ env: { STANDIN_CACHE_DIR: join(dir, ".no-cache"), STANDIN_OFFLINE: "1" } }),
      ),
    ),
  )

/** The fixture study (format 2) with a design declared on "donated" (binary) or "hours" (numeric). */
const problemsOf = (item: "donated" | "hours", protect: string) =>
  Effect.gen(function* () {
    const anchor =
      item === "donated"
        ? "    wording: Did you donate?\n"
        : "    wording: How many hours did you volunteer last month?\n"
    const report = yield* check(
      makeFolder({
        edit: (yaml) =>
          `formatVersion: 2\n${replaceOnce(yaml, anchor, `${anchor}    protect: ${protect}\n`)}`,
      }),
    )
    return { problems: report.problems.map(formatProblem), report }
  })

describe("study check: designs that protect respondents", () => {
  it.effect("accepts each design, with probabilities written as fractions", () =>
    Effect.gen(function* () {
      for (const [item, protect] of [
        ["donated", "{ forcedResponse: { pYes: 1/6, pNo: 1/6 } }"],
        ["donated", "{ warner: { p: 0.7, told: { statement: [A], negation: [B] } } }"],
        ["donated", '{ crosswise: { p: 1/4, innocuous: "My birthday is in spring." } }'],
        ["hours", "{ list: { control: control, treatment: reminder } }"],
      ] as const)
        expect((yield* problemsOf(item, protect)).problems).toEqual([])
    }),
  )

  it.effect("names each mistake's field and what to do", () =>
    Effect.gen(function* () {
      const only = (problems: ReadonlyArray<string>) => {
        expect(problems).toHaveLength(1)
        return problems[0]!
      }
      expect(
        only((yield* problemsOf("donated", "{ forcedResponse: { pYes: -0.1, pNo: 0.2 } }")).problems),
      ).toMatch(
        /study\.yaml:\d+: items\[1\]\.protect\.pYes: pYes is a probability: it must be between 0 and 1 \(got -0\.1\)/,
      )
      expect(
        only((yield* problemsOf("donated", "{ forcedResponse: { pYes: 1/2, pNo: 1/2 } }")).problems),
      ).toMatch(/items\[1\]\.protect: pYes \+ pNo is 1: nobody would answer truthfully/)
      expect(
        only((yield* problemsOf("donated", '{ crosswise: { p: 0.5, innocuous: "x" } }')).problems),
      ).toMatch(/items\[1\]\.protect\.p: p = 0\.5 makes every answer pure chance/)
      expect(
        only((yield* problemsOf("donated", '{ crosswise: { p: 0.2, innocuous: " " } }')).problems),
      ).toMatch(/items\[1\]\.protect\.innocuous: state the innocuous statement/)
      expect(
        only(
          (yield* problemsOf(
            "donated",
            "{ forcedResponse: { pYes: 0.1, pNo: 0.1, told: { yes: [], no: [B], truth: [C] } } }",
          )).problems,
        ),
      ).toMatch(/items\[1\]\.protect\.told\.yes: list at least one text/)
      expect(only((yield* problemsOf("hours", "{ warner: { p: 0.7 } }")).problems)).toMatch(
        /items\[2\]\.protect: a Warner item is answered with two options: give "hours" a binary scale/,
      )
      expect(
        only((yield* problemsOf("donated", "{ list: { control: control, treatment: reminder } }")).problems),
      ).toMatch(
        /items\[1\]\.protect: a list experiment's answer is how many statements apply: give "donated" a numeric scale/,
      )
      const arms = (yield* problemsOf(
        "hours",
        "{ list: { control: control, treatment: control, items: 2.5 } }",
      )).problems
      expect(arms).toEqual([
        expect.stringMatching(
          /items\[2\]\.protect\.treatment: the treatment and control lists must be different arms/,
        ),
        expect.stringMatching(
          /items\[2\]\.protect\.items: items is the number of control statements: a whole number/,
        ),
      ])
      expect(
        only((yield* problemsOf("hours", "{ list: { control: placebo, treatment: reminder } }")).problems),
      ).toMatch(
        /items\[2\]\.protect\.control: "placebo" is not an arm of this study \(arms: control, reminder\)/,
      )
      expect(only((yield* problemsOf("donated", "{ coinFlip: { p: 0.5 } }")).problems)).toMatch(
        /items\[1\]\.protect/,
      )
    }),
  )
})
