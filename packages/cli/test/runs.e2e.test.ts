import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { make as makeStore } from "@standin/store"
import { type FakeServer, type RequestLogEntry, startOpenAiFake } from "@standin/testkit/fakes"
import { Effect } from "effect"
import { hasData, spawnStandin, standinAsync, tempDir } from "./helpers.js"

/**
 * Runs that survive the real world, end to end through the built CLI against a loopback OpenAI fake:
 * SIGKILL at random moments and resume, the cost limit and the dry-run estimate, faults, and batches.
 */

const holdout = 400
/** The bundled study asks each twin two pages (consent, then perceptions): one call each. */
const calls = holdout * 2
const base = [
  "run",
  "--provider",
  "openai:gpt-4o-mini",
  // no pilot, so no pilot twins: every call is one of the holdout's 400 twins
  "--pilot",
  "0",
  "--holdout",
  String(holdout),
  "--seed",
  "3",
  "--bootstrap",
  "20",
  "--no-site",
  "--concurrency",
  "16",
  "--rpm",
  "1000000",
  "--tpm",
  "1000000000",
]

let fake: FakeServer
const env = () => ({ OPENAI_API_KEY: "sk-test-PLANTED", OPENAI_BASE_URL: fake.baseUrl })
beforeAll(async () => {
  fake = await startOpenAiFake({ seed: 9, latencyMs: 40 })
})
afterAll(() => fake?.close())

/** A run's output files; run-meta.json (when the run happened) differs from run to run by design. */
const files = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile() && entry.name !== "run-meta.json")
      out[join(entry.parentPath, entry.name).slice(dir.length)] = readFileSync(
        join(entry.parentPath, entry.name),
        "utf8",
      )
  return out
}

const generation = (entry: RequestLogEntry) =>
  entry.method === "POST" && entry.path.endsWith("/chat/completions")
/** A paid answer: the fake answered a generation request in full. */
const answered = (entry: RequestLogEntry) =>
  generation(entry) && entry.status === 200 && entry.fault === undefined
/** The same call is the same body (prompt, model, settings, seed). */
const identity = (entry: RequestLogEntry) => JSON.stringify(entry.body)

const storeCalls = (path: string) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* makeStore(path)
        return yield* store.countCalls
      }),
    ),
  )

let reference: Record<string, string> = {}
let referenceUsage = { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 }

