import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { checkStudyFolder } from "../src/check.js"
import { loadStudyFolder } from "../src/folder.js"
import { formatProblem } from "../src/problems.js"
import { sha256 } from "./folder-fixture.js"

/** A donation ask whose amounts differed by arm: the low arm was offered $1/$5, the high arm $5/$20. */
const study = (data: string, extra = "") => `formatVersion: 2
id: amounts
version: 1.0.0
title: Amounts
citation: made up
data: { file: data.csv, sha256: ${sha256(data)} }
respondentId: id
armColumn: arm
arms:
  - { id: low, label: Low anchors, value: low }
  - { id: high, label: High anchors, value: high }
items:
  - id: give
    column: give
    label: Amount
    wording: How much would you give?
    role: action
    scale: { categorical: [Nothing, $1, $5, $20] }
    optionsByArm:
      low: [Nothing, $1, $5]
      high: [Nothing, $5, $20]${extra}
`

const folder = (data: string, extra = "") => {
  const dir = mkdtempSync(join(tmpdir(), "standin-amounts-"))
  writeFileSync(join(dir, "data.csv"), data)
  writeFileSync(join(dir, "study.yaml"), study(data, extra))
  return dir
}

const offline = (dir: string) =>
  Effect.provide(
    ConfigProvider.layer(
      ConfigProvider.fromEnv({ env: { STANDIN_CACHE_DIR: join(dir, ".no-cache"), STANDIN_OFFLINE: "1" } }),
    ),
  )

describe("options that differ by arm", () => {
  it.effect("offers each arm its own options, in prompts and in the answer schema", () =>
    Effect.gen(function* () {
      const dir = folder("id,arm,give\na,low,$1\nb,high,$20\nc,low,Nothing\nd,high,$5\n")
      expect((yield* checkStudyFolder(dir).pipe(offline(dir))).problems.map(formatProblem)).toEqual([])
      const { plugin } = yield* loadStudyFolder(dir)
      const render = (arm: string, optionOrders?: Record<string, ReadonlyArray<string>>) =>
        plugin.experiment.renderPrompt(
          { id: "t", arm, persona: {} },
          {
            elicitation: "sample",
            includeDemographics: true,
            ...(optionOrders === undefined ? {} : { optionOrders }),
          },
        )
      const low = render("low")
      expect(low.messages[1]!.content).toContain('Options: "Nothing", "$1", "$5"')
      expect(
        (low.responseSchema as { properties: { give: { enum: Array<string> } } }).properties.give.enum,
      ).toEqual(["Nothing", "$1", "$5"])
      const high = render("high")
      expect(high.messages[1]!.content).toContain('Options: "Nothing", "$5", "$20"')
      // A reversed run reverses the arm's own options, never adding another arm's.
      const reversed = render("high", { give: ["$20", "$5", "$1", "Nothing"] })
      expect(reversed.messages[1]!.content).toContain('Options: "$20", "$5", "Nothing"')
    }),
  )

  it.effect("study check: an answer an arm was not offered, an unknown arm, an option not on the scale", () =>
    Effect.gen(function* () {
      const dir = folder("id,arm,give\na,low,$20\nb,high,$5\nc,low,$1\nd,high,Nothing\n")
      const lines = (yield* checkStudyFolder(dir).pipe(offline(dir))).problems.map(formatProblem)
      expect(lines).toContain(
        'data.csv, row 2, column "give": "$20" was not offered in arm "low" (its options: "Nothing", "$1", "$5")',
      )
      const bad = folder("id,arm,give\na,low,$1\nb,high,$5\n", "\n      medium: [Nothing, $10]")
      const badLines = (yield* checkStudyFolder(bad).pipe(offline(bad))).problems.map(formatProblem)
      expect(
        badLines.some((line) =>
          /items\[0\]\.optionsByArm: unknown arm "medium" \(arms: low, high\)$/.test(line),
        ),
      ).toBe(true)
      expect(
        badLines.some((line) =>
          /items\[0\]\.optionsByArm\.medium: "\$10" is not an option of give: list every option any arm saw in the scale/.test(
            line,
          ),
        ),
      ).toBe(true)
    }),
  )
})
