import OpenAI, { APIConnectionError, APIConnectionTimeoutError, RateLimitError } from "openai"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fixtureStudy, fixtureTwins, personaPromptLines, renderFixturePrompt } from "../src/fixture-study.js"
import { inputTokens, outputTokens } from "../src/metering.js"
import { startOpenAiFake } from "../src/openai.js"
import type { FakeServer } from "../src/server.js"
import { answerDistribution } from "../src/survey.js"

const key = "sk-test-PLANTED"
let fake: FakeServer
let client: OpenAI

beforeAll(async () => {
  fake = await startOpenAiFake({ seed: 7, retryAfterMs: 2500 })
  client = new OpenAI({ apiKey: key, baseURL: fake.baseUrl, maxRetries: 0, timeout: 2000 })
})
afterAll(() => fake.close())

const [twin] = fixtureTwins(1, 3)
const sample = renderFixturePrompt(fixtureStudy, twin!, { elicitation: "sample", includeDemographics: true })

describe("OpenAI fake: chat completions", () => {
  it("answers structured output within the schema's enums, with metered usage", async () => {
    const completion = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: sample.messages.map((m) => ({ role: m.role, content: m.content })),
      response_format: {
        type: "json_schema",
        json_schema: { name: sample.responseSchemaName, schema: sample.responseSchema, strict: true },
      },
      seed: 11,
    })
    const text = completion.choices[0]?.message.content ?? ""
    const answers = JSON.parse(text) as Record<string, string>
    for (const item of fixtureStudy.items) {
      expect((item.scale as { options: ReadonlyArray<string> }).options).toContain(answers[item.id])
    }
    expect(completion.model).toBe("gpt-4o-mini-2026-01-15")
    expect(completion.system_fingerprint).toMatch(/^fp_[0-9a-f]{8}$/)
    expect(completion.usage?.prompt_tokens).toBe(inputTokens(sample.messages.map((m) => m.content)))
    expect(completion.usage?.completion_tokens).toBe(outputTokens(text))
    const logged = fake.log.last!
    expect(logged.path).toBe("/v1/chat/completions")
    expect(logged.headers.authorization).toBe("[REDACTED]")
    expect(JSON.stringify(fake.log.entries)).not.toContain(key)
  })

  it("gives the same answer for the same seed and persona", async () => {
    const ask = () =>
      client.chat.completions.create({
        model: "gpt-4o-mini",
        messages: sample.messages.map((m) => ({ role: m.role, content: m.content })),
        response_format: { type: "json_schema", json_schema: { name: "a", schema: sample.responseSchema } },
        seed: 99,
      })
    const [a, b] = await Promise.all([ask(), ask()])
    expect(a.choices[0]?.message.content).toBe(b.choices[0]?.message.content)
  })

  it("returns top logprobs over the option labels for a per-item prompt", async () => {
    const logprobs = renderFixturePrompt(fixtureStudy, twin!, {
      elicitation: "logprobs",
      includeDemographics: true,
    })
    const item = logprobs.perItem[1]!
    const completion = await client.chat.completions.create({
      model: "gpt-4o-mini",
      messages: item.messages.map((m) => ({ role: m.role, content: m.content })),
      logprobs: true,
      top_logprobs: 20,
      max_completion_tokens: 1,
    })
    const first = completion.choices[0]?.logprobs?.content?.[0]
    expect(first).toBeDefined()
    const labels = first!.top_logprobs.map((candidate) => candidate.token)
    for (const label of item.labels) expect(labels).toContain(label)
    const labelMass = first!.top_logprobs
      .filter((candidate) => item.labels.includes(candidate.token))
      .reduce((sum, candidate) => sum + Math.exp(candidate.logprob), 0)
    expect(labelMass).toBeCloseTo(0.97, 6)
    expect(completion.choices[0]?.message.content).toBe(first!.token)
  })

  it("draws from the persona's distribution, and different personas get different distributions", async () => {
    const a = { id: "a", arm: "control", persona: { age: "18-24", gender: "Female", race: ["Asian"] } }
    const b = { id: "b", arm: "control", persona: { age: "65+", gender: "Male", race: ["White", "Black"] } }
    const options = (fixtureStudy.items[1]!.scale as { options: ReadonlyArray<string> }).options
    const draws = 400
    const empirical = async (t: typeof a) => {
      const prompt = renderFixturePrompt(fixtureStudy, t, {
        elicitation: "sample",
        includeDemographics: true,
      })
      const tally: Record<string, number> = {}
      for (let i = 0; i < draws; i++) {
        const completion = await client.chat.completions.create({
          model: "gpt-4o-mini",
          messages: prompt.messages.map((m) => ({ role: m.role, content: m.content })),
          response_format: { type: "json_schema", json_schema: { name: "a", schema: prompt.responseSchema } },
        })
        const answer =
          (JSON.parse(completion.choices[0]?.message.content ?? "{}") as Record<string, string>).concern ?? ""
        tally[answer] = (tally[answer] ?? 0) + 1
      }
      return options.map((option) => (tally[option] ?? 0) / draws)
    }
    const expected = (t: typeof a) =>
      answerDistribution(options, personaPromptLines(fixtureStudy, t), undefined)
    const tv = (p: ReadonlyArray<number>, q: ReadonlyArray<number>) =>
      p.reduce((sum, value, i) => sum + Math.abs(value - (q[i] ?? 0)), 0) / 2
    const [seenA, seenB] = [await empirical(a), await empirical(b)]
    // Each persona's draws follow its own distribution (sampling error at n = 400 is about 0.05)…
    expect(tv(seenA, expected(a))).toBeLessThan(0.1)
    expect(tv(seenB, expected(b))).toBeLessThan(0.1)
    // …and the two personas' distributions are far apart.
    expect(tv(expected(a), expected(b))).toBeGreaterThan(0.2)
    expect(tv(seenA, seenB)).toBeGreaterThan(0.15)
  })
})

