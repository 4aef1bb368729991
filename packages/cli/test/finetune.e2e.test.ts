import { spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import type { ResultsFile } from "@standin/core"
import { buildTrainingSet, splitRespondents, sweepPoints, sweepSplit } from "@standin/engine"
import { study as fingerprintConsent } from "@standin/study-fingerprint-consent"
import { type FakeServer, startOpenAiFake } from "@standin/testkit/fakes"
import { ConfigProvider, Effect } from "effect"
import { bin, dataDir, hasData, repoRoot, standinAsync, tempDir } from "./helpers.js"

const PLANTED = "sk-test-PLANTED"
const servers: Array<FakeServer> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const experiment = fingerprintConsent.experiment
const loadHuman = () =>
  Effect.runPromise(
    experiment.loadHumanData.pipe(
      Effect.provide(
        ConfigProvider.layer(
          ConfigProvider.fromEnv({
            env: { STANDIN_DATA_DIR: dataDir, STANDIN_OFFLINE: "1", STANDIN_CACHE_DIR: tempDir("cache") },
          }),
        ),
      ),
    ),
  )

/** The CLI as a child process whose output is watched while it runs (to interrupt it at the right moment). */
const watch = (args: ReadonlyArray<string>, env: Record<string, string>) => {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? tmpdir(),
      STANDIN_CACHE_DIR: tempDir("cache"),
      STANDIN_OFFLINE: "1",
      STANDIN_DATA_DIR: dataDir,
      ...env,
    },
  })
  let stdout = ""
  let stderr = ""
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = []
  const check = () => {
    for (const waiter of [...waiters])
      if (waiter.pattern.test(stdout)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
  }
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString()
    check()
  })
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
  return {
    child,
    exited,
    output: () => ({ stdout, stderr }),
    until: (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        waiters.push({ pattern, resolve })
        check()
        exited.then(() => reject(new Error(`exited before ${pattern}: ${stdout}\n${stderr}`)))
      }),
  }
}

