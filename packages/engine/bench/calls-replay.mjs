// Bench (d): replay of a fully cached set of calls through CallRunner, in answers per second.
// Also prints the live path's overhead (a zero-latency in-process provider, cache writes included).
// Run after `pnpm build`: node bench/calls-replay.mjs [calls]
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ProviderError } from "@standin/core"
import { make as makeStore } from "@standin/store"
import { Effect } from "effect"
import { makeCallRunner } from "../dist/index.js"

const calls = Number(process.argv[2] ?? 200_000)
const target = 50_000
const spec = { provider: "bench", model: "bench-model" }
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
const schema = {
  type: "object",
  properties: {
    concern: { type: "string", enum: ["not at all", "somewhat", "very"] },
    consent: { type: "string", enum: ["no", "yes"] },
  },
  required: ["concern", "consent"],
  additionalProperties: false,
}
const items = [
  {
    id: "concern",
    column: "concern",
    wording: "How concerned are you?",
    label: "Concern",
    scale: { _tag: "Likert", options: ["not at all", "somewhat", "very"] },
    role: "belief",
  },
  {
    id: "consent",
    column: "consent",
    wording: "Would you share it?",
    label: "Consent",
    scale: { _tag: "Binary", options: ["no", "yes"] },
    role: "action",
  },
]
const request = (index) => ({
  model: "bench-model",
  twin: {
    id: `twin-${index}`,
    arm: index % 2 === 0 ? "control" : "treatment",
    persona: { age: "30-39", gender: "woman" },
  },
  items,
  prompt: {
    messages: [
      {
        role: "system",
        content: "You are taking part in a survey about privacy. Answer as the person described would.",
      },
      {
        role: "user",
        content: `You are a woman aged 30-39 (respondent ${index}). How concerned are you about tracking? Would you share your fingerprint? Answer in JSON.`,
      },
    ],
    responseSchema: schema,
    responseSchemaName: "answers",
    perItem: [],
  },
  settings: { temperature: 1, seed: 7 },
  elicitation: "sample",
  replicate: 0,
  attempt: 0,
})

let paid = 0
const answering = {
  descriptor,
  model: "bench-model",
  generate: (req) =>
    Effect.sync(() => {
      paid++
      const text = `{"concern":"somewhat","consent":"${req.twin.id.endsWith("7") ? "yes" : "no"}"}`
      return {
        text,
        modelVersion: "bench-model-1",
        usage: { inputTokens: 60, outputTokens: 10 },
        warnings: [],
      }
    }),
}
const refusing = {
  descriptor,
  model: "bench-model",
  generate: () =>
    Effect.fail(new ProviderError({ provider: "bench", reason: "server", message: "replay must not call" })),
}

const indices = Array.from({ length: calls }, (_, index) => index)
const directory = mkdtempSync(join(tmpdir(), "standin-bench-"))
const path = join(directory, "cache.sqlite")

const timed = async (label, provider, concurrency) => {
  const start = process.hrtime.bigint()
  const cpuStart = process.cpuUsage()
  const results = await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* makeStore(path)
        yield* store.beginRun("bench-run", "{}")
        const runner = yield* makeCallRunner({
          provider,
          spec,
          store,
          runId: "bench-run",
          limits: { maxConcurrency: 64 },
        })
        const out = yield* Effect.forEach(indices, (index) => runner.call(request(index)), { concurrency })
        yield* runner.flush
        return out
      }),
    ),
  )
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const cpu = process.cpuUsage(cpuStart)
  const cached = results.filter((result) => result.cached).length
  return {
    label,
    seconds,
    rate: calls / seconds,
    cached,
    cpuMsPerCall: (cpu.user + cpu.system) / 1000 / calls,
  }
}

try {
  const live = await timed("live (fill)", answering, 64)
  const replay = await timed("replay", refusing, 64)
  const format = (value) => Math.round(value).toLocaleString("en-US")
  console.log(`calls: ${format(calls)}`)
  console.log(
    `live, zero-latency provider, cache writes: ${format(live.rate)} calls/s, ${live.cpuMsPerCall.toFixed(4)} CPU ms/call (${paid} paid)`,
  )
  console.log(
    `(d) replay of a fully cached run: ${format(replay.rate)} answers/s, ${replay.cpuMsPerCall.toFixed(4)} CPU ms/answer, ${format(replay.cached)} from cache`,
  )
  console.log(`(d) ratio to the ${format(target)} answers/s target: ${(replay.rate / target).toFixed(2)}`)
  console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`)
  if (replay.cached !== calls) {
    console.error(`replay read ${replay.cached} of ${calls} from the cache`)
    process.exitCode = 1
  }
} finally {
  rmSync(directory, { recursive: true, force: true })
}
