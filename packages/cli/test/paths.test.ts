import { chmodSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { describeFailure, describeFileError } from "../src/errors.js"
import { checkOutputFolder, checkWritableFile } from "../src/paths.js"
import { hasData, standin, tempDir } from "./helpers.js"

const refusal = (effect: Effect.Effect<string, { readonly message: string; readonly flag?: string }>) =>
  Effect.runPromise(Effect.flip(effect)).then((error) => describeFailure(error))

describe("paths checked before any work", () => {
  it("--out: a missing folder under a writable one, or an existing folder, is accepted as it is", async () => {
    const root = tempDir("paths")
    expect(await Effect.runPromise(checkOutputFolder("--out", join(root, "a", "b")))).toBe(
      join(root, "a", "b"),
    )
    expect(await Effect.runPromise(checkOutputFolder("--out", root))).toBe(root)
  })

  it("--out: a file, a path under a file, a kernel file system and a read-only folder are refused, naming the path", async () => {
    const root = tempDir("paths")
    const file = join(root, "results.json")
    writeFileSync(file, "{}")
    expect(await refusal(checkOutputFolder("--out", file))).toEqual({
      message: `standin: --out ${file}: ${file} is a file, not a folder. Give a folder (it is created if missing).`,
      exitCode: 2,
    })
    expect((await refusal(checkOutputFolder("--out", join(file, "site")))).message).toBe(
      `standin: --out ${join(file, "site")}: ${file} is a file, so no folder can be made under it.`,
    )
    expect((await refusal(checkOutputFolder("--out", "/proc/standin-out"))).message).toMatch(
      /^standin: --out \/proc\/standin-out: \/proc, where the folder would be made, (does not take new files|is not writable)/,
    )
    // a folder whose permissions forbid writing (root ignores permission bits: /sys stands in then)
    const locked = join(root, "locked")
    mkdirSync(locked)
    chmodSync(locked, 0o500)
    const target = process.getuid?.() === 0 ? "/sys/standin-out" : join(locked, "out")
    expect((await refusal(checkOutputFolder("--out", target))).message).toMatch(
      /where the folder would be made, (is not writable \(permission denied\)|is on a read-only file system)/,
    )
    chmodSync(locked, 0o700)
  })

  it("--store: a folder, a path under a file and an unwritable place are refused; a new or existing file is accepted", async () => {
    const root = tempDir("paths")
    expect((await refusal(checkWritableFile("--store", root))).message).toBe(
      `standin: --store ${root}: ${root} is a folder; give a file, e.g. ${join(root, "store.sqlite")}.`,
    )
    const file = join(root, "store.sqlite")
    writeFileSync(file, "")
    expect(await Effect.runPromise(checkWritableFile("--store", file))).toBe(file)
    expect(await Effect.runPromise(checkWritableFile("--store", join(root, "new", "store.sqlite")))).toBe(
      join(root, "new", "store.sqlite"),
    )
    expect((await refusal(checkWritableFile("--store", join(file, "x.sqlite")))).message).toBe(
      `standin: --store ${join(file, "x.sqlite")}: ${file} is a file, so no folder can be made under it.`,
    )
    expect((await refusal(checkWritableFile("--store", "/proc/store.sqlite"))).message).toMatch(
      /^standin: --store \/proc\/store\.sqlite: \/proc, where the file would be made, /,
    )
  })

  it("a file error thrown by Node becomes one line naming the path; anything else is left alone", () => {
    const error = Object.assign(new Error("EACCES: permission denied, open '/x/results.json'"), {
      code: "EACCES",
      syscall: "open",
      path: "/x/results.json",
    })
    expect(describeFileError(error)).toEqual({
      message: "standin: cannot read or write /x/results.json: permission denied.",
      exitCode: 1,
    })
    expect(describeFileError(new Error("a bug"))).toBeUndefined()
  })

  it("a store that is not an SQLite database is named, with what to do", () => {
    expect(
      describeFailure({
        _tag: "StoreError",
        path: "/tmp/notes.txt",
        operation: "open",
        message: "file is not a database",
      }).message,
    ).toBe(
      "standin: the store /tmp/notes.txt is not a standin store (not an SQLite database): give another --store file, or move this one away.",
    )
  })
})

describe.runIf(hasData)("the CLI checks --out and --store before any work", () => {
  it("refuses --out naming a file, in one line, with exit code 2 and nothing written", () => {
    const root = tempDir("paths-cli")
    const file = join(root, "out.txt")
    writeFileSync(file, "keep me")
    const result = standin(["run", "--out", file, "--holdout", "50", "--quiet"])
    expect(result.status).toBe(2)
    expect(result.stderr).toBe(
      `standin: --out ${file}: ${file} is a file, not a folder. Give a folder (it is created if missing).\n`,
    )
    expect(result.stdout).toBe("")
  })

  it("refuses --store naming a folder before loading anything", () => {
    const root = tempDir("paths-cli")
    const result = standin(
      ["run", "--provider", "openai:gpt-4o-mini", "--store", root, "--out", join(root, "out"), "--quiet"],
      { OPENAI_API_KEY: "sk-test-unused", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" },
    )
    expect(result.status).toBe(2)
    expect(result.stderr).toBe(
      `standin: --store ${root}: ${root} is a folder; give a file, e.g. ${join(root, "store.sqlite")}.\n`,
    )
  })
})
