import type { ModelCapabilities } from "@standin/core"

const reasoning = {
  temperature: false,
  topLogprobs: 0,
  thinking: "reasoning",
  maxTokensField: "max_completion_tokens",
  structuredOutput: "json_schema strict",
  batch: true,
} as const

const chat = {
  temperature: true,
  topLogprobs: 20,
  thinking: "none",
  maxTokensField: "max_completion_tokens",
  structuredOutput: "json_schema strict",
  batch: true,
} as const

/**
 * OpenAI's models as its API reference documents them. Reasoning models (the GPT-5 family, o1/o3/o4) take no
 * temperature or top_p other than the default, return no logprobs, and need `max_completion_tokens` (which also
 * covers their reasoning tokens); `gpt-5-chat` is the non-reasoning GPT-5. The last row is the default: a chat
 * model like GPT-4o, which is what fine-tuned and unknown models most likely are.
 */
export const models: ReadonlyArray<ModelCapabilities> = [
  { match: "gpt-5*-chat*", ...chat, contextTokens: 128_000 },
  { match: "gpt-5*", ...reasoning, contextTokens: 400_000 },
  { match: "o1*", ...reasoning, contextTokens: 200_000 },
  { match: "o3*", ...reasoning, contextTokens: 200_000 },
  { match: "o4*", ...reasoning, contextTokens: 200_000 },
  { match: "gpt-4.1*", ...chat, contextTokens: 1_047_576 },
  { match: "ft:gpt-4.1*", ...chat, contextTokens: 1_047_576 },
  { match: "gpt-4o*", ...chat, contextTokens: 128_000 },
  { match: "ft:gpt-4o*", ...chat, contextTokens: 128_000 },
  { match: "gpt-3.5*", ...chat, contextTokens: 16_385 },
  { match: "*", ...chat, contextTokens: 128_000 },
]
