import { Schema } from "effect"

export const ChatMessage = Schema.Struct({
  role: Schema.Literals(["system", "user", "assistant"]),
  content: Schema.String,
})
export type ChatMessage = typeof ChatMessage.Type

/**
 * One item asked on its own with single-token option labels, for first-token logprob elicitation.
 * `labels[i]` is the token that stands for `options[i]`.
 */
export const ItemPrompt = Schema.Struct({
  itemId: Schema.String,
  messages: Schema.Array(ChatMessage),
  labels: Schema.Array(Schema.String),
  options: Schema.Array(Schema.String),
})
export type ItemPrompt = typeof ItemPrompt.Type

/** A JSON Schema object (draft 2020-12 subset that every vendor's structured output accepts). */
export type JsonSchema = { readonly [key: string]: unknown }

/**
 * The prompt a study renders for one twin. The same renderer produces finetuning files, so
 * inference and training never drift apart.
 */
export interface RenderedPrompt {
  readonly messages: ReadonlyArray<ChatMessage>
  /** Schema of the expected JSON answer object, for vendors' structured output. */
  readonly responseSchema: JsonSchema
  /** A short name for the schema (OpenAI requires one). */
  readonly responseSchemaName: string
  /** Per-item prompts for logprob elicitation (empty unless the elicitation is `logprobs`). */
  readonly perItem: ReadonlyArray<ItemPrompt>
}

export interface RenderOptions {
  readonly elicitation: "sample" | "logprobs" | "verbalized"
  /** The demographics-removed ablation: the persona is left out of the prompt. */
  readonly includeDemographics: boolean
}
