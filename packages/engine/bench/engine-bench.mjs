// The engine's bench, all figures measured in one run (after `pnpm build`):
//   (a) throughput against `standin-fake` with 100 ms latency at concurrency 64, as a ratio to the limit
//       64 / 0.1 s = 640 calls/s (target ≥ 0.95);
//   (b) at zero latency, standin's calls/s through the OpenAI provider (cache writes included) as a ratio
//       to the bare `openai` SDK calling the same fake in a loop at the same concurrency (target ≥ 0.7),
//       with CPU ms per call on each side;
//   (c) peak RSS of a 200,000-call run from the cache, in a process of its own (target < 1 GB);
//   (d) replay of a fully cached run, answers/s (target ≥ 50,000);
//   (e) throughput under heavy faults (15% 429s with retry-after 1 s, 15% 500s) against none, same fake latency
//       (100 ms) and concurrency 64, as a ratio (target ≥ 0.5: a call meets 0.43 faults on average, so 0.7 is
//       the most retries allow, less the backoff tail of the unluckiest calls), with the limiter's lowest
//       adaptive concurrency (issue 18: it used to collapse to 1–5 under random 429s, a 16× slowdown).
// The fake runs in its own process, as a vendor would. Sizes: STANDIN_BENCH_CALLS (a, b; default 12,800:
// 200 rounds of 64, so that the first and the last weigh little), STANDIN_BENCH_CACHED (c, d; default 200,000),
// STANDIN_BENCH_FAULT_CALLS (e; default 6,400).
import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { ProviderError, scaleOptions } from "@standin/core"
import { make as makeOpenAi } from "@standin/provider-openai"
import { make as makeStore } from "@standin/store"
import { fixtureStudy, fixtureTwins, renderFixturePrompt } from "@standin/testkit/fixture"
import { Effect, Redacted } from "effect"
import OpenAI from "openai"
import { callRequest, makeCallRunner, simulate } from "../dist/index.js"
import { startFake as startFakeVendor } from "./fake.mjs"

const liveCalls = Number(process.env.STANDIN_BENCH_CALLS ?? 12_800)
const cachedCalls = Number(process.env.STANDIN_BENCH_CACHED ?? 200_000)
const faultCalls = Number(process.env.STANDIN_BENCH_FAULT_CALLS ?? 6_400)
const parts = new Set((process.env.STANDIN_BENCH_PARTS ?? "abcde").split(""))
const concurrency = 64
const format = (value) => Math.round(value).toLocaleString("en-US")
const ratio = (value) => value.toFixed(2)

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

const simulation = (provider, twins, extra = {}) => ({
  experiment,
  provider,
  twins,
  replicates: 1,
  elicitation: "sample",
  settings: { temperature: 1 },
  includeDemographics: true,
  maxReasks: 0,
  seed: 7,
  concurrency,
  ...extra,
})

/** Starts `standin-fake` with a latency (and more flags). */
const startFake = (latencyMs, extra = []) => startFakeVendor(["--latency-ms", String(latencyMs), ...extra])

const timed = async (run) => {
  const start = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  const value = await run()
  const used = process.cpuUsage(cpu)
  return {
    value,
    seconds: Number(process.hrtime.bigint() - start) / 1e9,
    cpuMs: (used.user + used.system) / 1000,
  }
}

/**
 * A run's calls through standin: simulate → call runner (fresh store: every call paid) → OpenAI provider. With
 * `watch`, the limiter's adaptive concurrency is sampled every 100 ms and its lowest value reported to it.
 */
