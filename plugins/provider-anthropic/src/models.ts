import type { ModelCapabilities } from "@standin/core"

const claude = {
  temperature: true,
  topLogprobs: 0,
  thinking: "optional",
  maxTokensField: "max_tokens",
  batch: true,
  contextTokens: 200_000,
} as const

/**
 * Claude models as Anthropic documents them: no logprobs on any, `max_tokens` required, extended thinking off
 * unless asked for. Structured outputs (`output_config.format`, whose JSON Schema subset has no numeric or array
 * bounds) came with the 4.1/4.5 generation; older models get the answer schema through a forced tool call. The
 * last row, for a model the table does not know, uses the forced tool, which every Claude model accepts.
 */
export const models: ReadonlyArray<ModelCapabilities> = [
  { match: "claude-3*", ...claude, thinking: "none", structuredOutput: "tool" },
  { match: "claude-sonnet-4-2025*", ...claude, structuredOutput: "tool" },
  { match: "claude-opus-4-2025*", ...claude, structuredOutput: "tool" },
  { match: "claude-sonnet-4-0*", ...claude, structuredOutput: "tool" },
  { match: "claude-opus-4-0*", ...claude, structuredOutput: "tool" },
  // released after Opus 4.6: no sampling parameters at all (temperature, top_p or top_k is a 400)
  { match: "claude-opus-4-7*", ...claude, temperature: false, structuredOutput: "json_schema" },
  { match: "claude-opus-4-8*", ...claude, temperature: false, structuredOutput: "json_schema" },
  { match: "claude-opus-5*", ...claude, temperature: false, structuredOutput: "json_schema" },
  { match: "claude-sonnet-5*", ...claude, temperature: false, structuredOutput: "json_schema" },
  { match: "claude-haiku-5*", ...claude, temperature: false, structuredOutput: "json_schema" },
  { match: "claude-fable-5*", ...claude, temperature: false, structuredOutput: "json_schema" },
  { match: "claude-mythos-*", ...claude, temperature: false, structuredOutput: "json_schema" },
  { match: "claude-*-4-*", ...claude, structuredOutput: "json_schema" },
  { match: "*", ...claude, thinking: "none", structuredOutput: "tool" },
]
