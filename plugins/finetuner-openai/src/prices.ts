/**
 * USD per 1M trained tokens (tokens × epochs) of OpenAI's supervised fine-tuning, by base model (a dated
 * snapshot is priced as its family). Checked against OpenAI's pricing page, November 2026; a model missing
 * here gets no cost estimate rather than a wrong one.
 */
export const trainingPrices: Readonly<Record<string, number>> = {
  "gpt-4.1": 25,
  "gpt-4.1-mini": 5,
  "gpt-4.1-nano": 1.5,
  "gpt-4o": 25,
  "gpt-4o-mini": 3,
  "gpt-3.5-turbo": 8,
}

/** The training price of a base model: its own entry, else the longest entry it extends with "-". */
export const trainingPriceFor = (model: string): number | undefined => {
  const exact = trainingPrices[model]
  if (exact !== undefined) return exact
  let best: string | undefined
  for (const entry of Object.keys(trainingPrices))
    if (model.startsWith(`${entry}-`) && (best === undefined || entry.length > best.length)) best = entry
  return best === undefined ? undefined : trainingPrices[best]
}
