// Bench: how long the leaderboard takes to become usable in headless chromium, for a 3-study × 50-model
// board and, in the same run, a 1-study × 5-model board (the ratio between them is what the machine's load
// cannot change much). Two figures per board, medians of several page loads, from navigation start with
// the page's own performance marks:
// - overview interactive: the first click on a sortable column header has been handled (table re-sorted);
// - study page ready: the study page opened directly has drawn its charts.
// Targets for 3 × 50: overview under 1 s, study page under 1.5 s.
// Run after `pnpm build`: `pnpm --filter @standin/leaderboard bench` (the root `pnpm bench` does both).
import { mkdtemp, readdir, rm, stat } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { chromium } from "playwright-core"
import { buildSite, loadResults } from "../dist/index.js"
import { fixtureSet, fixtureStudies, serveStatic, writeFixtureSet } from "../dist/testing/index.js"
import { chromiumFlags, chromiumPath } from "./chromium.mjs"

const loads = Number(process.env.STANDIN_BENCH_LOADS ?? 7)
const targets = { overview: 1000, study: 1500 }
let executablePath
try {
  executablePath = await chromiumPath()
} catch (error) {
  console.error(error.message)
  process.exit(1)
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const ms = (value) => `${value.toFixed(0)} ms`
const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`

const folderBytes = async (folder) => {
  let total = 0
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath ?? entry.path, entry.name))).size
  }
  return total
}

const work = await mkdtemp(join(tmpdir(), "standin-leaderboard-bench-"))
const userDataDir = await mkdtemp(join(tmpdir(), "standin-chromium-bench-"))
let context
const servers = []
try {
  /** Builds a board of `studies` fixture studies × `models` model rows and serves it. */
  const board = async (name, studies, models) => {
    const kept = new Set(fixtureStudies.slice(0, studies).map((study) => study.id))
    const files = fixtureSet({ models, syntheticCsv: false }).filter((file) =>
      kept.has(file.path.split("/")[0]),
    )
    await writeFixtureSet(join(work, name, "results"), files)
    const results = await Effect.runPromise(loadResults([join(work, name, "results")]))
    const site = await Effect.runPromise(
      buildSite({ results, out: join(work, name, "site"), missingSynthetic: "skip" }),
    )
    const server = await serveStatic(site.out)
    servers.push(server)
    const study = fixtureStudies[0].id
    return {
      name,
      studies,
      models,
      server,
      study,
      bytes: {
        data: (await stat(join(site.out, "data.js"))).size,
        study: (await stat(join(site.out, "data", `study-${study}.js`))).size,
        entries: await folderBytes(join(site.out, "data", "entries")),
      },
    }
  }

  const small = await board("small", 1, 5)
  const large = await board("large", 3, 50)
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: chromiumFlags,
    viewport: { width: 1400, height: 900 },
  })

  const watch = (page) => {
    const errors = []
    page.on("pageerror", (error) => errors.push(error.message))
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()))
    return errors
  }

  const overviewOnce = async (site, run) => {
    const page = await context.newPage()
    const errors = watch(page)
    await page.goto(`${site.server.url}?run=${run}#/`)
    await page.waitForSelector("button[data-sort]:not([data-sort='overall'])", { state: "attached" })
    await page.click("button[data-sort]:not([data-sort='overall'])")
    await page.waitForSelector("body[data-sorted-by]", { state: "attached" })
    const marks = await page.evaluate(() => ({
      sorted: performance.getEntriesByName("standin:sorted")[0]?.startTime ?? Number.NaN,
      rows: document.querySelectorAll("tbody.ranked-rows tr[data-row]").length,
    }))
    await page.close()
    if (errors.length > 0) throw new Error(`${site.name} overview logged errors: ${errors.join("; ")}`)
    if (marks.rows !== Math.min(15, site.models))
      throw new Error(`${site.name}: expected ${Math.min(15, site.models)} ranked rows, found ${marks.rows}`)
    return marks.sorted
  }

  const studyOnce = async (site, run) => {
    const page = await context.newPage()
    const errors = watch(page)
    await page.goto(`${site.server.url}?run=${run}#/study/${site.study}`)
    await page.waitForSelector("body[data-ready='study'][data-charted]", { state: "attached" })
    const marks = await page.evaluate(() => ({
      ready: performance.getEntriesByName("standin:rendered:study")[0]?.startTime ?? Number.NaN,
      charts: document.querySelectorAll("figure.chart svg").length,
    }))
    await page.close()
    if (errors.length > 0) throw new Error(`${site.name} study page logged errors: ${errors.join("; ")}`)
    if (marks.charts < 10) throw new Error(`${site.name}: the study page drew only ${marks.charts} charts`)
    return marks.ready
  }

  // Interleaved, so both boards see the same machine load.
  const times = new Map([small, large].map((site) => [site.name, { overview: [], study: [] }]))
  for (let run = 0; run < loads; run++) {
    for (const site of [small, large]) {
      times.get(site.name).overview.push(await overviewOnce(site, run))
      times.get(site.name).study.push(await studyOnce(site, run))
    }
  }

  console.log(`leaderboard bench: ${loads} page loads per figure in headless chromium (1400 × 900)`)
  for (const site of [small, large]) {
    const t = times.get(site.name)
    console.log(
      `  ${site.studies} × ${site.models}: data.js ${kib(site.bytes.data)}, study script ${kib(site.bytes.study)}, entry scripts ${kib(site.bytes.entries)} in all`,
    )
    console.log(
      `    overview interactive: median ${ms(median(t.overview))} (worst ${ms(Math.max(...t.overview))}); study page ready: median ${ms(median(t.study))} (worst ${ms(Math.max(...t.study))})`,
    )
  }
  const big = times.get("large")
  const base = times.get("small")
  const ratio = (key) => median(big[key]) / median(base[key])
  console.log(
    `  ratio 3 × 50 to 1 × 5: overview ${ratio("overview").toFixed(2)}, study page ${ratio("study").toFixed(2)}`,
  )
  for (const key of ["overview", "study"]) {
    const value = median(big[key])
    const within = value < targets[key]
    console.log(
      `  3 × 50 ${key} vs its ${ms(targets[key])} target: ${(value / targets[key]).toFixed(2)} (${within ? "PASS" : "MISS"})`,
    )
  }
} finally {
  await context?.close()
  for (const server of servers) await server.close()
  await rm(userDataDir, { recursive: true, force: true })
  await rm(work, { recursive: true, force: true })
}
