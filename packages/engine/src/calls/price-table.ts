import type { Usage } from "@standin/core"
import { Schema } from "effect"
import bundled from "./prices.json" with { type: "json" }

export const ModelPrice = Schema.Struct({
  /** USD per 1M input tokens. */
  input: Schema.Number,
  /** USD per 1M output tokens. */
  output: Schema.Number,
  /** Fraction taken off by the vendor's batch API (0.5 = half price). */
  batchDiscount: Schema.optionalKey(Schema.Number),
})
export type ModelPrice = typeof ModelPrice.Type

/**
 * Prices per provider id and model. A model name matches its own entry, else the longest entry it
 * extends with "-" or ":" (so "gpt-4o-mini-2024-07-18" is priced as "gpt-4o-mini" and a finetuned
 * "ft:gpt-4o-mini-2024-07-18:org::id" as "ft:gpt-4o-mini"), else the provider's "*" entry.
 */
export const PriceTable = Schema.Struct({
  version: Schema.String,
  currency: Schema.Literal("USD"),
  note: Schema.optionalKey(Schema.String),
  providers: Schema.Record(Schema.String, Schema.Record(Schema.String, ModelPrice)),
})
export type PriceTable = typeof PriceTable.Type

/** User overrides, as read from config: any provider, any model. */
export const PriceOverrides = Schema.Record(Schema.String, Schema.Record(Schema.String, ModelPrice))
export type PriceOverrides = typeof PriceOverrides.Type

/** The price table shipped with this version of standin. */
export const defaultPriceTable: PriceTable = Schema.decodeUnknownSync(PriceTable)(bundled)

/** The table with the user's entries laid over it (model by model); the version records that it was changed. */
export const mergePrices = (base: PriceTable, overrides: PriceOverrides): PriceTable => {
  if (Object.keys(overrides).length === 0) return base
  const providers: Record<string, Record<string, ModelPrice>> = {}
  for (const [provider, models] of Object.entries(base.providers)) providers[provider] = { ...models }
  for (const [provider, models] of Object.entries(overrides))
    providers[provider] = { ...(providers[provider] ?? {}), ...models }
  return { ...base, version: `${base.version}+overrides`, providers }
}

/** The price of a model, or undefined when the table does not know it. */
export const priceFor = (table: PriceTable, provider: string, model: string): ModelPrice | undefined => {
  const models = table.providers[provider]
  if (models === undefined) return undefined
  const name = model.startsWith("models/") ? model.slice("models/".length) : model
  const exact = models[name]
  if (exact !== undefined) return exact
  let best: string | undefined
  for (const entry of Object.keys(models)) {
    if (entry === "*" || name.length <= entry.length || !name.startsWith(entry)) continue
    const next = name[entry.length]
    if ((next === "-" || next === ":" || next === "@") && (best === undefined || entry.length > best.length))
      best = entry
  }
  return best !== undefined ? models[best] : models["*"]
}

/** USD for a usage at a price (batch prices when `batch`). */
export const costOf = (
  price: ModelPrice,
  usage: Usage,
  options: { readonly batch?: boolean } = {},
): number => {
  const full = (usage.inputTokens * price.input + usage.outputTokens * price.output) / 1_000_000
  return options.batch === true ? full * (1 - (price.batchDiscount ?? 0)) : full
}
