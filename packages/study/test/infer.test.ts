import { describe, expect, it } from "@effect/vitest"
import type { StudyDefinition } from "@standin/core"
import { parseDocument } from "yaml"
import { decodeStudyDocument } from "../src/folder.js"
import { inferStudy, recogniseLikert } from "../src/infer.js"
import { parseCsvText } from "../src/load.js"

describe("recogniseLikert", () => {
  it("orders a standard agree scale, whatever order the labels came in", () => {
    const guess = recogniseLikert(["Agree", "Strongly disagree", "Neutral", "Strongly agree", "Disagree"])
    expect(guess?.options).toEqual(["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"])
    expect(guess?.note).toBe("guessed: Likert, a 5-point agree scale")
  })

  it("completes a scale when nobody chose one of its labels, and says so", () => {
    const guess = recogniseLikert(["somewhat agree", "Neutral", "Strongly agree", "Somewhat disagree"])
    expect(guess?.options).toEqual([
      "Strongly disagree",
      "Somewhat disagree",
      "Neutral",
      "somewhat agree",
      "Strongly agree",
    ])
    expect(guess?.note).toContain('not in the data but part of the scale: "Strongly disagree"')
  })

  it("recognises likelihood, frequency and 'how <adjective>' scales", () => {
    expect(
      recogniseLikert(["Very likely", "Somewhat unlikely", "Very unlikely", "Somewhat likely"])?.options,
    ).toEqual(["Very unlikely", "Somewhat unlikely", "Somewhat likely", "Very likely"])
    expect(recogniseLikert(["Often", "Never", "Always", "Sometimes", "Rarely"])?.options).toEqual([
      "Never",
      "Rarely",
      "Sometimes",
      "Often",
      "Always",
    ])
    const degree = recogniseLikert([
      "Very concerned",
      "Not at all concerned",
      "Somewhat concerned",
      "Extremely concerned",
    ])
    expect(degree?.options).toEqual([
      "Not at all concerned",
      "Somewhat concerned",
      "Very concerned",
      "Extremely concerned",
    ])
    expect(degree?.note).toContain('"how concerned" scale')
  })

  it("leaves other label sets alone", () => {
    expect(recogniseLikert(["Red", "Green", "Blue"])).toBeUndefined()
    expect(recogniseLikert(["Very concerned", "Not at all happy"])).toBeUndefined()
    expect(recogniseLikert(["Agree"])).toBeUndefined()
  })
})

/** A made-up pilot survey, nothing like the bundled study, with one column of every kind. */
const unseenCsv = (): string => {
  const agree = ["Strongly disagree", "Somewhat disagree", "Somewhat agree", "Strongly agree"] // no "Neither…"
  const often = ["Never", "Rarely", "Sometimes", "Often", "Always"]
  const ethnicity = ["White", "Black", "Asian", "White,Asian", "Hispanic", "Black,Hispanic"]
  const income = ["Less than $25,000", "$25,000 - $49,999", "$50,000 - $99,999", "$100,000 or more"]
  const lines = [
    "participant_id,StartDate,Condition,Gender,Age,Ethnicity,Income,trust_science,how_often,signed_up,pledge_amount,favourite_colour,comments",
  ]
  for (let i = 0; i < 36; i++) {
    lines.push(
      [
        `P-${1000 + i}`,
        `2026-03-${String((i % 28) + 1).padStart(2, "0")} 10:${String(i).padStart(2, "0")}`,
        ["Control", "Nudge", "Nudge plus reward"][i % 3],
        ["Woman", "Man", "Non-binary"][i % 3 === 2 && i % 2 === 0 ? 2 : i % 2],
        String(18 + ((i * 7) % 60)),
        `"${ethnicity[i % 6]}"`,
        `"${income[(i * 5) % 4]}"`,
        agree[(i * 3) % 4],
        often[i % 5],
        i % 4 === 0 ? "No" : "Yes",
        (i * 2.5).toFixed(1),
        ["Red", "Blue", "Green"][(i * 2) % 3],
        i % 5 === 0
          ? ""
          : `"I ${["liked", "did not like", "was unsure about"][i % 3]} the letter, reply ${i}"`,
      ].join(","),
    )
  }
  return `${lines.join("\n")}\n`
}

const draft = (text: string, options: Partial<Parameters<typeof inferStudy>[1]> = {}) => {
  const parsed = parseCsvText(text)
  if ("error" in parsed) throw new Error(parsed.error)
  return inferStudy(parsed.table, {
    id: "pledge-pilot",
    dataFile: "pilot.csv",
    sha256: "a".repeat(64),
    bytes: text.length,
    copied: true,
    source: "pilot.csv",
    ...options,
  })
}

const decode = (yaml: string): StudyDefinition => {
  const decoded = decodeStudyDocument(parseDocument(yaml).toJS(), "study.yaml")
  if (decoded.definition === undefined || decoded.problems.length > 0)
    throw new Error(decoded.problems.map((p) => `${p.field}: ${p.message}`).join("\n"))
  return decoded.definition
}