const standinRun = (baseUrl, twins, directory, watch) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* makeStore(join(directory, `live-${twins.length}-${Date.now()}.sqlite`))
        yield* store.beginRun("bench", "{}")
        const provider = makeOpenAi({ apiKey: Redacted.make("sk-bench"), model: "gpt-4o-mini", baseUrl })
        const runner = yield* makeCallRunner({
          provider,
          spec: { provider: "openai", model: "gpt-4o-mini" },
          store,
          runId: "bench",
          limits: { maxConcurrency: concurrency, requestsPerMinute: null, tokensPerMinute: null },
        })
        const sampler =
          watch === undefined
            ? undefined
            : setInterval(() => {
                Effect.runPromise(runner.limiter.state).then((state) => watch(state.concurrency))
              }, 100)
        // as `standin run` does: twice as many twins at once as the limiter lets calls out
        const { synthetic } = yield* simulate(simulation(provider, twins), {
          call: runner.call,
          concurrency: 2 * concurrency,
          finish: runner.flush,
        }).pipe(Effect.ensuring(Effect.sync(() => clearInterval(sampler))))
        return synthetic.filter((respondent) => respondent.failure === undefined).length
      }),
    ),
  )

/** The bare SDK in a loop: the same request bodies, `concurrency` workers. */
const bareRun = async (baseUrl, twins) => {
  const client = new OpenAI({ apiKey: "sk-bench", baseURL: baseUrl, maxRetries: 0 })
  const bodies = twins.map((twin, index) => {
    const prompt = renderFixturePrompt(fixtureStudy, twin, {
      elicitation: "sample",
      includeDemographics: true,
    })
    return {
      model: "gpt-4o-mini",
      temperature: 1,
      seed: index,
      messages: prompt.messages.map((message) => ({ role: message.role, content: message.content })),
      response_format: {
        type: "json_schema",
        json_schema: { name: prompt.responseSchemaName, schema: prompt.responseSchema, strict: true },
      },
    }
  })
  let next = 0
  let ok = 0
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++]
      const completion = await client.chat.completions.create(body)
      if (completion.choices[0]?.message.content) ok++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return ok
}

const replayChild = async (path) => {
  // (c) in a process of its own, so that its peak RSS is the run's alone.
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--replay", path], {
    stdio: ["ignore", "pipe", "inherit"],
    env: process.env,
  })
  let output = ""
  child.stdout.on("data", (chunk) => {
    output += chunk.toString()
  })
  const code = await new Promise((done) => child.on("exit", done))
  if (code !== 0) throw new Error(`the replay process failed (${code}): ${output}`)
  return JSON.parse(output)
}

const descriptor = {
  kind: "provider",
  id: "bench",
  version: "0.0.0",
  specVersion: "1.0",
  label: "bench",
  description: "in-process provider for the bench",
  capabilities: {
    logprobs: false,
    seed: true,
    structuredOutput: true,
    batch: false,
    finetune: false,
    temperature: true,
    topP: true,
    elicitation: ["sample"],
  },
  keyEnv: [],
}
const answerText = JSON.stringify(
  Object.fromEntries(fixtureStudy.items.map((item) => [item.id, scaleOptions(item.scale)[0]])),
)
const answering = {
  descriptor,
  model: "bench-model",
  generate: () =>
    Effect.succeed({
      text: answerText,
      modelVersion: "bench-model-1",
      usage: { inputTokens: 120, outputTokens: 12 },
      warnings: [],
    }),
}
const refusing = {
  descriptor,
  model: "bench-model",
  generate: () =>
    Effect.fail(
      new ProviderError({ provider: "bench", reason: "server", message: "a replay must not call" }),
    ),
}

/** Simulates `twins` from the store at `path` with `provider` (answering fills the cache; refusing replays). */
const cachedRun = (path, twins, provider, runId) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* makeStore(path)
        yield* store.beginRun(runId, "{}")
        const runner = yield* makeCallRunner({
          provider,
          spec: { provider: "bench", model: "bench-model" },
          store,
          runId,
          limits: { maxConcurrency: concurrency },
        })
        const { synthetic, totals } = yield* simulate(simulation(provider, twins), {
          call: runner.call,
          concurrency,
          finish: runner.flush,
        })
        return {
          answered: synthetic.filter((respondent) => respondent.failure === undefined).length,
          cached: totals.cachedCalls,
        }
      }),
    ),
  )

