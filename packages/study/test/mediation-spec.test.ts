import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { checkStudyFolder } from "../src/check.js"
import { formatProblem } from "../src/problems.js"
import { makeFolder } from "./folder-fixture.js"

const check = (dir: string) =>
  checkStudyFolder(dir).pipe(
    Effect.provide(
      ConfigProvider.layer(
        ConfigProvider.fromEnv({ env: { STANDIN_CACHE_DIR: join(dir, ".no-cache"), STANDIN_OFFLINE: "1" } }),
      ),
    ),
  )

/** The fixture study with a mediator model (hours, OLS), an outcome model (donated, probit) and a mediation. */
const models = `  - id: hours-model
    label: Hours by reminder (OLS)
    family: gaussian
    outcome: { id: hours, source: { item: hours }, coding: numeric }
    predictors:
      - &treated { id: treated, source: arm, coding: { indicator: [reminder] } }
  - id: donated-model
    label: Donated by hours and reminder (probit)
    family: probit
    outcome: { id: donated, source: { item: donated }, coding: { indicator: ["Yes"] } }
    predictors:
      - { id: hours, source: { item: hours }, coding: numeric }
      - *treated
`
const problemsOf = (mediations: string, reference = "") =>
  Effect.gen(function* () {
    const report = yield* check(
      makeFolder({ edit: (yaml) => `${yaml}${models}mediations:\n${mediations}${reference}` }),
    )
    return report.problems.map(formatProblem)
  })

describe("study check: mediation analyses", () => {
  it.effect("accepts a mediation over two declared analyses, with a published reference", () =>
    Effect.gen(function* () {
      const problems = yield* problemsOf(
        `  - { id: via-hours, label: Reminder → hours → donation, mediatorModel: hours-model, outcomeModel: donated-model, treatment: treated, sims: 50, seed: 1, se: HC3 }
`,
        `reference:
  citation: made up
  tolerance: 0.001
  analyses: {}
  mediations:
    via-hours:
      sims: 1000
      estimates:
        acmeControl: { estimate: 0.01, lower: -0.02, upper: 0.04 }
`,
      )
      expect(problems).toEqual([])
    }),
  )

  it.effect("names the file and field of each mistake", () =>
    Effect.gen(function* () {
      const problems = yield* problemsOf(
        `  - { id: wrong-models, label: x, mediatorModel: donated-model, outcomeModel: nope, treatment: treated }
  - { id: no-treatment, label: x, mediatorModel: hours-model, outcomeModel: donated-model, treatment: arm, sims: 1.5 }
  - { id: no-mediator, label: x, mediatorModel: hours-model, outcomeModel: donated, treatment: treated }
`,
        `reference:
  citation: made up
  tolerance: 0.001
  analyses: {}
  mediations:
    unknown: { sims: 100, estimates: { acme: { estimate: 1 } } }
`,
      )
      const expected = [
        /study\.yaml.*mediations\[0\]\.mediatorModel.*must be family gaussian/,
        /study\.yaml.*mediations\[0\]\.outcomeModel.*"nope" is not a declared analysis/,
        /study\.yaml.*mediations\[1\]\.treatment.*"arm" is not a predictor of the mediatorModel "hours-model"/,
        /study\.yaml.*mediations\[1\]\.sims.*integer ≥ 2/,
        /study\.yaml.*mediations\[2\]\.treatment.*"treated" is not a predictor of the outcomeModel "donated"/,
        /study\.yaml.*mediations\[2\]\.outcomeModel.*must hold the mediator "hours"/,
        /study\.yaml.*reference\.mediations\.unknown.*not a declared mediation/,
        /study\.yaml.*reference\.mediations\.unknown\.estimates\.acme.*unknown figure/,
      ]
      for (const pattern of expected)
        expect(
          problems.some((p) => pattern.test(p)),
          String(pattern),
        ).toBe(true)
    }),
  )
})
