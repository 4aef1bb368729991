import type { Respondent, StudyDefinition } from "@standin/core"

/** A small study shaped like the bundled one: one binary action, two Likert beliefs, two arms. */
export const fixtureStudy: StudyDefinition = {
  id: "fixture",
  version: "1.0.0",
  title: "Fixture",
  description: "A test study.",
  citation: "none",
  data: { directory: "fixture", file: "fixture.csv", sha256: "0".repeat(64) },
  respondentId: "id",
  armColumn: "arm",
  arms: [
    { id: "control", label: "Control", value: "0", stimulus: "" },
    { id: "treated", label: "Treated", value: "1", stimulus: "You were shown a warning." },
  ],
  persona: [
    {
      id: "group",
      column: "group",
      label: "Group",
      multiple: false,
      levels: ["a", "b", "c", "d"],
      template: "Group: {value}",
    },
    {
      id: "race",
      column: "race",
      label: "Race",
      multiple: true,
      separator: ",",
      levels: ["x", "y", "z"],
      template: "Race: {value}",
    },
  ],
  subgroups: ["group", "race"],
  items: [
    {
      id: "act",
      column: "act",
      label: "Act",
      wording: "Do you act?",
      scale: { _tag: "Binary", options: ["No", "Yes"] },
      role: "action",
    },
    {
      id: "worry",
      column: "worry",
      label: "Worry",
      wording: "I worry.",
      scale: { _tag: "Likert", options: ["Disagree", "Neutral", "Agree"] },
      role: "belief",
    },
  ],
  preamble: "",
  beliefActionPairs: [
    {
      id: "worry-act",
      label: "Worried yet acts",
      belief: "worry",
      believerLevels: ["Agree"],
      action: "act",
      contraryLevels: ["Yes"],
    },
  ],
  analyses: [],
  figures: [],
  privateColumns: ["id"],
  trimWhitespace: true,
}

/** Deterministic synthetic respondents over the fixture study (unbalanced groups on purpose). */
export const fixtureRespondents = (n: number, salt = 0): Array<Respondent> =>
  Array.from({ length: n }, (_, i) => {
    const k = (i * 2654435761 + salt) >>> 0
    const group = ["a", "a", "a", "a", "a", "b", "b", "c", "d"][k % 9]!
    const race = k % 7 === 0 ? ["x", "y"] : [["x", "y", "z"][k % 3]!]
    return {
      id: `r${i}`,
      row: i + 2,
      arm: k % 2 === 0 ? "control" : "treated",
      persona: { group, race },
      answers: { act: k % 3 === 0 ? "No" : "Yes", worry: ["Disagree", "Neutral", "Agree"][(k >>> 3) % 3]! },
    }
  })
