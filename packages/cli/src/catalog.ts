import { baselines } from "@standin/baselines"
import type { ExperimentShape, MetricShape, ProviderPlugin, ProviderSpec } from "@standin/core"
import { InputError, parseProviderSpec } from "@standin/core"
import { plugin as anthropic } from "@standin/provider-anthropic"
import { plugin as google } from "@standin/provider-google"
import { plugin as openai } from "@standin/provider-openai"
import { plugin as openaiCompatible } from "@standin/provider-openai-compatible"
import { study as fingerprintConsent } from "@standin/study-fingerprint-consent"
import { Effect } from "effect"

/**
 * The static catalog of installed plugins. No global registry: what the CLI can run is exactly what is
 * listed here, and ids resolve through the pure functions below.
 */
export interface Catalog {
  readonly studies: ReadonlyArray<ExperimentShape>
  readonly providers: ReadonlyArray<ProviderPlugin>
  readonly metrics: ReadonlyArray<MetricShape>
}

export const catalog: Catalog = {
  studies: [fingerprintConsent.experiment],
  providers: [...baselines, openai, anthropic, google, openaiCompatible],
  metrics: [],
}

const suggest = (wanted: string, known: ReadonlyArray<string>): string => {
  const close = known.filter((id) => id.includes(wanted) || wanted.includes(id))
  return close.length > 0 ? ` Did you mean ${close.map((id) => `"${id}"`).join(" or ")}?` : ""
}

export const findStudy = (catalog: Catalog, id: string): Effect.Effect<ExperimentShape, InputError> => {
  const found = catalog.studies.find((study) => study.descriptor.id === id)
  return found !== undefined
    ? Effect.succeed(found)
    : Effect.fail(
        new InputError({
          flag: "--study",
          message: `unknown study "${id}". Installed studies: ${catalog.studies.map((s) => s.descriptor.id).join(", ")}.${suggest(
            id,
            catalog.studies.map((s) => s.descriptor.id),
          )}`,
        }),
      )
}

/** Resolves `provider[:model][@baseURL]` (also `baseline:<id>` for baselines) to an installed plugin. */
export const findProvider = (
  catalog: Catalog,
  text: string,
): Effect.Effect<{ readonly plugin: ProviderPlugin; readonly spec: ProviderSpec }, InputError> => {
  const parsed = parseProviderSpec(text.startsWith("baseline:") ? text.slice("baseline:".length) : text)
  if ("error" in parsed)
    return Effect.fail(
      new InputError({ flag: "--provider", message: `cannot read --provider "${text}": ${parsed.error}.` }),
    )
  const plugin = catalog.providers.find((candidate) => candidate.descriptor.id === parsed.provider)
  const ids = catalog.providers.map((p) => p.descriptor.id)
  if (plugin === undefined) {
    return Effect.fail(
      new InputError({
        flag: "--provider",
        message: `unknown provider "${parsed.provider}" in --provider "${text}". Installed providers: ${ids.join(", ")}.${suggest(parsed.provider, ids)}`,
      }),
    )
  }
  const model = parsed.model === "" ? plugin.descriptor.defaultModel : parsed.model
  if (model === undefined) {
    return Effect.fail(
      new InputError({
        flag: "--provider",
        message: `--provider "${text}" names no model: write it as ${plugin.descriptor.id}:<model>, e.g. ${plugin.descriptor.id}:${exampleModel(plugin.descriptor.id)}.`,
      }),
    )
  }
  return Effect.succeed({ plugin, spec: { ...parsed, model } })
}

const exampleModel = (provider: string): string =>
  ({
    openai: "gpt-4o-mini",
    anthropic: "claude-haiku-4-5",
    google: "gemini-2.5-flash",
    "openai-compatible": "llama3.1:8b@http://127.0.0.1:11434/v1",
  })[provider] ?? "<model>"