describe("OpenAI fake: faults", () => {
  const ask = () =>
    client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] })

  it("sends 429 with retry-after headers", async () => {
    fake.faults.script(["429"])
    const error = await ask().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RateLimitError)
    expect((error as RateLimitError).headers?.get("retry-after-ms")).toBe("2500")
    expect((error as RateLimitError).headers?.get("retry-after")).toBe("3")
  })

  it("resets connections and hangs until the client times out", async () => {
    fake.faults.script(["reset"])
    expect(await ask().catch((e: unknown) => e)).toBeInstanceOf(APIConnectionError)
    fake.faults.script(["timeout"])
    const error = await client.chat.completions
      .create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hello" }] }, { timeout: 200 })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(APIConnectionTimeoutError)
  })

  it("truncates and garbles bodies, and refuses", async () => {
    fake.faults.script(["truncated"])
    expect(await ask().catch((e: unknown) => e)).toBeInstanceOf(SyntaxError)
    fake.faults.script(["malformed"])
    expect(await ask().catch((e: unknown) => e)).toBeInstanceOf(SyntaxError)
    fake.faults.script(["refusal"])
    const refused = await ask()
    expect(refused.choices[0]?.message.refusal).toMatch(/can't help/)
    expect(refused.choices[0]?.message.content).toBeNull()
    expect(fake.log.entries.slice(-3).map((entry) => entry.fault)).toEqual([
      "truncated",
      "malformed",
      "refusal",
    ])
  })
})

describe("OpenAI fake: scripted responders", () => {
  it("lets a responder answer, or fail, per request", async () => {
    fake.setResponder((request) => {
      const user = request.messages.find((m) => m.role === "user")?.content ?? ""
      if (user.includes("fail me")) return "429"
      if (user.includes("refuse me")) return "refusal"
      return { text: `echo: ${user}` }
    })
    try {
      const ask = (content: string) =>
        client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content }] })
      expect((await ask("hello")).choices[0]?.message.content).toBe("echo: hello")
      expect(await ask("fail me").catch((e: unknown) => e)).toBeInstanceOf(RateLimitError)
      expect((await ask("refuse me")).choices[0]?.message.refusal).toMatch(/can't help/)
    } finally {
      fake.setResponder(undefined)
    }
  })
})

describe("OpenAI fake: responses API", () => {
  it("answers with a json_schema text format", async () => {
    const response = await client.responses.create({
      model: "gpt-4.1-mini",
      input: sample.messages.map((m) => ({ role: m.role, content: m.content })),
      text: { format: { type: "json_schema", name: "survey", schema: sample.responseSchema, strict: true } },
    })
    const answers = JSON.parse(response.output_text) as Record<string, string>
    expect(Object.keys(answers).sort()).toEqual(["concern", "share", "understand"])
    expect(response.usage?.input_tokens).toBe(inputTokens(sample.messages.map((m) => m.content)))
  })
})

