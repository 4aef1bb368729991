import { type ProviderDescriptor, ProviderSpecVersion } from "@standin/core"
import { models } from "./models.js"

export const descriptor: ProviderDescriptor = {
  kind: "provider",
  id: "openai",
  version: "0.1.0",
  specVersion: ProviderSpecVersion,
  label: "OpenAI",
  description:
    "OpenAI chat models (GPT-4o, GPT-4.1, GPT-5 …) through the official openai SDK: structured outputs, seed, first-token logprobs.",
  capabilities: {
    logprobs: true,
    seed: true,
    structuredOutput: true,
    batch: true,
    finetune: true,
    temperature: true,
    topP: true,
    elicitation: ["sample", "logprobs", "verbalized"],
  },
  keyEnv: ["OPENAI_API_KEY"],
  baseUrlEnv: "OPENAI_BASE_URL",
  models,
}
