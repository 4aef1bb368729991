// Bench: how long until the overview of 3 studies × 50 models is interactive in headless chromium.
// "Interactive" = the first click on a sortable column header has been handled (the table re-sorted),
// measured from navigation start with the page's own performance marks. Target: under 1 s.
// Run after `pnpm build`: `pnpm --filter @standin/leaderboard bench` (the root `pnpm bench` does both).
import { mkdtemp, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { chromium } from "playwright-core"
import { buildSite, loadResults } from "../dist/index.js"
import { fixtureSet, serveStatic, writeFixtureSet } from "../dist/testing/index.js"
import { chromiumFlags, chromiumPath } from "./chromium.mjs"

const models = 50
const runs = 9
const targetMs = 1000
let executablePath
try {
  executablePath = await chromiumPath()
} catch (error) {
  console.error(error.message)
  process.exit(1)
}

const work = await mkdtemp(join(tmpdir(), "standin-leaderboard-bench-"))
const userDataDir = await mkdtemp(join(tmpdir(), "standin-chromium-bench-"))
let context
let server
try {
  const started = performance.now()
  await writeFixtureSet(join(work, "results"), fixtureSet({ models }))
  const results = await Effect.runPromise(loadResults([join(work, "results")]))
  const site = await Effect.runPromise(buildSite({ results, out: join(work, "site") }))
  const buildMs = performance.now() - started
  const dataBytes = (await stat(join(site.out, "data.js"))).size
  server = await serveStatic(site.out)
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: chromiumFlags,
    viewport: { width: 1360, height: 900 },
  })

  const rendered = []
  const interactive = []
  const sortHandling = []
  let rows = 0
  for (let run = 0; run < runs; run++) {
    const page = await context.newPage()
    const errors = []
    page.on("pageerror", (error) => errors.push(error.message))
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()))
    await page.goto(`${server.url}?run=${run}#/`)
    await page.waitForSelector("button[data-sort]:not([data-sort='overall'])", { state: "attached" })
    const clicked = await page.evaluate(() => performance.now())
    await page.click("button[data-sort]:not([data-sort='overall'])")
    await page.waitForSelector("body[data-sorted-by]", { state: "attached" })
    const marks = await page.evaluate(() => ({
      rendered: performance.getEntriesByName("standin:rendered:overview")[0]?.startTime ?? Number.NaN,
      sorted: performance.getEntriesByName("standin:sorted")[0]?.startTime ?? Number.NaN,
      rows: document.querySelectorAll("tbody.ranked-rows tr[data-row]").length,
    }))
    if (errors.length > 0) throw new Error(`the page logged errors: ${errors.join("; ")}`)
    rows = marks.rows
    rendered.push(marks.rendered)
    interactive.push(marks.sorted)
    sortHandling.push(marks.sorted - clicked)
    await page.close()
  }
  if (rows !== models) throw new Error(`expected ${models} ranked rows on the overview, found ${rows}`)
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
  const ms = (value) => `${value.toFixed(0)} ms`
  const interactiveMedian = median(interactive)
  console.log(`leaderboard bench: 3 studies × ${models} models, ${runs} page loads in headless chromium`)
  console.log(
    `  site build (fixtures, load, aggregate, write): ${ms(buildMs)}; data.js ${(dataBytes / 1024).toFixed(0)} KiB`,
  )
  console.log(
    `  overview rendered:          median ${ms(median(rendered))}, worst ${ms(Math.max(...rendered))}`,
  )
  console.log(
    `  first sort click handled:   median ${ms(interactiveMedian)}, worst ${ms(Math.max(...interactive))} after navigation start`,
  )
  console.log(`  (of which the click itself: median ${ms(median(sortHandling))})`)
  console.log(
    `  ratio to the 1 s target:    ${(interactiveMedian / targetMs).toFixed(2)} (${interactiveMedian < targetMs ? "within" : "OVER"} target)`,
  )
  if (interactiveMedian >= targetMs) process.exitCode = 1
} finally {
  await context?.close()
  await server?.close()
  await rm(userDataDir, { recursive: true, force: true })
  await rm(work, { recursive: true, force: true })
}
