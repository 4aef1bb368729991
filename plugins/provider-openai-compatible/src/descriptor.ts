import { type ProviderDescriptor, ProviderSpecVersion } from "@standin/core"

export const descriptor: ProviderDescriptor = {
  kind: "provider",
  id: "openai-compatible",
  version: "0.1.0",
  specVersion: ProviderSpecVersion,
  label: "OpenAI-compatible server",
  description:
    "Any server that speaks OpenAI's chat completions (vLLM, Ollama, llama.cpp server, Together, OpenRouter), through the openai SDK with a base URL. Seed and logprobs depend on the server: a server that returns no logprobs fails the call with a clear message.",
  capabilities: {
    logprobs: true,
    seed: true,
    structuredOutput: true,
    batch: false,
    finetune: false,
    temperature: true,
    topP: true,
    elicitation: ["sample", "logprobs", "verbalized"],
  },
  keyEnv: ["OPENAI_COMPATIBLE_API_KEY"],
  keyOptional: true,
  baseUrlEnv: "OPENAI_COMPATIBLE_BASE_URL",
  // Servers differ and say little about their models: one default row, what every compatible server knows.
  models: [
    {
      match: "*",
      temperature: true,
      topLogprobs: 20,
      thinking: "none",
      maxTokensField: "max_tokens",
      structuredOutput: "json_schema",
      batch: false,
      contextTokens: 0,
    },
  ],
}
