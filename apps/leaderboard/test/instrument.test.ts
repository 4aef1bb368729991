import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { buildSite, loadResults } from "../src/index.js"
import { type StaticServer, serveStatic } from "../src/testing/index.js"
import { type Browser, launchChromium, watchErrors } from "./support/browser.js"
import { fixtureSetDir, studies, temporaryDir } from "./support/paths.js"

/** A study whose results record the instrument: an example conversation per arm, as `standin run` writes it. */
const study = studies[1]

let browser: Browser
let server: StaticServer

beforeAll(async () => {
  browser = await launchChromium()
  const loaded = await Effect.runPromise(loadResults([fixtureSetDir]))
  const results = loaded.map((file) =>
    file.results.study.id !== study
      ? file
      : {
          ...file,
          results: {
            ...file.results,
            // Each score also measures the derived index, as a run that scores it writes (a copy of the first
            // item's measures under the derived id), so the study page draws charts with derived measures.
            entries: file.results.entries.map((entry) => ({
              ...entry,
              scores: entry.scores.map((score) => {
                const first = file.results.study.items[0]!.id
                const copies = score.measures
                  .filter((measure) => measure.item === first)
                  .map((measure) => ({
                    ...measure,
                    item: "concern_index",
                    key: measure.key.replace(`item=${first}`, "item=concern_index"),
                  }))
                return { ...score, measures: [...score.measures, ...copies] }
              }),
            })),
            study: {
              ...file.results.study,
              // Derived measures the metrics scored: an index with many values and a recode with a few.
              derived: [
                {
                  id: "concern_index",
                  label: "Concern index",
                  options: Array.from({ length: 13 }, (_, i) => String(Number((1 + i / 3).toPrecision(6)))),
                },
                { id: "worried", label: "Worried at all", options: ["yes", "no"] },
              ],
              instrument: file.results.study.arms.map((arm) => ({
                arm: arm.id,
                turns: [
                  { role: "system" as const, content: "You are taking part in a research survey." },
                  {
                    role: "user" as const,
                    page: "consent",
                    content: `May we keep your data? <b>not markup</b>\n| Detail | Value |\n| --- | --- |\n| Arm | ${arm.id} |`,
                  },
                  { role: "assistant" as const, page: "consent", content: "<the twin's answer to share>" },
                  { role: "user" as const, page: "perceptions", content: "To what extent do you agree?" },
                ],
              })),
            },
          },
        },
  )
  const out = await temporaryDir("instrument-site")
  const site = await Effect.runPromise(buildSite({ results, out }))
  server = await serveStatic(site.out)
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe("the study page shows the instrument", () => {
  it("as an example conversation per arm, turn by turn, as text", async () => {
    const page = await browser.context.newPage()
    const errors = watchErrors(page)
    await page.goto(`${server.url}#/study/${study}`)
    await page.waitForSelector("body[data-ready]", { timeout: 20_000 })
    const conversations = await page.$$eval("details.conversation", (nodes) =>
      nodes.map((node) => ({
        summary: node.querySelector("summary")?.textContent ?? "",
        roles: [...node.querySelectorAll(".turn .role")].map((role) => role.textContent),
        text: [...node.querySelectorAll(".turn pre")].map((pre) => pre.textContent),
        markup: node.querySelectorAll("pre b").length,
      })),
    )
    expect(conversations.length).toBeGreaterThanOrEqual(2)
    for (const conversation of conversations) {
      expect(conversation.summary).toMatch(/^Example conversation, /)
      expect(conversation.roles).toEqual([
        "system",
        "user · page consent",
        "assistant · page consent",
        "user · page perceptions",
      ])
      // The prompt's text as it is: markup in it is shown, never interpreted.
      expect(conversation.text[1]).toContain("<b>not markup</b>")
      expect(conversation.markup).toBe(0)
    }
    expect(errors).toEqual([])
    await page.close()
  })

  it("lists the derived measures after the items, marked derived", async () => {
    const page = await browser.context.newPage()
    const errors = watchErrors(page)
    await page.goto(`${server.url}#/study/${study}`)
    await page.waitForSelector("body[data-ready]", { timeout: 20_000 })
    const rows = await page.$$eval("table.instrument-table tbody tr.derived", (nodes) =>
      nodes.map((node) => [...node.children].map((cell) => cell.textContent?.trim())),
    )
    expect(rows).toEqual([
      ["Concern index concern_index", "derived", "1 … 5 (13 values)"],
      ["Worried at all worried", "derived", "yes · no"],
    ])
    expect(await page.$$("table.instrument-table tbody tr:not(.derived)")).not.toHaveLength(0)
    // The charts draw with the derived measures among the scores (copied in beforeAll), without an error.
    await page.waitForSelector("section[aria-labelledby='subgroups-title'] figure", { timeout: 20_000 })
    expect(errors).toEqual([])
    await page.close()
  })

  it("is absent for results that did not record it", async () => {
    const page = await browser.context.newPage()
    await page.goto(`${server.url}#/study/${studies[0]}`)
    await page.waitForSelector("body[data-ready]", { timeout: 20_000 })
    expect(await page.$$("details.conversation")).toHaveLength(0)
    expect(await page.$$("section.study-section h2")).not.toHaveLength(0)
    await page.close()
  })
})
