import { existsSync } from "node:fs"
import { isAbsolute } from "node:path"
import type {
  ExperimentShape,
  FinetunerPlugin,
  MetricShape,
  ProviderPlugin,
  ProviderSpec,
  StudyDefinitionError,
} from "@standin/core"
import { InputError, parseProviderSpec } from "@standin/core"
import type { MetricSource } from "@standin/engine"
import { type CheckAnalyses, isStudyFolder, loadStudyFolder } from "@standin/study"
import { Effect } from "effect"

/**
 * The catalog of installed plugins. No global registry: what the CLI can run is exactly what is
 * listed here, and ids resolve through the pure functions below.
 */
export interface Catalog {
  readonly studies: ReadonlyArray<ExperimentShape>
  readonly providers: ReadonlyArray<ProviderPlugin>
  readonly metrics: ReadonlyArray<MetricShape>
  /** Where scoring worker threads load each metric from, by metric id; a metric without one is scored in-thread. */
  readonly metricSources?: ReadonlyMap<string, MetricSource>
  /** Finetuners for `standin finetune` and `standin sweep` (none: those commands say so). */
  readonly finetuners?: ReadonlyArray<FinetunerPlugin>
  /**
   * Identifiability checks of declared analyses for `standin study check` (rank deficiency, separation),
   * from @standin/analysis. Absent: `study check` says the analyses were not checked.
   */
  readonly checkAnalyses?: CheckAnalyses
}

/** The parts of the catalog a command may need; each is loaded only when asked for (start-up time). */
export type CatalogPart = "studies" | "providers" | "metrics" | "finetuners" | "checkAnalyses"

export const catalogParts: ReadonlyArray<CatalogPart> = [
  "studies",
  "providers",
  "metrics",
  "finetuners",
  "checkAnalyses",
]

/** The installed metrics, in the order results list them: each module exports `metric`. */
const metricModules = [
  "@standin/metric-divergence",
  "@standin/metric-subgroup",
  "@standin/metric-heterogeneity",
  "@standin/metric-coherence",
  "@standin/metric-regression",
] as const

/**
 * The installed plugins, imported only for the parts asked for: `standin analyze` does not load the model SDKs,
 * `standin providers` no metric. A part not asked for is empty (absent for the optional ones).
 */
export const loadCatalog = async (parts: ReadonlyArray<CatalogPart> = catalogParts): Promise<Catalog> => {
  const wants = new Set(parts)
  const [studies, providers, loadedMetrics, finetuners, checkAnalyses] = await Promise.all([
    wants.has("studies")
      ? Promise.all([
          import("@standin/study-fingerprint-consent"),
          import("@standin/study-anes1996-vote"),
          import("@standin/study-beps-uk-vote"),
          import("@standin/study-brader2008-immigration-framing"),
        ]).then((modules) => modules.map((m) => m.study.experiment))
      : Promise.resolve([]),
    wants.has("providers")
      ? Promise.all([
          import("@standin/baselines"),
          import("@standin/provider-openai"),
          import("@standin/provider-anthropic"),
          import("@standin/provider-google"),
          import("@standin/provider-openai-compatible"),
        ]).then(([b, openai, anthropic, google, compatible]) => [
          ...b.baselines,
          openai.plugin,
          anthropic.plugin,
          google.plugin,
          compatible.plugin,
        ])
      : Promise.resolve([]),
    wants.has("metrics")
      ? Promise.all(
          metricModules.map(async (specifier) => {
            const { metric } = (await import(specifier)) as { metric: MetricShape }
            const source: MetricSource = { module: import.meta.resolve(specifier), name: "metric" }
            return { metric, source }
          }),
        )
      : Promise.resolve([]),
    wants.has("finetuners")
      ? Promise.all([
          import("@standin/finetuner-openai"),
          import("@standin/finetuner-together"),
          import("@standin/finetuner-export"),
        ]).then((loaded) => loaded.map((m) => m.plugin))
      : Promise.resolve(undefined),
    wants.has("checkAnalyses")
      ? import("@standin/analysis").then((m) => m.checkAnalyses)
      : Promise.resolve(undefined),
  ])
  const metrics = loadedMetrics.map((loaded) => loaded.metric)
  // where scoring worker threads load each metric from: the same module, resolved from here
  const metricSources = new Map(loadedMetrics.map((loaded) => [loaded.metric.descriptor.id, loaded.source]))
  return {
    studies,
    providers,
    metrics,
    metricSources,
    ...(finetuners === undefined ? {} : { finetuners }),
    ...(checkAnalyses === undefined ? {} : { checkAnalyses }),
  }
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
