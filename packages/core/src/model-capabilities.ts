import type { Elicitation } from "./respondent.js"

/**
 * What one family of a vendor's models accepts, as the vendor documents it. A provider plugin keeps a table of
 * these (its `descriptor.models`), matched by model name, first match first; the last row matches anything and
 * is the safe default for a model the table does not know. The plugin builds its requests from the row, and a
 * combination the row rules out fails before any call, with the reason.
 */
export interface ModelCapabilities {
  /** Model-name pattern: `*` matches any run of characters (`gpt-5*`, `ft:gpt-4o*`, `*`). */
  readonly match: string
  /** Whether temperature and top_p are accepted (reasoning models take only the default). */
  readonly temperature: boolean
  /** The most first-token logprobs one call can return; 0 = this model has no logprobs. */
  readonly topLogprobs: number
  /**
   * Thinking before answering: `none`, `optional` (on by default, can be turned off), `always` (cannot be turned
   * off; at least `minThinkingBudget` tokens), or `reasoning` (reasoning models: effort, not a token budget).
   */
  readonly thinking: "none" | "optional" | "always" | "reasoning"
  /** The smallest thinking budget the model accepts, when thinking cannot be turned off. */
  readonly minThinkingBudget?: number
  /** The request field that carries the token limit (`max_tokens`, `max_completion_tokens`, `maxOutputTokens`). */
  readonly maxTokensField: string
  /** The dialect of JSON Schema the vendor's structured output accepts for this model. */
  readonly structuredOutput: string
  /** Whether the vendor's batch API serves this model. */
  readonly batch: boolean
  /** Context window in tokens; 0 when unknown. */
  readonly contextTokens: number
}

const patternCache = new Map<string, RegExp>()

/** Whether a model name matches a capability row's pattern (`*` = any run of characters, case-insensitive). */
export const matchesModel = (pattern: string, model: string): boolean => {
  let regex = patternCache.get(pattern)
  if (regex === undefined) {
    const source = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")
    regex = new RegExp(`^${source}$`, "i")
    patternCache.set(pattern, regex)
  }
  return regex.test(model)
}

/** The row of a capability table for a model: the first that matches, else the last row (the default). */
export const capabilitiesFor = (
  table: ReadonlyArray<ModelCapabilities>,
  model: string,
): ModelCapabilities | undefined =>
  table.find((row) => matchesModel(row.match, model)) ?? table[table.length - 1]

/** The elicitation methods a model's row allows, out of the plugin's. */
export const modelElicitation = (
  elicitation: ReadonlyArray<Elicitation>,
  row: ModelCapabilities,
): ReadonlyArray<Elicitation> =>
  row.topLogprobs > 0 ? elicitation : elicitation.filter((method) => method !== "logprobs")
