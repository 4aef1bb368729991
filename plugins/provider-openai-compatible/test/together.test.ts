import type { ProviderRequest } from "@standin/core"
import {
  type FakeServer,
  fixtureStudy,
  fixtureTwins,
  renderFixturePrompt,
  startTogetherFake,
} from "@standin/testkit"
import { Effect, Redacted, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { isTogether, make } from "../src/index.js"

let fake: FakeServer
beforeAll(async () => {
  fake = await startTogetherFake({ seed: 3 })
})
afterAll(() => fake.close())

const twin = fixtureTwins(1, 2)[0]!
const request: ProviderRequest = {
  model: "meta-llama/Llama-3.3-70B-Instruct-Turbo",
  twin,
  items: fixtureStudy.items,
  prompt: renderFixturePrompt(fixtureStudy, twin, { elicitation: "logprobs", includeDemographics: true }),
  settings: {},
  elicitation: "logprobs",
  replicate: 0,
  attempt: 0,
}
const provider = (extra: Partial<Parameters<typeof make>[0]> = {}) =>
  make({
    model: request.model,
    baseUrl: fake.baseUrl,
    apiKey: Redacted.make("together-test-PLANTED"),
    ...extra,
  })

describe("Together's logprobs through the OpenAI-compatible plugin", () => {
  it("knows Together's API by its host", () => {
    expect(isTogether("https://api.together.xyz/v1")).toBe(true)
    expect(isTogether("https://api.together.ai/v1")).toBe(true)
    expect(isTogether("http://localhost:8000/v1")).toBe(false)
    expect(isTogether("https://nottogether.xyz.example.com/v1")).toBe(false)
  })

  it("asks logprobs as a count and reads Together's answer shape (tokens, token_logprobs, top_logprobs maps)", async () => {
    const before = fake.log.entries.length
    const response = await Effect.runPromise(provider({ logprobsFormat: "count" }).generate(request))
    const calls = fake.log.entries.slice(before)
    expect(calls).toHaveLength(3)
    for (const call of calls) {
      const body = call.body as Record<string, unknown>
      expect(body.logprobs).toBe(20)
      expect(body.top_logprobs).toBeUndefined()
      expect(call.status).toBe(200)
    }
    expect(Object.keys(response.distributions ?? {}).sort()).toEqual(["concern", "share", "understand"])
    for (const distribution of Object.values(response.distributions ?? {})) {
      const total = Object.values(distribution).reduce((sum, p) => sum + p, 0)
      expect(total).toBeCloseTo(1, 9)
    }
  })

  it("the fake answers Together's 400 to OpenAI's boolean logprobs", async () => {
    const result = await Effect.runPromise(Effect.result(provider().generate(request)))
    expect(Result.isFailure(result) && result.failure.reason).toBe("invalid-request")
    expect(Result.isFailure(result) && result.failure.status).toBe(400)
    expect(Result.isFailure(result) && result.failure.message).toMatch(/valid integer/)
  })
})
