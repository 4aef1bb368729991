import {
  PilotData,
  Provider,
  ProviderError,
  ProviderSpecVersion,
  scaleOptions,
  settingsWarnings,
  unsupportedElicitation,
} from "@standin/core"
import { Effect, Layer } from "effect"
import { ProviderContract } from "../src/provider-contract.js"

/**
 * A provider that calls no model, like the baselines: it answers each item with the pilot's most
 * common option. The contract must run for it without a fake.
 */
const pilotMode = Layer.effect(
  Provider,
  Effect.gen(function* () {
    const { study, pilot } = yield* PilotData
    const descriptor = {
      kind: "provider",
      id: "pilot-mode",
      version: "0.1.0",
      specVersion: ProviderSpecVersion,
      label: "Pilot mode",
      description: "The pilot's most common answer per item.",
      capabilities: {
        logprobs: false,
        seed: false,
        structuredOutput: true,
        batch: false,
        finetune: false,
        temperature: false,
        topP: false,
        elicitation: ["sample"],
      },
      keyEnv: [],
      baseline: "pilot",
      defaultModel: "mode",
    } as const
    const answers = Object.fromEntries(
      study.items.map((item) => {
        const counts = new Map<string, number>()
        for (const person of pilot) {
          const value = person.answers[item.id]
          if (typeof value === "string") counts.set(value, (counts.get(value) ?? 0) + 1)
        }
        const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? scaleOptions(item.scale)[0]
        return [item.id, best]
      }),
    )
    return {
      descriptor,
      model: "mode",
      generate: (request) => {
        const refused = unsupportedElicitation(descriptor, request.elicitation)
        if (refused !== undefined)
          return Effect.fail(
            new ProviderError({ provider: descriptor.id, reason: "unsupported", message: refused }),
          )
        return Effect.succeed({
          text: JSON.stringify(answers),
          modelVersion: "pilot-mode-1",
          usage: { inputTokens: 0, outputTokens: 0 },
          warnings: settingsWarnings(descriptor, request.settings),
        })
      },
    }
  }),
)

ProviderContract.suite("a provider without HTTP (pilot mode)", () => pilotMode)
