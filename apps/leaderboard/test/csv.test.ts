import { describe, expect, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import { Effect } from "effect"
import { aggregate, csvField, leaderboardCsv, loadResults } from "../src/index.js"
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
})
