// The engine's memory bench (issue 20), every run in a process of its own so that its peak RSS is its alone,
// against `standin-fake` in another process, as a vendor would be (after `pnpm build`):
//   (f) automatic batching: STANDIN_BENCH_BATCH_CALLS twins (default 50,000, above the default
//       --batch-threshold of 20,000) through `runExecutors` — the executor factory `standin run` uses — and the
//       OpenAI plugin's batch path, the fake finishing the batch ~13 s after it is created: peak RSS
//       (target < 1 GB), wall and CPU time;
//   (h) the same run against a server with no batch API (404): the time until the first live call and the
//       whole run's, peak RSS (the fallback must be quick, and as lean as a live run);
//   (g) live calls: STANDIN_BENCH_RSS_CALLS twins (default 5,000) through `runExecutors` below the batch
//       threshold, against the bare `openai` SDK calling the same fake with the same bodies at the same
//       concurrency: peak RSS of each and the ratio (target < 1.5).
// Each figure is the median of STANDIN_BENCH_REPEATS runs (default 3). A miss is printed as MISS; the bench
// exits 0 all the same.
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { make as makeOpenAi } from "@standin/provider-openai"
import { make as makeStore } from "@standin/store"
import { fixtureStudy, fixtureTwins, renderFixturePrompt } from "@standin/testkit/fixture"
import { Effect, Redacted, Scope } from "effect"
import OpenAI from "openai"
import { makeBudget, makeProgress, runExecutors, simulate } from "../dist/index.js"
import { startFake } from "./fake.mjs"

const batchCalls = Number(process.env.STANDIN_BENCH_BATCH_CALLS ?? 50_000)
const rssCalls = Number(process.env.STANDIN_BENCH_RSS_CALLS ?? 5_000)
const repeats = Number(process.env.STANDIN_BENCH_REPEATS ?? 3)
const parts = new Set((process.env.STANDIN_BENCH_PARTS ?? "fhg").split(""))
const concurrency = 64
const format = (value) => Math.round(value).toLocaleString("en-US")
const verdict = (met) => (met ? "PASS" : "MISS")
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

const experiment = {
  descriptor: {
    kind: "experiment",
    id: "fixture",
    version: "1.0.0",
    specVersion: "1.0",
    title: "Fixture",
    citation: "none",
  },
  definition: fixtureStudy,
  loadHumanData: Effect.die("no data in the bench"),
  renderPrompt: (twin, options) => renderFixturePrompt(fixtureStudy, twin, options),
}

/** Runs this file as `--child MODE BASEURL CALLS` and returns what it printed (JSON). */
const child = async (mode, baseUrl, calls) => {
  const process_ = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), "--child", mode, baseUrl, String(calls)],
    {
      stdio: ["ignore", "pipe", "inherit"],
      env: process.env,
    },
  )
  let output = ""
  process_.stdout.on("data", (chunk) => {
    output += chunk.toString()
  })
  const code = await new Promise((done) => process_.on("exit", done))
  if (code !== 0) throw new Error(`the ${mode} process failed (${code}): ${output}`)
  return JSON.parse(output)
}

/** A run as `standin run` makes it: a store, one budget, `runExecutors` with the default batch choice. */
const standinRun = (baseUrl, calls, directory, batched) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const scope = yield* Effect.scope
        const store = yield* makeStore(join(directory, "run.sqlite"))
        yield* store.beginRun("bench", "{}")
        const provider = makeOpenAi({ apiKey: Redacted.make("sk-bench"), model: "gpt-4o-mini", baseUrl })
        const events = []
        let firstLive
        const started = Date.now()
        const executors = runExecutors({
          store,
          runId: "bench",
          budget: makeBudget(null),
          limits: { maxConcurrency: concurrency, requestsPerMinute: null, tokensPerMinute: null },
          // the default --batch-threshold (20,000), or the run's size when a smaller run is asked for
          batch: {
            mode: "auto",
            threshold: batched ? Math.min(20_000, calls) : 20_000,
            pollIntervalMs: 1_000,
          },
          elicitation: "sample",
          scope,
          progress: (label, binding) => {
            // the display `standin run --quiet` keeps, with the time of the first answer noted
            const sink = makeProgress({ mode: "quiet", label, binding })
            return {
              ...sink,
              record: (event) => {
                if (firstLive === undefined && event._tag === "Done") firstLive = Date.now()
                return sink.record(event)
              },
            }
          },
          onBatchEvent: (event) => events.push({ ...event, at: Date.now() - started }),
        })
        const twins = fixtureTwins(calls, 9)
        const executor = yield* executors(
          provider,
          { plugin: undefined, spec: { provider: "openai", model: "gpt-4o-mini" } },
          { calls },
        )
        const { synthetic } = yield* simulate(
          {
            experiment,
            provider,
            twins,
            replicates: 1,
            elicitation: "sample",
            settings: { temperature: 1 },
            includeDemographics: true,
            maxReasks: 0,
            seed: 7,
            concurrency: 2 * concurrency,
          },
          executor,
        )
        yield* Scope.close(scope, { _tag: "Success", value: undefined }).pipe(Effect.ignore)
        return {
          answered: synthetic.filter((respondent) => respondent.failure === undefined).length,
          batches: events.filter((event) => event._tag === "Submitted").length,
          events: events.map((event) => `${event.at} ms ${event._tag}`),
          firstLiveSeconds: firstLive === undefined ? null : (firstLive - started) / 1000,
        }
      }),
    ),
  )

