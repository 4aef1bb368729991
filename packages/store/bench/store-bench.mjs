// Bench (c), store part: peak RSS and rates for 200,000 cached call writes, then reads, through Store.
// Run after `pnpm build`: node bench/store-bench.mjs [calls]
import { mkdtempSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { callKey, make } from "../dist/index.js"

const calls = Number(process.argv[2] ?? 200_000)
const limitMb = 1024
const directory = mkdtempSync(join(tmpdir(), "standin-store-bench-"))
const path = join(directory, "cache.sqlite")
const baselineMb = process.memoryUsage().rss / 2 ** 20

const parts = (index) => ({
  provider: "openai",
  model: "gpt-4o-mini",
  baseUrl: "https://api.openai.com/v1",
  settings: { temperature: 1, seed: 7 },
  messages: [
    {
      role: "system",
      content: "You are taking part in a survey about privacy. Answer as the person described would.",
    },
    { role: "user", content: `You are a woman aged 30-39 (respondent ${index}). Answer in JSON.` },
  ],
  elicitation: "sample",
  replicate: 0,
  attempt: 0,
  seed: 7,
  twinId: `twin-${index}`,
})
const response = (index) =>
  JSON.stringify({
    text: `{"concern":"somewhat","consent":"${index % 3 === 0 ? "yes" : "no"}"}`,
    modelVersion: "gpt-4o-mini-2024-07-18",
    usage: { inputTokens: 48, outputTokens: 10 },
    warnings: [],
  })

const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9
const format = (value) => Math.round(value).toLocaleString("en-US")

try {
  const figures = await Effect.runPromise(
    Effect.scoped(
      Effect.gen(function* () {
        const store = yield* make(path)
        yield* store.beginRun("bench", "{}")
        const keys = []
        let start = process.hrtime.bigint()
        for (let index = 0; index < calls; index++) {
          const key = callKey(parts(index))
          keys.push(key)
          yield* store.putCall(
            {
              key,
              provider: "openai",
              model: "gpt-4o-mini",
              response: response(index),
              inputTokens: 48,
              outputTokens: 10,
              costUsd: 0.0000132,
              modelVersion: "gpt-4o-mini-2024-07-18",
            },
            {
              runId: "bench",
              callKey: key,
              provider: "openai",
              model: "gpt-4o-mini",
              twinId: `twin-${index}`,
              replicate: 0,
              attempt: 0,
              status: "ok",
              reason: null,
              message: null,
            },
          )
        }
        const writeSeconds = seconds(start)
        start = process.hrtime.bigint()
        let found = 0
        for (const key of keys) if ((yield* store.getCall(key)) !== undefined) found++
        const readSeconds = seconds(start)
        start = process.hrtime.bigint()
        const answers = yield* store.runAnswers("bench")
        const runSeconds = seconds(start)
        return { writeSeconds, readSeconds, runSeconds, found, runFound: answers.size }
      }),
    ),
  )
  const peakMb = process.resourceUsage().maxRSS / 1024
  console.log(`calls: ${format(calls)}; store file: ${(statSync(path).size / 2 ** 20).toFixed(0)} MB`)
  console.log(`writes (answer + status row, one transaction each): ${format(calls / figures.writeSeconds)}/s`)
  console.log(`reads one by one: ${format(calls / figures.readSeconds)}/s (${format(figures.found)} found)`)
  console.log(
    `reads of a run's answers in one pass: ${format(calls / figures.runSeconds)}/s (${format(figures.runFound)} found)`,
  )
  console.log(`(c) peak RSS: ${peakMb.toFixed(0)} MB (node alone at start: ${baselineMb.toFixed(0)} MB)`)
  console.log(`(c) ratio to the ${limitMb} MB limit: ${(peakMb / limitMb).toFixed(2)}`)
  if (figures.found !== calls || figures.runFound !== calls) process.exitCode = 1
} finally {
  rmSync(directory, { recursive: true, force: true })
}
