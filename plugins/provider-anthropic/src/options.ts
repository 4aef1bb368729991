import { Schema } from "effect"

/** Options in `spec.options`, decoded strictly. */
export const AnthropicOptions = Schema.Struct({
  /** Per-call timeout in milliseconds (default 60 000). The engine owns retries. */
  timeoutMs: Schema.optionalKey(Schema.Number),
  /** `max_tokens` when the run sets none; the Messages API requires one (default 1024). */
  defaultMaxTokens: Schema.optionalKey(Schema.Number),
  /**
   * How the answer's JSON schema is enforced: `json_schema` (structured outputs through
   * `output_config.format`, constrained decoding; the default) or `tool` (a forced tool call, for
   * models without structured outputs).
   */
  structuredOutput: Schema.optionalKey(Schema.Literals(["json_schema", "tool"])),
})
export type AnthropicOptions = typeof AnthropicOptions.Type
