import { createHash } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * A small, made-up two-arm study (a reminder to donate) as a study folder: study.yaml with the data
 * file next to it. Tests break one thing at a time and check that `study check` names it.
 */
export const header = "pid,condition,age_group,languages,worry,donated,hours"

const ages = ["18-34", "35-54", "55+"]
const agree = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
const languages = ["English", "Spanish", "English,Spanish", "French", "English,French"]

/** Deterministic rows: every arm, age group and language appears; answers vary. */
export const rows = (n = 24): Array<string> =>
  Array.from({ length: n }, (_, i) => {
    const condition = i % 2 === 0 ? "control" : "reminder"
    const worry = agree[(i * 3) % 5]!
    const donated = (i * 7) % 3 === 0 ? "No" : "Yes"
    return [
      `p${String(i + 1).padStart(3, "0")}`,
      condition,
      ages[i % 3],
      `"${languages[i % 5]}"`,
      worry,
      donated,
      (i % 9) + 0.5,
    ].join(",")
  })

export const csv = (body: ReadonlyArray<string> = rows()): string => `${header}\n${body.join("\n")}\n`

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex")

export const studyYaml = (sha: string): string => `id: reminder
version: 0.1.0
title: A reminder to donate
description: Made up for tests.
citation: unpublished
data:
  file: data.csv
  sha256: ${sha}
respondentId: pid
armColumn: condition
arms:
  - id: control
    label: No reminder
    value: control
  - id: reminder
    label: Reminder
    value: reminder
    stimulus: You received a reminder that the charity drive ends tomorrow.
persona:
  - id: age
    column: age_group
    label: Age group
    levels: [18-34, 35-54, 55+]
  - id: languages
    column: languages
    label: Languages spoken
    multiple: true
    separator: ","
    levels: [English, Spanish, French]
subgroups: [age]
items:
  - id: worry
    column: worry
    label: Worried about the cause
    wording: I worry about the cause this charity supports.
    scale: { likert: [Strongly disagree, Disagree, Neutral, Agree, Strongly agree] }
    role: belief
  - id: donated
    column: donated
    label: Donated
    wording: Did you donate?
    scale: { binary: ["No", "Yes"] }
    role: action
  - id: hours
    column: hours
    label: Hours volunteered
    wording: How many hours did you volunteer last month?
    scale: { numeric: { min: 0, max: 100, integer: false } }
    role: covariate
beliefActionPairs:
  - id: worry-donated
    label: Worried, yet did not donate
    belief: worry
    believerLevels: [Agree, Strongly agree]
    action: donated
    contraryLevels: ["No"]
analyses:
  - id: donated
    label: Donated by arm (logistic)
    family: binomial
    outcome: { id: donated, source: { item: donated }, coding: { indicator: ["Yes"] } }
    predictors:
      - { id: arm, source: arm, coding: { categorical: { reference: control } } }
      - { id: age, source: { persona: age }, coding: { categorical: { reference: 18-34 } } }
      - { id: worried, source: { item: worry }, coding: { indicator: [Agree, Strongly agree] } }
    interactions: [[arm, worried]]
    treatment: arm
`

export interface FolderParts {
  readonly yaml?: string
  readonly data?: string
  /** Replace the study file's text (after the checksum is filled in). */
  readonly edit?: (yaml: string) => string
  /** Leave the data file out. */
  readonly noData?: boolean
  readonly fileName?: string
}

/** Writes a study folder; by default a valid one. */
export const makeFolder = (parts: FolderParts = {}): string => {
  const dir = mkdtempSync(join(tmpdir(), "standin-study-"))
  const data = parts.data ?? csv()
  const yaml = (parts.edit ?? ((text: string) => text))(parts.yaml ?? studyYaml(sha256(data)))
  writeFileSync(join(dir, parts.fileName ?? "study.yaml"), yaml)
  if (parts.noData !== true) writeFileSync(join(dir, "data.csv"), data)
  return dir
}

/** Replaces exactly one occurrence, so a test cannot silently edit nothing. */
export const replaceOnce = (text: string, from: string, to: string): string => {
  const at = text.indexOf(from)
  if (at === -1 || text.indexOf(from, at + 1) !== -1) throw new Error(`"${from}" must occur exactly once`)
  return text.slice(0, at) + to + text.slice(at + from.length)
}
