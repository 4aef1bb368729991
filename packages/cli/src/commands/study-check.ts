import { relative } from "node:path"
import { derivedMeasures } from "@standin/core"
import { checkStudyFolder, formatProblem, type StudyCheckReport } from "@standin/study"
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import type { Catalog } from "../catalog.js"

/** The report `standin study check` prints: every problem on its own line, then a one-line verdict. */
export const checkReportText = (report: StudyCheckReport, shown: string): string => {
  const lines: Array<string> = []
  const study = report.study
  if (study !== undefined) {
    const data =
      report.rows === undefined
        ? ""
        : `; ${report.rows.toLocaleString("en-US")} rows in ${study.data.file}, ${report.respondents?.toLocaleString("en-US")} without problems`
    lines.push(`study "${study.id}" (${study.items.length} items, ${study.arms.length} arms${data})`)
  }
  for (const problem of report.problems) lines.push(`  ${formatProblem(problem)}`)
  const scored = study === undefined || report.problems.length > 0 ? [] : derivedMeasures(study)
  if (scored.length > 0)
    lines.push(
      `derived variables the item metrics score like items: ${scored
        .map((measure) =>
          measure._tag === "Unscorable"
            ? `${measure.id} (left unscored: numeric with no small finite set of values)`
            : `${measure.id} (${measure.levels.length} ${measure.values === undefined ? "levels" : "possible values"})`,
        )
        .join(", ")}`,
    )
  if (
    study !== undefined &&
    study.analyses.length > 0 &&
    !report.analysesChecked &&
    report.problems.length === 0
  ) {
    lines.push(
      "note: the declared analyses were not checked for identifiability (rank deficiency, separation): no analysis checker is installed.",
    )
  }
  const count = report.problems.length
  lines.push(
    report.problems.length === 0
      ? `ok: ${shown} has no problems.`
      : `${shown}: ${count} problem${count === 1 ? "" : "s"}${report.omitted > 0 ? ` listed (${report.omitted} more rows summarised)` : ""}.`,
  )
  return `${lines.join("\n")}\n`
}

export const studyCheckCommand = (catalog: Catalog) =>
  Command.make(
    "check",
    { dir: Argument.String("dir").pipe(Argument.withDescription("The study folder.")) },
    (input) =>
      Effect.gen(function* () {
        const report = yield* checkStudyFolder(input.dir, {
          ...(catalog.checkAnalyses === undefined ? {} : { checkAnalyses: catalog.checkAnalyses }),
        })
        const shown = relative(process.cwd(), report.dir) || "."
        process.stdout.write(checkReportText(report, shown.startsWith("..") ? report.dir : shown))
        if (report.problems.length > 0) process.exitCode = 1
      }),
  ).pipe(
    Command.withDescription(
      "Check a study folder: its definition (syntax, fields, consistency, TODOs left), its data file (found, checksum, CSV) and the data against the definition (columns, every cell, arms, persona levels, reference levels). Lists every problem with its file, row, column or field; exits 1 if there is any.",
    ),
  )
