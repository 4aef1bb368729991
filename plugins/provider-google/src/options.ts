import { Schema } from "effect"

/** Options in `spec.options`, decoded strictly. */
export const GoogleOptions = Schema.Struct({
  /** Per-call timeout in milliseconds (default 60 000). The engine owns retries. */
  timeoutMs: Schema.optionalKey(Schema.Number),
  /** The API version, pinned so SDK upgrades cannot move it (default `v1beta`, which has JSON schema and logprobs). */
  apiVersion: Schema.optionalKey(Schema.Literals(["v1beta", "v1", "v1alpha"])),
  /**
   * Where the answer schema goes: `responseJsonSchema` (standard JSON Schema; the default) or
   * `responseSchema` (Gemini's OpenAPI subset, for older models).
   */
  schemaField: Schema.optionalKey(Schema.Literals(["responseJsonSchema", "responseSchema"])),
  /** How many top logprobs to ask for, 1–20 (default 20). */
  topLogprobs: Schema.optionalKey(Schema.Number),
  /** Below this share of first-token probability on the option labels, a warning is stored (default 0.5). */
  minLabelMass: Schema.optionalKey(Schema.Number),
  /** Thinking budget in tokens for thinking models; 0 turns thinking off (needed for one-token logprob calls). */
  thinkingBudget: Schema.optionalKey(Schema.Number),
})
export type GoogleOptions = typeof GoogleOptions.Type
