import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import {
  costOf,
  defaultPriceTable,
  estimateCall,
  expectedJsonChars,
  makeBudget,
  mergePrices,
  priceFor,
  tokensForChars,
} from "../../src/calls/index.js"
import { answerText, meteredResponse, request } from "./fixtures.js"

describe("price table", () => {
  it("is versioned and prices models, their dated versions and finetunes", () => {
    expect(defaultPriceTable.version).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(priceFor(defaultPriceTable, "openai", "gpt-4o-mini")).toEqual({
      input: 0.15,
      output: 0.6,
      batchDiscount: 0.5,
    })
    expect(priceFor(defaultPriceTable, "openai", "gpt-4o-mini-2024-07-18")?.input).toBe(0.15)
    expect(priceFor(defaultPriceTable, "openai", "gpt-4o-2024-08-06")?.input).toBe(2.5)
    expect(priceFor(defaultPriceTable, "openai", "ft:gpt-4o-mini-2024-07-18:acme::abc123")?.input).toBe(0.3)
    expect(priceFor(defaultPriceTable, "anthropic", "claude-3-5-haiku-20241022")?.output).toBe(4)
    expect(priceFor(defaultPriceTable, "google", "models/gemini-2.5-flash")?.output).toBe(2.5)
    expect(priceFor(defaultPriceTable, "openai", "gpt-4ox")).toBeUndefined()
    expect(priceFor(defaultPriceTable, "nobody", "gpt-4o")).toBeUndefined()
  })

  it("lays user overrides over the bundled table", () => {
    const merged = mergePrices(defaultPriceTable, {
      openai: { "gpt-4o-mini": { input: 0.1, output: 0.4 } },
      "my-vllm": { "*": { input: 0, output: 0 } },
    })
    expect(merged.version).toBe(`${defaultPriceTable.version}+overrides`)
    expect(priceFor(merged, "openai", "gpt-4o-mini")).toEqual({ input: 0.1, output: 0.4 })
    expect(priceFor(merged, "openai", "gpt-4o")?.input).toBe(2.5)
    expect(priceFor(merged, "my-vllm", "llama-3.1-8b")).toEqual({ input: 0, output: 0 })
    expect(priceFor(defaultPriceTable, "openai", "gpt-4o-mini")?.input).toBe(0.15)
    expect(mergePrices(defaultPriceTable, {})).toBe(defaultPriceTable)
  })

  it("costs usage per million tokens, with the batch discount", () => {
    const price = { input: 2.5, output: 10, batchDiscount: 0.5 }
    const usage = { inputTokens: 1_000, outputTokens: 200 }
    expect(costOf(price, usage)).toBeCloseTo(0.0045, 12)
    expect(costOf(price, usage, { batch: true })).toBeCloseTo(0.00225, 12)
    expect(costOf({ input: 1, output: 1 }, usage, { batch: true })).toBeCloseTo(0.0012, 12)
  })
})

