import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"

// The children run the real Store, compiled from the current sources (never a stale dist/), into a
// folder under this package's node_modules so that they resolve better-sqlite3 and effect as it does.
const here = dirname(fileURLToPath(import.meta.url))
const packageRoot = resolve(here, "..")
const compiled = join(packageRoot, "node_modules", ".cache", `store-test-${process.pid}`)
const worker = join(here, "fixtures", "store-worker.mjs")
const directory = mkdtempSync(join(tmpdir(), "standin-store-processes-"))

beforeAll(() => {
  mkdirSync(compiled, { recursive: true })
  execFileSync(
    resolve(packageRoot, "..", "..", "node_modules", ".bin", "tsc"),
    [
      "-p",
      join(packageRoot, "tsconfig.build.json"),
      "--outDir",
      compiled,
      "--tsBuildInfoFile",
      join(compiled, ".tsbuildinfo"),
      "--declaration",
      "false",
      "--declarationMap",
      "false",
      "--sourceMap",
      "false",
    ],
    { stdio: "pipe" },
  )
})
afterAll(() => {
  rmSync(compiled, { recursive: true, force: true })
  rmSync(directory, { recursive: true, force: true })
})

const storeModule = () => pathToFileURL(join(compiled, "index.js")).href

const start = (args: ReadonlyArray<string>): ChildProcess =>
  spawn(process.execPath, [worker, storeModule(), ...args], { stdio: ["pipe", "pipe", "pipe"] })

const ready = (child: ChildProcess): Promise<void> =>
  new Promise((done) => {
    const listen = (chunk: Buffer) => {
      if (chunk.toString().includes("ready")) {
        child.stdout?.off("data", listen)
        done()
      }
    }
    child.stdout?.on("data", listen)
  })

const finished = (child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((done) => {
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (chunk) => {
      stdout += chunk
    })
    child.stderr?.on("data", (chunk) => {
      stderr += chunk
    })
    child.on("close", (code) => done({ code, stdout, stderr }))
  })

const integrity = (path: string): string => {
  const db = new Database(path, { readonly: true })
  try {
    return db.pragma("integrity_check", { simple: true }) as string
  } finally {
    db.close()
  }
}

describe("Store across processes", () => {
  it("two processes hammering one file neither corrupt it nor lose a write", async () => {
    const path = join(directory, "shared.sqlite")
    const count = 1500
    const children = [
      start([path, "a", String(count), "hammer"]),
      start([path, "b", String(count), "hammer"]),
    ]
    const outcomes = children.map(finished)
    await Promise.all(children.map(ready))
    for (const child of children) child.stdin?.end("go\n")
    const results = await Promise.all(outcomes)
    for (const result of results) {
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      expect(result.stdout).toBe("ready\ndone\n")
    }
    expect(integrity(path)).toBe("ok")
    const db = new Database(path, { readonly: true })
    const calls = db.prepare("SELECT key, response FROM calls").all() as Array<{
      key: string
      response: string
    }>
    const statuses = db
      .prepare("SELECT count(*) AS n FROM call_status WHERE run_id = 'shared-run'")
      .get() as {
      n: number
    }
    const runs = db.prepare("SELECT count(*) AS n FROM runs").get() as { n: number }
    const spans = db
      .prepare(
        "SELECT substr(key, 2, 1) AS worker, min(created_at) AS first, max(created_at) AS last FROM calls WHERE key LIKE 'w%' GROUP BY worker ORDER BY worker",
      )
      .all() as Array<{ worker: string; first: number; last: number }>
    db.close()
    // the two writers really did overlap in time (else this would test nothing)
    expect(spans).toHaveLength(2)
    expect(spans[0]!.first).toBeLessThan(spans[1]!.last)
    expect(spans[1]!.first).toBeLessThan(spans[0]!.last)
    const shared = Math.ceil(count / 10)
    expect(calls).toHaveLength(2 * count + shared)
    const keys = new Set(calls.map((row) => row.key))
    for (const worker of ["a", "b"])
      for (let index = 0; index < count; index++) expect(keys.has(`w${worker}-${index}`)).toBe(true)
    for (const row of calls) expect(() => JSON.parse(row.response)).not.toThrow()
    expect(statuses.n).toBe(2 * count)
    expect(runs.n).toBe(1)
  })

  it("kill -9 mid-write loses at most the call in flight, and the file stays sound", async () => {
    const path = join(directory, "crash.sqlite")
    const acknowledged: Array<string> = []
    for (let round = 0; round < 3; round++) {
      const child = start([path, `r${round}`, "1000000", "crash"])
      const seen: Array<string> = []
      let buffer = ""
      await new Promise<void>((done) => {
        child.stdout?.on("data", (chunk: Buffer) => {
          buffer += chunk.toString()
          const lines = buffer.split("\n")
          buffer = lines.pop() ?? ""
          seen.push(...lines)
          // kill at a different point each round, while it is writing flat out
          if (seen.length >= 300 + round * 450 && !child.killed) {
            child.kill("SIGKILL")
            done()
          }
        })
      })
      await finished(child)
      acknowledged.push(...seen)
      expect(integrity(path)).toBe("ok")
      const db = new Database(path)
      const present = new Set(
        (db.prepare("SELECT key FROM calls").all() as Array<{ key: string }>).map((row) => row.key),
      )
      db.close()
      for (const key of acknowledged) expect(present.has(key)).toBe(true)
    }
  })
})