/** (d): the call layer alone replaying every cached answer (no simulation around it). */
const runnerReplay = (path, twins) =>
  Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* makeStore(path)
        // the same run again: its answers are read in one pass, as a re-run or a resume reads them
        yield* store.beginRun("bench-fill", "{}")
        const runner = yield* makeCallRunner({
          provider: refusing,
          spec: { provider: "bench", model: "bench-model" },
          store,
          runId: "bench-fill",
          limits: { maxConcurrency: concurrency },
        })
        // the requests the run made (same prompts, same seed derivation), hence the same keys
        const requests = twins.map((twin) =>
          callRequest(
            simulation(refusing, twins),
            twin,
            renderFixturePrompt(fixtureStudy, twin, { elicitation: "sample", includeDemographics: true }),
            0,
            0,
          ),
        )
        const start = process.hrtime.bigint()
        const cpu = process.cpuUsage()
        const results = yield* Effect.forEach(requests, (request) => runner.call(request), { concurrency })
        yield* runner.flush
        const seconds = Number(process.hrtime.bigint() - start) / 1e9
        const used = process.cpuUsage(cpu)
        return {
          rate: requests.length / seconds,
          cached: results.filter((result) => result.cached).length,
          cpuMsPerAnswer: (used.user + used.system) / 1000 / requests.length,
        }
      }),
    ),
  )

if (process.argv[2] === "--replay") {
  const twins = fixtureTwins(cachedCalls, 3)
  const result = await timed(() => cachedRun(process.argv[3], twins, refusing, "bench-fill"))
  process.stdout.write(
    JSON.stringify({
      rssMb: process.resourceUsage().maxRSS / 1024,
      answered: result.value.answered,
      cached: result.value.cached,
      rate: cachedCalls / result.seconds,
    }),
  )
  process.exit(0)
}

/** A target's word: a miss is reported, never a failed bench (the other benches still run). */
const verdict = (met) => (met ? "PASS" : "MISS")

const directory = mkdtempSync(join(tmpdir(), "standin-engine-bench-"))

/** (a) 100 ms latency, concurrency 64, against the limit 640 calls/s; the bare SDK on the same fake for reference. */
const benchA = async () => {
  const fake = await startFake(100)
  try {
    await standinRun(fake.baseUrl, fixtureTwins(concurrency * 2, 1), directory) // warm up
    await bareRun(fake.baseUrl, fixtureTwins(concurrency * 2, 1))
    const ours = await timed(() => standinRun(fake.baseUrl, fixtureTwins(liveCalls, 2), directory))
    const bare = await timed(() => bareRun(fake.baseUrl, fixtureTwins(liveCalls, 2)))
    const limit = concurrency / 0.1
    const rate = liveCalls / ours.seconds
    console.log(
      `(a) 100 ms latency, concurrency ${concurrency}: ${format(rate)} calls/s (${format(ours.value)} answered); ratio to the limit ${format(limit)} calls/s: ${ratio(rate / limit)} (target ≥ 0.95: ${verdict(rate / limit >= 0.95)}). The bare SDK on the same fake: ${format(liveCalls / bare.seconds)} calls/s, ${ratio(liveCalls / bare.seconds / limit)} of the limit`,
    )
  } finally {
    await fake.close()
  }
}

/** (b) zero latency: standin against the bare SDK, same fake, same concurrency. */
const benchB = async () => {
  const fake = await startFake(0)
  try {
    const twins = fixtureTwins(liveCalls, 4)
    await bareRun(fake.baseUrl, fixtureTwins(500, 5)) // warm up both paths
    await standinRun(fake.baseUrl, fixtureTwins(500, 5), directory)
    const bare = await timed(() => bareRun(fake.baseUrl, twins))
    const ours = await timed(() => standinRun(fake.baseUrl, twins, directory))
    const bareRate = liveCalls / bare.seconds
    const ourRate = liveCalls / ours.seconds
    console.log(
      `(b) zero latency, concurrency ${concurrency}: bare openai SDK ${format(bareRate)} calls/s (${(bare.cpuMs / liveCalls).toFixed(3)} CPU ms/call); standin ${format(ourRate)} calls/s (${(ours.cpuMs / liveCalls).toFixed(3)} CPU ms/call, cache writes included); ratio ${ratio(ourRate / bareRate)} (target ≥ 0.7: ${verdict(ourRate / bareRate >= 0.7)})`,
    )
  } finally {
    await fake.close()
  }
}

