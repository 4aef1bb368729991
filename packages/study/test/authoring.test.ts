import { describe, expect, it } from "@effect/vitest"
import { parse } from "yaml"
import { expandAuthoring } from "../src/authoring.js"
import { decodeStudyDocument } from "../src/folder.js"
import { studyYaml } from "./folder-fixture.js"

const minimal = {
  id: "tiny",
  version: "1",
  title: "Tiny",
  citation: "unpublished",
  data: { file: "data.csv", sha256: "0".repeat(64) },
  respondentId: "id",
  armColumn: "arm",
  arms: [{ id: "a", label: "A", value: "1" }],
  persona: [{ id: "age", column: "age", label: "Age", levels: ["young", "old"] }],
  items: [
    { id: "q", column: "q", label: "Q", wording: "Q?", scale: { binary: ["No", "Yes"] }, role: "action" },
  ],
}

describe("the declarative format's shorthands and defaults", () => {
  it("fills the defaults a minimal study leaves out", () => {
    const decoded = decodeStudyDocument(minimal, "study.yaml")
    expect(decoded.problems).toEqual([])
    const study = decoded.definition!
    expect(study.data.directory).toBe("tiny")
    expect(study.arms[0]!.stimulus).toBe("")
    expect(study.persona[0]).toMatchObject({ multiple: false, template: "Age: {value}" })
    expect(study.privateColumns).toEqual(["id"])
    expect([study.description, study.preamble, study.trimWhitespace]).toEqual(["", "", true])
    expect([study.subgroups, study.beliefActionPairs, study.analyses, study.figures]).toEqual([
      [],
      [],
      [],
      [],
    ])
    expect(study.items[0]!.scale).toEqual({ _tag: "Binary", options: ["No", "Yes"] })
  })

  it("expands every shorthand to the canonical tagged form, which it also accepts", () => {
    const shorthand = parse(studyYaml("ab".repeat(32)))
    const canonical = structuredClone(shorthand)
    canonical.items[0].scale = { _tag: "Likert", options: canonical.items[0].scale.likert }
    canonical.items[1].scale = { _tag: "Binary", options: ["No", "Yes"] }
    canonical.items[2].scale = { _tag: "Numeric", min: 0, max: 100, integer: false }
    canonical.analyses[0].outcome.source = { _tag: "Item", item: "donated" }
    canonical.analyses[0].outcome.coding = { _tag: "Indicator", levels: ["Yes"] }
    canonical.analyses[0].predictors[0].source = { _tag: "Arm" }
    canonical.analyses[0].predictors[0].coding = { _tag: "Categorical", reference: "control" }
    canonical.analyses[0].predictors[1].source = { _tag: "Persona", attribute: "age" }
    canonical.analyses[0].predictors[1].coding = { _tag: "Categorical", reference: "18-34" }
    canonical.analyses[0].predictors[2].source = { _tag: "Item", item: "worry" }
    canonical.analyses[0].predictors[2].coding = { _tag: "Indicator", levels: ["Agree", "Strongly agree"] }
    const a = decodeStudyDocument(shorthand, "study.yaml")
    const b = decodeStudyDocument(canonical, "study.yaml")
    expect(a.problems).toEqual([])
    expect(b.problems).toEqual([])
    expect(a.definition).toEqual(b.definition)
    expect(expandAuthoring({ analyses: [{ outcome: { coding: "numeric" } }] }).value).toMatchObject({
      analyses: [{ outcome: { coding: { _tag: "Numeric" } } }],
    })
    expect(expandAuthoring({ items: [{ scale: { multiSelect: ["a", "b"] } }] }).value).toMatchObject({
      items: [{ scale: { _tag: "MultiSelect", options: ["a", "b"] } }],
    })
  })

  it("refuses shorthands that could be read two ways", () => {
    const problems = (scale: unknown) =>
      expandAuthoring({ items: [{ scale }] }).problems.map((p) => `${p.field}: ${p.message}`)
    const mixed = decodeStudyDocument(
      { ...minimal, items: [{ ...minimal.items[0], scale: { _tag: "Likert", likert: ["a", "b"] } }] },
      "study.yaml",
    )
    expect(mixed.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'items[0].scale.likert: unknown field "likert"',
      "items[0].scale.options: this field is required",
    ])
    expect(problems({ likert: ["a", "b"], options: ["c"] })).toEqual([
      'items[0].scale: unexpected "options" next to the shorthand "likert" (put it inside, or use the "_tag" form)',
    ])
    expect(problems({ numeric: [0, 10] })).toEqual([
      "items[0].scale.numeric: numeric takes a map: { min, max, integer }",
    ])
  })

  it("names an unknown kind with the kinds it could be", () => {
    const decoded = decodeStudyDocument(
      { ...minimal, items: [{ ...minimal.items[0], scale: { _tag: "Likret", options: ["a", "b"] } }] },
      "study.yaml",
    )
    expect(decoded.problems.map((p) => `${p.field}: ${p.message}`)).toEqual([
      'items[0].scale: expected one of the kinds Likert, Binary, Categorical, Numeric, MultiSelect, got "_tag": "Likret"',
    ])
  })
})