/** The bare SDK in a loop: the bodies standin sends, `concurrency` workers, answers kept as a run keeps them. */
const bareRun = async (baseUrl, calls) => {
  const client = new OpenAI({ apiKey: "sk-bench", baseURL: baseUrl, maxRetries: 0 })
  const twins = fixtureTwins(calls, 9)
  const answers = new Array(twins.length)
  let next = 0
  const worker = async () => {
    while (next < twins.length) {
      const index = next++
      const prompt = renderFixturePrompt(fixtureStudy, twins[index], {
        elicitation: "sample",
        includeDemographics: true,
      })
      const completion = await client.chat.completions.create({
        model: "gpt-4o-mini",
        temperature: 1,
        seed: index,
        messages: prompt.messages.map((message) => ({ role: message.role, content: message.content })),
        response_format: {
          type: "json_schema",
          json_schema: { name: prompt.responseSchemaName, schema: prompt.responseSchema, strict: true },
        },
      })
      answers[index] = JSON.parse(completion.choices[0]?.message.content ?? "null")
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return { answered: answers.filter((answer) => answer !== null && answer !== undefined).length }
}

if (process.argv[2] === "--child") {
  const [mode, baseUrl, calls] = process.argv.slice(3)
  const directory = mkdtempSync(join(tmpdir(), "standin-memory-bench-"))
  try {
    const start = process.hrtime.bigint()
    const value =
      mode === "bare"
        ? await bareRun(baseUrl, Number(calls))
        : await standinRun(baseUrl, Number(calls), directory, mode === "batch")
    const usage = process.resourceUsage()
    process.stdout.write(
      JSON.stringify({
        ...value,
        seconds: Number(process.hrtime.bigint() - start) / 1e9,
        cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
        rssMb: usage.maxRSS / 1024,
      }),
    )
  } finally {
    rmSync(directory, { recursive: true, force: true })
  }
  process.exit(0)
}

/** Medians of `repeats` runs of `mode`, each in its own process, on the fake started with `extra`. */
const measure = async (mode, calls, extra = []) => {
  const runs = []
  for (let index = 0; index < repeats; index++) {
    const fake = await startFake(extra)
    try {
      runs.push(await child(mode, fake.baseUrl, calls))
    } finally {
      await fake.close()
    }
  }
  const pick = (name) => median(runs.map((run) => run[name]))
  return {
    rssMb: pick("rssMb"),
    seconds: pick("seconds"),
    cpuSeconds: pick("cpuSeconds"),
    firstLiveSeconds: runs[0].firstLiveSeconds === null ? null : pick("firstLiveSeconds"),
    answered: Math.min(...runs.map((run) => run.answered)),
    batches: runs[0].batches,
  }
}

const load = () =>
  new Promise((done) => {
    const uptime = spawn("uptime", [], { stdio: ["ignore", "pipe", "ignore"] })
    let output = ""
    uptime.stdout.on("data", (chunk) => {
      output += chunk.toString()
    })
    uptime.on("exit", () => done(/load average: (.*)$/.exec(output.trim())?.[1] ?? "unknown"))
    uptime.on("error", () => done("unknown"))
  })

console.log(`engine memory bench: medians of ${repeats}, load ${await load()}`)
if (parts.has("f")) {
  const batch = await measure("batch", batchCalls)
  console.log(
    `(f) automatic batching of ${format(batchCalls)} calls (${batch.batches} batch${batch.batches === 1 ? "" : "es"}, ${format(batch.answered)} answered): peak RSS ${format(batch.rssMb)} MB, ratio to 1,024 MB ${(batch.rssMb / 1024).toFixed(2)} (target < 1: ${verdict(batch.rssMb < 1024)}), ${batch.seconds.toFixed(1)} s wall (the fake takes ~13 s per batch), ${batch.cpuSeconds.toFixed(1)} s CPU`,
  )
}
if (parts.has("h")) {
  const fallback = await measure("batch", batchCalls, ["--batches", "off"])
  console.log(
    `(h) the same run against a server with no batch API: first answer (a live call) after ${fallback.firstLiveSeconds?.toFixed(2) ?? "never"} s, ratio to 5 s ${fallback.firstLiveSeconds === null ? "n/a" : (fallback.firstLiveSeconds / 5).toFixed(2)} (target < 1: ${verdict(fallback.firstLiveSeconds !== null && fallback.firstLiveSeconds < 5)}), ${format(fallback.answered)} answered live in ${fallback.seconds.toFixed(1)} s wall, ${fallback.cpuSeconds.toFixed(1)} s CPU, peak RSS ${format(fallback.rssMb)} MB, ratio to 1,024 MB ${(fallback.rssMb / 1024).toFixed(2)} (target < 1: ${verdict(fallback.rssMb < 1024)})`,
  )
}
if (parts.has("g")) {
  const bare = await measure("bare", rssCalls)
  const ours = await measure("standin", rssCalls)
  const ratio = ours.rssMb / bare.rssMb
  console.log(
    `(g) ${format(rssCalls)} live calls, concurrency ${concurrency}: peak RSS standin ${format(ours.rssMb)} MB (${ours.seconds.toFixed(1)} s, ${ours.cpuSeconds.toFixed(1)} s CPU), bare openai SDK ${format(bare.rssMb)} MB (${bare.seconds.toFixed(1)} s, ${bare.cpuSeconds.toFixed(1)} s CPU); ratio ${ratio.toFixed(2)} (target < 1.5: ${verdict(ratio < 1.5)})`,
  )
}
