// The study format's bench (after `pnpm build`): how fast the format-2 features read and compute, on the
// factorial-index fixture (a 7-item index with value labels, missing codes, factors, numeric persona)
// scaled to STANDIN_BENCH_ROWS respondents (default 12,461, the size of the bundled study):
//   (a) validating rows into respondents (labels, missing codes, factor cells, numeric attributes), rows/s;
//   (b) the derived 7-item index (three reverse-coded items), µs per respondent;
//   (c) twins with skip logic (a condition on an earlier answer), µs per respondent.
import { readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { derivedValue, twinOf } from "@standin/core"
import { Effect } from "effect"
import { inspectTable, parseCsvText, readStudyFolder } from "../dist/index.js"

const here = dirname(fileURLToPath(import.meta.url))
const fixture = resolve(here, "../test/fixtures/factorial-index")
const rows = Number(process.env.STANDIN_BENCH_ROWS ?? 12_461)

const read = Effect.runSync(readStudyFolder(fixture))
const study = read.definition
const parsed = parseCsvText(readFileSync(join(fixture, "data.csv"), "utf8"))
if ("error" in parsed) throw new Error(parsed.error)
const base = parsed.table.records
const table = {
  header: parsed.table.header,
  records: Array.from({ length: rows }, (_, i) => {
    const record = base[i % base.length]
    return { row: i + 2, cells: [`R${i}`, ...record.cells.slice(1)] }
  }),
}

const time = (f) => {
  const start = performance.now()
  const value = f()
  return { value, ms: performance.now() - start }
}

inspectTable(study, "data.csv", table) // warm up
const a = time(() => inspectTable(study, "data.csv", table))
const respondents = a.value.respondents
if (a.value.problems.length > 0) throw new Error(`unexpected problems: ${a.value.problems.length}`)
console.log(
  `(a) validated ${rows.toLocaleString("en-US")} rows in ${a.ms.toFixed(0)} ms: ${Math.round((rows / a.ms) * 1000).toLocaleString("en-US")} rows/s`,
)

let total = 0
for (const respondent of respondents) total += derivedValue(study, "trust", respondent) ?? 0 // warm up
const b = time(() => {
  let sum = 0
  for (const respondent of respondents) sum += derivedValue(study, "trust", respondent) ?? 0
  return sum
})
total += b.value
console.log(`(b) derived 7-item index: ${((b.ms * 1000) / respondents.length).toFixed(2)} µs per respondent`)

const skipping = {
  ...study,
  items: study.items.map((item, index) =>
    index === 1 ? { ...item, askedIf: 't1 == "Strongly agree" or t1 == "Agree"' } : item,
  ),
}
const c = time(() => respondents.map((respondent, index) => twinOf(skipping, respondent, `t${index}`)))
const skipped = c.value.filter((twin) => twin.skipped !== undefined).length
console.log(
  `(c) twins with skip logic: ${((c.ms * 1000) / respondents.length).toFixed(2)} µs per respondent (${skipped.toLocaleString("en-US")} of ${respondents.length.toLocaleString("en-US")} skip t2)`,
)
if (!Number.isFinite(total)) throw new Error("the index is not a number")
