import { type ProviderDescriptor, ProviderSpecVersion } from "@standin/core"
import { models } from "./models.js"

export const descriptor: ProviderDescriptor = {
  kind: "provider",
  id: "google",
  version: "0.1.0",
  specVersion: ProviderSpecVersion,
  label: "Google Gemini",
  description:
    "Gemini models through the official @google/genai SDK (Gemini API, v1beta): JSON schema output, seed, first-token logprobs.",
  capabilities: {
    logprobs: true,
    seed: true,
    structuredOutput: true,
    batch: true,
    finetune: false,
    temperature: true,
    topP: true,
    elicitation: ["sample", "logprobs", "verbalized"],
  },
  // GOOGLE_API_KEY first when both are set, as the SDK does
  keyEnv: ["GOOGLE_API_KEY", "GEMINI_API_KEY"],
  baseUrlEnv: "GOOGLE_GEMINI_BASE_URL",
  models,
}