describe("inferStudy on a CSV it has never seen", () => {
  const inferred = draft(unseenCsv())
  if ("error" in inferred) throw new Error(inferred.error)
  const study = decode(inferred.yaml)

  it("writes a study.yaml that decodes and is consistent as it stands", () => {
    expect(study.id).toBe("pledge-pilot")
    expect(study.data).toEqual({
      directory: "pledge-pilot",
      file: "pilot.csv",
      sha256: "a".repeat(64),
      bytes: unseenCsv().length,
    })
  })

  it("finds the respondent id and the arm, leaving the control arm's stimulus empty", () => {
    expect(study.respondentId).toBe("participant_id")
    expect(study.armColumn).toBe("Condition")
    expect(study.arms.map((arm) => [arm.id, arm.value])).toEqual([
      ["control", "Control"],
      ["nudge", "Nudge"],
      ["nudge_plus_reward", "Nudge plus reward"],
    ])
    expect(study.arms[0]!.stimulus).toBe("")
    expect(study.arms[1]!.stimulus).toMatch(/^TODO: /)
    expect(inferred.yaml).toContain("# guessed: the column that assigns respondents to arms (3 levels)")
  })

  it("takes demographics as persona attributes, spotting multi-select cells but not commas inside labels", () => {
    expect(study.persona.map((a) => [a.id, a.multiple, a.levels])).toEqual([
      ["gender", false, ["Man", "Woman", "Non-binary"]],
      ["ethnicity", true, ["White", "Black", "Asian", "Hispanic"]],
      ["income", false, ["Less than $25,000", "$25,000 - $49,999", "$50,000 - $99,999", "$100,000 or more"]],
    ])
    expect(study.persona[1]!.separator).toBe(",")
    expect(study.subgroups).toEqual(["gender", "ethnicity", "income"])
  })

  it("guesses each item's scale and role", () => {
    const scales = Object.fromEntries(study.items.map((item) => [item.column, [item.scale, item.role]]))
    expect(scales).toEqual({
      Age: [{ _tag: "Numeric", min: 18, max: 77, integer: true }, "covariate"],
      trust_science: [
        {
          _tag: "Likert",
          options: [
            "Strongly disagree",
            "Somewhat disagree",
            "Neither agree nor disagree",
            "Somewhat agree",
            "Strongly agree",
          ],
        },
        "belief",
      ],
      how_often: [{ _tag: "Likert", options: ["Never", "Rarely", "Sometimes", "Often", "Always"] }, "belief"],
      signed_up: [{ _tag: "Binary", options: ["No", "Yes"] }, "action"],
      pledge_amount: [{ _tag: "Numeric", min: 0, max: 87.5, integer: false }, "covariate"],
      // Equally frequent levels keep the order they first appear in.
      favourite_colour: [{ _tag: "Categorical", options: ["Red", "Green", "Blue"] }, "outcome"],
    })
  })

  it("keeps free text and survey metadata private", () => {
    expect(study.privateColumns).toEqual(["participant_id", "StartDate", "comments"])
    expect(inferred.yaml).toContain('# "comments": guessed: free text (')
    expect(inferred.yaml).toContain('# "StartDate": guessed: survey metadata')
  })

  it("says where it guessed and leaves TODOs only where the author must write", () => {
    expect(inferred.yaml).toContain(
      '# guessed: Likert, a 5-point agree scale; not in the data but part of the scale: "Neither agree nor disagree"',
    )
    expect(inferred.yaml).toContain('# guessed: binary; "Yes" is the positive level (coded 1 in analyses)')
    expect(inferred.yaml).toContain("# guessed: numeric; min and max are the observed range [18, 77]")
    const todos = [
      study.description,
      study.citation,
      ...study.arms.map((a) => a.stimulus),
      ...study.items.map((i) => i.wording),
    ].filter((text) => text.startsWith("TODO"))
    expect(todos).toHaveLength(2 + 2 + study.items.length)
    // The commented example analysis uses the study's own ids, and decodes once uncommented.
    const example = inferred.yaml
      .split("\n")
      .filter((line) => line.startsWith("# ") && /^# (beliefActionPairs|analyses| {2})/.test(line))
      .map((line) => line.slice(2))
      .join("\n")
    const withExample = decode(`${inferred.yaml}\n${example}\n`)
    expect(withExample.analyses[0]!.outcome.source).toEqual({ _tag: "Item", item: "signed_up" })
    expect(withExample.beliefActionPairs[0]!.believerLevels).toEqual(["Somewhat agree", "Strongly agree"])
  })

  it("takes the id and arm columns it is told", () => {
    const told = draft(unseenCsv(), { armColumn: "favourite_colour", idColumn: "StartDate" })
    if ("error" in told) throw new Error(told.error)
    const definition = decode(told.yaml)
    expect([definition.respondentId, definition.armColumn]).toEqual(["StartDate", "favourite_colour"])
    expect(definition.items.map((item) => item.column)).toContain("Condition")
  })

  it("never takes a demographic for the arm, even one named like a group", () => {
    const text = [
      "employee,age_group,message,joined",
      ...Array.from(
        { length: 12 },
        (_, i) =>
          `E${i},${["18-34", "35-54", "55+"][i % 3]},${i % 2 ? "norm" : "none"},${i % 4 ? "Yes" : "No"}`,
      ),
    ].join("\n")
    const drafted = draft(text)
    if ("error" in drafted) throw new Error(drafted.error)
    const definition = decode(drafted.yaml)
    expect(definition.armColumn).toBe("message")
    expect(definition.arms.map((arm) => [arm.value, arm.stimulus === ""])).toEqual([
      ["none", true],
      ["norm", false],
    ])
    expect(definition.persona.map((attribute) => attribute.column)).toEqual(["age_group"])
  })

  it("explains what it cannot draft", () => {
    expect(draft("a,b\n1,x\n1,x\n")).toEqual({
      error:
        "no column holds a different, non-empty value in every row, so there is no respondent id: add one (e.g. a row number)",
    })
    expect(draft("id,id\n1,2\n3,4\n")).toEqual({ error: 'the header names the column "id" twice' })
    expect(draft("id,arm,q\n1,a,x\n2,b,y\n", { armColumn: "nope" })).toEqual({
      error: '--arm-column "nope" is not a column of the file',
    })
  })
})

describe("inferStudy proposes the design: factors, or no arms at all", () => {
  const factorial = () => {
    const lines = ["respondent_id,frame_condition,source_treatment,age_group,trust,donated"]
    const agree = ["Disagree", "Neutral", "Agree"]
    for (let i = 0; i < 36; i++)
      lines.push(
        [
          `r${i}`,
          ["gain", "loss"][i % 2],
          ["none", "expert", "peer"][Math.floor(i / 2) % 3],
          ["18-34", "35-54", "55+"][i % 3],
          agree[(i * 7) % 3],
          ["No", "Yes"][(i * 5) % 2],
        ].join(","),
      )
    return `${lines.join("\n")}\n`
  }

  it("reads two columns named like conditions as the factors of a crossed design", () => {
    const inferred = draft(factorial())
    if ("error" in inferred) throw new Error(inferred.error)
    const study = decode(inferred.yaml)
    expect(study.formatVersion).toBe(2)
    expect(study.armColumn).toBeUndefined()
    expect(
      study.factors?.map((factor) => [factor.column, factor.levels.map((level) => level.value)]),
    ).toEqual([
      ["frame_condition", ["gain", "loss"]],
      ["source_treatment", ["none", "expert", "peer"]],
    ])
    expect(study.arms).toHaveLength(6)
    expect(inferred.yaml).toContain("the arms are every combination of their levels (2×3 = 6)")
    expect(inferred.yaml).not.toContain("only ")
    expect(inferred.summary).toContain("frame_condition: factor with 2 levels (guessed)")
    expect(inferred.yaml).toContain("source: { factor: frame_condition }")
  })

  it("says when the factors are not fully crossed", () => {
    const partial = factorial()
      .split("\n")
      .filter((line) => !/,loss,peer,/.test(line))
      .join("\n")
    const inferred = draft(partial)
    if ("error" in inferred) throw new Error(inferred.error)
    expect(inferred.yaml).toContain("only 5 of the 6 combinations occur in the data")
  })

  it("drafts an observational survey (one arm) when no column looks like an arm", () => {
    const lines = ["respondent_id,age_group,trust"]
    for (let i = 0; i < 12; i++)
      lines.push(`r${i},${["18-34", "55+"][i % 2]},${["Agree", "Disagree"][i % 2]}`)
    const inferred = draft(`${lines.join("\n")}\n`)
    if ("error" in inferred) throw new Error(inferred.error)
    const study = decode(inferred.yaml)
    expect(study.armColumn).toBeUndefined()
    expect(study.arms.map((arm) => arm.id)).toEqual(["all"])
    expect(inferred.yaml).toContain("read as an observational survey with one arm")
  })

  it("says when an item looks asked only in some arms, and how to declare it", () => {
    const lines = ["respondent_id,condition,trust,followup"]
    for (let i = 0; i < 12; i++) {
      const arm = ["control", "shown", "told"][i % 3]!
      lines.push(
        `r${i},${arm},${["Agree", "Disagree"][i % 2]},${arm === "control" ? "" : ["Yes", "No"][i % 2]}`,
      )
    }
    const inferred = draft(`${lines.join("\n")}\n`)
    if ("error" in inferred) throw new Error(inferred.error)
    expect(inferred.yaml).toContain(
      `# guessed: asked only in arms shown, told (empty in every row of the others): declare askedIf: 'arm == "shown" or arm == "told"' (with formatVersion: 2)`,
    )
    expect(inferred.yaml).not.toMatch(/asked only in .*\n.*id: trust/)
    expect(inferred.summary).toContain("followup: looks asked only in shown, told")
  })
})
