/**
 * Replay at store speed (issue 20): a fully cached run of the bundled study, end to end through the real
 * `standin run` (its own process, as a user runs it), against the store's own read rate measured here in the
 * same bench on the same file.
 *
 * 1. Fill: `standin run --study fingerprint-consent --provider openai:gpt-4o-mini --pilot 0 --replicates R`
 *    against `standin-fake` (zero latency, its own process): every twin × replicate × page paid once
 *    (R = 8: 12,461 twins × 2 pages × 8 = 199,376 answers).
 * 2. Replay: the same command again, three times; every answer from the cache. Its rate is the answers over
 *    the time from the run's "simulating" line to its "done" line on stderr (the call runner reading the run's
 *    answers, the prompts, keys and replies of every twin); its peak RSS and CPU are the whole process's.
 * 3. Another run on the same cache (another seed for the scores' bootstrap would do; here --bootstrap differs):
 *    not the run's own answers, so the replay looks them up in the store (batched), once.
 * 4. The store's own read rate: every answer of the run read back one by one by its key (`getCall`).
 *
 * Prints answers/s (median of 3, with CPU seconds and peak RSS), the ratio to the store's rate, and PASS/MISS
 * against ≥ 50,000 answers/s, ≥ 0.25 of the store's rate and < 1 GB peak RSS. A miss never fails the bench (exit 0).
 * Sizes: STANDIN_BENCH_REPLAY_REPLICATES (default 8). Needs the study's data (STANDIN_DATA_DIR or the default
 * place); without it the bench says so and exits 0.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { make as makeStore } from "@standin/store"
import { Effect } from "effect"

const here = dirname(fileURLToPath(import.meta.url))
const standinBin = resolve(here, "../../cli/dist/bin.js")
const fakeBin = resolve(here, "../../testkit/dist/bin.js")
const replicates = Number(process.env.STANDIN_BENCH_REPLAY_REPLICATES ?? 8)
const runs = 3
const targets = { rate: 50_000, ratio: 0.25, rssMb: 1024 }
const format = (value: number) => Math.round(value).toLocaleString("en-US")
const verdict = (met: boolean) => (met ? "PASS" : "MISS")
const median = (values: ReadonlyArray<number>) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(", ")

const directory = mkdtempSync(join(tmpdir(), "standin-replay-bench-"))
const store = join(directory, "store.sqlite")
const gnuTime = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined
const timeFile = join(directory, "time.txt")

/** Starts `standin-fake` (OpenAI, zero latency) in its own process. */
const startFake = () =>
  new Promise<{ readonly baseUrl: string; readonly child: ChildProcess }>((done, fail) => {
    const child = spawn(
      process.execPath,
      [fakeBin, "--vendor", "openai", "--port", "0", "--latency-ms", "0"],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    )
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      const match = /SDK base URL: (\S+)/.exec(output)
      if (match !== null) done({ baseUrl: match[1]!, child })
    })
    child.on("exit", (code) => fail(new Error(`standin-fake exited with ${code}: ${output}`)))
  })

interface Run {
  /** Seconds from the "simulating" line to the "done" line. */
  readonly simulateSeconds: number
  /** CPU seconds (every thread) of the process over the same lines (Linux /proc; NaN elsewhere). */
  readonly simulateCpuSeconds: number
  /** Peak RSS of the process when the "done" line came (MB; NaN without /proc). */
  readonly simulateRssMb: number
  readonly wallSeconds: number
  /** User + system CPU seconds and peak RSS of the whole process (NaN without GNU time). */
  readonly cpuSeconds: number
  readonly rssMb: number
  readonly runId: string | undefined
  readonly paid: number
  readonly cached: number
}

