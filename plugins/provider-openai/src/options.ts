import { Schema } from "effect"

/** Options in `spec.options` (from the CLI's config), decoded strictly: a typo is an error, not a no-op. */
export const OpenAiOptions = Schema.Struct({
  /** Per-call timeout in milliseconds (default 60 000). The engine owns retries. */
  timeoutMs: Schema.optionalKey(Schema.Number),
  organization: Schema.optionalKey(Schema.String),
  project: Schema.optionalKey(Schema.String),
  /**
   * The field that carries the token limit: `max_completion_tokens` (OpenAI's current field, needed by
   * reasoning models) or `max_tokens` (what most OpenAI-compatible servers know).
   */
  maxTokensField: Schema.optionalKey(Schema.Literals(["max_completion_tokens", "max_tokens"])),
  /**
   * How logprobs are asked for: `top_logprobs` (OpenAI's `logprobs: true` plus `top_logprobs: N`) or `count`
   * (Together's `logprobs: N`). Default `top_logprobs`; openai-compatible picks `count` for Together's API.
   */
  logprobsFormat: Schema.optionalKey(Schema.Literals(["top_logprobs", "count"])),
  /** How many top logprobs to ask for per token, 1–20 (default 20, or fewer where the model allows fewer). */
  topLogprobs: Schema.optionalKey(Schema.Number),
  /** Below this share of first-token probability on the option labels, a warning is stored (default 0.5). */
  minLabelMass: Schema.optionalKey(Schema.Number),
  /** Structured output: `json_schema` (strict by default), `json_object`, or `none` (prompt only). */
  structuredOutput: Schema.optionalKey(Schema.Literals(["json_schema", "json_object", "none"])),
  /** Strict schema adherence for `json_schema` (default true). */
  strict: Schema.optionalKey(Schema.Boolean),
})
export type OpenAiOptions = typeof OpenAiOptions.Type
