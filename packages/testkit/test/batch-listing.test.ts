import Anthropic from "@anthropic-ai/sdk"
import { ApiError, GoogleGenAI } from "@google/genai"
import OpenAI from "openai"
import { afterEach, describe, expect, it } from "vitest"
import { startAnthropicFake } from "../src/anthropic.js"
import { parseFakeArguments } from "../src/cli.js"
import { fixtureStudy, fixtureTwins, renderFixturePrompt } from "../src/fixture-study.js"
import { startGoogleFake } from "../src/google.js"
import { startOpenAiFake } from "../src/openai.js"
import type { FakeServer } from "../src/server.js"

// The cheap request a client makes to learn whether a server has the batch API (one page of at most one
// batch), answered as each vendor answers it; and a fake with `batches: false` playing a server without it.

const key = "sk-test-PLANTED"
const servers: Array<FakeServer> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})
const started = async (fake: Promise<FakeServer>) => {
  const server = await fake
  servers.push(server)
  return server
}

const prompt = renderFixturePrompt(fixtureStudy, fixtureTwins(1, 5)[0]!, {
  elicitation: "sample",
  includeDemographics: true,
})
const user = prompt.messages
  .filter((m) => m.role === "user")
  .map((m) => m.content)
  .join("\n")

const openAiBatch = async (client: OpenAI) => {
  const line = JSON.stringify({
    custom_id: "twin-1",
    method: "POST",
    url: "/v1/chat/completions",
    body: { model: "gpt-4o-mini", messages: [{ role: "user", content: user }] },
  })
  const file = await client.files.create({ file: new File([line], "batch.jsonl"), purpose: "batch" })
  return client.batches.create({
    input_file_id: file.id,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
  })
}

describe("listing batches, and servers without a batch API", () => {
  it("OpenAI: GET /v1/batches pages newest first by `limit`; without batches every batch route is a 404", async () => {
    const fake = await started(startOpenAiFake({ seed: 1 }))
    const client = new OpenAI({ apiKey: key, baseURL: fake.baseUrl, maxRetries: 0, timeout: 2000 })
    const empty = await client.batches.list({ limit: 1 })
    expect(empty.data).toEqual([])
    expect(empty.has_more).toBe(false)
    const first = await openAiBatch(client)
    const second = await openAiBatch(client)
    const page = await client.batches.list({ limit: 1 })
    expect(page.data.map((batch) => batch.id)).toEqual([second.id])
    expect(page.has_more).toBe(true)
    expect((await client.batches.list()).data.map((batch) => batch.id)).toEqual([second.id, first.id])
    await expect(client.batches.list({ limit: 0 })).rejects.toMatchObject({ status: 400 })

    const bare = await started(startOpenAiFake({ seed: 1, batches: false }))
    const without = new OpenAI({ apiKey: key, baseURL: bare.baseUrl, maxRetries: 0, timeout: 2000 })
    await expect(without.batches.list({ limit: 1 })).rejects.toMatchObject({ status: 404 })
    await expect(openAiBatch(without)).rejects.toMatchObject({ status: 404 })
    await expect(without.batches.retrieve("batch_1")).rejects.toMatchObject({ status: 404 })
    // the rest of the API is still there
    const completion = await without.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: user }],
    })
    expect(completion.object).toBe("chat.completion")
  })

  it("Anthropic: GET /v1/messages/batches pages by `limit`; without batches the routes are 404s", async () => {
    const fake = await started(startAnthropicFake({ seed: 2 }))
    const client = new Anthropic({ apiKey: key, baseURL: fake.baseUrl, maxRetries: 0, timeout: 2000 })
    const params = {
      model: "claude-haiku-4-5",
      max_tokens: 200,
      messages: [{ role: "user" as const, content: user }],
    }
    const first = await client.messages.batches.create({ requests: [{ custom_id: "a", params }] })
    const second = await client.messages.batches.create({ requests: [{ custom_id: "b", params }] })
    const page = await client.messages.batches.list({ limit: 1 })
    expect(page.data.map((batch) => batch.id)).toEqual([second.id])
    expect(page.has_more).toBe(true)
    const all = await client.messages.batches.list({ limit: 20 })
    expect(all.data.map((batch) => batch.id)).toEqual([second.id, first.id])
    expect(all.has_more).toBe(false)

    const bare = await started(startAnthropicFake({ seed: 2, batches: false }))
    const without = new Anthropic({ apiKey: key, baseURL: bare.baseUrl, maxRetries: 0, timeout: 2000 })
    await expect(without.messages.batches.list({ limit: 1 })).rejects.toMatchObject({
      status: 404,
      error: { error: { type: "not_found_error" } },
    })
    await expect(
      without.messages.batches.create({ requests: [{ custom_id: "a", params }] }),
    ).rejects.toMatchObject({ status: 404 })
    expect((await without.messages.create(params)).type).toBe("message")
  })

  it("Gemini: GET batches lists operations by `pageSize`; without batch mode the routes are 404s", async () => {
    const fake = await started(startGoogleFake({ seed: 3 }))
    const ai = new GoogleGenAI({
      apiKey: key,
      httpOptions: { baseUrl: fake.baseUrl, apiVersion: "v1beta", timeout: 2000 },
    })
    const request = { contents: [{ role: "user", parts: [{ text: user }] }] }
    const empty = await ai.batches.list({ config: { pageSize: 1 } })
    expect(empty.page).toEqual([])
    const first = await ai.batches.create({ model: "gemini-2.5-flash", src: [request] })
    const second = await ai.batches.create({ model: "gemini-2.5-flash", src: [request] })
    const page = await ai.batches.list({ config: { pageSize: 1 } })
    expect(page.page.map((job) => job.name)).toEqual([second.name])
    expect(page.hasNextPage()).toBe(true)
    const all = await ai.batches.list({ config: { pageSize: 10 } })
    expect(all.page.map((job) => job.name)).toEqual([second.name, first.name])

    const bare = await started(startGoogleFake({ seed: 3, batches: false }))
    const without = new GoogleGenAI({
      apiKey: key,
      httpOptions: { baseUrl: bare.baseUrl, apiVersion: "v1beta", timeout: 2000 },
    })
    const refused = await without.batches.list({ config: { pageSize: 1 } }).catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(ApiError)
    expect((refused as ApiError).status).toBe(404)
    const created = await without.batches
      .create({ model: "gemini-2.5-flash", src: [request] })
      .catch((error: unknown) => error)
    expect((created as ApiError).status).toBe(404)
    expect((await without.models.generateContent({ model: "gemini-2.5-flash", ...request })).text).toBeTypeOf(
      "string",
    )
  })

  it("standin-fake --batches off plays a server without a batch API", () => {
    const parsed = parseFakeArguments(["--vendor", "openai", "--batches", "off"])
    if ("error" in parsed) throw new Error(parsed.error)
    expect(parsed.options.batches).toBe(false)
    const on = parseFakeArguments(["--vendor", "openai", "--batches", "on"])
    if ("error" in on) throw new Error(on.error)
    expect(on.options.batches).toBeUndefined()
    expect(parseFakeArguments(["--vendor", "openai", "--batches", "no"])).toEqual({
      error: "--batches must be on or off",
    })
  })
})