describe("OpenAI fake: files, fine-tuning and batches", () => {
  it("runs a fine-tuning job through its lifecycle on the fake clock", async () => {
    const lines = [
      {
        messages: [
          { role: "user", content: "Q?" },
          { role: "assistant", content: '{"share":"Decline"}' },
        ],
      },
      {
        messages: [
          { role: "user", content: "Q2?" },
          { role: "assistant", content: '{"share":"Consent to share"}' },
        ],
      },
    ]
    const file = await client.files.create({
      file: new File([lines.map((line) => JSON.stringify(line)).join("\n")], "train.jsonl"),
      purpose: "fine-tune",
    })
    expect(file.filename).toBe("train.jsonl")
    expect((await client.files.list()).data.map((f) => f.id)).toContain(file.id)
    const job = await client.fineTuning.jobs.create({
      model: "gpt-4o-mini-2024-07-18",
      training_file: file.id,
      suffix: "pilot",
      method: { type: "supervised", supervised: { hyperparameters: { n_epochs: 2 } } },
    })
    expect(job.status).toBe("validating_files")
    fake.clock.advance(1_000)
    expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe("queued")
    fake.clock.advance(2_000)
    expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe("running")
    fake.clock.advance(10_000)
    const done = await client.fineTuning.jobs.retrieve(job.id)
    expect(done.status).toBe("succeeded")
    expect(done.fine_tuned_model).toMatch(/^ft:gpt-4o-mini-2024-07-18:standin-fake:pilot:/)
    // Tokens are metered per example, times the epochs.
    const perEpoch =
      inputTokens(["Q?", '{"share":"Decline"}']) + inputTokens(["Q2?", '{"share":"Consent to share"}'])
    expect(done.trained_tokens).toBe(2 * perEpoch)
    const events = await client.fineTuning.jobs.listEvents(job.id)
    expect(events.data[0]?.message).toBe("The job has successfully completed")
    const checkpoints = await client.fineTuning.jobs.checkpoints.list(job.id)
    expect(checkpoints.data.length).toBe(2)
    expect((await client.fineTuning.jobs.list()).data.map((j) => j.id)).toContain(job.id)
    await expect(client.fineTuning.jobs.cancel(job.id)).rejects.toThrow(/already completed/)
  })

  it("fails jobs whose training file is not chat JSONL, and cancels running ones", async () => {
    const bad = await client.files.create({
      file: new File(["not json\n"], "bad.jsonl"),
      purpose: "fine-tune",
    })
    const job = await client.fineTuning.jobs.create({ model: "gpt-4o-mini", training_file: bad.id })
    fake.clock.advance(1_000)
    const failed = await client.fineTuning.jobs.retrieve(job.id)
    expect(failed.status).toBe("failed")
    expect(failed.error?.message).toMatch(/Line 1 is not valid JSON/)
    const good = await client.files.create({
      file: new File([JSON.stringify({ messages: [{ role: "assistant", content: "x" }] })], "ok.jsonl"),
      purpose: "fine-tune",
    })
    const running = await client.fineTuning.jobs.create({ model: "gpt-4o-mini", training_file: good.id })
    fake.clock.advance(4_000)
    const cancelled = await client.fineTuning.jobs.cancel(running.id)
    expect(cancelled.status).toBe("cancelled")
    const deleted = await client.files.delete(bad.id)
    expect(deleted.deleted).toBe(true)
  })

  it("runs a batch and writes output and error files in the batch JSONL format", async () => {
    const input = [1, 2, 3]
      .map((n) =>
        JSON.stringify({
          custom_id: `twin-${n}`,
          method: "POST",
          url: "/v1/chat/completions",
          body: {
            model: "gpt-4o-mini",
            messages: sample.messages,
            response_format: {
              type: "json_schema",
              json_schema: { name: "a", schema: sample.responseSchema },
            },
          },
        }),
      )
      .join("\n")
    const file = await client.files.create({ file: new File([input], "batch.jsonl"), purpose: "batch" })
    const batch = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    })
    expect(batch.status).toBe("validating")
    fake.faults.script(["ok", "500", "ok"])
    fake.clock.advance(11_000)
    const done = await client.batches.retrieve(batch.id)
    expect(done.status).toBe("completed")
    expect(done.request_counts).toEqual({ total: 3, completed: 2, failed: 1 })
    const output = await (await client.files.content(done.output_file_id!)).text()
    const outLines = output
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
    expect(outLines.map((line) => line.custom_id)).toEqual(["twin-1", "twin-3"])
    expect(outLines[0].response.status_code).toBe(200)
    expect(outLines[0].response.body.object).toBe("chat.completion")
    const errors = await (await client.files.content(done.error_file_id!)).text()
    const errorLine = JSON.parse(errors.trim())
    expect(errorLine.custom_id).toBe("twin-2")
    expect(errorLine.response.status_code).toBe(500)

    const other = await client.batches.create({
      input_file_id: file.id,
      endpoint: "/v1/chat/completions",
      completion_window: "24h",
    })
    expect((await client.batches.cancel(other.id)).status).toBe("cancelling")
    fake.clock.advance(1_000)
    expect((await client.batches.retrieve(other.id)).status).toBe("cancelled")
  })

  it("answers unknown routes and unknown ids with OpenAI-shaped 404s", async () => {
    await expect(client.fineTuning.jobs.retrieve("ftjob-nope")).rejects.toThrow(/No such fine-tuning job/)
  })
})
