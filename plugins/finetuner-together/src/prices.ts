/**
 * USD per 1M trained tokens (tokens × epochs) of Together's supervised LoRA fine-tuning, by model size, as
 * published on Together's pricing page (checked November 2026). The size is read from the model name
 * (`…-8B-…`); a name without one gets no estimate rather than a wrong one.
 */
export const loraPriceTiers: ReadonlyArray<{
  readonly upToBillions: number
  readonly usdPerMillion: number
}> = [
  { upToBillions: 16, usdPerMillion: 0.48 },
  { upToBillions: 69, usdPerMillion: 1.5 },
  { upToBillions: 100, usdPerMillion: 2.9 },
]

/** Parameters in billions from a model name (`Meta-Llama-3.1-8B-Instruct` → 8, `Qwen3-235B-A22B` → 235). */
export const billionsOf = (model: string): number | undefined => {
  const sizes = [...model.matchAll(/(?:^|[^A-Za-z0-9.])(\d+(?:\.\d+)?)[Bb](?![A-Za-z0-9])/g)].map((m) =>
    Number(m[1]),
  )
  return sizes.length === 0 ? undefined : Math.max(...sizes)
}

export const loraPriceFor = (model: string): number | undefined => {
  const size = billionsOf(model)
  if (size === undefined) return undefined
  return loraPriceTiers.find((tier) => size <= tier.upToBillions)?.usdPerMillion
}
