import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { isRetryableReason, ProviderError } from "../src/errors.js"

describe("ProviderError", () => {
  it.effect("knows which reasons are retryable", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.fail(
          new ProviderError({
            provider: "openai",
            reason: "rate-limited",
            message: "slow down",
            retryAfterMs: 2000,
          }),
        ),
      )
      expect(error._tag).toBe("ProviderError")
      expect(error.retryable).toBe(true)
      expect(new ProviderError({ provider: "openai", reason: "auth", message: "bad key" }).retryable).toBe(
        false,
      )
      expect(isRetryableReason("server")).toBe(true)
      expect(isRetryableReason("content-filtered")).toBe(false)
    }),
  )
})
