import { describe, expect, it } from "@effect/vitest"
import { normalisedFidelity } from "../src/descriptor.js"
import { parseProviderSpec, slugify } from "../src/plugin-spec.js"

describe("parseProviderSpec", () => {
  it("splits provider and model at the first colon only", () => {
    expect(parseProviderSpec("openai:ft:gpt-4o-mini:org::abc")).toEqual({
      provider: "openai",
      model: "ft:gpt-4o-mini:org::abc",
    })
    expect(parseProviderSpec("uniform")).toEqual({ provider: "uniform", model: "" })
  })
  it("takes a trailing base URL", () => {
    expect(parseProviderSpec("openai-compatible:llama3.1:8b@http://127.0.0.1:11434/v1")).toEqual({
      provider: "openai-compatible",
      model: "llama3.1:8b",
      baseUrl: "http://127.0.0.1:11434/v1",
    })
  })
  it("rejects malformed references with a message", () => {
    expect(parseProviderSpec("")).toEqual({ error: "empty provider reference" })
    expect(parseProviderSpec("Open AI:x")).toHaveProperty("error")
    expect(parseProviderSpec("openai:x@http://")).toHaveProperty("error")
  })
  it("slugifies entry ids", () => {
    expect(slugify("openai-compatible:llama3.1:8b@http://127.0.0.1:8000/v1")).toBe(
      "openai-compatible-llama3.1-8b-127.0.0.1-8000-v1",
    )
  })
})

describe("normalisedFidelity", () => {
  it("is 0 at the floor, 1 at the ceiling, whatever the direction", () => {
    expect(normalisedFidelity(0.5, 0.5, 0.1)).toBe(0)
    expect(normalisedFidelity(0.1, 0.5, 0.1)).toBe(1)
    expect(normalisedFidelity(0.3, 0.5, 0.1)).toBeCloseTo(0.5)
    expect(normalisedFidelity(0.8, 0.2, 1.0)).toBeCloseTo(0.75)
    expect(normalisedFidelity(0.3, 0.2, 0.2)).toBeNull()
  })
})
