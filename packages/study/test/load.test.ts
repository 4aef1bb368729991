import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import type { StudyDefinition } from "@standin/core"
import { Effect } from "effect"
import { parseCsv, respondentsFromTable, splitMulti } from "../src/load.js"
import { resolveDataFile, sha256 } from "../src/resolve-data.js"

const study: StudyDefinition = {
  id: "mini",
  version: "1",
  title: "Mini",
  description: "",
  citation: "",
  data: { directory: "mini", file: "mini.csv", sha256: "" },
  respondentId: "id",
  armColumn: "arm",
  arms: [
    { id: "a", label: "A", value: "false", stimulus: "" },
    { id: "b", label: "B", value: "true", stimulus: "Saw it." },
  ],
  persona: [
    {
      id: "income",
      column: "income",
      label: "Income",
      multiple: false,
      levels: ["Less than $25,000", "$25,000 - $49,999"],
      template: "Income: {value}",
    },
    {
      id: "race",
      column: "race",
      label: "Race",
      multiple: true,
      separator: ",",
      levels: ["White", "Asian", "Other"],
      template: "Race: {value}",
    },
  ],
  subgroups: ["race"],
  items: [
    {
      id: "act",
      column: "act",
      label: "Act",
      wording: "Act?",
      scale: { _tag: "Binary", options: ["No", "Yes"] },
      role: "action",
    },
    {
      id: "n",
      column: "n",
      label: "N",
      wording: "N?",
      scale: { _tag: "Numeric", min: 0, max: 10, integer: true },
      role: "covariate",
    },
  ],
  preamble: "",
  beliefActionPairs: [],
  analyses: [],
  figures: [],
  privateColumns: ["id"],
  trimWhitespace: true,
}

const load = (text: string) =>
  Effect.runSync(
    Effect.exit(
      parseCsv("mini", "mini.csv", text).pipe(
        Effect.flatMap((table) => respondentsFromTable(study, "mini.csv", table)),
      ),
    ),
  )

const header = "id,arm,income,race,act,n\n"

const errorOf = (text: string): string => {
  const exit = load(text)
  if (exit._tag === "Success") throw new Error("expected a failure")
  return String(exit.cause)
}

describe("respondentsFromTable", () => {
  it("parses valid rows, trimming trailing spaces and splitting multi-select cells", () => {
    const exit = load(
      `${header}r1,false,"$25,000 - $49,999","White,Asian",Yes ,3\nr2,true,"Less than $25,000",Other,No,\n`,
    )
    if (exit._tag !== "Success") throw new Error(String(exit.cause))
    expect(exit.value[0]).toEqual({
      id: "r1",
      row: 2,
      arm: "a",
      persona: { income: "$25,000 - $49,999", race: ["White", "Asian"] },
      answers: { act: "Yes", n: 3 },
    })
    expect(exit.value[1]!.answers.n).toBeNull()
  })

  it("names file, row and column for a value outside the scale", () => {
    expect(errorOf(`${header}r1,false,"Less than $25,000",White,Maybe,1\n`)).toContain(
      'mini.csv, row 2, column "act": "Maybe" is not one of "No", "Yes"',
    )
  })
  it("rejects an unknown arm", () => {
    expect(errorOf(`${header}r1,perhaps,"Less than $25,000",White,No,1\n`)).toContain('row 2, column "arm"')
  })
  it("rejects an unknown persona level, also inside a multi-select cell", () => {
    expect(errorOf(`${header}r1,false,"Less than $25,000","White,Martian",No,1\n`)).toContain(
      '"Martian" is not a declared level',
    )
  })
  it("rejects a numeric answer out of range or not a number", () => {
    expect(errorOf(`${header}r1,false,"Less than $25,000",White,No,11\n`)).toContain("11 is outside [0, 10]")
    expect(errorOf(`${header}r1,false,"Less than $25,000",White,No,three\n`)).toContain(
      '"three" is not a number',
    )
  })
  it("rejects duplicate and empty ids", () => {
    expect(
      errorOf(`${header}r1,false,"Less than $25,000",White,No,1\nr1,true,"Less than $25,000",White,No,1\n`),
    ).toContain("already appeared in row 2")
    expect(errorOf(`${header},false,"Less than $25,000",White,No,1\n`)).toContain(
      "the respondent id is empty",
    )
  })
  it("rejects a ragged row and a missing column", () => {
    expect(errorOf(`${header}r1,false,"Less than $25,000"\n`)).toContain("row 2: expected 6 cells")
    expect(errorOf(`id,arm,income,race,act\nr1,false,"Less than $25,000",White,No\n`)).toContain(
      'lacks the column "n"',
    )
  })
  it("splits multi-select cells whose levels contain the separator", () => {
    expect(splitMulti("$25,000 - $49,999,Other", ",", ["$25,000 - $49,999", "Other"])).toEqual([
      "$25,000 - $49,999",
      "Other",
    ])
  })
})

