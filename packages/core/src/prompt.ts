import { Schema } from "effect"
import type { AnswerValue } from "./scale.js"

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
  /**
   * The page to render (0-based, default 0; see `instrumentPages`). The prompt is the whole conversation
   * up to it: every earlier page as a user turn followed by its answers (`history`) as an assistant turn.
   */
  readonly page?: number
  /**
   * The answers to each earlier page (item id → answer), in page order; required for `page > 0`. Under logprobs
   * and verbalized elicitation they are the answers drawn from the stated distributions: a later page follows
   * the choice the twin made, as a human's did.
   */
  readonly history?: ReadonlyArray<Readonly<Record<string, AnswerValue>>>
  /** Option order per item id for this twin (from `--option-order`); an item not listed is shown as the humans saw it. */
  readonly optionOrders?: Readonly<Record<string, ReadonlyArray<string>>>
  /** What each protected item's randomiser showed this twin (item id → the words), printed under its wording. */
  readonly randomisers?: Readonly<Record<string, string>>
}

/**
 * The assistant turn that states a page's answers: a JSON object of the page's item ids (in page order) to
 * answers, null for an item left unanswered. Inference history and finetuning targets both use it, so a
 * finetuned model sees its own past answers exactly as it was trained on them.
 */
export const answerTurn = (
  itemIds: ReadonlyArray<string>,
  answers: Readonly<Record<string, AnswerValue | undefined>>,
): ChatMessage => ({
  role: "assistant",
  content: JSON.stringify(Object.fromEntries(itemIds.map((id) => [id, answers[id] ?? null]))),
})
