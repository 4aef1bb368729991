// The command line's bench (after `pnpm build`), every figure the median of 3 runs of the real `standin`
// binary, each in a process of its own, as a user runs it:
//   (s) start-up: `standin --version` (target < 0.3 s) and `standin analyze fingerprint-consent` (target < 1 s);
//   (m) the main job: `standin run --study fingerprint-consent` with its four baselines at the default 500
//       bootstrap resamples, no site (target < 15 s), with the seconds spent scoring as the run reports them.
// Parts: STANDIN_BENCH_PARTS (default "sm"); threads for the main job: STANDIN_BENCH_THREADS (default: the
// run's own default). A missed target is reported as MISS and never fails the bench. The machine's load is
// printed beside the figures: on a shared machine they mean little without it.
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
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

/** Runs `standin args` once and returns its wall-clock seconds (failing loudly when the command fails). */
const timed = (args) => {
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, [bin, ...args], { env, encoding: "utf8", maxBuffer: 1 << 26 })
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  if (result.status !== 0)
    throw new Error(`standin ${args.join(" ")} exited ${result.status}: ${result.stderr.slice(-2000)}`)
  return { seconds, stdout: result.stdout, stderr: result.stderr }
}

const report = (label, seconds, target) =>
  console.log(
    `  ${label}: ${seconds.toFixed(3)} s (median of ${runs}), ratio to the ${target} s target ${(seconds / target).toFixed(2)}: ${verdict(seconds < target)}`,
  )

try {
  console.log(`standin CLI bench (load average ${load()})`)
  if (parts.has("s")) {
    timed(["--version"]) // warm the file cache
    const version = median(Array.from({ length: runs }, () => timed(["--version"]).seconds))
    report("standin --version", version, 0.3)
    timed(["analyze", "fingerprint-consent"])
    const analyze = median(
      Array.from({ length: runs }, () => timed(["analyze", "fingerprint-consent"]).seconds),
    )
    report("standin analyze fingerprint-consent", analyze, 1)
  }
  if (parts.has("m")) {
    const jobs = Array.from({ length: runs }, (_, index) =>
      timed([
        "run",
        "--study",
        "fingerprint-consent",
        "--out",
        join(directory, `main-${index}`),
        "--no-site",
        "--quiet",
        ...(threads === undefined ? [] : ["--threads", threads]),
      ]),
    )
    report(
      `main job (bundled study, 4 baselines, 500 resamples${threads === undefined ? "" : `, ${threads} threads`})`,
      median(jobs.map((job) => job.seconds)),
      15,
    )
  }
  console.log(`  load average after: ${load()}`)
} finally {
  rmSync(directory, { recursive: true, force: true })
}
