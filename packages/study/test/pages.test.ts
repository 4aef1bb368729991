import { describe, expect, it } from "@effect/vitest"
import type { StudyDefinition } from "@standin/core"
import { instrumentPages } from "@standin/core"
import { fixtureStudy } from "@standin/testkit/fixture"
import { decodeStudyDocument } from "../src/folder.js"
import { makeRenderer } from "../src/render.js"
import { validateDefinition } from "../src/validate.js"

/** The fixture study as a two-page instrument: the action first (with a default and a table), then beliefs. */
const paged: StudyDefinition = {
  ...fixtureStudy,
  arms: fixtureStudy.arms.map((arm) => ({ ...arm, stimulus: "" })),
  items: fixtureStudy.items.map((item) =>
    item.id === "share"
      ? { ...item, default: "Consent to share", optionOrder: ["Consent to share", "Decline"] }
      : item,
  ),
  pages: [
    {
      id: "consent",
      context: "May we keep your browser details?",
      stimulus: {
        arms: {
          shown: {
            text: "These are the details:",
            table: {
              header: ["Detail", "Value"],
              rows: [
                { label: "Timezone", value: "America/New_York" },
                { label: "Age band", persona: "age" },
              ],
              note: "2 rows",
            },
            image: { src: "screen.png", alt: "a screenshot of the details table" },
          },
        },
      },
      items: ["share"],
    },
    { id: "beliefs", context: "How much do you agree?", items: ["understand", "concern"] },
  ],
}

const render = makeRenderer(paged)
const twin = { id: "t00001", arm: "shown", persona: { age: "25-34", gender: "Female", race: ["White"] } }

describe("an instrument of pages", () => {
  it("renders page 1 alone: preamble, persona, the page's context and the arm's table, the default first", () => {
    const prompt = render(twin, { elicitation: "sample", includeDemographics: true })
    expect(prompt.messages.map((message) => message.role)).toEqual(["system", "user"])
    const user = prompt.messages[1]!.content
    expect(user.indexOf("This is a short survey")).toBeLessThan(user.indexOf("May we keep"))
    expect(user.indexOf("May we keep")).toBeLessThan(user.indexOf("| Detail | Value |"))
    expect(user).toContain("| Timezone | America/New_York |\n| Age band | 25-34 |\n\n2 rows")
    expect(user).toContain("[Image: a screenshot of the details table]")
    expect(user).toContain('Options: "Consent to share" (selected by default), "Decline"')
    // Nothing of page 2 before the consent answer.
    expect(user).not.toContain("[understand]")
    expect(user).not.toContain("How much do you agree?")
    expect(prompt.responseSchema).toEqual({
      type: "object",
      properties: { share: { type: "string", enum: ["Consent to share", "Decline"] } },
      required: ["share"],
      additionalProperties: false,
    })
  })

  it("renders page 2 as the conversation so far: page 1, its answer, then page 2 without the persona again", () => {
    const first = render(twin, { elicitation: "sample", includeDemographics: true })
    const second = render(twin, {
      elicitation: "sample",
      includeDemographics: true,
      page: 1,
      history: [{ share: "Decline" }],
    })
    expect(second.messages.map((message) => message.role)).toEqual(["system", "user", "assistant", "user"])
    expect(second.messages.slice(0, 2)).toEqual(first.messages)
    expect(second.messages[2]!.content).toBe('{"share":"Decline"}')
    const page2 = second.messages[3]!.content
    expect(page2.startsWith("How much do you agree?")).toBe(true)
    expect(page2).not.toContain("25-34")
    expect(page2).toContain("1. [understand]")
    expect(Object.keys(second.responseSchema.properties as object)).toEqual(["understand", "concern"])
  })

  it("shows the control arm no table, and withholds persona values from tables in the ablation", () => {
    const control = render({ ...twin, arm: "control" }, { elicitation: "sample", includeDemographics: true })
    expect(control.messages[1]!.content).not.toContain("| Detail |")
    const ablation = render(twin, { elicitation: "sample", includeDemographics: false })
    expect(ablation.messages[1]!.content).toContain("| Age band | (withheld) |")
    expect(ablation.messages[1]!.content).not.toContain("25-34")
  })

  it("lists options in a given order, in the prompt, the schema and the logprob labels", () => {
    const optionOrders = { share: ["Decline", "Consent to share"] }
    const prompt = render(twin, { elicitation: "sample", includeDemographics: true, optionOrders })
    expect(prompt.messages[1]!.content).toContain(
      'Options: "Decline", "Consent to share" (selected by default)',
    )
    expect((prompt.responseSchema.properties as Record<string, { enum: unknown }>).share!.enum).toEqual([
      "Decline",
      "Consent to share",
    ])
    const logprobs = render(twin, { elicitation: "logprobs", includeDemographics: true, optionOrders })
    expect(logprobs.perItem[0]!.options).toEqual(["Decline", "Consent to share"])
    expect(logprobs.perItem[0]!.messages[1]!.content).toContain(
      "1. Decline\n2. Consent to share (selected by default)",
    )
  })

  it("asks logprob items of a later page with the earlier pages in the history", () => {
    const logprobs = render(twin, {
      elicitation: "logprobs",
      includeDemographics: true,
      page: 1,
      history: [{ share: "Consent to share" }],
    })
    expect(logprobs.perItem.map((prompt) => prompt.itemId)).toEqual(["understand", "concern"])
    for (const prompt of logprobs.perItem) {
      expect(prompt.messages.map((message) => message.role)).toEqual(["system", "user", "assistant", "user"])
      expect(prompt.messages[2]!.content).toBe('{"share":"Consent to share"}')
    }
  })

  it("keeps a study without pages as one page holding every item", () => {
    expect(instrumentPages(fixtureStudy)).toEqual([{ id: "page-1", items: fixtureStudy.items }])
    expect(instrumentPages(paged).map((page) => page.items.map((item) => item.id))).toEqual([
      ["share"],
      ["understand", "concern"],
    ])
  })
})

