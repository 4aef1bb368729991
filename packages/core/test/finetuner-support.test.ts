import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  approximateTokens,
  chatJsonl,
  chatTrainingFile,
  checkFinetuneRequest,
  finetuneReasonForStatus,
  type TrainingExample,
} from "../src/index.js"

const example = (key: string, answer = '{"q":"Yes"}'): TrainingExample => ({
  respondentKey: key,
  messages: [
    { role: "system", content: "You answer as the person described." },
    { role: "user", content: "- Age: 25-34\nQuestion q?" },
    { role: "assistant", content: answer },
  ],
})

describe("finetuner support", () => {
  it("writes one chat line per example, never the respondent key, and counts tokens per line", () => {
    const file = chatTrainingFile("train", "train.jsonl", [
      example("p00001"),
      example("p00002", '{"q":"No"}'),
    ])
    const lines = file.content.trimEnd().split("\n")
    expect(lines).toHaveLength(2)
    expect(JSON.parse(lines[1]!)).toEqual({ messages: example("p00002", '{"q":"No"}').messages })
    expect(file.content).not.toContain("p0000")
    expect(file.examples).toBe(2)
    const perLine = approximateTokens(
      example("x")
        .messages.map((m) => m.content)
        .join(""),
    )
    expect(file.tokens).toBe(
      perLine +
        approximateTokens(
          example("x", '{"q":"No"}')
            .messages.map((m) => m.content)
            .join(""),
        ),
    )
    expect(chatJsonl([])).toBe("")
  })

  it.effect("refuses empty, untargeted, too small and overlapping requests with typed reasons", () =>
    Effect.gen(function* () {
      const base = { study: "s", baseModel: "m", hyperparameters: {} }
      const reason = (request: Parameters<typeof checkFinetuneRequest>[1], minimum?: number) =>
        checkFinetuneRequest("x", request, minimum).pipe(
          Effect.map(() => "ok"),
          Effect.catchTag("FinetuneError", (error) => Effect.succeed(`${error.reason}: ${error.message}`)),
        )
      expect(yield* reason({ ...base, train: [], validation: [] })).toMatch(
        /^invalid-request: 0 training examples/,
      )
      expect(yield* reason({ ...base, train: [example("a")], validation: [] }, 10)).toMatch(
        /needs at least 10/,
      )
      const untargeted = { respondentKey: "u", messages: [{ role: "user" as const, content: "q" }] }
      expect(yield* reason({ ...base, train: [untargeted], validation: [] })).toMatch(
        /does not end with the target/,
      )
      expect(yield* reason({ ...base, train: [example("a")], validation: [example("a")] })).toMatch(
        /^leakage:/,
      )
      expect(yield* reason({ ...base, train: [example("a")], validation: [example("b")] })).toBe("ok")
    }),
  )

  it("maps HTTP statuses to finetune reasons", () => {
    expect([401, 403, 429, 500, 503, 400, 404].map(finetuneReasonForStatus)).toEqual([
      "auth",
      "auth",
      "rate-limited",
      "server",
      "server",
      "invalid-request",
      "invalid-request",
    ])
  })
})
