import OpenAI from "openai"
import { describe, expect, it } from "vitest"
import { parseFakeArguments, runFake } from "../src/cli.js"

describe("standin-fake arguments", () => {
  it("parses every flag", () => {
    const parsed = parseFakeArguments([
      "--vendor",
      "anthropic",
      "--port=0",
      "--latency-ms",
      "5-20",
      "--faults",
      "429:0.1,500:0.05",
      "--seed",
      "9",
      "--retry-after-ms",
      "250",
    ])
    if ("error" in parsed) throw new Error(parsed.error)
    expect(parsed.vendor).toBe("anthropic")
    expect(parsed.options).toMatchObject({
      port: 0,
      seed: 9,
      retryAfterMs: 250,
      latencyMs: { min: 5, max: 20 },
    })
    expect(parsed.options.faults).toEqual({
      rates: [
        { kind: "429", rate: 0.1 },
        { kind: "500", rate: 0.05 },
      ],
      script: [],
    })
  })

  it("explains what is wrong", () => {
    expect(parseFakeArguments([])).toEqual({
      error: "--vendor must be openai, anthropic, google or together",
    })
    expect(parseFakeArguments(["--vendor", "openai", "--faults", "x:1"])).toHaveProperty("error")
    expect(parseFakeArguments(["--vendor", "openai", "--port", "-1"])).toHaveProperty("error")
    expect(parseFakeArguments(["--vendor", "openai", "--colour", "red"])).toEqual({
      error: "unknown flag --colour",
    })
  })

  it("starts a fake that the SDK can talk to, with the scripted faults", async () => {
    const parsed = parseFakeArguments(["--vendor", "openai", "--faults", "500,ok", "--latency-ms", "1"])
    if ("error" in parsed) throw new Error(parsed.error)
    const lines: Array<string> = []
    const fake = await runFake(parsed, (line) => lines.push(line))
    try {
      expect(lines[1]).toBe(`SDK base URL: ${fake.baseUrl}`)
      const client = new OpenAI({ apiKey: "sk-test-PLANTED", baseURL: fake.baseUrl, maxRetries: 0 })
      const ask = () =>
        client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] })
      await expect(ask()).rejects.toThrow(/500/)
      expect((await ask()).choices[0]?.message.content).toBe("Yes.")
    } finally {
      await fake.close()
    }
  })
  it("starts a Together fake whose chat API speaks OpenAI's protocol and says it is a fake", async () => {
    const parsed = parseFakeArguments(["--vendor", "together"])
    if ("error" in parsed) throw new Error(parsed.error)
    const fake = await runFake(parsed, () => {})
    try {
      const client = new OpenAI({ apiKey: "tg-test-PLANTED", baseURL: fake.baseUrl, maxRetries: 0 })
      const { data, response } = await client.chat.completions
        .create({
          model: "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
          messages: [{ role: "user", content: "hi" }],
        })
        .withResponse()
      expect(data.choices[0]?.message.content).toBe("Yes.")
      expect(response.headers.get("x-standin-fake")).toBe("1")
      expect(fake.vendor).toBe("together")
    } finally {
      await fake.close()
    }
  })
})