/** The standin process under GNU time (its only child), else the spawned process itself. */
const standinPid = (child: ChildProcess): number => {
  if (gnuTime === undefined) return child.pid!
  const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim()
  return Number(children.split(/\s+/)[0])
}
/** CPU seconds (user + system, every thread) of a process so far, from /proc (NaN where there is none). */
const cpuSecondsOf = (child: ChildProcess): number => {
  try {
    const fields = readFileSync(`/proc/${standinPid(child)}/stat`, "utf8")
      .split(") ")[1]!
      .split(" ")
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}
/** Peak RSS of a process so far (MB), from /proc. */
const peakRssOf = (child: ChildProcess): number => {
  try {
    const status = readFileSync(`/proc/${standinPid(child)}/status`, "utf8")
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]) / 1024
  } catch {
    return Number.NaN
  }
}

/** One `standin run`, its stderr read line by line as it comes (the simulate phase's start and end). */
const standin = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv) =>
  new Promise<Run>((done, fail) => {
    const command =
      gnuTime === undefined
        ? [process.execPath, standinBin, ...args]
        : [gnuTime, "-o", timeFile, "-f", "%U %S %M", process.execPath, standinBin, ...args]
    const start = process.hrtime.bigint()
    const child = spawn(command[0]!, command.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    let pending = ""
    let began: bigint | undefined
    let ended: bigint | undefined
    let cpuBegan = Number.NaN
    let cpuEnded = Number.NaN
    let rssAtEnd = Number.NaN
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on("data", (chunk: Buffer) => {
      const now = process.hrtime.bigint()
      const text = chunk.toString()
      stderr += text
      pending += text
      const lines = pending.split("\n")
      pending = lines.pop()!
      for (const line of lines) {
        if (line.startsWith("simulating openai-gpt-4o-mini")) {
          began = now
          cpuBegan = cpuSecondsOf(child)
        } else if (/^\s+openai-gpt-4o-mini: done/.test(line)) {
          ended = now
          cpuEnded = cpuSecondsOf(child)
          rssAtEnd = peakRssOf(child)
        }
      }
    })
    child.on("exit", (code) => {
      const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9
      if (code !== 0 || began === undefined || ended === undefined)
        return fail(new Error(`standin ${args.join(" ")} exited ${code}: ${stderr.slice(-2000)}`))
      const [user, system, rssKb] =
        gnuTime === undefined
          ? [Number.NaN, Number.NaN, Number.NaN]
          : readFileSync(timeFile, "utf8").trim().split(/\s+/).map(Number)
      const calls = /calls: ([\d,]+) paid now \([^)]*\), ([\d,]+) from the cache/.exec(stdout)
      const count = (text: string | undefined) => Number((text ?? "NaN").replaceAll(",", ""))
      done({
        simulateSeconds: Number(ended - began) / 1e9,
        simulateCpuSeconds: cpuEnded - cpuBegan,
        simulateRssMb: rssAtEnd,
        wallSeconds,
        cpuSeconds: user! + system!,
        rssMb: rssKb! / 1024,
        runId: /resuming run (\w+)/.exec(stderr)?.[1],
        paid: count(calls?.[1]),
        cached: count(calls?.[2]),
      })
    })
  })

/** Every answer of the run read back one by one by its key: the store's own read rate. */
const storeReadRate = (runId: string) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const opened = yield* makeStore(store)
        const keys = (yield* opened.listStatuses(runId))
          .filter((row) => row.status === "ok")
          .map((row) => row.callKey)
        const start = process.hrtime.bigint()
        let found = 0
        for (const key of keys) if ((yield* opened.getCall(key)) !== undefined) found++
        const seconds = Number(process.hrtime.bigint() - start) / 1e9
        return { rate: keys.length / seconds, found, keys: keys.length }
      }),
    ),
  )

const dataDir = process.env.STANDIN_DATA_DIR
if (dataDir !== undefined && !existsSync(join(dataDir, "berke-fingerprint-consent"))) {
  console.log(`replay bench: skipped (no berke-fingerprint-consent in STANDIN_DATA_DIR=${dataDir})`)
  process.exit(0)
}

