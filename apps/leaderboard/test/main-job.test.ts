import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { mkdir } from "node:fs/promises"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type StaticServer, serveStatic } from "../src/testing/index.js"
import { type Browser, launchChromium, watchErrors } from "./support/browser.js"
import { screenshotDir, temporaryDir } from "./support/paths.js"

// README's main job ends with a site: run the bundled study on the baselines with the built CLI (as a user
// would), then open the site it wrote and check the overview shows the study with every baseline.
const repoRoot = resolve(__dirname, "../../..")
const cli = join(repoRoot, "packages/cli/dist/bin.js")
const dataDir = process.env.STANDIN_DATA_DIR ?? resolve(repoRoot, "../shared/data")
const hasData = existsSync(join(dataDir, "berke-fingerprint-consent"))

describe.runIf(hasData)("the main job's leaderboard", () => {
  let browser: Browser
  let server: StaticServer
  let out: string

  beforeAll(async () => {
    out = await temporaryDir("main-job")
    const run = spawnSync(
      process.execPath,
      [cli, "run", "--holdout", "600", "--bootstrap", "50", "--quiet", "--out", out],
      {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", STANDIN_DATA_DIR: dataDir, STANDIN_OFFLINE: "1" },
        timeout: 300_000,
      },
    )
    if (run.status !== 0) throw new Error(`standin run failed: ${run.stderr}`)
    expect(run.stdout).toMatch(/leaderboard: open .*site\/index\.html/)
    browser = await launchChromium()
    server = await serveStatic(join(out, "site"))
    await mkdir(screenshotDir, { recursive: true })
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it("shows the bundled study with all baselines and the human ceiling", async () => {
    const page = await browser.context.newPage()
    const errors = watchErrors(page)
    await page.goto(`${server.url}#/`)
    await page.waitForSelector("body[data-ready]", { timeout: 20_000 })
    const text = (await page.textContent("main")) ?? ""
    expect(text).toContain("Sharing browser data for research")
    const references = await page.$$eval("tbody.reference-rows tr[data-row] th.label", (cells) =>
      cells.map((cell) => cell.textContent?.trim() ?? ""),
    )
    expect(references.join(" | ")).toMatch(/Human split-half/)
    expect(references.join(" | ")).toMatch(/Uniform/)
    expect(references.join(" | ")).toMatch(/Pilot marginal/)
    expect(references.join(" | ")).toMatch(/Pilot persona cell/)
    // No model on the board: the chart shows the reference rows, the pilot baselines also as lines in the chart.
    await page.waitForSelector("#overview-chart svg")
    expect(await page.textContent("#overview-chart")).not.toContain("Not available")
    const dots = await page.$$eval("#overview-chart svg g[aria-label='dot'] circle", (nodes) => nodes.length)
    expect(dots).toBe(references.length)
    const rules = await page.$$eval("#overview-chart svg g[aria-label='rule'] line", (nodes) =>
      nodes
        .filter((line) => line.getAttribute("x1") === line.getAttribute("x2"))
        .map((line) => line.closest("g")!.getAttribute("stroke")),
    )
    // the floor, the ceiling and one line per pilot baseline (pilot marginal, pilot persona cell)
    expect(rules).toEqual(expect.arrayContaining(["#b35806", "#1b7837", "#7b3294", "#008080"]))
    const legend = (await page.textContent("#overview-figure ul.chart-legend"))!
    expect(legend).toContain("reference row (not ranked)")
    expect(legend).toMatch(/Pilot marginal.*\(pilot baseline\)/)
    expect(await page.textContent("#overview-figure figcaption")).toContain(
      "no model configuration on this board yet",
    )
    await page.screenshot({ path: join(screenshotDir, "main-job-overview.png"), fullPage: true })
    expect(errors).toEqual([])
    await page.close()
  })
})
