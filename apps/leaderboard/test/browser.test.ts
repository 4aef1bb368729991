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
    expect(await rankedLabels(page)).toHaveLength(7)
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
        "Instrument",
        "Twins",
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

  it("browses a public study's twins, a page at a time, and shows none of a private study's", async () => {
    const { page, errors } = await open(`/study/fixture-data-sharing`)
    const twins = "section[aria-labelledby='twins-title']"
    await page.waitForSelector(`${twins} details.twin`)
    // 240 twins recorded, the first 200 by id published, 25 per page.
    expect(await page.textContent(`${twins} .twin-status`)).toContain(
      "gpt-4o-mini: twins 1–25 of the first 200 by id",
    )
    expect(await page.textContent(`${twins} .twin-status`)).toContain("of its 240")
    const ids = await page.$$eval(`${twins} details.twin summary code`, (nodes) =>
      nodes.map((n) => n.textContent),
    )
    expect(ids).toHaveLength(25)
    expect(ids[0]).toBe("t0001")
    // Twin t0048 answered invalidly: the reason is shown beside the answer, the reply verbatim in its conversation.
    const invalid = page.locator(`${twins} details.twin`, { hasText: "t0048" })
    await page.click(`${twins} .twin-next`)
    await page.waitForSelector(`${twins} details.twin summary code:text-is("t0048")`)
    expect(await page.textContent(`${twins} .twin-status`)).toContain("twins 26–50")
    await invalid.locator("summary").click()
    expect(await invalid.locator(".verdict").textContent()).toBe("invalid: understand")
    expect(await invalid.locator("table.twin-answers tr.invalid").textContent()).toContain(
      'invalid: "Maybe later" is not one of the options',
    )
    const roles = await invalid.locator("ol.turns li .role").allTextContents()
    expect(roles.map((role) => role.split(" ·")[0])).toEqual(["system", "user", "model reply"])
    expect(await invalid.locator("ol.turns li.turn-assistant pre").textContent()).toContain('"Maybe later"')
    expect(await invalid.locator("ol.turns li.turn-user pre").textContent()).toContain("About you: race ")
    expect(await invalid.locator("p.persona").textContent()).toContain("Arm:")
    await page.setViewportSize({ width: 400, height: 900 })
    const { scroll, client } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }))
    expect(scroll).toBeLessThanOrEqual(client)
    await invalid.screenshot({ path: join(screenshotDir, "narrow-twin-invalid.png") })
    expect(errors).toEqual([])
    await page.close()
    // The private study: aggregates only, no twin and no synthetic CSV.
    const hidden = await open(`/study/fixture-charity-default`)
    await hidden.page.waitForSelector("table.metric-table")
    expect(await hidden.page.textContent(`${twins}`)).toContain("This study is private")
    expect(await hidden.page.$$(`${twins} details.twin`)).toHaveLength(0)
    expect(await hidden.page.$$(`${twins} select`)).toHaveLength(0)
    await hidden.page.goto(`${server.url}#/downloads`)
    await hidden.page.waitForSelector("main table, main ul")
    expect(await hidden.page.$$("a[href*='fixture-charity-default'][href$='.csv']")).toHaveLength(0)
    expect(hidden.errors).toEqual([])
    await hidden.page.close()
  })

  it("shows a run's fidelities across its splits: mean, interval with the between-split variance, SD", async () => {
    const [news] = await Effect.runPromise(loadResults([join(fixtureSetDir, "fixture-news-sharing")]))
    const splits = news!.results.splits!
    const { page, errors } = await open(`/study/fixture-news-sharing`)
    await page.waitForSelector("table.splits-table")
    expect(await page.textContent("section[aria-labelledby='scores-title'] .splits")).toContain(
      "repeated on 3 pilot/holdout splits (seeds 7, 101, 202)",
    )
    const rows = await page.$$eval("table.splits-table tbody tr", (nodes) =>
      nodes.map((row) => ({
        label: row.querySelector("th")!.textContent!.trim(),
        overall: row.querySelector("td")!.textContent!,
      })),
    )
    // fake finetunes (test doubles) never appear
    const overall = splits.figures.filter(
      (figure) => figure.figure === "overall" && figure.entry !== "fake-finetune",
    )
    expect(rows).toHaveLength(overall.length)
    // Each row's overall cell: the mean, the interval and the SD as the results file records them.
    const ceiling = overall.find((figure) => figure.entry === "human-ceiling")!
    const row = rows.find((candidate) => candidate.label.startsWith("Human split-half"))!
    expect(row.overall).toContain(ceiling.mean!.toFixed(2))
    expect(row.overall).toContain(`${ceiling.ci!.lower.toFixed(2)} to ${ceiling.ci!.upper.toFixed(2)}`)
    expect(row.overall).toContain(`SD ${ceiling.sd!.toFixed(3)}`)
    expect(errors).toEqual([])
    await page.close()
    const other = await open(`/study/fixture-data-sharing`)
    await other.page.waitForSelector("table.metric-table")
    expect(await other.page.$$("table.splits-table")).toHaveLength(0)
    await other.page.close()
  })

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
      // The data-sharing run recorded when it happened (run-meta.json): its row says so; the others have no date.
      const runs = (await page.textContent("table.runs-table"))!
      expect(runs.includes("2026-11-30 14:05 UTC")).toBe(row.cells["fixture-data-sharing"] !== undefined)
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
    // results files, CSVs and synthetic datasets of the two public studies (the private one publishes none)
    expect(files.size).toBeGreaterThan(20)
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
    expect(await rankedLabels(page)).toHaveLength(7)
    await page.waitForSelector("#overview-chart svg")
    await shoot(page, "file-overview")
    await page.click(`nav a[href="#/study/${studies[2]}"]`)
    await page.waitForSelector("body[data-ready='study']")
    expect((await chartMarks(page)).length).toBeGreaterThanOrEqual(12)
    expect(errors).toEqual([])
    await page.close()
  })

  it("keeps a ranked headline with partial coverage, and says on which studies it ranks", async () => {
    const { page, errors } = await open("/")
    const note = (await page.textContent("#headline-note"))!
    expect(note).toContain("Ranked on the 2 common studies")
    expect(note).toContain("Charity default nudge (fixture), Browser data sharing (fixture)")
    expect(note).toMatch(
      /Health news sharing \(fixture\): floor and ceiling cannot be told apart on heterogeneity/,
    )
    const rows = await page.$$eval("tbody.ranked-rows tr[data-row]", (trs) =>
      trs.map((tr) => ({
        rank: tr.querySelector("td.rank-column")!.textContent!.trim(),
        label: tr.querySelector("th.label a")!.textContent!.trim(),
        overall: tr.querySelector("td.cell")!.textContent!.replace(/\s+/g, " ").trim(),
      })),
    )
    // Five ranked rows, then the two scored on one study: their mean and coverage, no rank.
    expect(rows.slice(0, 5).every((row) => /^=?\d+$/.test(row.rank))).toBe(true)
    expect(rows.slice(5).map((row) => row.rank)).toEqual(["", ""])
    const claude = rows.find((row) => row.label === "claude-haiku-4-5")!
    expect(claude.overall).toContain("1 of 2 studies")
    const ranked = model.rows.filter((row) => row.cells.overall!.rank !== null)
    expect(rows.slice(0, 5).map((row) => row.rank)).toEqual(
      ranked.map((row) => `${row.cells.overall!.tied ? "=" : ""}${row.cells.overall!.rank}`),
    )
    // The chart shows every row: ranked ones filled, the others open.
    await page.waitForSelector("#overview-chart svg")
    const fills = await page.$$eval("#overview-chart svg g[aria-label='dot'] circle", (circles) =>
      circles.map((circle) => circle.getAttribute("fill")),
    )
    expect(fills.filter((fill) => fill === "white")).toHaveLength(2)
    expect(fills).toHaveLength(7)
    expect(errors).toEqual([])
    await page.close()
  })

  it("shows the chart above the fold at 1400 × 900, with the pilot baselines as reference lines", async () => {
    const page = await browser.context.newPage()
    await page.setViewportSize({ width: 1400, height: 900 })
    const errors = watchErrors(page)
    await page.goto(`${server.url}#/`)
    await page.waitForSelector("#overview-chart svg")
    const box = await page.$eval("#overview-chart svg", (svg) => {
      const rect = svg.getBoundingClientRect()
      return { top: rect.top, bottom: rect.bottom }
    })
    expect(box.top).toBeGreaterThan(0)
    expect(box.bottom).toBeLessThanOrEqual(900)
    // One vertical rule per pilot baseline, at its value on the x scale (besides the floor and ceiling).
    const pilots = model.reference.filter((row) => row.kind === "pilot")
    const lines = await page.$$eval("#overview-chart svg g[aria-label='rule'] line", (nodes) =>
      nodes.map((line) => ({
        stroke: line.closest("g")!.getAttribute("stroke"),
        x: Number(line.getAttribute("x1")),
        vertical: line.getAttribute("x1") === line.getAttribute("x2"),
      })),
    )
    const vertical = lines.filter((line) => line.vertical)
    const byStroke = (stroke: string) => vertical.filter((line) => line.stroke === stroke)
    const floor = byStroke("#b35806")[0]!.x
    const ceiling = byStroke("#1b7837")[0]!.x
    for (const [i, stroke] of ["#7b3294", "#008080"].entries()) {
      const drawn = byStroke(stroke)
      expect(drawn).toHaveLength(1)
      const value = pilots[i]!.cells.overall!.value!
      expect(drawn[0]!.x).toBeCloseTo(floor + value * (ceiling - floor), 0)
    }
    const legend = (await page.textContent("#overview-figure ul.chart-legend"))!
    for (const pilot of pilots) expect(legend).toContain(`${pilot.label} (pilot baseline)`)
    await page.screenshot({ path: join(screenshotDir, "overview-1400x900.png") })
    expect(errors).toEqual([])
    await page.close()
  })

  it("charts the reference rows, the pilot baselines as lines, on a board with no model (baselines only)", async () => {
    const results = await Effect.runPromise(loadResults([fixtureSetDir]))
    const baselinesOnly = results.map((loaded) => ({
      ...loaded,
      results: {
        ...loaded.results,
        entries: loaded.results.entries.filter((entry) => entry.baseline !== undefined),
      },
    }))
    const out = await temporaryDir("baselines-site")
    await Effect.runPromise(buildSite({ results: baselinesOnly, out }))
    const baselines = await serveStatic(out)
    const page = await browser.context.newPage()
    await page.setViewportSize({ width: 1400, height: 900 })
    const errors = watchErrors(page)
    await page.goto(`${baselines.url}#/`)
    await page.waitForSelector("#overview-chart svg")
    expect(await page.textContent("#overview-chart")).not.toContain("Not available")
    const labels = await page.$$eval("#overview-chart svg g[aria-label='dot'] circle title", (nodes) =>
      nodes.map((node) => node.textContent!.split(":")[0]),
    )
    expect(labels).toEqual([
      "Human split-half (ceiling)",
      "Pilot marginal",
      "Pilot persona cell",
      "Uniform (floor)",
    ])
    const strokes = await page.$$eval("#overview-chart svg g[aria-label='rule'] line", (nodes) =>
      nodes
        .filter((line) => line.getAttribute("x1") === line.getAttribute("x2"))
        .map((line) => line.closest("g")!.getAttribute("stroke")),
    )
    expect(strokes).toEqual(expect.arrayContaining(["#b35806", "#1b7837", "#7b3294", "#008080"]))
    const legend = (await page.textContent("#overview-figure ul.chart-legend"))!
    expect(legend).toContain("reference row (not ranked)")
    expect(legend).toContain("Pilot marginal (pilot baseline)")
    expect(await page.textContent("#overview-figure figcaption")).toContain(
      "no model configuration on this board yet",
    )
    await page.screenshot({ path: join(screenshotDir, "overview-baselines-only.png") })
    expect(errors).toEqual([])
    await page.close()
    await baselines.close()
  })

  it('tells "not run on this study" from "ran, 0 valid answers"', async () => {
    const { page, errors } = await open("/")
    const cell = async (label: string, study: string) => {
      const row = model.rows.find((item) => item.label === label)!
      const index = model.columns.filter((column) => column.family === null).findIndex((c) => c.key === study)
      return page.$eval(
        `tr[data-row="${row.key}"]`,
        (tr, i) => {
          const td = tr.querySelectorAll("td.cell")[i]!
          return { text: td.textContent!.trim(), title: td.getAttribute("title"), className: td.className }
        },
        index,
      )
    }
    const notRun = await cell(
      "gpt-4o-mini-2024-07-18 finetuned · n=480 · all arms · random",
      "fixture-news-sharing",
    )
    expect(notRun).toEqual({ text: "not run", title: "not run on this study", className: "cell missing" })
    const noValid = await cell("Llama 3.1 8B Instruct", "fixture-data-sharing")
    expect(noValid).toEqual({
      text: "0 valid",
      title: "ran, but none of its 240 answers was valid",
      className: "cell no-valid",
    })
    const failed = await cell("claude-haiku-4-5", "fixture-charity-default")
    expect(failed.text).toBe("failed")
    // The model page says the same, never "ok" beside 0 valid answers.
    const llama = model.rows.find((row) => row.label === "Llama 3.1 8B Instruct")!
    await page.goto(`${server.url}#/model/${llama.key}`)
    await page.waitForSelector("table.runs-table")
    const statuses = await page.$$eval("table.runs-table tbody tr", (trs) =>
      trs.map((tr) => tr.querySelectorAll("td")[2]!.textContent!.trim()),
    )
    expect(statuses).toEqual([
      "ok: every answer valid",
      "ran, 0 valid answers of 240: nothing to score",
      "ok: every answer valid",
    ])
    // Runs are labelled by provider, model and design.
    expect(await page.textContent("table.runs-table tbody tr td:nth-child(2)")).toContain(
      "openai-compatible meta-llama/Meta-Llama-3.1-8B-Instruct · pilot n=480 random · holdout 150 · seed 7",
    )
    expect(errors).toEqual([])
    await page.close()
  })

  it("filters by vendor, kind, weights and elicitation, and searches", async () => {
    const { page, errors } = await open("/")
    const visible = async () => (await rankedLabels(page)).sort()
    const points = () => page.$$eval("#overview-chart svg g[aria-label='dot'] circle", (c) => c.length)
    const settle = async () => {
      await page.waitForFunction(
        () =>
          document.querySelectorAll("#overview-chart svg g[aria-label='dot'] circle").length ===
          document.querySelectorAll("tbody.ranked-rows tr[data-row]").length,
      )
    }
    const labels = (filter: (row: (typeof model.rows)[number]) => boolean) =>
      model.rows
        .filter(filter)
        .map((row) => row.label)
        .sort()
    await page.selectOption("#filter-weights", "open")
    await settle()
    expect(await visible()).toEqual(["Llama 3.1 8B Instruct"])
    expect(await points()).toBe(1)
    await page.selectOption("#filter-weights", "")
    await page.selectOption("#filter-vendor", "anthropic")
    await settle()
    expect(await visible()).toEqual(["claude-haiku-4-5"])
    await page.selectOption("#filter-vendor", "")
    await page.selectOption("#filter-kind", "finetuned")
    await settle()
    expect(await visible()).toEqual(labels((row) => row.kind === "finetuned"))
    expect(await visible()).toHaveLength(4)
    await page.fill("#filter-search", "n=120")
    await settle()
    expect(await visible()).toEqual(labels((row) => row.label.includes("n=120")))
    expect(await page.textContent("#filter-count")).toBe("2 of 7 configurations match")
    await page.fill("#filter-search", "no such model")
    await page.waitForSelector("tbody.ranked-rows td.not-available")
    await page.fill("#filter-search", "")
    await page.selectOption("#filter-kind", "")
    await page.selectOption("#filter-elicitation", "sample")
    await settle()
    expect(await visible()).toHaveLength(7)
    // The references stay in view whatever the filters.
    expect(await page.$$("tbody.reference-rows tr[data-row]")).toHaveLength(4)
    expect(errors).toEqual([])
    await page.close()
  })

  it("never scrolls sideways at 400 px, on any page, and logs no error", async () => {
    const page = await browser.context.newPage()
    await page.setViewportSize({ width: 400, height: 900 })
    const errors = watchErrors(page)
    const rows = [...model.rows, ...model.reference]
    const routes = [
      "/",
      "/methods",
      "/downloads",
      ...studies.map((study) => `/study/${study}`),
      ...rows.map((row) => `/model/${row.key}`),
      `/compare/${model.rows[0]!.key}/${model.rows[model.rows.length - 1]!.key}`,
    ]
    for (const route of routes) {
      await page.goto(`${server.url}#${route}`)
      await page.waitForSelector(`body[data-ready]`)
      if (route.startsWith("/study/") || route.startsWith("/model/")) await page.waitForSelector("main table")
      if (route === "/" || route.startsWith("/compare/")) await page.waitForSelector("main figure svg")
      const { scroll, client } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }))
      expect(scroll, route).toBeLessThanOrEqual(client)
      if (route === "/" || route.startsWith("/study/fixture-data")) {
        await page.screenshot({
          path: join(screenshotDir, `narrow-${route === "/" ? "overview" : "study"}.png`),
          fullPage: true,
        })
      }
    }
    expect(errors).toEqual([])
    await page.close()
  })

  it("compares two configurations: both figures and their difference", async () => {
    const [a, b] = [model.rows[0]!, model.rows[4]!]
    const { page, errors } = await open(`/model/${a.key}`)
    await page.selectOption("#compare-with", b.key)
    await page.click("#compare-form button[type=submit]")
    await page.waitForSelector("body[data-ready='compare'] table.compare-table")
    const first = await page.$eval("table.compare-table tbody tr", (tr) =>
      [...tr.querySelectorAll("td")].map((td) => td.querySelector(".v, strong")?.textContent?.trim()),
    )
    const expected = (a.cells.overall!.value! - b.cells.overall!.value!).toFixed(2).replace("-", "−")
    expect(first[2]).toBe(expected)
    expect(await page.$$("#compare-chart svg g[aria-label='dot'] circle")).not.toHaveLength(0)
    expect(errors).toEqual([])
    await page.close()
  })

  it("gives study charts legends and captions in words, and keeps the heat map in its section", async () => {
    for (const width of [1400, 400]) {
      const page = await browser.context.newPage()
      await page.setViewportSize({ width, height: 900 })
      const errors = watchErrors(page)
      await page.goto(`${server.url}#/study/${studies[1]}`)
      await page.waitForSelector("body[data-ready='study'][data-charted]")
      const figures = await page.$$eval("#study-charts figure.chart", (nodes) =>
        nodes
          .filter((node) => node.querySelector("svg") !== null)
          .map((node) => ({
            caption: node.querySelector("figcaption")!.textContent!,
            // Plot's swatch and ramp legends, or a key in the figure's own words (forest plots).
            legend:
              node.querySelector("[class$='-swatches'], [class*='-swatches '], svg[class$='-ramp']") !==
                null || node.querySelector(".facet-title .swatch") !== null,
          })),
      )
      expect(figures.length).toBeGreaterThan(10)
      for (const figure of figures) {
        expect(figure.legend, figure.caption).toBe(true)
        expect(figure.caption).not.toMatch(/details\.|`/)
      }
      // A chart titled by a difference or gap plots that measure's own values, not the raw figures.
      const gap = await page.$$eval("#study-charts figure.chart", (nodes) => {
        const node = nodes.find((n) =>
          n.querySelector("figcaption")!.textContent!.includes("Contrary-rate gap"),
        )!
        return {
          dots: node.querySelectorAll("g[aria-label='dot'] circle").length,
          bars: node.querySelectorAll("g[aria-label='bar'] rect").length,
        }
      })
      expect(gap.dots).toBeGreaterThan(0)
      expect(gap.bars).toBe(0)
      // The heat map ends before the next section starts.
      const bounds = await page.evaluate(() => {
        const section = document.querySelector("section[aria-labelledby='subgroups-title']")!
        const svg = [...section.querySelectorAll("figure svg")].at(-1)!
        const next = section.nextElementSibling!
        const labels = [...svg.querySelectorAll("text")].map((text) => text.getBoundingClientRect().bottom)
        return {
          bottom: Math.max(svg.getBoundingClientRect().bottom, ...labels),
          next: next.getBoundingClientRect().top,
        }
      })
      expect(bounds.bottom).toBeLessThanOrEqual(bounds.next)
      expect(errors).toEqual([])
      await page.close()
    }
  })
})
