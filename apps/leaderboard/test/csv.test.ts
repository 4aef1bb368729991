import { spawnSync } from "node:child_process"
import { describe, expect, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { Effect } from "effect"
import {
  aggregate,
  aggregateDetailed,
  csvField,
  leaderboardCsv,
  loadResults,
  longCsv,
  longCsvColumns,
} from "../src/index.js"
import { fixtureSetDir } from "./support/paths.js"

/** RFC 4180 rows (csv-parse); blank lines skipped. */
const parseCsv = (text: string): Array<Array<string>> =>
  parse(text, { relax_column_count: true, skip_empty_lines: true }) as Array<Array<string>>

describe("CSV", () => {
  it("quotes only fields that need it", () => {
    expect(csvField("plain")).toBe("plain")
    expect(csvField('say "hi", twice')).toBe('"say ""hi"", twice"')
    expect(csvField("two\nlines")).toBe('"two\nlines"')
    expect(csvField(null)).toBe("")
    expect(csvField(Number.NaN)).toBe("")
    expect(csvField(-0.25)).toBe("-0.25")
  })

  it.effect("writes one line per row with every column's value, bounds, rank and status", () =>
    Effect.gen(function* () {
      const model = aggregate(yield* loadResults([fixtureSetDir]))
      const rows = parseCsv(leaderboardCsv(model))
      const [header, ...lines] = rows
      expect(header).toHaveLength(11 + model.columns.length * 5)
      expect(lines).toHaveLength(model.rows.length + model.reference.length)
      for (const line of lines) expect(line).toHaveLength(header!.length)
      const claude = lines.find((line) => line[1] === "claude-haiku-4-5")!
      expect(claude[header!.indexOf("fixture-charity-default:status")]).toBe("failed")
      const top = model.rows[0]!
      const first = lines[0]!
      expect(first[0]).toBe(top.key)
      expect(Number(first[header!.indexOf("overall:fidelity")])).toBe(top.cells.overall!.value)
      expect(lines.find((line) => line[2] === "floor")![header!.indexOf("overall:rank")]).toBe("")
    }),
  )

  it.effect("writes the tidy long file: one line per entry × study × metric × measure, with intervals", () =>
    Effect.gen(function* () {
      const loaded = yield* loadResults([fixtureSetDir])
      const aggregation = aggregateDetailed(loaded)
      const text = longCsv(loaded, aggregation)
      const [header, ...lines] = parseCsv(text)
      expect(header).toEqual([...longCsvColumns])
      for (const line of lines) expect(line).toHaveLength(header!.length)
      const column = (name: string) => header!.indexOf(name)
      // Every real entry: an overall line, a headline line per metric and a line per measure.
      const expected = loaded.flatMap((file) =>
        file.results.entries
          .filter((entry) => entry.finetune?.fake !== true)
          .map((entry) => 1 + entry.scores.reduce((sum, score) => sum + 1 + score.measures.length, 0)),
      )
      expect(lines).toHaveLength(expected.reduce((a, b) => a + b, 0))
      expect(lines.some((line) => line[column("label")]!.includes("fake"))).toBe(false)
      // A measure line carries its value and interval as plain numbers.
      const file = loaded.find((item) => item.results.study.id === "fixture-data-sharing")!
      const entry = file.results.entries.find((item) => item.id === "gpt-4o-mini")!
      const measure = entry.scores[0]!.measures.find((m) => m.ci !== null)!
      const line = lines.find(
        (l) =>
          l[column("study")] === "fixture-data-sharing" &&
          l[column("entry")] === "gpt-4o-mini" &&
          l[column("key")] === measure.key,
      )!
      expect(Number(line[column("value")])).toBe(measure.value)
      expect(Number(line[column("ci_lower")])).toBe(measure.ci!.lower)
      expect(Number(line[column("ci_upper")])).toBe(measure.ci!.upper)
      // The entry that gave no valid answer is there, with its counts and no figures.
      const none = lines.filter(
        (l) => l[column("study")] === "fixture-data-sharing" && l[column("entry")] === "llama-3.1-8b",
      )
      expect(none).toHaveLength(1)
      expect([none[0]![column("valid")], none[0]![column("twins")], none[0]![column("fidelity")]]).toEqual([
        "0",
        "240",
        "",
      ])
    }),
  )

  // pandas reads it with the right types (when python3-pandas is installed, as in CI).
  const hasPandas = spawnSync("/usr/bin/python3", ["-c", "import pandas"]).status === 0
  it.runIf(hasPandas)("reads in pandas with numeric interval columns", async () => {
    const loaded = await Effect.runPromise(loadResults([fixtureSetDir]))
    const text = longCsv(loaded, aggregateDetailed(loaded))
    const script = [
      "import sys, io, pandas",
      "frame = pandas.read_csv(io.StringIO(sys.stdin.read()))",
      "print(len(frame), frame['value'].dtype, frame['ci_lower'].dtype, frame['fidelity'].dtype, frame['valid'].dtype, int(frame['fidelity'].isna().sum() > 0))",
    ].join("\n")
    const result = spawnSync("/usr/bin/python3", ["-c", script], { input: text, encoding: "utf8" })
    expect(result.stderr).toBe("")
    const rows = parseCsv(text).length - 1
    expect(result.stdout.trim()).toBe(`${rows} float64 float64 float64 int64 1`)
  })
})