describe("validating pages, defaults and option orders", () => {
  it("accepts the paged study", () => {
    expect(validateDefinition(paged)).toEqual([])
  })

  it("names each mistake by its field", () => {
    const broken: StudyDefinition = {
      ...paged,
      items: paged.items.map((item) =>
        item.id === "share" ? { ...item, default: "Maybe", optionOrder: ["Decline", "Decline"] } : item,
      ),
      pages: [
        {
          id: "consent",
          stimulus: {
            arms: {
              nobody: { text: "?" },
              shown: { table: { rows: [{ label: "x" }, { label: "y", persona: "height" }] } },
            },
          },
          items: ["share", "ghost"],
        },
        { id: "consent", items: ["share"] },
      ],
    }
    const problems = validateDefinition(broken).map((problem) => `${problem.field}: ${problem.message}`)
    expect(problems).toEqual(
      expect.arrayContaining([
        'items[2].default: "Maybe" is not an option of share',
        expect.stringMatching(/^items\[2\]\.optionOrder: must list each option of share exactly once/),
        'pages: duplicate page id "consent"',
        'pages[0].items[1]: unknown item "ghost"',
        'pages[1].items[0]: item "share" is already on page "consent"',
        'pages[0].stimulus.arms: unknown arm "nobody"',
        "pages[0].stimulus.arms.shown.table.rows[0]: a row takes exactly one of value (fixed) or persona (an attribute id)",
        'pages[0].stimulus.arms.shown.table.rows[1].persona: unknown persona attribute "height"',
        'pages: item "understand" is on no page',
      ]),
    )
  })

  it("decodes pages from a study document, with unknown fields refused", () => {
    const document = JSON.parse(JSON.stringify(paged)) as Record<string, unknown>
    expect(decodeStudyDocument(document, "study.json").problems).toEqual([])
    const typo = { ...document, pages: [{ id: "p", items: ["share", "understand", "concern"], contxt: "x" }] }
    const problems = decodeStudyDocument(typo, "study.json").problems
    expect(problems.map((problem) => problem.field)).toContain("pages[0].contxt")
  })
})