describe("estimateCall", () => {
  it("counts input as ceil(chars / 4) and output from the answer schema", () => {
    expect(tokensForChars(0)).toBe(0)
    expect(tokensForChars(1)).toBe(1)
    expect(tokensForChars(8)).toBe(2)
    expect(tokensForChars(9)).toBe(3)
    const req = request(7)
    const chars = req.prompt.messages.reduce((sum, message) => sum + message.content.length, 0)
    const estimate = estimateCall(req)
    expect(estimate.inputTokens).toBe(Math.ceil(chars / 4))
    // {"concern":<mean of 3 options>,"consent":<mean of 2>}
    const expectedChars = 2 + 1 + (9 + 1 + (12 + 10 + 6) / 3) + (9 + 1 + (4 + 5) / 2)
    expect(expectedJsonChars(req.prompt.responseSchema)).toBeCloseTo(expectedChars, 10)
    expect(estimate.outputTokens).toBe(Math.ceil(expectedChars / 4))
  })

  it("is within 10% of what a metering fake reports over a set of twins", () => {
    let estimated = 0
    let metered = 0
    for (let index = 0; index < 200; index++) {
      const estimate = estimateCall(request(index))
      const usage = meteredResponse(request(index)).usage
      estimated += estimate.inputTokens + estimate.outputTokens
      metered += usage.inputTokens + usage.outputTokens
      expect(answerText(request(index)).length).toBeGreaterThan(0)
    }
    expect(Math.abs(estimated - metered) / metered).toBeLessThan(0.1)
  })

  it("handles numbers, arrays, alternatives, logprobs and a max-tokens cap", () => {
    expect(expectedJsonChars({ type: "integer", minimum: 0, maximum: 100 })).toBe(2)
    expect(expectedJsonChars({ type: "number" })).toBe(3)
    expect(expectedJsonChars({ type: "boolean" })).toBe(5)
    expect(expectedJsonChars({ type: "array", items: { enum: ["a"] }, minItems: 2 })).toBe(2 + 3 + 1 + 3)
    expect(expectedJsonChars({ anyOf: [{ const: "ab" }, { type: "null" }] })).toBe(4)
    const logprobs = request(1, {
      elicitation: "logprobs",
      prompt: {
        ...request(1).prompt,
        perItem: [
          {
            itemId: "concern",
            messages: [{ role: "user", content: "x".repeat(40) }],
            labels: ["A", "B", "C"],
            options: ["1", "2", "3"],
          },
          {
            itemId: "consent",
            messages: [{ role: "user", content: "y".repeat(21) }],
            labels: ["A", "B"],
            options: ["1", "2"],
          },
        ],
      },
    })
    expect(estimateCall(logprobs)).toEqual({ inputTokens: 10 + 6, outputTokens: 2 })
    const capped = request(1, { settings: { maxTokens: 3 } })
    expect(estimateCall(capped).outputTokens).toBe(3)
  })
})

describe("budget", () => {
  it.effect("reserves, settles and releases; refuses past the limit and stays stopped", () =>
    Effect.gen(function* () {
      const budget = makeBudget(1)
      const a = yield* budget.reserve(0.4)
      const b = yield* budget.reserve(0.4)
      expect(yield* budget.report).toMatchObject({ spentUsd: 0, stopped: false })
      expect((yield* budget.report).inFlightUsd).toBeCloseTo(0.8, 12)
      // 0.8 in flight + 0.3 would pass 1.0
      const refused = yield* Effect.flip(budget.reserve(0.3))
      expect(refused).toMatchObject({ _tag: "BudgetExceeded", limitUsd: 1, requestedUsd: 0.3 })
      expect(refused.inFlightUsd).toBeCloseTo(0.8, 12)
      yield* budget.settle(a, 0.35)
      yield* budget.release(b)
      // stopped for good: even a small call is refused now, so a run ends cleanly
      const after = yield* Effect.flip(budget.reserve(0.01))
      expect(after._tag).toBe("BudgetExceeded")
      const report = yield* budget.report
      expect(report).toMatchObject({ limitUsd: 1, stopped: true, refusedCalls: 2, inFlightUsd: 0 })
      expect(report.spentUsd).toBeCloseTo(0.35, 12)
      expect(report.headroomUsd).toBeCloseTo(0.65, 12)
    }),
  )

  it.effect("without a limit it only keeps accounts", () =>
    Effect.gen(function* () {
      const budget = makeBudget()
      const a = yield* budget.reserve(1_000)
      const b = yield* budget.reserve(null)
      yield* budget.settle(a, 999)
      yield* budget.settle(b, null)
      expect(yield* budget.report).toEqual({
        limitUsd: null,
        spentUsd: 999,
        inFlightUsd: 0,
        inFlightCalls: 0,
        stopped: false,
        refusedCalls: 0,
        headroomUsd: null,
        halted: null,
      })
    }),
  )

  it.effect("counts the calls holding a reservation, and drains when the last one comes back", () =>
    Effect.gen(function* () {
      const budget = makeBudget(1)
      const a = yield* budget.reserve(0.1)
      const b = yield* budget.reserve(0.2)
      expect((yield* budget.report).inFlightCalls).toBe(2)
      const waiting = yield* Effect.forkChild(budget.drained)
      yield* Effect.yieldNow
      expect(waiting.pollUnsafe()).toBeUndefined()
      yield* budget.settle(a, 0.1)
      yield* Effect.yieldNow
      expect(waiting.pollUnsafe()).toBeUndefined()
      yield* budget.release(b)
      yield* Fiber.join(waiting)
      const report = yield* budget.report
      expect(report.inFlightCalls).toBe(0)
      expect(report.spentUsd).toBeCloseTo(0.1, 12)
      // nothing in flight: drained at once
      yield* budget.drained
    }),
  )
})
