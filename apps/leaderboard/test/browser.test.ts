import { mkdir } from "node:fs/promises"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { Effect } from "effect"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type BuiltSite, buildSite, type LeaderboardModel, loadResults } from "../src/index.js"
import { type StaticServer, serveStatic } from "../src/testing/index.js"
import { type Browser, launchChromium, watchErrors } from "./support/browser.js"
import { fixtureSetDir, screenshotDir, studies, temporaryDir } from "./support/paths.js"

let browser: Browser
let server: StaticServer
let site: BuiltSite
let model: LeaderboardModel

beforeAll(async () => {
  // Fails (not skips) when chromium is missing: launchChromium says how to install it.
  browser = await launchChromium()
  const results = await Effect.runPromise(loadResults([fixtureSetDir]))
  const out = await temporaryDir("browser-site")
  site = await Effect.runPromise(buildSite({ results, out }))
  const { aggregate } = await import("../src/index.js")
  model = aggregate(results)
  server = await serveStatic(site.out)
  await mkdir(screenshotDir, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

/** Opens a route, waits for the page to say it is ready, and returns the errors it logged. */
const open = async (route: string, base = server.url): Promise<{ page: Page; errors: Array<string> }> => {
  const page = await browser.context.newPage()
  const errors = watchErrors(page)
  await page.goto(`${base}#${route}`)
  await page.waitForSelector(`body[data-ready]`, { timeout: 20_000 })
  return { page, errors }
}

const shoot = (page: Page, name: string) =>
  page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true })

/** Marks drawn by Observable Plot inside the page's charts. */
const chartMarks = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll("figure.chart svg")].map(
      (svg) => svg.querySelectorAll("circle, rect, path, line, text").length,
    ),
  )

const rankedLabels = (page: Page) =>
  page.$$eval("tbody.ranked-rows tr[data-row] th.label a", (links) =>
    links.map((link) => link.textContent?.trim()),
  )

