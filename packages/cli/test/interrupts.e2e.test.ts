import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { make as makeStore } from "@standin/store"
import { type FakeServer, type RequestLogEntry, startOpenAiFake } from "@standin/testkit/fakes"
import { Effect } from "effect"
import { hasData, spawnStandin, tempDir } from "./helpers.js"

/**
 * Ctrl-C, SIGTERM and the same run started twice, end to end through the built CLI against a loopback
 * OpenAI fake whose answers take 250 ms: a stopped run keeps every answer it received, says how to
 * resume and leaves with 130 (SIGINT) or 143 (SIGTERM); the same run twice at once pays no call twice.
 */

const run = (holdout: number, seed = 5) => [
  "run",
  "--provider",
  "openai:gpt-4o-mini",
  "--holdout",
  String(holdout),
  "--seed",
  String(seed),
  "--bootstrap",
  "0",
  "--no-site",
  "--quiet",
  "--concurrency",
  "8",
  "--rpm",
  "1000000",
  "--tpm",
  "1000000000",
]

let fake: FakeServer
const env = () => ({ OPENAI_API_KEY: "sk-test-PLANTED", OPENAI_BASE_URL: fake.baseUrl })
beforeAll(async () => {
  fake = await startOpenAiFake({ seed: 4, latencyMs: 250 })
})
afterAll(() => fake?.close())

const generation = (entry: RequestLogEntry) =>
  entry.method === "POST" && entry.path.endsWith("/chat/completions")
const answered = (entry: RequestLogEntry) =>
  generation(entry) && entry.status === 200 && entry.fault === undefined
const identity = (entry: RequestLogEntry) => JSON.stringify(entry.body)

const storeCalls = (path: string) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(makeStore(path), (store) => store.countCalls)))

/** Resolves once the fake has answered `count` generation requests since `from` (checked as each arrives). */
const answers = (from: number, count: number) =>
  new Promise<void>((resolve) => {
    const check = () => {
      if (fake.log.entries.slice(from).filter(answered).length >= count) resolve()
      else setImmediate(check)
    }
    check()
  })

describe.runIf(hasData)("stopping a run: Ctrl-C, SIGTERM, and the same run twice at once", () => {
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal}: drains the calls in flight, stores every answer, says how to resume and exits ${code}`, async () => {
      const store = join(tempDir("store"), "store.sqlite")
      const out = tempDir("out")
      const from = fake.log.entries.length
      const running = spawnStandin([...run(240), "--out", out, "--store", store], env())
      await answers(from, 24)
      running.child.kill(signal)
      const ended = await running.done
      expect(ended.status, ended.stderr).toBe(code)
      expect(ended.stderr).toContain(`standin: ${signal}: sending no new calls`)
      expect(ended.stderr).toMatch(
        new RegExp(
          `standin: stopped by ${signal}: every answer received is in the cache \\(calls: \\d+ paid now`,
        ),
      )
      expect(ended.stderr).toContain("Run the same command again to continue where it stopped")
      expect(ended.stderr).not.toMatch(/at .*\.js:\d+/)
      // every answer the fake delivered was stored; none was left unread in a socket
      const log = fake.log.entries.slice(from).filter(generation)
      expect(log.filter((entry) => entry.status === 499)).toEqual([])
      const delivered = log.filter(answered)
      expect(delivered.length).toBeGreaterThanOrEqual(24)
      expect(delivered.length).toBeLessThan(240)
      expect(await storeCalls(store)).toBe(delivered.length)

      // resumed: nothing paid twice, and the run completes
      const resumed = await spawnStandin([...run(240), "--out", out, "--store", store], env()).done
      expect(resumed.status, resumed.stderr).toBe(0)
      const all = fake.log.entries.slice(from).filter(answered)
      expect(new Set(all.map(identity)).size).toBe(all.length)
      const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
      expect(results.entries[0].counts.twins).toBe(240)
    })
  }

  it("a second Ctrl-C stops at once, with exit code 130 and a message", async () => {
    // answers take 2 to 6 s here: the first Ctrl-C finds calls in flight, and the second comes while they are
    const slow = await startOpenAiFake({ seed: 4, latencyMs: { min: 2000, max: 6000 } })
    try {
      const store = join(tempDir("store"), "store.sqlite")
      let stderr = ""
      let draining: () => void = () => {}
      const drainStarted = new Promise<void>((resolve) => {
        draining = resolve
      })
      const running = spawnStandin(
        [...run(240), "--out", tempDir("out"), "--store", store],
        { OPENAI_API_KEY: "sk-test-PLANTED", OPENAI_BASE_URL: slow.baseUrl },
        (chunk) => {
          stderr += chunk
          if (stderr.includes("sending no new calls")) draining()
        },
      )
      await new Promise<void>((resolve) => {
        const check = () => (slow.log.entries.filter(answered).length >= 8 ? resolve() : setImmediate(check))
        check()
      })
      running.child.kill("SIGINT")
      await drainStarted
      running.child.kill("SIGINT")
      const ended = await running.done
      expect(ended.status).toBe(130)
      expect(ended.stderr).toContain("standin: stopped at once (SIGINT again)")
      expect(ended.stderr).not.toContain("stopped by SIGINT: every answer received")
    } finally {
      await slow.close()
    }
  })

  it("the same run twice at once: the second is refused with a message, and no call is paid twice; other runs share the store", async () => {
    const store = join(tempDir("store"), "store.sqlite")
    const from = fake.log.entries.length
    const args = [...run(160), "--store", store]
    const first = spawnStandin([...args, "--out", tempDir("first")], env())
    const second = spawnStandin([...args, "--out", tempDir("second")], env())
    // a different run (another seed) on the same store at the same time
    const other = spawnStandin([...run(160, 6), "--store", store, "--out", tempDir("other")], env())
    const [a, b, c] = await Promise.all([first.done, second.done, other.done])
    expect(c.status, c.stderr).toBe(0)
    const statuses = [a.status, b.status].sort()
    expect(statuses, `${a.stderr}\n${b.stderr}`).toEqual([0, 1])
    const refused = a.status === 1 ? a : b
    expect(refused.stderr).toMatch(
      /^standin: this run \([0-9a-f]+\) is already running in process \d+ with the store .*store\.sqlite, since .*Wait for it to finish/,
    )
    expect(refused.stderr.trim().split("\n")).toHaveLength(1)
    const paid = fake.log.entries.slice(from).filter(answered)
    expect(new Set(paid.map(identity)).size).toBe(paid.length)
    expect(await storeCalls(store)).toBe(paid.length)
  })
})

describe.runIf(hasData)("--timeout", () => {
  it("gives up a try that hangs after --timeout seconds and retries it", async () => {
    // the first request hangs (the vendor never answers); every later one is answered
    const hanging = await startOpenAiFake({ seed: 4, faults: "timeout" })
    try {
      const out = tempDir("timeout")
      const ended = await spawnStandin(
        [...run(20), "--timeout", "0.5", "--out", out, "--store", join(tempDir("store"), "store.sqlite")],
        { OPENAI_API_KEY: "sk-test-PLANTED", OPENAI_BASE_URL: hanging.baseUrl },
      ).done
      // without --timeout the hung try would hold the run for the default 300 s
      expect(ended.status, ended.stderr).toBe(0)
      const generations = hanging.log.entries.filter(generation)
      expect(generations.filter((entry) => entry.fault === "timeout")).toHaveLength(1)
      const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
      expect(results.entries[0].counts.failed).toBe(0)
      expect(results.entries[0].counts.twins).toBe(20)
    } finally {
      await hanging.close()
    }
  })
})
