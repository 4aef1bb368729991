import Anthropic, { type APIError, RateLimitError } from "@anthropic-ai/sdk"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startAnthropicFake } from "../src/anthropic.js"
import { fixtureStudy, fixtureTwins, renderFixturePrompt } from "../src/fixture-study.js"
import { inputTokens } from "../src/metering.js"
import type { FakeServer } from "../src/server.js"

const key = "sk-test-PLANTED"
let fake: FakeServer
let client: Anthropic

beforeAll(async () => {
  fake = await startAnthropicFake({ seed: 3 })
  client = new Anthropic({ apiKey: key, baseURL: fake.baseUrl, maxRetries: 0, timeout: 2000 })
})
afterAll(() => fake.close())

const prompt = renderFixturePrompt(fixtureStudy, fixtureTwins(1, 5)[0]!, {
  elicitation: "sample",
  includeDemographics: true,
})
const system = prompt.messages.find((m) => m.role === "system")?.content ?? ""
const messages = prompt.messages
  .filter((m) => m.role !== "system")
  .map((m) => ({ role: "user" as const, content: m.content }))

describe("Anthropic fake: messages", () => {
  it("answers through output_config.format json_schema", async () => {
    const message = await client.messages.create({
      model: "claude-sonnet-4-5",
      max_tokens: 200,
      system,
      messages,
      output_config: { format: { type: "json_schema", schema: prompt.responseSchema } },
    })
    expect(message.model).toBe("claude-sonnet-4-5-20260115")
    const block = message.content[0]
    expect(block?.type).toBe("text")
    const answers = JSON.parse(block?.type === "text" ? block.text : "{}") as Record<string, string>
    expect(Object.keys(answers).sort()).toEqual(["concern", "share", "understand"])
    expect(message.usage.input_tokens).toBe(inputTokens(prompt.messages.map((m) => m.content)))
    expect(fake.log.last?.headers.authorization ?? fake.log.last?.headers["x-api-key"]).toBe("[REDACTED]")
  })

  it("answers a forced tool with tool_use input", async () => {
    const message = await client.messages.create({
      model: "claude-3-5-haiku-20241022",
      max_tokens: 200,
      system,
      messages,
      tools: [
        {
          name: "record_answers",
          description: "Record answers",
          input_schema: prompt.responseSchema as Anthropic.Tool.InputSchema,
        },
      ],
      tool_choice: { type: "tool", name: "record_answers" },
    })
    expect(message.stop_reason).toBe("tool_use")
    const block = message.content[0]
    expect(block?.type === "tool_use" ? Object.keys(block.input as object).sort() : []).toEqual([
      "concern",
      "share",
      "understand",
    ])
  })

  it("refuses with stop_reason refusal, rate-limits with retry-after, and rejects a missing max_tokens", async () => {
    fake.faults.script(["refusal", "429", "529"])
    const refused = await client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 10, messages })
    expect(refused.stop_reason).toBe("refusal")
    const limited = await client.messages
      .create({ model: "claude-sonnet-4-5", max_tokens: 10, messages })
      .catch((e: unknown) => e)
    expect(limited).toBeInstanceOf(RateLimitError)
    expect((limited as RateLimitError).headers?.get("retry-after")).toBe("1")
    const overloaded = await client.messages
      .create({ model: "claude-sonnet-4-5", max_tokens: 10, messages })
      .catch((e: unknown) => e)
    expect((overloaded as APIError).status).toBe(529)
    const invalid = await client.messages
      .create({
        model: "claude-sonnet-4-5",
        messages,
      } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e)
    expect((invalid as APIError).status).toBe(400)
    expect(String((invalid as Error).message)).toMatch(/max_tokens/)
  })

  it("runs message batches and streams their results", async () => {
    const batch = await client.messages.batches.create({
      requests: ["a", "b"].map((id) => ({
        custom_id: id,
        params: {
          model: "claude-sonnet-4-5",
          max_tokens: 200,
          messages,
          output_config: { format: { type: "json_schema" as const, schema: prompt.responseSchema } },
        },
      })),
    })
    expect(batch.processing_status).toBe("in_progress")
    fake.faults.script(["ok", "500"])
    fake.clock.advance(10_000)
    const ended = await client.messages.batches.retrieve(batch.id)
    expect(ended.processing_status).toBe("ended")
    expect(ended.request_counts.succeeded).toBe(1)
    expect(ended.request_counts.errored).toBe(1)
    const results: Array<Anthropic.Messages.MessageBatchIndividualResponse> = []
    for await (const result of await client.messages.batches.results(batch.id)) results.push(result)
    expect(results.map((r) => [r.custom_id, r.result.type])).toEqual([
      ["a", "succeeded"],
      ["b", "errored"],
    ])
    const other = await client.messages.batches.create({
      requests: [{ custom_id: "c", params: { model: "claude-sonnet-4-5", max_tokens: 5, messages } }],
    })
    expect((await client.messages.batches.cancel(other.id)).processing_status).toBe("canceling")
    fake.clock.advance(1_000)
    const cancelled = await client.messages.batches.retrieve(other.id)
    expect(cancelled.processing_status).toBe("ended")
    expect(cancelled.request_counts.canceled).toBe(1)
  })
})
