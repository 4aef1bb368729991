import { Context, type Effect, type Layer, Schema } from "effect"
import type { PluginConfigError, ProviderError } from "./errors.js"
import { capabilitiesFor, type ModelCapabilities, modelElicitation } from "./model-capabilities.js"
import type { RenderedPrompt } from "./prompt.js"
import type { ProviderBatch } from "./provider-batch.js"
import type { Elicitation, OptionDistribution, Respondent, Twin, Usage } from "./respondent.js"
import type { Item, StudyDefinition } from "./study.js"

/** Version of the Provider contract. Bumped only for breaking changes to the narrow interface. */
export const ProviderSpecVersion = "1.0"

export const GenerationSettings = Schema.Struct({
  temperature: Schema.optionalKey(Schema.Number),
  topP: Schema.optionalKey(Schema.Number),
  seed: Schema.optionalKey(Schema.Number),
  maxTokens: Schema.optionalKey(Schema.Number),
})
export type GenerationSettings = typeof GenerationSettings.Type

export interface ProviderCapabilities {
  readonly logprobs: boolean
  readonly seed: boolean
  readonly structuredOutput: boolean
  readonly batch: boolean
  readonly finetune: boolean
  readonly temperature: boolean
  readonly topP: boolean
  readonly elicitation: ReadonlyArray<Elicitation>
}

/**
 * The baseline role of a provider that calls no model:
 * - floor: the uniform reference that normalised scores start from (0);
 * - pilot: a baseline that learns from the pilot only;
 * - ceiling: another sample of real people (the human split-half), normalised scores' 1.
 */
export type BaselineRole = "floor" | "pilot" | "ceiling"

/** Browser-safe description of a provider plugin. */
export interface ProviderDescriptor {
  readonly kind: "provider"
  readonly id: string
  readonly version: string
  readonly specVersion: string
  readonly label: string
  readonly description: string
  readonly capabilities: ProviderCapabilities
  /** Environment variables any one of which supplies the API key (never read here, only named). */
  readonly keyEnv: ReadonlyArray<string>
  /** True when the provider works without a key (local OpenAI-compatible servers). */
  readonly keyOptional?: boolean
  /** The SDK's own base-URL environment variable, if it has one. */
  readonly baseUrlEnv?: string
  /** Present for providers that call no model. */
  readonly baseline?: BaselineRole
  /** A fixed model name for providers that have one (baselines); others need `provider:model`. */
  readonly defaultModel?: string
  /**
   * What each family of the vendor's models accepts, first match first, the last row the default for models the
   * table does not know (see `ModelCapabilities`). Absent for providers that call no model.
   */
  readonly models?: ReadonlyArray<ModelCapabilities>
}

/**
 * The descriptor as it holds for one model: the plugin's capabilities narrowed by the model's row of its table
 * (no logprobs where the model has none, no temperature or top_p on reasoning models, no batch where the batch
 * API does not serve it). Unchanged for a plugin without a table.
 */
export const descriptorForModel = (descriptor: ProviderDescriptor, model: string): ProviderDescriptor => {
  const row = capabilitiesFor(descriptor.models ?? [], model)
  if (row === undefined) return descriptor
  const caps = descriptor.capabilities
  const narrowed: ProviderCapabilities = {
    ...caps,
    logprobs: caps.logprobs && row.topLogprobs > 0,
    temperature: caps.temperature && row.temperature,
    topP: caps.topP && row.temperature,
    batch: caps.batch && row.batch,
    elicitation: modelElicitation(caps.elicitation, row),
  }
  const same =
    narrowed.logprobs === caps.logprobs &&
    narrowed.temperature === caps.temperature &&
    narrowed.topP === caps.topP &&
    narrowed.batch === caps.batch &&
    narrowed.elicitation.length === caps.elicitation.length
  return same ? descriptor : { ...descriptor, capabilities: narrowed }
}

/** Which provider to use and how: parsed from `provider:model[@baseURL]` plus config. */
export interface ProviderSpec {
  readonly provider: string
  readonly model: string
  readonly baseUrl?: string
  /** Vendor-specific options, decoded by the plugin's own schema. */
  readonly options?: Readonly<Record<string, unknown>>
}

