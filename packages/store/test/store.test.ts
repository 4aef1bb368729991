import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import Database from "better-sqlite3"
import { Effect, Exit } from "effect"
import { type CallStatusRow, layer, make, runIdOf, SchemaVersion, Store } from "../src/index.js"

const directory = mkdtempSync(join(tmpdir(), "standin-store-"))
afterAll(() => rmSync(directory, { recursive: true, force: true }))
let counter = 0
const freshPath = () => join(directory, `store-${counter++}.sqlite`)

const call = (key: string, text = `answer ${key}`) => ({
  key,
  provider: "openai",
  model: "gpt-4o-mini",
  response: JSON.stringify({
    text,
    modelVersion: "gpt-4o-mini-2024-07-18",
    usage: { inputTokens: 10, outputTokens: 5 },
    warnings: [],
  }),
  inputTokens: 10,
  outputTokens: 5,
  costUsd: 0.0000045,
  modelVersion: "gpt-4o-mini-2024-07-18",
})

const status = (runId: string, callKey: string, ok: boolean): CallStatusRow => ({
  runId,
  callKey,
  provider: "openai",
  model: "gpt-4o-mini",
  twinId: `twin-${callKey}`,
  replicate: 0,
  attempt: 0,
  status: ok ? "ok" : "failed",
  reason: ok ? null : "server",
  message: ok ? null : "HTTP 500",
})

