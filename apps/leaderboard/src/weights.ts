/**
 * Whether a model's weights are published, where the site can tell from its provider and name alone.
 * Results files do not record it, so this is a short, conservative list: anything it does not know is
 * "unknown" (and the overview's filter says so) rather than guessed.
 */
export type Weights = "open" | "closed" | "unknown"

/** Model-name families whose weights are published (matched on the name's words, case-insensitive). */
const openFamilies =
  /(^|[^a-z])(llama|mistral|mixtral|qwen|gemma|deepseek|phi-?\d|olmo|falcon|gpt-oss|yi-|command-r|nemotron|smollm|granite)/i

/** Vendors that serve only their own closed models through these providers. */
const closedProviders = new Set(["openai", "anthropic", "google"])

/** Finetuners that train open-weight models (the trained adapter and its base are downloadable). */
const openFinetuners = new Set(["together"])
const closedFinetuners = new Set(["openai"])

export const weightsOf = (provider: string, model: string, finetuner?: string): Weights => {
  if (finetuner !== undefined) {
    if (openFinetuners.has(finetuner)) return "open"
    if (closedFinetuners.has(finetuner)) return "closed"
  }
  if (openFamilies.test(model)) return "open"
  if (closedProviders.has(provider)) return "closed"
  return "unknown"
}
