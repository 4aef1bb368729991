import { describe, expect, it } from "@effect/vitest"
import { scrubSecret } from "@standin/core"
import {
  distributionFromLogprobs,
  parseDuration,
  parseRateLimitReset,
  parseRetryAfter,
  reasonForStatus,
} from "../src/provider-support.js"

describe("rate-limit headers", () => {
  it("reads Go durations as OpenAI's x-ratelimit-reset-* write them", () => {
    expect(parseDuration("6m0s")).toBe(360_000)
    expect(parseDuration("1.5s")).toBe(1500)
    expect(parseDuration("20ms")).toBe(20)
    expect(parseDuration("1h2m3s")).toBe(3_723_000)
    expect(parseDuration("soon")).toBeUndefined()
  })

  it("waits for the reset of an exhausted limit only, the longest of them", () => {
    const headers = {
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "1.5s",
      "x-ratelimit-remaining-tokens": "0",
      "x-ratelimit-reset-tokens": "6m0s",
    }
    expect(parseRateLimitReset(headers)).toBe(360_000)
    expect(parseRateLimitReset({ ...headers, "x-ratelimit-remaining-tokens": "1200" })).toBe(1500)
    expect(
      parseRateLimitReset({ "x-ratelimit-remaining-requests": "3", "x-ratelimit-reset-requests": "1s" }),
    ).toBeUndefined()
    const now = Date.parse("2026-01-01T00:00:00Z")
    expect(
      parseRateLimitReset(
        {
          "anthropic-ratelimit-requests-remaining": "0",
          "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:42Z",
        },
        now,
      ),
    ).toBe(42_000)
  })
})

describe("parseRetryAfter", () => {
  it("prefers retry-after-ms, then seconds, then an HTTP date", () => {
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "1500", "retry-after": "9" }))).toBe(1500)
    expect(parseRetryAfter(new Headers({ "retry-after": "2.5" }))).toBe(2500)
    const now = Date.parse("2026-01-01T00:00:00Z")
    expect(parseRetryAfter({ "Retry-After": "Thu, 01 Jan 2026 00:00:30 GMT" }, now)).toBe(30_000)
    expect(parseRetryAfter({ "retry-after": "soon" })).toBeUndefined()
    expect(parseRetryAfter(undefined)).toBeUndefined()
  })
})

describe("reasonForStatus", () => {
  it("maps statuses to failure reasons", () => {
    expect([401, 403, 408, 429, 400, 404, 422, 500, 503, 529].map(reasonForStatus)).toEqual([
      "auth",
      "auth",
      "timeout",
      "rate-limited",
      "invalid-request",
      "invalid-request",
      "invalid-request",
      "server",
      "server",
      "server",
    ])
  })
})

describe("scrubSecret", () => {
  it("removes every occurrence of the secret", () => {
    expect(scrubSecret("bad key sk-abc123 (sk-abc123)", "sk-abc123")).toBe("bad key [REDACTED] ([REDACTED])")
    expect(scrubSecret("nothing here", undefined)).toBe("nothing here")
  })
})

describe("distributionFromLogprobs", () => {
  it("renormalises over the label tokens and reports their mass", () => {
    const result = distributionFromLogprobs(
      [
        { token: "1", logprob: Math.log(0.5) },
        { token: " 2", logprob: Math.log(0.2) },
        { token: "2", logprob: Math.log(0.1) },
        { token: "The", logprob: Math.log(0.2) },
      ],
      ["1", "2", "3"],
      ["low", "mid", "high"],
    )
    expect(result?.mass).toBeCloseTo(0.8, 12)
    expect(result?.distribution.low).toBeCloseTo(0.625, 12)
    expect(result?.distribution.mid).toBeCloseTo(0.375, 12)
    expect(result?.distribution.high).toBe(0)
    expect(distributionFromLogprobs([{ token: "x", logprob: 0 }], ["1"], ["a"])).toBeUndefined()
  })
})
