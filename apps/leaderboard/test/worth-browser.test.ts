/**
 * The worth-k-humans parts of the site in chromium: the overview's worth and cost columns, the model page's
 * per-target PPI table and the methods page's references. The committed fixtures carry no `ppi` blocks, so
 * this test copies the fixture set and gives one study's entries a `ppi` block each.
 */
import { cp, mkdir, readFile, writeFile } from "node:fs/promises"
import { join } from "node:path"
import type { LearningCurvePoint, PpiSummary, PpiTarget } from "@standin/core"
import { Effect } from "effect"
import type { Page } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { aggregate, buildSite, type LeaderboardModel, loadResults } from "../src/index.js"
import { type StaticServer, serveStatic } from "../src/testing/index.js"
import { type Browser, launchChromium, watchErrors } from "./support/browser.js"
import { fixtureSetDir, screenshotDir, temporaryDir } from "./support/paths.js"

const study = "fixture-data-sharing"

const target = (id: string, kind: PpiTarget["kind"], n: number, nEffective: number): PpiTarget => ({
  id,
  label: `${id} label`,
  kind,
  item: "share",
  arm: kind === "coefficient" ? "showdata" : "shown-hidden",
  coding: kind === "coefficient" ? 'log-odds of "yes"' : 'proportion "yes"',
  n,
  N: 600,
  lambda: 0.8,
  correlation: 0.7,
  classical: { estimate: 0.1, se: 0.05, lower: 0.002, upper: 0.198 },
  ppi: { estimate: 0.08, se: 0.05 * Math.sqrt(n / nEffective), lower: 0.03, upper: 0.13 },
  nEffective,
  gain: nEffective - n,
  holdout: { estimate: 0.07, n: 600 },
  covered: true,
})

/** A `ppi` block: the uniform floor adds nothing, every other entry adds 10 × its position participants. */
const ppiFor = (index: number, baseline: string | undefined): PpiSummary => {
  const n = 100
  const nEffective = baseline === "floor" ? 100 : 100 + 10 * (index + 1)
  return {
    method: "ppi++",
    alpha: 0.05,
    pilotTwins: n,
    holdoutTwins: 600,
    inSample: baseline === "pilot",
    note: baseline === "pilot" ? "Learns from the pilot: in-sample." : "Out-of-sample.",
    headline: "share:effect:shown-hidden",
    targets: [
      target("share:effect:shown-hidden", "effect", n, nEffective),
      target("share:mean:shown", "mean", 50, 60),
      target("share:coefficient:showdata", "coefficient", n, nEffective - 5),
    ],
    cost: {
      humanCostUsd: 2.5,
      twinCostUsd: 0.001,
      mixedDesignUsd: 250.7,
      humansAloneUsd: nEffective * 2.5,
      savingUsd: nEffective * 2.5 - 250.7,
      costPerEffectiveParticipantUsd: 250.7 / nEffective,
      costPerFidelityUsd: 1.2,
    },
  }
}

let browser: Browser
let server: StaticServer
let model: LeaderboardModel
/** Distinct (sampling, pilot size) pairs of the sweep's points: one dot each for the base and the finetune. */
let curvePoints = 0