const fake = await startFake()
try {
  const env = { ...process.env, OPENAI_API_KEY: "sk-bench", OPENAI_BASE_URL: fake.baseUrl }
  const command = (bootstrap: number, out: string) => [
    "run",
    "--study",
    "fingerprint-consent",
    "--provider",
    "openai:gpt-4o-mini",
    "--pilot",
    "0",
    "--replicates",
    String(replicates),
    "--seed",
    "3",
    "--bootstrap",
    String(bootstrap),
    "--no-site",
    "--concurrency",
    "128",
    "--rpm",
    "10000000",
    "--tpm",
    "1000000000",
    // live calls, not the vendor batch API: the fill pays them at once
    "--batch-threshold",
    "100000000",
    "--store",
    store,
    "--out",
    join(directory, out),
  ]
  console.log(`replay bench (load average ${load()}): filling the cache through standin run…`)
  const fill = await standin(command(20, "fill"), env)
  const answers = fill.paid
  console.log(
    `  fill: ${format(answers)} answers paid at ${format(answers / fill.simulateSeconds)} calls/s (zero-latency fake; ${fill.wallSeconds.toFixed(1)} s wall, peak RSS ${format(fill.rssMb)} MB)`,
  )
  const replays: Array<Run> = []
  for (let run = 0; run < runs; run++) {
    rmSync(join(directory, "replay"), { recursive: true, force: true })
    const replay = await standin(command(20, "replay"), env)
    if (replay.paid !== 0 || replay.cached !== answers)
      throw new Error(
        `the replay paid ${replay.paid} calls and read ${replay.cached} from the cache, not ${answers}`,
      )
    replays.push(replay)
  }
  const runId = replays[0]!.runId
  if (runId === undefined) throw new Error("the replay did not say which run it resumed")
  const other = await standin(command(21, "other"), env)
  if (other.paid !== 0 || other.cached !== answers)
    throw new Error(`the other run paid ${other.paid} calls and read ${other.cached} from the cache`)
  const read = await storeReadRate(runId)
  if (read.found !== answers || read.keys !== answers)
    throw new Error(`the store read back ${read.found} of ${read.keys} answers, not ${answers}`)

  const rate = median(replays.map((replay) => answers / replay.simulateSeconds))
  const cpuRate = median(replays.map((replay) => answers / replay.simulateCpuSeconds))
  const simulateRss = median(replays.map((replay) => replay.simulateRssMb))
  const rss = median(replays.map((replay) => replay.rssMb))
  const cpu = median(replays.map((replay) => replay.cpuSeconds))
  const wall = median(replays.map((replay) => replay.wallSeconds))
  const ratio = rate / read.rate
  console.log(
    `  replay of the same run (standin run again, ${format(answers)} answers from the cache): ${format(rate)} answers/s (median of ${runs}: ${replays.map((replay) => format(answers / replay.simulateSeconds)).join(", ")}; whole command ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU), ratio to ${format(targets.rate)}/s: ${(rate / targets.rate).toFixed(2)} (${verdict(rate >= targets.rate)})`,
  )
  console.log(
    `  the store's own read rate (getCall one by one, same file): ${format(read.rate)} answers/s; replay / store ${ratio.toFixed(2)} (target ≥ ${targets.ratio}: ${verdict(ratio >= targets.ratio)})`,
  )
  console.log(
    `  per CPU second of the replay (load-independent): ${format(cpuRate)} answers/s; peak RSS when the replay ended ${format(simulateRss)} MB`,
  )
  console.log(
    `  peak RSS of the replay (whole command, scoring included): ${format(rss)} MB, ratio to ${format(targets.rssMb)} MB: ${(rss / targets.rssMb).toFixed(2)} (${verdict(rss < targets.rssMb)})`,
  )
  console.log(
    `  another run on the same cache (store lookups, batched): ${format(answers / other.simulateSeconds)} answers/s, peak RSS ${format(other.rssMb)} MB (for information)`,
  )
  console.log(`  load average at the end: ${load()}`)
} finally {
  fake.child.kill("SIGTERM")
  rmSync(directory, { recursive: true, force: true })
}
