import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { repoRoot, standin, tempDir } from "./helpers.js"

const fixtures = join(repoRoot, "apps/leaderboard/test/fixtures/set")
const [news, data, charity] = ["fixture-news-sharing", "fixture-data-sharing", "fixture-charity-default"].map(
  (name) => join(fixtures, name),
)

describe("standin leaderboard build", () => {
  it("takes the results as a list after --results, as repeated flags, or both", () => {
    const listed = tempDir("site")
    const list = standin(["leaderboard", "build", "--results", news!, data!, "--out", listed])
    expect(list.status, list.stderr).toBe(0)
    expect(list.stdout).toContain("leaderboard of 2 runs")
    expect(existsSync(join(listed, "index.html"))).toBe(true)

    const repeated = standin([
      "leaderboard",
      "build",
      "--results",
      news!,
      "--results",
      data!,
      "--out",
      tempDir("site"),
    ])
    expect(repeated.stdout).toContain("leaderboard of 2 runs")

    const mixed = standin([
      "leaderboard",
      "build",
      "--results",
      news!,
      "--results",
      data!,
      charity!,
      "--out",
      tempDir("site"),
    ])
    expect(mixed.stdout).toContain("leaderboard of 3 runs")
  })

  it("refuses an --out that is a file before reading any results", () => {
    const file = join(tempDir("site"), "site.html")
    writeFileSync(file, "")
    const result = standin(["leaderboard", "build", "--results", news!, "--out", file])
    expect(result.status).toBe(2)
    expect(result.stderr).toBe(
      `standin: --out ${file}: ${file} is a file, not a folder. Give a folder (it is created if missing).\n`,
    )
  })
})