beforeAll(async () => {
  browser = await launchChromium()
  await mkdir(screenshotDir, { recursive: true })
  const input = await temporaryDir("worth-input")
  await cp(fixtureSetDir, input, { recursive: true })
  const file = join(input, study, "results.json")
  const results = JSON.parse(await readFile(file, "utf8")) as {
    entries: Array<{ baseline?: string; ppi?: PpiSummary }>
    learningCurves?: Array<{ pilotSize: number; sampling: string; worth?: LearningCurvePoint["worth"] }>
  }
  results.entries.forEach((entry, index) => {
    entry.ppi = ppiFor(index, entry.baseline)
  })
  // the sweep's n_eff curve: the base model worth 1.5 × the pilot, each finetune 2 × (in-sample)
  curvePoints = new Set((results.learningCurves ?? []).map((p) => `${p.sampling} ${p.pilotSize}`)).size
  for (const point of results.learningCurves ?? [])
    point.worth = {
      target: "share:effect:shown-hidden",
      n: point.pilotSize,
      base: 1.5 * point.pilotSize,
      finetuned: 2 * point.pilotSize,
    }
  await writeFile(file, JSON.stringify(results))
  const loaded = await Effect.runPromise(loadResults([input]))
  model = aggregate(loaded)
  const site = await Effect.runPromise(buildSite({ results: loaded, out: await temporaryDir("worth-site") }))
  server = await serveStatic(site.out)
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const open = async (route: string): Promise<{ page: Page; errors: Array<string> }> => {
  const page = await browser.context.newPage()
  const errors = watchErrors(page)
  await page.goto(`${server.url}#${route}`)
  await page.waitForSelector(`body[data-ready]`, { timeout: 20_000 })
  return { page, errors }
}

describe("worth k humans on the site", () => {
  it("the overview has a worth-k-humans and a cost column, filled from the ppi blocks", async () => {
    const { page, errors } = await open("/")
    const headers = await page.$$eval("table.leaderboard thead th", (cells) =>
      cells.map((cell) => cell.textContent?.trim()),
    )
    expect(headers).toContain("Worth k humans")
    expect(headers).toContain("Cost")
    // every row on the fixture study shows its headline gain; rows not run on it show a dash
    const rows = [...model.reference, ...model.rows]
    for (const row of rows.slice(0, 8)) {
      const worth = row.cells[study]?.worth
      const text = await page.$eval(`tr[data-row="${row.key}"] td.worth`, (cell) => cell.textContent ?? "")
      if (worth === undefined) {
        expect(text.trim()).toBe("—")
        continue
      }
      const headline = worth.targets.find((t) => t.id === worth.headline)!
      const gain = Math.round(headline.gain!)
      expect(text).toContain(gain === 0 ? "0" : `+${gain}`)
      expect(text).toContain(`n_eff ${Math.round(headline.nEffective!)}/100`)
    }
    const floor = model.reference.find((row) => row.kind === "floor")!
    expect(await page.$eval(`tr[data-row="${floor.key}"] td.worth .v`, (cell) => cell.textContent)).toBe("0")
    const costs = await page.$$eval("td.cost", (cells) => cells.map((cell) => cell.textContent ?? ""))
    expect(costs.some((text) => /saves \$\d/.test(text))).toBe(true)
    expect(costs.some((text) => /costs \$\d+\.\d\d more/.test(text))).toBe(true)
    // the row's cells stay aligned with the header: as many cells as header columns
    const widths = await page.$$eval("table.leaderboard tbody.ranked-rows tr[data-row]", (trs) =>
      trs.map((tr) => tr.children.length),
    )
    const columns = await page.$$eval("table.leaderboard thead tr:first-child th", (ths) =>
      ths.reduce((sum, th) => sum + Number(th.getAttribute("colspan") ?? 1), 0),
    )
    expect(new Set(widths)).toEqual(new Set([columns]))
    await page.screenshot({ path: join(screenshotDir, "overview-worth.png"), fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  })

  it("a model page lists every PPI target with its truth check", async () => {
    const row = model.rows.find((candidate) => candidate.cells[study]?.worth !== undefined)!
    const { page, errors } = await open(`/model/${row.key}`)
    await page.waitForSelector("table.worth-table")
    const targets = await page.$$eval("table.worth-table tbody tr", (trs) =>
      trs.map((tr) => tr.getAttribute("data-target")),
    )
    expect(targets).toEqual(["share:effect:shown-hidden", "share:mean:shown", "share:coefficient:showdata"])
    const headline = await page.$eval("table.worth-table tr.headline th", (th) => th.textContent)
    expect(headline).toBe("share:effect:shown-hidden label")
    expect(await page.textContent("#worth")).toBe("Worth k humans")
    await page.screenshot({ path: join(screenshotDir, "model-worth.png"), fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  })

  it("the study page draws the sweep's n_eff curve beside the learning curves", async () => {
    const { page, errors } = await open(`/study/${study}`)
    const caption = page.locator("figure:has(figcaption:has-text('Effective sample size'))")
    await caption.waitFor()
    expect(await caption.locator("figcaption").first().textContent()).toContain(
      "PPI++ on share:effect:shown-hidden",
    )
    // a dot per series and pilot size: the base model and the finetune at each point
    expect(curvePoints).toBeGreaterThan(1)
    expect(await caption.locator("svg circle").count()).toBe(2 * curvePoints)
    await caption.screenshot({ path: join(screenshotDir, "neff-curve.png") })
    expect(errors).toEqual([])
    await page.close()
  })

  it("the methods page explains the mixed-subjects design with its references", async () => {
    const { page, errors } = await open("/methods")
    const section = await page.textContent("section[aria-labelledby='worth-k-humans']")
    expect(section).toContain("mixed-subjects design")
    for (const reference of [
      "Prediction-powered inference. Science",
      "PPI++: Efficient prediction-powered inference",
      "Sociological Methods & Research",
      "Design-based supervised learning",
    ])
      expect(section).toContain(reference)
    expect(errors).toEqual([])
    await page.close()
  })
})
