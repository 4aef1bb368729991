import { existsSync } from "node:fs"
import { isAbsolute } from "node:path"
import { checkAnalyses } from "@standin/analysis"
import { baselines } from "@standin/baselines"
import type {
  ExperimentShape,
  FinetunerPlugin,
  MetricShape,
  ProviderPlugin,
  ProviderSpec,
  StudyDefinitionError,
} from "@standin/core"
import { InputError, parseProviderSpec } from "@standin/core"
import { plugin as exportFinetuner } from "@standin/finetuner-export"
import { plugin as openaiFinetuner } from "@standin/finetuner-openai"
import { plugin as togetherFinetuner } from "@standin/finetuner-together"
import { metric as coherence } from "@standin/metric-coherence"
import { metric as divergence } from "@standin/metric-divergence"
import { metric as heterogeneity } from "@standin/metric-heterogeneity"
import { metric as regression } from "@standin/metric-regression"
import { metric as subgroup } from "@standin/metric-subgroup"
import { plugin as anthropic } from "@standin/provider-anthropic"
import { plugin as google } from "@standin/provider-google"
import { plugin as openai } from "@standin/provider-openai"
import { plugin as openaiCompatible } from "@standin/provider-openai-compatible"
import { type CheckAnalyses, isStudyFolder, loadStudyFolder } from "@standin/study"
import { study as anes1996Vote } from "@standin/study-anes1996-vote"
import { study as bepsUkVote } from "@standin/study-beps-uk-vote"
import { study as brader2008 } from "@standin/study-brader2008-immigration-framing"
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
  /** Finetuners for `standin finetune` and `standin sweep` (none: those commands say so). */
  readonly finetuners?: ReadonlyArray<FinetunerPlugin>
  /**
   * Identifiability checks of declared analyses for `standin study check` (rank deficiency, separation),
   * from @standin/analysis. Absent: `study check` says the analyses were not checked.
   */
  readonly checkAnalyses?: CheckAnalyses
}

export const catalog: Catalog = {
  studies: [
    fingerprintConsent.experiment,
    anes1996Vote.experiment,
    bepsUkVote.experiment,
    brader2008.experiment,
  ],
  providers: [...baselines, openai, anthropic, google, openaiCompatible],
  metrics: [divergence, subgroup, heterogeneity, coherence, regression],
  finetuners: [openaiFinetuner, togetherFinetuner, exportFinetuner],
  checkAnalyses,
}

const suggest = (wanted: string, known: ReadonlyArray<string>): string => {
  const close = known.filter((id) => id.includes(wanted) || wanted.includes(id))
  return close.length > 0 ? ` Did you mean ${close.map((id) => `"${id}"`).join(" or ")}?` : ""
}

/** Whether `--study` text names a path rather than an installed study id. */
const looksLikePath = (text: string): boolean =>
  isAbsolute(text) || text.startsWith(".") || text.includes("/") || text.includes("\\")

/**
 * Resolves `--study`: an installed study id, or a path to a study folder (study.yaml or study.json and,
 * optionally, its data), loaded as it is — no code change, no rebuild. A bare word is an installed id
 * first; write `./name` for a folder that shares an installed study's name.
 */
export const findStudy = (
  catalog: Catalog,
  text: string,
): Effect.Effect<ExperimentShape, InputError | StudyDefinitionError> => {
  const found = catalog.studies.find((study) => study.descriptor.id === text)
  if (found !== undefined && !looksLikePath(text)) return Effect.succeed(found)
  if (looksLikePath(text) || isStudyFolder(text)) {
    if (!existsSync(text)) {
      return Effect.fail(
        new InputError({
          flag: "--study",
          message: `--study "${text}" is not an installed study, and there is no folder ${text}.`,
        }),
      )
    }
    return loadStudyFolder(text).pipe(Effect.map((folder) => folder.plugin.experiment))
  }
  const ids = catalog.studies.map((s) => s.descriptor.id)
  return Effect.fail(
    new InputError({
      flag: "--study",
      message: `unknown study "${text}". Installed studies: ${ids.join(", ")}; or give the path of a study folder (one holding study.yaml).${suggest(text, ids)}`,
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
  // "model@URL" sets a base URL; an "@" followed by something that is not one is a mistyped URL (a model
  // name may hold an "@", e.g. Vertex's claude-…@20250514, but never a scheme, host or port after it).
  if (parsed.baseUrl === undefined && parsed.model.includes("@")) {
    const tail = parsed.model.slice(parsed.model.lastIndexOf("@") + 1)
    if (
      parsed.provider === "openai-compatible" ||
      /^[a-z][a-z0-9+.-]*:|^localhost\b|^\d+\.\d+|[/:]/i.test(tail)
    )
      return Effect.fail(
        new InputError({
          flag: "--provider",
          message: `--provider "${text}": "${tail}" after "@" is not a base URL. A base URL starts with http:// or https://, e.g. ${plugin.descriptor.id}:${parsed.provider === "openai-compatible" ? "llama3.1:8b" : exampleModel(plugin.descriptor.id)}@http://127.0.0.1:8000/v1.`,
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
