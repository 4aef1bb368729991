import { type ProviderDescriptor, ProviderSpecVersion } from "@standin/core"
import { models } from "./models.js"

export const descriptor: ProviderDescriptor = {
  kind: "provider",
  id: "anthropic",
  version: "0.1.0",
  specVersion: ProviderSpecVersion,
  label: "Anthropic",
  description:
    "Anthropic Claude models through the official @anthropic-ai/sdk: structured outputs (output_config.format), no seed and no logprobs.",
  capabilities: {
    logprobs: false,
    seed: false,
    structuredOutput: true,
    batch: true,
    finetune: false,
    temperature: true,
    topP: true,
    elicitation: ["sample", "verbalized"],
  },
  keyEnv: ["ANTHROPIC_API_KEY"],
  baseUrlEnv: "ANTHROPIC_BASE_URL",
  models,
}
