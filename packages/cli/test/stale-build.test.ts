import { mkdirSync, utimesSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { staleDist, tempDir } from "./helpers.js"

const file = (path: string, secondsAgo: number) => {
  mkdirSync(join(path, ".."), { recursive: true })
  writeFileSync(path, "x")
  const when = new Date(Date.now() - secondsAgo * 1000)
  utimesSync(path, when, when)
}

describe("the end-to-end tests' stale-build check", () => {
  it("passes a package whose dist/ was written after its newest source", () => {
    const pkg = tempDir("fresh-pkg")
    file(join(pkg, "src", "a.ts"), 60)
    file(join(pkg, "src", "nested", "b.ts"), 50)
    file(join(pkg, "dist", "a.js"), 10)
    expect(staleDist([pkg])).toBeUndefined()
  })

  it("names the source file that is newer than the build, even deep in src/", () => {
    const fresh = tempDir("fresh-pkg")
    file(join(fresh, "src", "a.ts"), 60)
    file(join(fresh, "dist", "a.js"), 30)
    const stale = tempDir("stale-pkg")
    file(join(stale, "src", "a.ts"), 60)
    file(join(stale, "dist", "a.js"), 30)
    file(join(stale, "src", "deep", "edited.ts"), 5)
    expect(staleDist([fresh, stale])).toBe(
      `${join(stale, "src", "deep", "edited.ts")} is newer than the build in ${join(stale, "dist")}`,
    )
  })

  it("says when a package was never built", () => {
    const pkg = tempDir("unbuilt-pkg")
    file(join(pkg, "src", "a.ts"), 60)
    expect(staleDist([pkg])).toBe(`${join(pkg, "dist")} is missing`)
  })
})