describe("Store", () => {
  it.effect("creates, migrates and reopens a file, keeping what was written", () =>
    Effect.gen(function* () {
      const path = join(directory, "nested", "dir", "store.sqlite")
      yield* Effect.scoped(
        Effect.gen(function* () {
          const store = yield* make(path)
          yield* store.putCall(call("k1"))
        }),
      )
      const version = new Database(path, { readonly: true })
      const row = version.prepare("SELECT version FROM schema_version").get() as { version: number }
      const journal = version.pragma("journal_mode", { simple: true })
      version.close()
      expect(row.version).toBe(SchemaVersion)
      expect(journal).toBe("wal")
      const again = yield* Effect.scoped(
        Effect.gen(function* () {
          const store = yield* make(path)
          return { entry: yield* store.getCall("k1"), count: yield* store.countCalls }
        }),
      )
      expect(again.count).toBe(1)
      expect(again.entry?.modelVersion).toBe("gpt-4o-mini-2024-07-18")
      expect(JSON.parse(again.entry!.response).text).toBe("answer k1")
    }),
  )

  it.effect("caches answers: miss, hit, and replacement", () =>
    Effect.gen(function* () {
      const store = yield* Store
      expect(yield* store.getCall("missing")).toBeUndefined()
      yield* store.putCall(call("k"))
      const hit = yield* store.getCall("k")
      expect(hit).toMatchObject({ key: "k", inputTokens: 10, outputTokens: 5, costUsd: 0.0000045 })
      expect(typeof hit?.createdAt).toBe("number")
      yield* store.putCall({ ...call("k", "newer"), costUsd: null })
      const replaced = yield* store.getCall("k")
      expect(JSON.parse(replaced!.response).text).toBe("newer")
      expect(replaced!.costUsd).toBeNull()
      expect(yield* store.countCalls).toBe(1)
    }).pipe(Effect.provide(layer(":memory:"))),
  )

  it.effect("looks many keys up at once: the hits only, across batches, a repeated key once", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const stored = Array.from({ length: 600 }, (_, index) => `key-${index}`)
      for (const [index, key] of stored.entries())
        yield* store.putCall({ ...call(key), costUsd: index % 2 === 0 ? null : index / 1000 })
      // 700 keys (three batches of 256 and fewer): every other one stored, one asked twice
      const asked = [
        ...Array.from({ length: 699 }, (_, index) => (index % 2 === 0 ? `key-${index}` : `absent-${index}`)),
        "key-0",
      ]
      const found = yield* store.getCalls(asked)
      const expected = asked.filter((key) => stored.includes(key))
      expect([...found.keys()].sort()).toEqual([...new Set(expected)].sort())
      expect(found.size).toBe(300)
      for (const key of found.keys()) {
        const one = yield* store.getCall(key)
        expect(found.get(key)).toEqual({ response: one!.response, costUsd: one!.costUsd })
      }
      expect((yield* store.getCalls([])).size).toBe(0)
    }).pipe(Effect.provide(layer(":memory:"))),
  )

  it.effect("begins, resumes and finishes runs with per-call status", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const runId = runIdOf({ study: "fingerprint-consent", seed: 1, providers: ["openai:gpt-4o-mini"] })
      expect(runId).toBe(
        runIdOf({ providers: ["openai:gpt-4o-mini"], seed: 1, study: "fingerprint-consent" }),
      )
      expect(runId).not.toBe(
        runIdOf({ study: "fingerprint-consent", seed: 2, providers: ["openai:gpt-4o-mini"] }),
      )
      const first = yield* store.beginRun(runId, '{"seed":1}')
      expect(first.resumed).toBe(false)
      expect(first.run.status).toBe("running")
      yield* store.putCall(call("a"), status(runId, "a", true))
      yield* store.recordStatuses([status(runId, "b", false), status(runId, "c", true)])
      yield* store.setRunStatus(runId, "stopped")
      expect((yield* store.getRun(runId))?.status).toBe("stopped")
      const second = yield* store.beginRun(runId, '{"seed":1}')
      expect(second.resumed).toBe(true)
      expect(second.run.status).toBe("running")
      // a retried call that succeeded later replaces its failed row
      yield* store.recordStatuses([status(runId, "b", true)])
      yield* store.recordStatuses([status(runId, "d", false)])
      expect(yield* store.statusSummary(runId)).toEqual({ ok: 3, failed: 1, reasons: { server: 1 } })
      const rows = yield* store.listStatuses(runId)
      expect(rows.map((row) => `${row.callKey}:${row.status}`)).toEqual(["a:ok", "b:ok", "c:ok", "d:failed"])
      expect(rows[3]).toMatchObject({ reason: "server", message: "HTTP 500", twinId: "twin-d" })
      // the run's answers in one pass: only calls recorded ok that are in the cache
      const answers = yield* store.runAnswers(runId)
      expect([...answers.keys()]).toEqual(["a"])
      expect(answers.get("a")?.costUsd).toBe(0.0000045)
      expect((yield* store.runAnswers(runId, { provider: "openai", model: "gpt-4o-mini" })).size).toBe(1)
      expect((yield* store.runAnswers(runId, { provider: "anthropic" })).size).toBe(0)
    }).pipe(Effect.provide(layer(":memory:"))),
  )

  it.effect("writes made together are committed together, and a bad one fails only its caller", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* store.beginRun("r", "{}")
      const [first, bad, third] = yield* Effect.all(
        [
          Effect.exit(store.putCall(call("x1"), status("r", "x1", true))),
          Effect.exit(store.putCall(call("x2"), status("never-begun", "x2", true))),
          Effect.exit(store.putCall(call("x3"))),
        ],
        { concurrency: "unbounded" },
      )
      expect(Exit.isSuccess(first!)).toBe(true)
      expect(Exit.isSuccess(third!)).toBe(true)
      expect(Exit.isFailure(bad!)).toBe(true)
      const error = yield* Effect.flip(bad!)
      expect(error).toMatchObject({ _tag: "StoreError", operation: "putCall", path: ":memory:" })
      expect(yield* store.getCall("x1")).toBeDefined()
      expect(yield* store.getCall("x3")).toBeDefined()
      // the answer and its status row are one transaction: neither was kept
      expect(yield* store.getCall("x2")).toBeUndefined()
      expect((yield* store.listStatuses("r")).map((row) => row.callKey)).toEqual(["x1"])
    }).pipe(Effect.provide(layer(":memory:"))),
  )

  it.effect("refuses status rows for a run that was never begun", () =>
    Effect.gen(function* () {
      const store = yield* Store
      const error = yield* Effect.flip(store.recordStatuses([status("no-such-run", "a", true)]))
      expect(error._tag).toBe("StoreError")
      expect(error.operation).toBe("recordStatuses")
      expect(error.path).toBe(":memory:")
    }).pipe(Effect.provide(layer(":memory:"))),
  )

  it.effect("keeps finetune jobs and batches", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* store.putFinetuneJob({
        key: "ft1",
        finetuner: "openai",
        jobId: null,
        fileIds: [],
        estimate: '{"trainedTokens":1000,"costUsd":0.003}',
        status: "preparing",
        lastEvent: null,
      })
      yield* store.putFinetuneJob({
        key: "ft1",
        finetuner: "openai",
        jobId: "ftjob-1",
        fileIds: ["file-1", "file-2"],
        estimate: '{"trainedTokens":1000,"costUsd":0.003}',
        status: "running",
        lastEvent: "step 10/100",
      })
      expect(yield* store.getFinetuneJob("ft1")).toEqual({
        key: "ft1",
        finetuner: "openai",
        jobId: "ftjob-1",
        fileIds: ["file-1", "file-2"],
        estimate: '{"trainedTokens":1000,"costUsd":0.003}',
        status: "running",
        lastEvent: "step 10/100",
      })
      expect(yield* store.getFinetuneJob("ft2")).toBeUndefined()
      const batch = (provider: string, batchId: string, chunkIndex: number, runId: string | null) => ({
        provider,
        batchId,
        runId,
        chunkIndex,
        requestKeys: [`${batchId}-a`, `${batchId}-b`],
        status: "submitted",
        submittedAt: 1000,
        finishedAt: null,
      })
      yield* store.putBatch(batch("openai", "batch_2", 1, "run1"))
      yield* store.putBatch(batch("openai", "batch_1", 0, "run1"))
      yield* store.putBatch(batch("anthropic", "msgbatch_1", 0, "run2"))
      yield* store.putBatch({
        ...batch("openai", "batch_1", 0, "run1"),
        status: "completed",
        finishedAt: 2000,
      })
      const run1 = yield* store.listBatches({ runId: "run1" })
      expect(run1.map((entry) => [entry.batchId, entry.status])).toEqual([
        ["batch_1", "completed"],
        ["batch_2", "submitted"],
      ])
      expect(run1[0]?.requestKeys).toEqual(["batch_1-a", "batch_1-b"])
      expect((yield* store.listBatches({ provider: "anthropic" })).map((entry) => entry.batchId)).toEqual([
        "msgbatch_1",
      ])
      expect(yield* store.listBatches({})).toHaveLength(3)
    }).pipe(Effect.provide(layer(":memory:"))),
  )

  it.effect("fails with a StoreError naming the file when it cannot open it", () =>
    Effect.gen(function* () {
      const path = freshPath()
      const db = new Database(path)
      db.exec(
        "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (99)",
      )
      db.close()
      const exit = yield* Effect.exit(Effect.scoped(make(path)))
      expect(Exit.isFailure(exit)).toBe(true)
      const error = yield* Effect.flip(Effect.scoped(make(path)))
      expect(error).toMatchObject({ _tag: "StoreError", path, operation: "open" })
      expect(error.message).toContain("newer than this standin understands")
      const directoryError = yield* Effect.flip(Effect.scoped(make(directory)))
      expect(directoryError).toMatchObject({ _tag: "StoreError", path: directory, operation: "open" })
    }),
  )
})