describe("resolveDataFile", () => {
  const setup = () => {
    const root = mkdtempSync(join(tmpdir(), "standin-data-"))
    const bytes = Buffer.from(`${header}r1,false,"Less than $25,000",White,No,1\n`)
    mkdirSync(join(root, "data", "mini"), { recursive: true })
    writeFileSync(join(root, "data", "mini", "mini.csv"), bytes)
    return { root, digest: sha256(bytes) }
  }
  const noFetch = (() => Promise.reject(new Error("network is off in tests"))) as unknown as typeof fetch

  it("finds the file in STANDIN_DATA_DIR and verifies its checksum", async () => {
    const { root, digest } = setup()
    const source = { directory: "mini", file: "mini.csv", sha256: digest }
    const found = await Effect.runPromise(
      resolveDataFile(
        "mini",
        source,
        { dataDir: join(root, "data"), cacheDir: join(root, "cache"), allowDownload: false },
        noFetch,
      ),
    )
    expect(found.origin).toBe("data-dir")
  })

  it("fails on a wrong checksum instead of falling through", async () => {
    const { root } = setup()
    const exit = await Effect.runPromise(
      Effect.exit(
        resolveDataFile(
          "mini",
          { directory: "mini", file: "mini.csv", sha256: "f".repeat(64) },
          { dataDir: join(root, "data"), cacheDir: join(root, "cache"), allowDownload: true },
          noFetch,
        ),
      ),
    )
    expect(String(exit._tag === "Failure" ? exit.cause : "")).toContain("checksum mismatch")
  })

  it("fails clearly when STANDIN_DATA_DIR does not exist", () => {
    const exit = Effect.runSync(
      Effect.exit(
        resolveDataFile(
          "mini",
          { directory: "mini", file: "mini.csv", sha256: "0".repeat(64) },
          { dataDir: "/nonexistent/standin", cacheDir: "/tmp/x", allowDownload: true },
          noFetch,
        ),
      ),
    )
    expect(String(exit._tag === "Failure" ? exit.cause : "")).toContain(
      "STANDIN_DATA_DIR is set to /nonexistent/standin, which is not a directory",
    )
  })

  it("downloads into the cache when allowed, verifying the checksum", async () => {
    const { root, digest } = setup()
    const body = `${header}r1,false,"Less than $25,000",White,No,1\n`
    const fakeFetch = (async () => new Response(body)) as unknown as typeof fetch
    const source = {
      directory: "mini",
      file: "mini.csv",
      sha256: digest,
      url: "https://example.invalid/mini.csv",
    }
    const found = await Effect.runPromise(
      resolveDataFile(
        "mini",
        source,
        { dataDir: undefined, cacheDir: join(root, "cache"), allowDownload: true },
        fakeFetch,
      ),
    )
    expect(found.origin).toBe("download")
    const again = await Effect.runPromise(
      resolveDataFile(
        "mini",
        source,
        { dataDir: undefined, cacheDir: join(root, "cache"), allowDownload: true },
        noFetch,
      ),
    )
    expect(again.origin).toBe("cache")
    const tampered = await Effect.runPromise(
      Effect.exit(
        resolveDataFile(
          "mini",
          { ...source, directory: "other" },
          { dataDir: undefined, cacheDir: join(root, "cache"), allowDownload: true },
          (async () => new Response("evil")) as unknown as typeof fetch,
        ),
      ),
    )
    expect(String(tampered._tag === "Failure" ? tampered.cause : "")).toContain("checksum mismatch")
  })
})
