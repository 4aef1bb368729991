import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { derivedCode, derivedMeasures, twinOf } from "@standin/core"
import { ConfigProvider, Effect } from "effect"
import { checkStudyFolder } from "../src/check.js"
import { loadStudyFolder } from "../src/folder.js"
import { formatProblem } from "../src/problems.js"

const fixture = join(import.meta.dirname, "fixtures/factorial-index")

const environment = (dir: string) =>
  Effect.provide(
    ConfigProvider.layer(
      ConfigProvider.fromEnv({ env: { STANDIN_CACHE_DIR: join(dir, ".no-cache"), STANDIN_OFFLINE: "1" } }),
    ),
  )

const edited = (edit: (yaml: string) => string): string => {
  const dir = mkdtempSync(join(tmpdir(), "standin-derived-"))
  copyFileSync(join(fixture, "data.csv"), join(dir, "data.csv"))
  writeFileSync(join(dir, "study.yaml"), edit(readFileSync(join(fixture, "study.yaml"), "utf8")))
  return dir
}

const problemLines = (dir: string) =>
  checkStudyFolder(dir).pipe(
    environment(dir),
    Effect.map((report) => report.problems.map(formatProblem)),
  )

const trustDeclaration = "expression: mean(t1, t2, reverse(t3), t4, reverse(t5), reverse(t6), t7)\n"

describe("derived variables the metrics score", () => {
  it.effect("the fixture's trust index (an analysis outcome) is scored over its 43 possible means", () =>
    Effect.gen(function* () {
      const folder = yield* loadStudyFolder(fixture).pipe(environment(fixture))
      const data = yield* folder.plugin.experiment.loadHumanData.pipe(environment(fixture))
      const study = folder.definition
      const [trust] = derivedMeasures(study)
      expect(trust).toMatchObject({ _tag: "Levels", id: "trust", ordered: true })
      if (trust?._tag !== "Levels") return
      expect(trust.levels.length).toBe(43)
      expect(trust.levels[0]).toBe("1")
      expect(trust.levels[42]).toBe("7")
      // Every human with all seven answers has a level; one with "prefer not to say" has none.
      const codes = data.respondents.map((respondent) => derivedCode(study, trust, respondent))
      expect(codes.some((code) => code === -1)).toBe(true)
      expect(codes.filter((code) => code >= 0).length).toBeGreaterThan(500)
    }),
  )

  it.effect("no prompt a twin gets holds a derived variable: not its label, expression or answer slot", () =>
    Effect.gen(function* () {
      const dir = edited((yaml) =>
        yaml
          .replace("  - id: trust\n", "  - id: trustindexscore\n")
          .replace("{ derived: trust }", "{ derived: trustindexscore }")
          .replace(trustDeclaration, `${trustDeclaration}    score: true\n`),
      )
      const folder = yield* loadStudyFolder(dir).pipe(environment(dir))
      const data = yield* folder.plugin.experiment.loadHumanData.pipe(environment(dir))
      const study = folder.definition
      expect(derivedMeasures(study).map((measure) => measure.id)).toEqual(["trustindexscore"])
      const variable = study.derived![0]!
      for (const [index, respondent] of data.respondents.entries()) {
        for (const elicitation of ["sample", "verbalized"] as const) {
          const prompt = folder.plugin.experiment.renderPrompt(twinOf(study, respondent, `t${index}`), {
            elicitation,
            includeDemographics: true,
          })
          const text = JSON.stringify(prompt)
          // The prompt is the real one (the items are asked) …
          expect(text).toContain("The message is trustworthy.")
          // … and the derived variable is nowhere in it.
          expect(text).not.toContain("trustindexscore")
          expect(text).not.toContain(variable.label)
          expect(text).not.toContain("reverse(")
        }
      }
    }),
  )

  it.effect("study check explains a `score: true` that cannot hold", () =>
    Effect.gen(function* () {
      const personaOnly = edited((yaml) =>
        yaml.replace(
          "analyses:\n",
          "  - id: older\n    label: 65 or older\n    expression: age >= 65\n    score: true\nanalyses:\n",
        ),
      )
      expect(yield* problemLines(personaOnly)).toEqual([
        expect.stringMatching(
          /^study\.yaml:\d+: derived\[1\]\.score: "older" reads no answer \(only the persona, factors or arm, which a twin shares with its human\), so humans and twins agree on it by construction; remove `score: true`$/,
        ),
      ])
      const numeric = edited((yaml) =>
        yaml.replace(
          "analyses:\n",
          "  - id: perage\n    label: Trust per year\n    expression: t1 / age\n    score: true\nanalyses:\n",
        ),
      )
      expect(yield* problemLines(numeric)).toEqual([
        expect.stringMatching(
          /^study\.yaml:\d+: derived\[1\]\.score: "perage" cannot be scored: a numeric derived variable is scored only when its possible values are a finite set of at most 101 .*; remove `score: true`$/,
        ),
      ])
    }),
  )
})