describe("run locks", () => {
  const lockOf = (path: string, runId: string, pid: number) => {
    const db = new Database(path)
    db.prepare("INSERT OR REPLACE INTO run_locks (run_id, pid, host, started_at) VALUES (?, ?, ?, 0)").run(
      runId,
      pid,
      hostname(),
    )
    db.close()
  }

  it.effect(
    "refuses a run another live process holds, takes over one a dead process left, and leaves other runs free",
    () =>
      Effect.gen(function* () {
        const path = freshPath()
        const live = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"])
        const dead = spawn(process.execPath, ["-e", ""])
        yield* Effect.promise(() => new Promise((done) => dead.on("exit", done)))
        try {
          yield* Effect.scoped(
            Effect.gen(function* () {
              const store = yield* make(path)
              // a free run: taken, and given back
              expect(yield* store.lockRun("run-a")).toBeUndefined()
              yield* store.unlockRun("run-a")
              lockOf(path, "run-a", live.pid!)
              lockOf(path, "run-b", dead.pid!)
              expect(yield* store.lockRun("run-a")).toEqual({ pid: live.pid, host: hostname(), startedAt: 0 })
              // the dead process's lock is taken over; another run is not affected by run-a's holder
              expect(yield* store.lockRun("run-b")).toBeUndefined()
              expect(yield* store.lockRun("run-c")).toBeUndefined()
              // unlocking a run this process does not hold leaves the holder's lock in place
              yield* store.unlockRun("run-a")
              expect((yield* store.lockRun("run-a"))?.pid).toBe(live.pid)
            }),
          )
        } finally {
          live.kill("SIGKILL")
        }
      }),
  )
})