describe.runIf(hasData)("standin finetune and standin sweep against the loopback fakes", () => {
  it("resumes polling the same job when interrupted and started again", async () => {
    const fake = await startOpenAiFake({ apiKey: PLANTED, seed: 2 })
    servers.push(fake)
    const store = join(tempDir("store"), "store.sqlite")
    const args = [
      "finetune",
      "--base",
      "openai:gpt-4o-mini-2024-07-18",
      "--pilot",
      "30",
      "--pilot-arms",
      "one",
      "--seed",
      "4",
      "--store",
      store,
      "--poll",
      "0.05",
    ]
    const env = { OPENAI_API_KEY: PLANTED, OPENAI_BASE_URL: fake.baseUrl }
    const first = watch(args, env)
    await first.until(/job (ftjob-\S+): validating/)
    first.child.kill("SIGINT")
    await first.exited
    const jobId = /job (ftjob-\S+) started/.exec(first.output().stdout)?.[1]
    expect(jobId).toBeDefined()
    expect(first.output().stdout).toMatch(
      /pilot: 30 respondents from arm "(hidden|shown)" \(one arm, chosen by --seed 4/,
    )

    const second = watch(args, env)
    await second.until(new RegExp(`resuming job ${jobId} \\(last seen: validating\\); no new job is started`))
    await second.until(/job \S+: validating/)
    fake.clock.advance(60_000)
    expect(await second.exited).toBe(0)
    const { stdout } = second.output()
    expect(stdout).toMatch(/model: ft:gpt-4o-mini-2024-07-18:standin-fake:\S+ \(trained by a testkit fake/)
    expect(stdout).toMatch(
      /evaluate it on this pilot's holdout: standin run --study fingerprint-consent --pilot 30 --pilot-arms (hidden|shown) .*--seed 4 --provider openai:ft:/,
    )
    // One job, one upload: the restart polled the job it found in the store.
    expect(fake.log.find("/fine_tuning/jobs").filter((entry) => entry.method === "POST")).toHaveLength(1)
    expect(fake.uploads()).toHaveLength(1)
    expect(fake.uploads()[0]!.content.trimEnd().split("\n")).toHaveLength(30)
  })

  it("runs a sweep (2 sizes × 2 samplings × 2 seeds): metrics with CIs for the base and every finetune, learning curves, and uploads of pilot respondents only", async () => {
    const fake = await startOpenAiFake({
      apiKey: PLANTED,
      seed: 6,
      jobs: { validatingMs: 0, queuedMs: 0, runningMs: 0 },
    })
    servers.push(fake)
    const out = tempDir("sweep")
    const args = (to: string) => [
      "sweep",
      "--base",
      "openai:gpt-4o-mini",
      "--pilot",
      "30,60",
      "--pilot-sampling",
      "random,balanced:race",
      "--seeds",
      "2",
      "--seed",
      "3",
      "--holdout",
      "240",
      "--bootstrap",
      "40",
      "--epochs",
      "2",
      "--store",
      join(out, "store.sqlite"),
      "--poll",
      "0.05",
      // A loopback fake: lift the vendor's default rate limits.
      "--rpm",
      "1000000",
      "--tpm",
      "1000000000",
      "--out",
      to,
      "--no-site",
      "--quiet",
    ]
    const result = await standinAsync(args(out), { OPENAI_API_KEY: PLANTED, OPENAI_BASE_URL: fake.baseUrl })
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/learning curve/)
    // the n_eff curve: a column per point in the terminal, and `worth` on every learning-curve point
    expect(result.stdout).toMatch(/n_eff base +n_eff finetuned\*/)
    expect(result.stdout).toMatch(/^worth k humans \(PPI\+\+, vs the pilot alone\):$/m)
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as ResultsFile
    const finetuned = results.entries.filter((entry) => entry.finetune !== undefined)
    const base = results.entries.find((entry) => entry.id === "openai-gpt-4o-mini")
    expect(finetuned).toHaveLength(8)
    expect(results.learningCurves).toHaveLength(8)
    expect(results.manifest.holdoutSize).toBe(240)
    for (const entry of [base!, ...finetuned]) {
      expect(entry.status).toBe("ok")
      expect(entry.counts.twins).toBe(240)
      for (const metric of ["heterogeneity", "coherence", "subgroup"]) {
        const score = entry.scores.find((candidate) => candidate.metric === metric)
        expect(score, `${entry.id} ${metric}`).toBeDefined()
        expect(typeof score?.headline.value, `${entry.id} ${metric}`).toBe("number")
        expect(score?.headline.ci?.lower, `${entry.id} ${metric}`).toBeLessThanOrEqual(score!.headline.value!)
        expect(score?.headline.ci?.upper, `${entry.id} ${metric}`).toBeGreaterThanOrEqual(
          score!.headline.value!,
        )
      }
    }
    for (const entry of finetuned) expect(entry.finetune?.fake).toBe(true)
    expect(base?.finetune).toBeUndefined()
    // Every model entry's twins, conversation by conversation (the leaderboard's twin browser); none for baselines.
    for (const entry of results.entries) {
      if (entry.baseline !== undefined) {
        expect(entry.conversationsFile, entry.id).toBeUndefined()
        continue
      }
      const lines = readFileSync(join(out, entry.conversationsFile!), "utf8").trimEnd().split("\n")
      expect(lines, entry.id).toHaveLength(240)
      expect(JSON.parse(lines[0]!).turns[0].role, entry.id).toBe("system")
    }
    expect(results.entries.filter((entry) => entry.baseline === "pilot")).toHaveLength(16)
    const curve = results.learningCurves!
    for (const point of curve) {
      expect(point.worth?.n, point.entry).toBe(point.pilotSize)
      expect(point.worth?.base, point.entry).toBeGreaterThan(0)
    }
    // the base model answered for the union of the pilots' people once (nested pilots: 2 seeds × 2 samplings)
    expect(base?.ppi?.pilotTwins).toBeLessThanOrEqual(4 * 60)
    expect(curve.map((point) => `${point.pilotSize} ${point.sampling} ${point.seed}`).sort()).toEqual(
      [
        "30 random 3",
        "30 random 4",
        "60 random 3",
        "60 random 4",
        "30 balanced:race 3",
        "30 balanced:race 4",
        "60 balanced:race 3",
        "60 balanced:race 4",
      ].sort(),
    )
    // Every point has an overall fidelity with an interval over the metrics that bootstrap reliably at this
    // size; the regression metric's interval may be missing (its logistic fits separate in many resamples of
    // 240 twins: "no interval" is then the honest answer), so the overall one is too.
    for (const point of curve) {
      const entry = finetuned.find((candidate) => candidate.id === point.entry)!
      expect(point.overall, point.entry).toEqual(entry.fidelity.overall)
      expect(typeof point.overall.value, point.entry).toBe("number")
      for (const metric of ["heterogeneity", "coherence", "subgroup", "divergence"])
        expect(point.metrics[metric]?.ci, `${point.entry} ${metric}`).not.toBeNull()
    }

    // Each training file is exactly its point's pilot — drawn from the pool, never the fixed holdout — and holds no id.
    const human = await loadHuman()
    const split = sweepSplit(experiment.definition, human.respondents, 3, 240)
    const expected = await Promise.all(
      sweepPoints({
        sizes: [
          { _tag: "Count", count: 30 },
          { _tag: "Count", count: 60 },
        ],
        samplings: [{ _tag: "Random" }, { _tag: "Balanced", attribute: "race" }],
        arms: "all",
        seeds: 2,
        seed: 3,
      }).map(async (point) => {
        const pilot = (
          await Effect.runPromise(
            splitRespondents(experiment.definition, split.pilot, point.design, point.seed),
          )
        ).pilot
        const held = new Set(split.holdout.map((respondent) => respondent.id))
        expect(pilot.some((respondent) => held.has(respondent.id))).toBe(false)
        return buildTrainingSet(experiment, pilot, {
          includeDemographics: true,
          validationFraction: 0,
          seed: point.seed,
        })
          .train.map((example) => JSON.stringify({ messages: example.messages }))
          .sort()
          .join("\n")
      }),
    )
    const uploads = fake.uploads()
    expect(uploads).toHaveLength(8)
    expect(uploads.map((file) => file.content.trimEnd().split("\n").sort().join("\n")).sort()).toEqual(
      expected.sort(),
    )
    const everything = uploads.map((file) => file.content).join("\n")
    expect(everything).not.toMatch(/R_[A-Za-z0-9]{15}/)
    expect(everything).not.toMatch(/Duration/)

    // The same sweep again: every job and every answer comes from the store — no upload, no job, no model call.
    const requests = fake.log.entries.length
    const again = await standinAsync(args(join(out, "again")), {
      OPENAI_API_KEY: PLANTED,
      OPENAI_BASE_URL: fake.baseUrl,
    })
    expect(again.status).toBe(0)
    const paid = fake.log.entries.slice(requests).filter((entry) => entry.method === "POST")
    expect(paid.map((entry) => entry.path)).toEqual([])
    expect(readFileSync(join(out, "again", "results.json"), "utf8")).toBe(
      readFileSync(join(out, "results.json"), "utf8"),
    )
    // Every twin answers the bundled study page by page (two calls), for nine models: give it time.
  }, 300_000)

  it("fails loudly like run: a sweep whose models gave no valid answer exits 4, says why and builds no site", async () => {
    const fake = await startOpenAiFake({
      apiKey: PLANTED,
      seed: 8,
      jobs: { validatingMs: 0, queuedMs: 0, runningMs: 0 },
    })
    servers.push(fake)
    // every chat completion is refused as an invalid request (not retried); finetuning itself works
    fake.faults.setRates({ "400": 1 })
    const out = tempDir("sweep-failed")
    const result = await standinAsync(
      [
        "sweep",
        "--base",
        "openai:gpt-4o-mini",
        "--pilot",
        "30",
        "--seed",
        "3",
        "--holdout",
        "60",
        "--bootstrap",
        "0",
        "--store",
        join(out, "store.sqlite"),
        "--poll",
        "0.05",
        "--rpm",
        "1000000",
        "--tpm",
        "1000000000",
        "--out",
        out,
        "--quiet",
      ],
      { OPENAI_API_KEY: PLANTED, OPENAI_BASE_URL: fake.baseUrl },
    )
    expect(result.status, result.stderr).toBe(4)
    expect(result.stderr).toMatch(/failed openai-gpt-4o-mini: no valid answer: 60 of 60 twins failed/)
    expect(result.stderr).toMatch(/60× invalid-request: /)
    expect(result.stderr).toMatch(/standin: 2 requested models failed \(exit 4\)/)
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as ResultsFile
    const models = results.entries.filter((entry) => entry.baseline === undefined)
    expect(models).toHaveLength(2)
    for (const entry of models) expect(entry.status, entry.id).toBe("failed")
    expect(existsSync(join(out, "site"))).toBe(false)
  })
})