/** (e) the same run against a clean fake and against one failing 30% of calls (15% 429s, 15% 500s). */
const benchE = async () => {
  const faults = "429:0.15,500:0.15"
  const clean = await startFake(100)
  let cleanRun
  try {
    await standinRun(clean.baseUrl, fixtureTwins(concurrency * 2, 1), directory) // warm up
    cleanRun = await timed(() => standinRun(clean.baseUrl, fixtureTwins(faultCalls, 6), directory))
  } finally {
    await clean.close()
  }
  const faulty = await startFake(100, ["--faults", faults, "--seed", "18"])
  try {
    let lowest = concurrency
    const faultyRun = await timed(() =>
      standinRun(faulty.baseUrl, fixtureTwins(faultCalls, 6), directory, (now) => {
        lowest = Math.min(lowest, now)
      }),
    )
    const cleanRate = faultCalls / cleanRun.seconds
    const faultyRate = faultCalls / faultyRun.seconds
    console.log(
      `(e) ${format(faultCalls)} calls, 100 ms latency, concurrency ${concurrency}: no faults ${format(cleanRate)} calls/s; faults ${faults} ${format(faultyRate)} calls/s (${format(faultyRun.value)} answered, lowest adaptive concurrency ${lowest}); ratio ${ratio(faultyRate / cleanRate)} (target ≥ 0.5: ${verdict(faultyRate / cleanRate >= 0.5)})`,
    )
  } finally {
    await faulty.close()
  }
}

/** (c) and (d): fill a cache, then replay it (a whole run in its own process; the call layer here). */
const benchCD = async () => {
  const path = join(directory, "cached.sqlite")
  const twins = fixtureTwins(cachedCalls, 3)
  const fill = await timed(() => cachedRun(path, twins, answering, "bench-fill"))
  console.log(
    `    filled the cache: ${format(fill.value.answered)} answers at ${format(cachedCalls / fill.seconds)} calls/s (zero-latency in-process provider)`,
  )
  if (parts.has("c")) {
    const replay = await replayChild(path)
    console.log(
      `(c) a ${format(cachedCalls)}-call run from the cache (simulation included, own process): peak RSS ${format(replay.rssMb)} MB (target < 1,024 MB: ${verdict(replay.rssMb < 1024)}), ${format(replay.rate)} twins/s, ${format(replay.cached)} from the cache`,
    )
    if (replay.cached !== cachedCalls) throw new Error("the run did not read every answer from the cache")
  }
  if (parts.has("d")) {
    const d = await runnerReplay(path, twins)
    console.log(
      `(d) replay of a fully cached run through the call layer: ${format(d.rate)} answers/s (${d.cpuMsPerAnswer.toFixed(4)} CPU ms/answer, ${format(d.cached)} from the cache); ratio to 50,000 answers/s: ${ratio(d.rate / 50_000)} (target ≥ 1: ${verdict(d.rate >= 50_000)})`,
    )
    if (d.cached !== cachedCalls) throw new Error("the replay did not read every answer from the cache")
  }
}

try {
  console.log(
    `engine bench: ${format(liveCalls)} live calls for (a) and (b), ${format(cachedCalls)} cached for (c) and (d)`,
  )
  if (parts.has("a")) await benchA()
  if (parts.has("b")) await benchB()
  if (parts.has("c") || parts.has("d")) await benchCD()
  if (parts.has("e")) await benchE()
} finally {
  rmSync(directory, { recursive: true, force: true })
}