/** One request: one synthetic twin's answers to the whole instrument (or, for logprobs, per item). */
export interface ProviderRequest {
  readonly model: string
  readonly twin: Twin
  readonly items: ReadonlyArray<Item>
  readonly prompt: RenderedPrompt
  readonly settings: GenerationSettings
  readonly elicitation: Elicitation
  /** Replicate index (0-based) of this twin; with a seed it decorrelates replicates. */
  readonly replicate: number
  /** Re-ask attempt (0-based): a re-ask after an invalid answer must not hit the same cache entry. */
  readonly attempt: number
  /**
   * The page asked (0-based) of an instrument of several pages; absent for the first. The prompt already
   * holds the conversation so far; providers that draw at random (baselines) use it to keep pages apart.
   */
  readonly page?: number
}

export interface ProviderResponse {
  /** The model's text, verbatim (for baselines: the JSON they produced). */
  readonly text: string
  /** First-token distributions per item (logprobs elicitation). */
  readonly distributions?: Readonly<Record<string, OptionDistribution>>
  /** The model version the vendor reports having used. */
  readonly modelVersion: string
  readonly usage: Usage
  /** Settings that were not honoured, and other things a researcher should know. */
  readonly warnings: ReadonlyArray<string>
  readonly finishReason?: string
}

/** The narrow interface a provider plugin implements. */
export interface ProviderShape {
  readonly descriptor: ProviderDescriptor
  readonly model: string
  readonly generate: (request: ProviderRequest) => Effect.Effect<ProviderResponse, ProviderError>
  /** The vendor's batch API, for providers whose descriptor says `capabilities.batch` (optional). */
  readonly batch?: ProviderBatch
}

/** The provider in use for one simulation pass. */
export class Provider extends Context.Service<Provider, ProviderShape>()("@standin/core/Provider") {}

/** What a run hands to providers that learn from data: the study and the pilot (never the holdout). */
export interface PilotDataShape {
  readonly study: StudyDefinition
  readonly pilot: ReadonlyArray<Respondent>
  readonly seed: number
}
export class PilotData extends Context.Service<PilotData, PilotDataShape>()("@standin/core/PilotData") {}

/**
 * The split-half ceiling's donors: half B of the holdout (the engine splits the holdout once, seeded, stratified
 * on arm and persona cell, and asks the ceiling only for half A's twins, so the people scored are never donors). The engine
 * provides it solely to providers whose descriptor says `baseline: "ceiling"`; it never reaches a model.
 */
export interface HoldoutDataShape {
  /** The donors (respondents identified by twin id). */
  readonly holdout: ReadonlyArray<Respondent>
  /** Donor twin id → index in `holdout`. */
  readonly twinIndex: ReadonlyMap<string, number>
  /**
   * The twins this build will be asked for (the other half), so the ceiling can match each to a distinct donor
   * of its cell. Without it, donors are drawn per twin (with replacement).
   */
  readonly twins?: ReadonlyArray<Pick<Twin, "id" | "arm" | "persona">>
}
export class HoldoutData extends Context.Service<HoldoutData, HoldoutDataShape>()(
  "@standin/core/HoldoutData",
) {}

/** A provider plugin as the CLI's static catalog holds it. */
export interface ProviderPlugin {
  readonly descriptor: ProviderDescriptor
  readonly layer: (spec: ProviderSpec) => Layer.Layer<Provider, PluginConfigError, PilotData | HoldoutData>
}

/** Checks a request against the provider's capabilities up front, before anything is spent. */
export const unsupportedElicitation = (
  descriptor: ProviderDescriptor,
  elicitation: Elicitation,
  model?: string,
): string | undefined =>
  descriptor.capabilities.elicitation.includes(elicitation)
    ? undefined
    : `${model === undefined ? descriptor.id : `${descriptor.id}:${model}`} cannot do "${elicitation}" elicitation (it supports: ${descriptor.capabilities.elicitation.join(", ")})`

/** Warnings for settings a provider cannot honour; these are stored with every answer. */
export const settingsWarnings = (
  descriptor: ProviderDescriptor,
  settings: GenerationSettings,
  model?: string,
): ReadonlyArray<string> => {
  const warnings: Array<string> = []
  const caps = descriptor.capabilities
  const name = model === undefined ? descriptor.id : `${descriptor.id}:${model}`
  if (settings.seed !== undefined && !caps.seed) warnings.push(`seed was ignored: ${name} has no seed`)
  if (settings.temperature !== undefined && !caps.temperature)
    warnings.push(`temperature was ignored: ${name} does not accept it`)
  if (settings.topP !== undefined && !caps.topP)
    warnings.push(`top_p was ignored: ${name} does not accept it`)
  return warnings
}