describe.runIf(hasData)("standin run: resume, cost limits, faults and batches (CLI, loopback fake)", () => {
  it("an uninterrupted run: progress on stderr, usage and cost per provider in results.json", async () => {
    const out = tempDir("reference")
    const store = join(tempDir("store"), "store.sqlite")
    const before = fake.log.entries.length
    const result = await standinAsync([...base, "--out", out, "--store", store], env())
    expect(result.stderr).toMatch(/openai:gpt-4o-mini 800\/800 \(100%\)/)
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/calls: 800 paid now \(\$0\.\d+\), 0 from the cache/)
    reference = files(out)
    const entry = JSON.parse(reference["/results.json"]!).entries[0]
    expect(entry.counts.twins).toBe(holdout)
    expect(entry.usage.calls).toBe(calls + entry.counts.reasks)
    expect(entry.usage.costUsd).toBeGreaterThan(0)
    referenceUsage = entry.usage
    const paid = fake.log.entries.slice(before).filter(answered)
    expect(paid).toHaveLength(entry.usage.calls)
    expect(await storeCalls(store)).toBe(entry.usage.calls)
    // the key reaches no file: not the store (nor its write-ahead log), not the results
    for (const file of [store, `${store}-wal`])
      if (existsSync(file)) expect(readFileSync(file).includes("sk-test-PLANTED")).toBe(false)
    expect(JSON.stringify(reference)).not.toContain("sk-test-PLANTED")

    // the same command again: everything from the cache, nothing sent, the same bytes
    const again = tempDir("again")
    const sent = fake.log.entries.length
    const cached = await standinAsync([...base, "--out", again, "--store", store, "--quiet"], env())
    expect(cached.status).toBe(0)
    expect(cached.stdout).toMatch(/calls: 0 paid now \(\$0\.000000\), 800 from the cache/)
    expect(fake.log.entries.length).toBe(sent)
    expect(files(again)).toEqual(reference)
  })

  it("five SIGKILLs at random moments, each resumed: byte-identical results; at each kill, the calls paid again are at most those in flight (16)", async () => {
    expect(Object.keys(reference).length).toBeGreaterThan(0)
    const out = tempDir("crash")
    const store = join(tempDir("store"), "store.sqlite")
    const start = fake.log.entries.length
    let seed = 20_261_101
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    const paidSoFar = () => fake.log.entries.slice(start).filter(answered).length
    // each process's requests carry its own project header (the SDK sends OPENAI_PROJECT_ID), so the
    // fake's log tells which process sent what; and the store's count after each kill
    const tagged = (round: number) => ({ ...env(), OPENAI_PROJECT_ID: `crash-${round}` })
    const storedAfter: Array<number> = []
    for (let round = 0; round < 5; round++) {
      const running = spawnStandin([...base, "--out", out, "--store", store, "--quiet"], tagged(round))
      // Four kills while calls are being paid for, at a random point of what is left; the fifth after the
      // last call, while the run scores and writes its files.
      const done = paidSoFar()
      const target = round < 4 ? done + 1 + Math.floor(random() * ((calls - done) / 2)) : calls
      await new Promise<void>((resolve) => {
        const check = () =>
          paidSoFar() >= target || running.child.exitCode !== null ? resolve() : setImmediate(check)
        check()
      })
      running.child.kill("SIGKILL")
      const ended = await running.done
      expect(ended.signal === "SIGKILL" || ended.status === 0).toBe(true)
      if (round < 4) expect(existsSync(join(out, "results.json"))).toBe(false)
      storedAfter.push(await storeCalls(store))
    }
    const final = await standinAsync([...base, "--out", out, "--store", store, "--quiet"], tagged(5))
    expect(final.status).toBe(0)
    expect(files(out)).toEqual(reference)
    expect(await storeCalls(store)).toBe(referenceUsage.calls)

    // The fake's log, by process: every request a killed process sent (answered, or left unread: a vendor
    // bills both) whose answer it had not stored is sent again by a later process.
    const entries = fake.log.entries.slice(start).filter(generation)
    const rounds = [0, 1, 2, 3, 4, 5].map((round) =>
      entries.filter((entry) => entry.headers["openai-project"] === `crash-${round}`),
    )
    expect(rounds.reduce((sum, requests) => sum + requests.length, 0)).toBe(entries.length)
    const later = (round: number) =>
      new Set(rounds.slice(round + 1).flatMap((requests) => requests.map(identity)))
    const perKill = rounds.slice(0, 5).map((requests, round) => {
      const sent = new Set(requests.map(identity))
      const stored = storedAfter[round]! - (round === 0 ? 0 : storedAfter[round - 1]!)
      const again = later(round)
      return {
        inFlight: sent.size - stored,
        paidAgain: [...sent].filter((id) => again.has(id)).length,
      }
    })
    if (process.env.STANDIN_TEST_VERBOSE)
      console.log(
        `crash test: calls in flight at the 5 kills ${perKill.map((kill) => kill.inFlight).join(", ")}; paid again ${perKill.map((kill) => kill.paidAgain).join(", ")}`,
      )
    for (const kill of perKill) {
      expect(kill.paidAgain).toBeLessThanOrEqual(kill.inFlight)
      // --concurrency 16: a call holds its permit until its answer is committed
      expect(kill.inFlight).toBeLessThanOrEqual(16)
    }
    // every call paid again is one of those: the log has no other repeat
    const answeredIds = entries.filter(answered).map(identity)
    expect(new Set(answeredIds).size).toBe(referenceUsage.calls)
    expect(entries.length - new Set(entries.map(identity)).size).toBe(
      perKill.reduce((sum, kill) => sum + kill.paidAgain, 0),
    )
  }, 240_000)

  it("--dry-run estimates within 10% of the fake's metering; --max-cost stops within one in-flight window and resumes", async () => {
    const store = join(tempDir("store"), "store.sqlite")
    const before = fake.log.entries.length
    const dry = await standinAsync([...base, "--out", tempDir("dry"), "--store", store, "--dry-run"], env())
    expect(dry.status).toBe(0)
    expect(fake.log.entries.length).toBe(before)
    const row = /openai:gpt-4o-mini\s+live\s+800\s+0\s+([\d,]+)\s+([\d,]+)\s+\$([\d.]+)/.exec(dry.stdout)
    expect(row, dry.stdout).not.toBeNull()
    const [inputTokens, outputTokens, costUsd] = [row![1]!, row![2]!, row![3]!].map((text) =>
      Number(text.replaceAll(",", "")),
    )
    const estimated = inputTokens! + outputTokens!
    const metered = referenceUsage.inputTokens + referenceUsage.outputTokens
    expect(Math.abs(estimated - metered) / metered).toBeLessThan(0.1)
    expect(Math.abs(costUsd! - referenceUsage.costUsd) / referenceUsage.costUsd).toBeLessThan(0.1)
    expect(dry.stdout).toMatch(/re-asks are not included: an invalid answer is asked again up to 2 times/)

    // A limit of 40% of the cost: the run stops cleanly, says how to go on, writes no results.
    const limit = Number((referenceUsage.costUsd * 0.4).toFixed(6))
    const out = tempDir("limited")
    const stopped = await standinAsync(
      [...base, "--out", out, "--store", store, "--quiet", "--max-cost", String(limit)],
      env(),
    )
    expect(stopped.status).toBe(3)
    expect(stopped.stderr).toMatch(/stopped at the cost limit of \$[\d.]+: spent \$[\d.]+/)
    expect(stopped.stderr).toMatch(/run the same command again/)
    expect(existsSync(join(out, "results.json"))).toBe(false)
    // What was paid, as the budget counted it (actual usage at the model's price), against the limit.
    const spentUsd = Number(/spent \$([\d.]+) in this run/.exec(stopped.stderr)?.[1])
    const paid = fake.log.entries.slice(before).filter(answered)
    const perCall = referenceUsage.costUsd / referenceUsage.calls
    expect(spentUsd).toBeCloseTo(paid.length * perCall, 3)
    expect(spentUsd).toBeLessThanOrEqual(limit)
    // stopped within one in-flight window (16 calls at once) of the limit
    expect(spentUsd).toBeGreaterThan(limit - 17 * perCall * 1.2)
    expect(await storeCalls(store)).toBe(paid.length)

    // Resumed without the limit: only what is missing is paid, and the results are the reference's.
    const resumed = await standinAsync([...base, "--out", out, "--store", store, "--quiet"], env())
    expect(resumed.status).toBe(0)
    const all = fake.log.entries.slice(before).filter(answered)
    expect(new Set(all.map(identity)).size).toBe(all.length)
    expect(files(out)).toEqual(reference)
  })

  it("under 429s with retry-after, 5xx, resets and malformed bodies every twin ends answered or recorded, nothing paid twice", async () => {
    const faulty = await startOpenAiFake({
      seed: 9,
      faults: "429:0.1,500:0.05,reset:0.02,malformed:0.02",
      retryAfterMs: 20,
    })
    try {
      const out = tempDir("faults")
      const store = join(tempDir("store"), "store.sqlite")
      const result = await standinAsync(
        [
          ...base.map((flag) => (flag === String(holdout) ? "200" : flag)),
          "--out",
          out,
          "--store",
          store,
          "--quiet",
        ],
        { OPENAI_API_KEY: "sk-test-PLANTED", OPENAI_BASE_URL: faulty.baseUrl },
      )
      expect(result.stderr).toBe("")
      expect(result.status).toBe(0)
      const entry = JSON.parse(readFileSync(join(out, "results.json"), "utf8")).entries[0]
      expect(entry.counts.twins).toBe(200)
      expect(entry.counts.valid + entry.counts.invalid + entry.counts.failed).toBe(200)
      const failedByReason = Object.values(entry.failures as Record<string, number>).reduce(
        (a, b) => a + b,
        0,
      )
      expect(failedByReason).toBe(entry.counts.failed)
      const csv = readFileSync(join(out, entry.syntheticFile), "utf8").trim().split("\n").slice(1)
      expect(csv).toHaveLength(200)
      const faults = faulty.log.entries.filter((e) => e.fault !== undefined).map((e) => e.fault)
      for (const kind of ["429", "500", "reset", "malformed"]) expect(faults).toContain(kind)
      // the log proves it: successful paid requests = distinct calls = answers in the cache
      const paid = faulty.log.entries.filter(answered)
      expect(new Set(paid.map(identity)).size).toBe(paid.length)
      expect(await storeCalls(store)).toBe(paid.length)
      expect(paid.length).toBe(entry.usage.calls)
    } finally {
      await faulty.close()
    }
  })

  it("--batch: batches in chunks; killed while they run, the rerun resumes them by id and submits nothing again", async () => {
    const out = tempDir("batch")
    const store = join(tempDir("store"), "store.sqlite")
    const batchFlags = ["--batch", "--batch-size", "150", "--batch-poll", "0.05"]
    const creations = () =>
      fake.log.entries.filter((e) => e.method === "POST" && e.path.endsWith("/v1/batches")).length
    const before = { creations: creations(), generations: fake.log.entries.filter(generation).length }
    let stderr = ""
    let threeSubmitted: () => void = () => {}
    const submitted = new Promise<void>((resolve) => {
      threeSubmitted = resolve
    })
    const first = spawnStandin([...base, ...batchFlags, "--out", out, "--store", store], env(), (chunk) => {
      stderr += chunk
      if ((stderr.match(/submitted: \d+ requests/g) ?? []).length >= 3) threeSubmitted()
    })
    // killed as soon as the third batch is submitted (or when the run ends first)
    await Promise.race([submitted, first.done])
    first.child.kill("SIGKILL")
    await first.done
    expect(creations() - before.creations).toBe(3)

    const second = spawnStandin([...base, ...batchFlags, "--out", out, "--store", store], env())
    // the vendor finishes the batches "later": move its clock on while the run waits
    const clock = setInterval(() => fake.clock.advance(11_001), 50)
    const ended = await second.done.finally(() => clearInterval(clock))
    expect(ended.status).toBe(0)
    expect(ended.stderr.match(/resumed \(submitted by an earlier run\)/g)).toHaveLength(3)
    // The consent page's three batches were resumed, not submitted again; only the perception page's
    // three (which need the consent answers) were submitted, once.
    expect(ended.stderr.match(/submitted: \d+ requests/g)).toHaveLength(3)
    expect(creations() - before.creations).toBe(6)
    expect(fake.log.entries.filter(generation).length).toBe(before.generations)
    // batch answers are the answers live calls got (the same requests), at half the price
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
    const live = JSON.parse(reference["/results.json"]!)
    expect(results.entries[0].distributions).toEqual(live.entries[0].distributions)
    expect(results.entries[0].usage.costUsd).toBeCloseTo(live.entries[0].usage.costUsd / 2, 9)
    expect(readFileSync(join(out, "synthetic/openai-gpt-4o-mini.csv"), "utf8")).toBe(
      reference["/synthetic/openai-gpt-4o-mini.csv"],
    )
  })

  it("--batch against a server without a batch API: one probe answered 404, a clear line, every call live at once", async () => {
    expect(Object.keys(reference).length).toBeGreaterThan(0)
    const bare = await startOpenAiFake({ seed: 9, latencyMs: 40, batches: false })
    try {
      const out = tempDir("no-batches")
      const store = join(tempDir("store"), "store.sqlite")
      const result = await standinAsync(
        [...base, "--batch", "--batch-poll", "0.05", "--out", out, "--store", store],
        { ...env(), OPENAI_BASE_URL: bare.baseUrl },
      )
      expect(result.status).toBe(0)
      expect(result.stderr).toMatch(/openai has no batch API here \(404 .*\): calling it live/)
      // the probe, then live calls only: no upload, no batch, nothing submitted and refused
      const batchRoutes = bare.log.entries.filter((e) => /\/v1\/(batches|files)/.test(e.path))
      expect(batchRoutes.map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
        "GET /v1/batches?limit=1 404",
      ])
      expect(bare.log.entries.filter(answered)).toHaveLength(referenceUsage.calls)
      // the same answers as the live reference run, at the live price
      const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
      expect(results.entries[0].usage.costUsd).toBeCloseTo(referenceUsage.costUsd, 9)
      expect(readFileSync(join(out, "synthetic/openai-gpt-4o-mini.csv"), "utf8")).toBe(
        reference["/synthetic/openai-gpt-4o-mini.csv"],
      )
    } finally {
      await bare.close()
    }
  })
})
