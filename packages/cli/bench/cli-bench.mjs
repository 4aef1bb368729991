// The command line's bench (after `pnpm build`), every figure the median of 3 runs of the real `standin`
// binary, each in a process of its own, as a user runs it:
//   (s) start-up: `standin --version` (target < 0.3 s) and `standin analyze fingerprint-consent` (target < 1 s);
//   (m) the main job: `standin run --study fingerprint-consent` with its four baselines at the default 500
//       bootstrap resamples, no site (target < 15 s), wall and CPU seconds; and its scoring phase alone, as the
//       run itself timed it (run-meta.json's phaseSeconds; target ≥ 2.5× faster than the 28.8 s of issue 20,
//       i.e. < 11.52 s).
//   (t) opt-in: the main job on one thread, beside (m), for what scoring on worker threads gains.
// Parts: STANDIN_BENCH_PARTS (default "sm"); threads for the main job: STANDIN_BENCH_THREADS (default: the
// run's own default). A missed target is reported as MISS and never fails the bench. The machine's load is
// printed beside the figures: on a shared machine they mean little without it.
import { spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const bin = resolve(here, "../dist/bin.js")
const parts = new Set((process.env.STANDIN_BENCH_PARTS ?? "sm").split(""))
const threads = process.env.STANDIN_BENCH_THREADS
const runs = 3
const directory = mkdtempSync(join(tmpdir(), "standin-cli-bench-"))
// the human data as the user's own runs find it (STANDIN_DATA_DIR or the default place); a fresh call cache
const env = { ...process.env, STANDIN_CACHE_DIR: join(directory, "cache") }

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(", ")
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
/** A target's word: a miss is reported, never a failed bench (the other benches still run). */
const verdict = (met) => (met ? "PASS" : "MISS")

// CPU seconds (user + system, every thread) through GNU time when the machine has it: on a loaded machine the
// wall clock says more about the neighbours than about standin.
const gnuTime = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined
const cpuFile = join(directory, "cpu.txt")

/** Runs `standin args` once: wall-clock seconds and CPU seconds (NaN without GNU time); fails loudly on failure. */
const timed = (args) => {
  const command =
    gnuTime === undefined
      ? [process.execPath, bin, ...args]
      : [gnuTime, "-o", cpuFile, "-f", "%U %S", process.execPath, bin, ...args]
  const start = process.hrtime.bigint()
  const result = spawnSync(command[0], command.slice(1), { env, encoding: "utf8", maxBuffer: 1 << 26 })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (result.status !== 0)
    throw new Error(`standin ${args.join(" ")} exited ${result.status}: ${result.stderr.slice(-2000)}`)
  const cpu =
    gnuTime === undefined
      ? Number.NaN
      : readFileSync(cpuFile, "utf8")
          .trim()
          .split(/\s+/)
          .map(Number)
          .reduce((a, b) => a + b, 0)
  return { seconds, cpu, stdout: result.stdout, stderr: result.stderr }
}

/** The scoring phase's wall-clock seconds of a run written to `out`, as the run timed it (run-meta.json). */
const scoringSeconds = (out) => {
  const meta = JSON.parse(readFileSync(join(out, "run-meta.json"), "utf8"))
  return meta.phaseSeconds?.score ?? Number.NaN
}
// Issue 20: scoring took 28.8 s; the target is ≥ 2.5× faster at the same settings.
const scoringBefore = 28.8
const scoringTarget = scoringBefore / 2.5

const report = (label, results, target) => {
  const seconds = median(results.map((result) => result.seconds))
  const cpu = median(results.map((result) => result.cpu))
  console.log(
    `  ${label}: ${seconds.toFixed(3)} s wall (median of ${runs}${Number.isNaN(cpu) ? "" : `; ${cpu.toFixed(3)} s CPU`}), ratio to the ${target} s target ${(seconds / target).toFixed(2)}: ${verdict(seconds < target)}`,
  )
}

try {
  console.log(`standin CLI bench (load average ${load()})`)
  if (parts.has("s")) {
    timed(["--version"]) // warm the file cache
    report(
      "standin --version",
      Array.from({ length: runs }, () => timed(["--version"])),
      0.3,
    )
    timed(["analyze", "fingerprint-consent"])
    report(
      "standin analyze fingerprint-consent",
      Array.from({ length: runs }, () => timed(["analyze", "fingerprint-consent"])),
      1,
    )
  }
  /** The main job, three times, on the run's default threads or on `threadCount`. */
  const mainJob = (label, threadCount) => {
    const outs = Array.from({ length: runs }, (_, index) => join(directory, `${label}-${index}`))
    const jobs = outs.map((out) =>
      timed([
        "run",
        "--study",
        "fingerprint-consent",
        "--out",
        out,
        "--no-site",
        "--quiet",
        ...(threadCount === undefined ? [] : ["--threads", threadCount]),
      ]),
    )
    const described = `bundled study, 4 baselines, 500 resamples, ${threadCount === undefined ? "default threads" : `${threadCount} thread(s)`}`
    report(`main job (${described})`, jobs, 15)
    const scoring = median(outs.map(scoringSeconds))
    console.log(
      `  scoring phase of the main job (${described}): ${scoring.toFixed(3)} s wall (median of ${runs}, as timed by the run), ${(scoringBefore / scoring).toFixed(2)}× faster than issue 20's ${scoringBefore} s, ratio to the ${scoringTarget.toFixed(2)} s target ${(scoring / scoringTarget).toFixed(2)}: ${verdict(scoring < scoringTarget)}`,
    )
  }
  if (parts.has("m")) mainJob("main", threads)
  // (t) the same on one thread, for the gain of scoring on worker threads (opt-in: three more jobs)
  if (parts.has("t")) mainJob("one-thread", "1")
  console.log(`  load average after: ${load()}`)
} finally {
  rmSync(directory, { recursive: true, force: true })
}
