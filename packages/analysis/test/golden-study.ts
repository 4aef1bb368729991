import { readFileSync } from "node:fs"
import { join } from "node:path"
import type { AnalysisSpec, StudyDefinition } from "@standin/core"
import type { AnalysisRow } from "../src/index.js"

interface Expected {
  readonly n: number
  readonly coefficients: Readonly<Record<string, { readonly estimate: number; readonly se: number }>>
  readonly logLikelihood?: number
  readonly pseudoR2?: number
  readonly rSquared?: number
}

/** The survey and statsmodels fits written by test/golden/make_golden_analysis.py. */
export const golden = JSON.parse(readFileSync(join(__dirname, "golden", "analysis.json"), "utf8")) as {
  readonly levels: Readonly<Record<"arm" | "gender" | "age" | "vote" | "agree", ReadonlyArray<string>>>
  readonly rows: ReadonlyArray<AnalysisRow>
  readonly analyses: ReadonlyArray<{ readonly spec: AnalysisSpec; readonly expected: Expected }>
}

/** The study the golden survey belongs to (only what the analyses read: arms, persona attributes, items). */
export const goldenStudy: StudyDefinition = {
  id: "golden-survey",
  version: "1",
  title: "A synthetic survey for the analysis goldens",
  description: "",
  citation: "",
  data: { directory: "golden-survey", file: "survey.csv", sha256: "0".repeat(64) },
  respondentId: "id",
  armColumn: "arm",
  arms: golden.levels.arm.map((id) => ({ id, label: id, value: id, stimulus: "" })),
  persona: (["gender", "age"] as const).map((id) => ({
    id,
    column: id,
    label: id,
    multiple: false,
    levels: golden.levels[id],
    template: `${id}: {value}`,
  })),
  subgroups: [],
  items: [
    {
      id: "income",
      column: "income",
      wording: "Income decile",
      label: "income",
      scale: { _tag: "Numeric", min: 1, max: 10, integer: true },
      role: "covariate",
    },
    {
      id: "vote",
      column: "vote",
      wording: "Vote",
      label: "vote",
      scale: { _tag: "Categorical", options: golden.levels.vote },
      role: "outcome",
    },
    {
      id: "agree",
      column: "agree",
      wording: "Agree?",
      label: "agree",
      scale: { _tag: "Likert", options: golden.levels.agree },
      role: "outcome",
    },
    {
      id: "share",
      column: "share",
      wording: "Share?",
      label: "share",
      scale: { _tag: "Binary", options: ["No", "Yes"] },
      role: "action",
    },
    {
      id: "score",
      column: "score",
      wording: "Score",
      label: "score",
      scale: { _tag: "Numeric", min: 0, max: 100, integer: false },
      role: "outcome",
    },
  ],
  preamble: "",
  beliefActionPairs: [],
  analyses: golden.analyses.map((analysis) => analysis.spec),
  figures: [],
  privateColumns: ["id"],
  trimWhitespace: true,
}
