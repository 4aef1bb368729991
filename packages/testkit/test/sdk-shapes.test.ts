import { describe, expect, it } from "vitest"
import type { RequestLogEntry } from "../src/request-log.js"
import { checkGeminiTraffic, checkTogetherTraffic } from "../src/vendor-shapes.js"

const entry = (path: string, body: unknown, response?: unknown): RequestLogEntry =>
  ({
    vendor: "google",
    at: 0,
    method: "POST",
    path,
    headers: {},
    body,
    status: 200,
    ...(response === undefined ? {} : { response }),
  }) as RequestLogEntry

const generate = "/v1beta/models/gemini-2.5-flash:generateContent"

describe("checks against the @google/genai SDK's converters and declared types", () => {
  it("accepts a request and an answer as the SDK sends and reads them", () => {
    const report = checkGeminiTraffic([
      entry(
        generate,
        {
          contents: [{ role: "user", parts: [{ text: "Which?" }] }],
          systemInstruction: { parts: [{ text: "You are a respondent." }] },
          generationConfig: {
            temperature: 1,
            maxOutputTokens: 1,
            responseLogprobs: true,
            logprobs: 5,
            thinkingConfig: { thinkingBudget: 0 },
          },
        },
        {
          candidates: [
            {
              content: { parts: [{ text: "A" }], role: "model" },
              finishReason: "STOP",
              index: 0,
              avgLogprobs: -0.1,
              logprobsResult: {
                topCandidates: [{ candidates: [{ token: "A", logProbability: -0.1 }] }],
                chosenCandidates: [{ token: "A", logProbability: -0.1 }],
              },
            },
          ],
          usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 },
          modelVersion: "gemini-2.5-flash",
          responseId: "r1",
        },
      ),
    ])
    expect(report.problems).toEqual([])
    expect(report.checked).toBe(2)
  })

  it("names every field the SDK would never send or read, wrong primitives and values outside an enum", () => {
    const report = checkGeminiTraffic([
      entry(
        generate,
        {
          contents: [{ role: "user", parts: [{ text: "x", bogus: 1 }] }],
          generationConfig: { temperature: "hot", thinkingConfig: { thinkingBudget: 0, nope: 1 }, top_k: 3 },
          extra: 1,
        },
        {
          candidates: [
            {
              content: { parts: [{ text: "a" }], role: "model" },
              finishReason: "DONE",
              logprobsResult: { topCandidates: [{ candidates: [{ token: "A", logProbability: "x" }] }] },
            },
          ],
          usageMetadata: { promptTokenCount: 1, foo: 2 },
        },
      ),
    ])
    const problems = report.problems.join("\n")
    expect(problems).toMatch(/contents\[0\]\.parts\[0\]: field "bogus"/)
    expect(problems).toMatch(/generationConfig\.temperature: expected number, got "hot"/)
    expect(problems).toMatch(/thinkingConfig: unknown field "nope" of ThinkingConfig/)
    expect(problems).toMatch(/generationConfig: field "top_k"/)
    expect(problems).toMatch(/\$: field "extra"/)
    expect(problems).toMatch(/finishReason: "DONE" is not a FinishReason/)
    expect(problems).toMatch(/logProbability: expected number, got "x"/)
    expect(problems).toMatch(/usageMetadata: unknown field "foo"/)
    expect(report.problems).toHaveLength(8)
  })

  it("checks a batch's submission and its operation, the inlined answers included", () => {
    const report = checkGeminiTraffic([
      entry(
        "/v1beta/models/gemini-2.5-flash:batchGenerateContent",
        {
          batch: {
            displayName: "standin",
            inputConfig: {
              requests: {
                requests: [
                  {
                    request: { contents: [{ role: "user", parts: [{ text: "x" }] }], extra: true },
                    metadata: { key: "k1" },
                  },
                ],
              },
            },
          },
        },
        {
          name: "batches/b1",
          metadata: { state: "BATCH_STATE_PENDING", model: "models/gemini-2.5-flash", surprise: 1 },
          done: false,
        },
      ),
    ])
    const problems = report.problems.join("\n")
    expect(problems).toMatch(/requests\[0\]\.request: field "extra"/)
    expect(problems).toMatch(/metadata: field "surprise"/)
    expect(report.problems).toHaveLength(2)
  })
})

describe("checks against the together-ai SDK's declared types", () => {
  const chat = (
    response: unknown,
    body: unknown = { model: "m", messages: [{ role: "user", content: "x" }] },
  ) => ({ ...entry("/v1/chat/completions", body, response), vendor: "together" }) as RequestLogEntry

  it("accepts Together's chat completion with logprobs asked as a count", () => {
    const report = checkTogetherTraffic([
      chat(
        {
          id: "c1",
          object: "chat.completion",
          created: 1,
          model: "m",
          prompt: [],
          choices: [
            {
              index: 0,
              finish_reason: "stop",
              message: { role: "assistant", content: "A" },
              logprobs: { tokens: ["A"], token_logprobs: [-0.1], top_logprobs: [{ A: -0.1 }] },
            },
          ],
          usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
        },
        { model: "m", messages: [{ role: "user", content: "x" }], logprobs: 5, max_tokens: 1 },
      ),
    ])
    expect(report.problems).toEqual([])
    expect(report.checked).toBe(2)
  })

  it("names OpenAI's fields in a Together answer, a missing required field, a wrong literal and an unknown route", () => {
    const report = checkTogetherTraffic([
      chat(
        {
          id: "c1",
          object: "chat.completion",
          created: 1,
          model: "m",
          system_fingerprint: "fp",
          choices: [{ index: 0, finish_reason: "done", message: { role: "assistant", content: "A" } }],
        },
        { model: "m", messages: [{ role: "user", content: "x" }], logprobs: true },
      ),
      { ...chat(undefined), path: "/v1/somewhere" } as RequestLogEntry,
    ])
    const problems = report.problems.join("\n")
    expect(problems).toMatch(/request\.logprobs: expected number, got true/)
    expect(problems).toMatch(/response: missing required field "prompt" of ChatCompletion/)
    expect(problems).toMatch(/response: unknown field "system_fingerprint"/)
    expect(problems).toMatch(/finish_reason: "done" fits none of/)
    expect(problems).toMatch(/POST \/v1\/somewhere: a route the check does not know/)
    expect(report.problems).toHaveLength(5)
  })
})