describe("the leaderboard site in chromium", () => {
  it("shows every fixture row on the overview, the references apart, with a chart", async () => {
    const { page, errors } = await open("/")
    expect(await rankedLabels(page)).toEqual(model.rows.map((row) => row.label))
    expect(await rankedLabels(page)).toHaveLength(6)
    const references = await page.$$eval("tbody.reference-rows tr[data-row]", (rows) =>
      rows.map((row) => row.className),
    )
    expect(references).toEqual(["reference ceiling", "reference pilot", "reference pilot", "reference floor"])
    expect(await page.textContent("tbody.ranked-rows")).not.toContain("fake")
    // The chart follows the table by one task.
    await page.waitForSelector("#overview-chart svg")
    const marks = await chartMarks(page)
    expect(marks.length).toBeGreaterThan(0)
    expect(marks[0]).toBeGreaterThan(6)
    await shoot(page, "overview")
    expect(errors).toEqual([])
    await page.close()
  })

  it("sorts by any column, both ways, and keeps the references in view", async () => {
    const { page, errors } = await open("/")
    // Scored rows by value (ties by label), then the rows without a value.
    const valuesOf = (key: string, descending = true) =>
      model.rows
        .filter((row) => row.cells[key]?.value != null)
        .sort(
          (a, b) =>
            (descending
              ? b.cells[key]!.value! - a.cells[key]!.value!
              : a.cells[key]!.value! - b.cells[key]!.value!) || a.label.localeCompare(b.label),
        )
        .map((row) => row.label)
    for (const key of [studies[1], studies[2]]) {
      await page.click(`button[data-sort="${key}"]`)
      await page.waitForSelector(`body[data-sorted-by="${key}:desc"]`)
      const descending = await rankedLabels(page)
      expect(descending.slice(0, valuesOf(key).length)).toEqual(valuesOf(key))
      expect(await page.getAttribute(`th:has(> button[data-sort="${key}"])`, "aria-sort")).toBe("descending")
      await page.click(`button[data-sort="${key}"]`)
      await page.waitForSelector(`body[data-sorted-by="${key}:asc"]`)
      const ascending = await rankedLabels(page)
      expect(ascending.slice(0, valuesOf(key).length)).toEqual(valuesOf(key, false))
      expect(await page.$$("tbody.reference-rows tr[data-row]")).toHaveLength(4)
    }
    // Family columns appear on demand and sort too.
    await page.check("#show-families")
    const family = `${studies[0]}|regression`
    await page.click(`button[data-sort="${family}"]`)
    await page.waitForSelector(`body[data-sorted-by="${family}:desc"]`)
    expect((await rankedLabels(page)).slice(0, valuesOf(family).length)).toEqual(valuesOf(family))
    await page.waitForSelector("#overview-chart figcaption:has-text('regression')")
    await shoot(page, "overview-families")
    expect(errors).toEqual([])
    await page.close()
  })

  for (const study of studies) {
    it(`renders every chart of the ${study} study page`, async () => {
      const { page, errors } = await open(`/study/${study}`)
      const sections = await page.$$eval("section.study-section h2", (headings) =>
        headings.map((h) => h.textContent),
      )
      expect(sections).toEqual([
        "Scores",
        "Answer distributions",
        "Subgroup alignment",
        "Heterogeneity",
        "Belief–action coherence",
        "Regression recovery",
        "Learning curves",
      ])
      expect(await page.$$("table.metric-table tbody tr")).toHaveLength(
        [...model.rows, ...model.reference].filter((row) => row.cells[study] !== undefined).length,
      )
      const marks = await chartMarks(page)
      // Three item distributions, a heat map, heterogeneity and coherence measures, forests, regression measures, a learning curve.
      expect(marks.length).toBeGreaterThanOrEqual(12)
      expect(marks.every((count) => count > 0)).toBe(true)
      const inSection = (id: string, selector: string) =>
        page.$$(`section[aria-labelledby='${id}-title'] ${selector}`)
      expect(await inSection("subgroups", "figure svg g[aria-label='cell'] rect")).not.toHaveLength(0)
      expect(await inSection("learning-curves", "figure svg g[aria-label='line'] path")).not.toHaveLength(0)
      expect(await inSection("regression", "figure .forest svg")).not.toHaveLength(0)
      expect(await page.textContent("main")).not.toContain("Not available")
      // Changing the arm and the models re-draws the charts.
      await page.selectOption("#select-arm", { index: 1 })
      await page.waitForSelector(
        "section[aria-labelledby='distributions-title'] figure figcaption:has-text(', arm ')",
      )
      await shoot(page, `study-${study}`)
      expect(errors).toEqual([])
      await page.close()
    })
  }

  it("says a chart is not available when no model is chosen", async () => {
    const { page, errors } = await open(`/study/${studies[1]}`)
    // Each change redraws the picker, so find the next checked box afresh.
    for (
      let box = await page.$("fieldset.picker input:checked");
      box !== null;
      box = await page.$("fieldset.picker input:checked")
    ) {
      await box.click()
    }
    expect(await page.textContent("section[aria-labelledby='subgroups-title'] figure")).toContain(
      "Choose at least one model",
    )
    expect(errors).toEqual([])
    await page.close()
  })

  it("renders a page for every model configuration", async () => {
    for (const row of [...model.rows, ...model.reference]) {
      const { page, errors } = await open(`/model/${row.key}`)
      expect(await page.textContent("h1")).toBe(row.label)
      await page.waitForSelector("table.runs-table")
      expect((await chartMarks(page))[0]).toBeGreaterThan(0)
      if (row === model.rows[0] || row.kind === "ceiling" || row.label === "claude-haiku-4-5") {
        await shoot(page, `model-${row.key}`)
      }
      expect(errors).toEqual([])
      await page.close()
    }
  })

  it("generates the methods page from the metric descriptors", async () => {
    const { page, errors } = await open("/methods")
    const headings = await page.$$eval("article.metric h3", (nodes) => nodes.map((node) => node.id))
    expect(headings).toEqual(model.metrics.map((metric) => `metric-${metric.id}`))
    const text = (await page.textContent("main"))!
    expect(text).toContain("lies above its own")
    expect(text).toContain("fidelity = (floor − model) / (floor − ceiling)")
    expect(text).toContain("3 fake finetune entries were left out")
    await shoot(page, "methods")
    expect(errors).toEqual([])
    await page.close()
  })

  it("resolves every link on every page", async () => {
    const routes = [
      "/",
      "/methods",
      "/downloads",
      ...studies.map((s) => `/study/${s}`),
      ...model.rows.map((r) => `/model/${r.key}`),
    ]
    const hashes = new Set<string>()
    const files = new Set<string>()
    for (const route of routes) {
      const { page, errors } = await open(route)
      if (route.startsWith("/study/") || route.startsWith("/model/")) await page.waitForSelector("main table")
      for (const href of await page.$$eval("a[href]", (links) =>
        links.map((link) => link.getAttribute("href")!),
      )) {
        if (href.startsWith("#/")) hashes.add(href)
        else if (/^https?:/.test(href)) expect(() => new URL(href)).not.toThrow()
        else if (href !== "#main") files.add(href)
      }
      if (route === "/downloads") await shoot(page, "downloads")
      expect(errors).toEqual([])
      await page.close()
    }
    expect(files.size).toBeGreaterThan(25)
    const page = await browser.context.newPage()
    for (const file of files) {
      const response = await page.request.get(new URL(file, server.url).toString())
      expect(response.status(), file).toBe(200)
    }
    for (const hash of hashes) {
      await page.goto(`${server.url}${hash}`)
      await page.waitForSelector("body[data-ready]")
      expect(await page.textContent("h1"), hash).not.toBe("Not found")
    }
    await page.close()
    expect(server.missing).toEqual([])
  })

  it("shows a not-found page for an unknown route", async () => {
    const { page, errors } = await open("/model/no-such-model")
    expect(await page.textContent("h1")).toBe("Not found")
    expect(errors).toEqual([])
    await page.close()
  })

  it("works opened from the folder (file://), study data included", async () => {
    const base = pathToFileURL(site.index).toString()
    const { page, errors } = await open("/", base)
    expect(await rankedLabels(page)).toHaveLength(6)
    await page.waitForSelector("#overview-chart svg")
    await shoot(page, "file-overview")
    await page.click(`nav a[href="#/study/${studies[2]}"]`)
    await page.waitForSelector("body[data-ready='study']")
    expect((await chartMarks(page)).length).toBeGreaterThanOrEqual(12)
    expect(errors).toEqual([])
    await page.close()
  })
})
