import type { ModelCapabilities } from "@standin/core"

const gemini = {
  temperature: true,
  maxTokensField: "maxOutputTokens",
  structuredOutput: "responseJsonSchema",
  batch: true,
  contextTokens: 1_048_576,
} as const

/**
 * Gemini models on the Gemini API (v1beta). Logprobs are enabled on some models only (2.0 Flash and the 2.5
 * Flash models; 2.5 Pro and Gemini 3 answer "Logprobs is not enabled"). 2.5 models think by default and the
 * thinking counts against `maxOutputTokens`: Flash and Flash-Lite can turn it off (budget 0), 2.5 Pro cannot
 * (at least 128 tokens), Gemini 3 thinks always. The last row, for a model the table does not know, asks for no
 * logprobs and sets no thinking.
 */
export const models: ReadonlyArray<ModelCapabilities> = [
  { match: "gemini-2.0-flash*", ...gemini, topLogprobs: 20, thinking: "none" },
  { match: "gemini-2.5-flash*", ...gemini, topLogprobs: 20, thinking: "optional" },
  { match: "gemini-2.5-pro*", ...gemini, topLogprobs: 0, thinking: "always", minThinkingBudget: 128 },
  { match: "gemini-3*", ...gemini, topLogprobs: 0, thinking: "always" },
  { match: "*", ...gemini, topLogprobs: 0, thinking: "none" },
]
