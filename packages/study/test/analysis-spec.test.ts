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

/** The fixture study with one more analysis (YAML lines under `analyses:`, indented as list items). */
const withAnalysis = (analysis: string) => makeFolder({ edit: (yaml) => `${yaml}${analysis}` })

const problemsOf = (analysis: string) =>
  Effect.gen(function* () {
    const report = yield* check(withAnalysis(analysis))
    return report.problems.map(formatProblem)
  })

const worryOrdinal = (coding: string, extra = "") => `  - id: worry-ordinal
    label: Worry by arm (ordered logit)
    family: ordinal
    outcome: { id: worry, source: { item: worry }, coding: ${coding} }
    predictors:
      - { id: arm, source: arm, coding: { categorical: { reference: control } } }
${extra}`

describe("study check: analysis families, subsets and standard errors", () => {
  it.effect(
    "accepts probit, multinomial and ordinal analyses with subsets (shorthand sources) and HC SEs",
    () =>
      Effect.gen(function* () {
        const problems = yield* problemsOf(`${worryOrdinal(
          "{ categorical: { reference: Strongly disagree } }",
          `    subset:
      - { source: { persona: age }, levels: [18-34, 35-54] }
      - { source: arm, levels: [control, reminder] }
    se: HC1
`,
        )}  - id: donated-probit
    label: Donated (probit)
    family: probit
    outcome: { id: donated, source: { item: donated }, coding: { indicator: ["Yes"] } }
    predictors:
      - { id: arm, source: arm, coding: { categorical: { reference: control } } }
    se: HC3
  - id: age-multinomial
    label: Age group by worry (multinomial)
    family: multinomial
    outcome: { id: age, source: { persona: age }, coding: { categorical: { reference: 18-34 } } }
    predictors:
      - { id: worried, source: { item: worry }, coding: { indicator: [Agree, Strongly agree] } }
`)
        expect(problems).toEqual([])
      }),
  )

  it.effect("names the field when the outcome's coding does not fit the family", () =>
    Effect.gen(function* () {
      const multinomial = yield* problemsOf(`  - id: donated-multinomial
    label: Donated (multinomial)
    family: multinomial
    outcome: { id: donated, source: { item: donated }, coding: { indicator: ["Yes"] } }
    predictors:
      - { id: arm, source: arm, coding: { categorical: { reference: control } } }
`)
      expect(multinomial.join("\n")).toMatch(
        /study\.yaml.*analyses\[1\]\.outcome\.coding.*a multinomial outcome must be categorical/,
      )
      const probit = yield* problemsOf(`  - id: worry-probit
    label: Worry (probit)
    family: probit
    outcome: { id: worry, source: { item: worry }, coding: numeric }
    predictors:
      - { id: arm, source: arm, coding: { categorical: { reference: control } } }
`)
      expect(probit.join("\n")).toMatch(
        /analyses\[1\]\.outcome\.coding.*a probit outcome must be an indicator/,
      )
    }),
  )

  it.effect("wants an ordinal outcome's reference to be its lowest level", () =>
    Effect.gen(function* () {
      const problems = yield* problemsOf(worryOrdinal("{ categorical: { reference: Agree } }"))
      expect(problems.join("\n")).toMatch(
        /analyses\[1\]\.outcome\.coding\.reference.*lowest level, "Strongly disagree"/,
      )
    }),
  )

  it.effect("refuses HC2/HC3 for multinomial and ordinal analyses", () =>
    Effect.gen(function* () {
      const problems = yield* problemsOf(
        worryOrdinal("{ categorical: { reference: Strongly disagree } }", "    se: HC3\n"),
      )
      expect(problems.join("\n")).toMatch(
        /analyses\[1\]\.se.*HC3 standard errors are not defined for an ordinal analysis.*use HC0 or HC1/,
      )
    }),
  )

  it.effect("checks each subset condition's source and levels", () =>
    Effect.gen(function* () {
      const problems = yield* problemsOf(
        worryOrdinal(
          "{ categorical: { reference: Strongly disagree } }",
          `    subset:
      - { source: { persona: region }, levels: [North] }
      - { source: { persona: age }, levels: [18-34, 99+] }
      - { source: arm, levels: [] }
      - { source: { item: hours }, levels: [lots] }
`,
        ),
      )
      const text = problems.join("\n")
      expect(text).toMatch(
        /analyses\[1\]\.subset\[0\]\.source\.attribute.*unknown persona attribute "region"/,
      )
      expect(text).toMatch(/analyses\[1\]\.subset\[1\]\.levels.*"99\+" is not a level of the source/)
      expect(text).toMatch(/analyses\[1\]\.subset\[2\]\.levels.*at least one level/)
      expect(text).toMatch(/analyses\[1\]\.subset\[3\]\.levels.*"lots" is not a number/)
    }),
  )

  it.effect("refuses an unknown family and an unknown se, naming the field", () =>
    Effect.gen(function* () {
      const family = yield* problemsOf(
        worryOrdinal("{ categorical: { reference: Strongly disagree } }").replace(
          "family: ordinal",
          "family: tobit",
        ),
      )
      expect(family.join("\n")).toMatch(/analyses\[1\]\.family/)
      const se = yield* problemsOf(
        worryOrdinal("{ categorical: { reference: Strongly disagree } }", "    se: HC4\n"),
      )
      expect(se.join("\n")).toMatch(/analyses\[1\]\.se/)
    }),
  )
})
