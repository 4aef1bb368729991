import { createRequire } from "node:module"
import type {
  ExperimentShape,
  Fidelity,
  MetricScore,
  PluginInstance,
  ResultsEntry,
  ResultsFile,
  SyntheticRespondent,
} from "@standin/core"
import {
  FailureReason,
  ResultsSchemaVersion,
  reconstructedTexts,
  scaleOptions,
  scrubUrlCredentials,
  withoutUrlCredentials,
} from "@standin/core"
import { ceilingDescription } from "../ceiling.js"
import { exampleInstrument } from "../conversation.js"
import { definitionSha256 } from "../definition-hash.js"
import { derivedOf } from "../derived-results.js"
import { answerDistributions } from "../distributions.js"
import { metricFidelity, overallFidelity, pairedComparisons, type ResampledFidelity } from "../fidelity.js"
import { reasksOf, type SimulationTotals } from "../simulate.js"
import { worthOf } from "../worth.js"
import { ppiPilotOf, withPpi } from "./simulate-phase.js"
import type { EntryData, PreparedRun, ProviderSelection, RunOptions, ScoredEntry } from "./types.js"

const ownPackage = createRequire(import.meta.url)("../../package.json") as { version: string }
export const ENGINE_VERSION = ownPackage.version

const emptyFailures = (): Record<FailureReason, number> =>
  Object.fromEntries(FailureReason.literals.map((reason) => [reason, 0])) as Record<FailureReason, number>

const entryLabel = (selection: ProviderSelection): string => {
  const label =
    selection.plugin.descriptor.baseline !== undefined
      ? selection.plugin.descriptor.label
      : `${selection.plugin.descriptor.label}: ${selection.spec.model}${selection.spec.baseUrl === undefined ? "" : ` @ ${scrubUrlCredentials(selection.spec.baseUrl)}`}`
  return selection.tag === undefined ? label : `${label} (${selection.tag})`
}

const summarise = (
  id: string,
  selection: ProviderSelection,
  synthetic: ReadonlyArray<SyntheticRespondent>,
  totals: SimulationTotals,
  study: ExperimentShape["definition"],
): Omit<ResultsEntry, "scores" | "fidelity"> => {
  const failures = emptyFailures()
  const warningCounts = new Map<string, number>()
  const versions = new Set<string>()
  let inputTokens = 0
  let outputTokens = 0
  let valid = 0
  let failed = 0
  let reasks = 0
  for (const respondent of synthetic) {
    if (respondent.valid) valid++
    if (respondent.failure !== undefined) {
      failed++
      failures[respondent.failure.reason]++
    }
    reasks += reasksOf(respondent)
    inputTokens += respondent.usage.inputTokens
    outputTokens += respondent.usage.outputTokens
    for (const version of respondent.modelVersion.split(" | ")) if (version !== "") versions.add(version)
    for (const warning of respondent.warnings)
      warningCounts.set(warning, (warningCounts.get(warning) ?? 0) + 1)
  }
  const descriptor = selection.plugin.descriptor
  return {
    id,
    label: entryLabel(selection),
    provider: descriptor.id,
    providerVersion: descriptor.version,
    model: selection.spec.model,
    ...(descriptor.baseline === undefined ? {} : { baseline: descriptor.baseline }),
    ...(selection.finetune === undefined ? {} : { finetune: selection.finetune }),
    status: "ok",
    modelVersions: [...versions].sort(),
    warnings: [...warningCounts]
      .map(([message, count]) => ({ message, count }))
      .sort((a, b) => b.count - a.count || a.message.localeCompare(b.message)),
    counts: { twins: synthetic.length, valid, invalid: synthetic.length - valid - failed, failed, reasks },
    failures,
    usage: { calls: totals.calls, inputTokens, outputTokens, costUsd: totals.costUsd },
    syntheticFile: `synthetic/${id}.csv`,
    distributions: answerDistributions(study, synthetic),
  }
}

const skippedEntry = (
  id: string,
  selection: ProviderSelection,
  reason: string,
  study: ExperimentShape["definition"],
): ResultsEntry => ({
  ...summarise(id, selection, [], { calls: 0, cachedCalls: 0, costUsd: 0 }, study),
  status: "skipped",
  statusReason: reason,
  syntheticFile: null,
  scores: [],
  fidelity: { perMetric: {}, overall: { value: null, ci: null } },
})

/** The overall fidelity, flagged when some metric could not be normalised and so is not in its mean. */
const withLeftOut = (overall: Fidelity, perMetric: ReadonlyMap<string, ResampledFidelity>): Fidelity => {
  const left = [...perMetric].filter(([, f]) => f.fidelity.value === null).map(([metric]) => metric)
  if (left.length === 0 || overall.value === null) return overall
  const note = `the mean over ${perMetric.size - left.length} of ${perMetric.size} metrics: ${left.join(", ")} could not be normalised (no headline, or floor and ceiling equal) and ${left.length === 1 ? "is" : "are"} left out`
  return { ...overall, flag: overall.flag === undefined ? note : `${overall.flag}; ${note}` }
}

const withoutReplicates = (score: MetricScore): MetricScore => {
  const { headlineReplicates: _replicates, ...rest } = score
  return rest
}

/**
 * The run's last phase: normalise every entry's scores between the uniform floor and the human ceiling, compare
 * the entries pairwise, add each entry's PPI block, and write the results file (manifest, study, metrics, human
 * distributions, entries).
 */
export const reportRun = <E>(
  options: RunOptions<E>,
  prepared: PreparedRun,
  scored: ReadonlyArray<ScoredEntry>,
  pilotAnswers: ReadonlyMap<string, ReadonlyArray<SyntheticRespondent>>,
): { readonly results: ResultsFile; readonly entries: ReadonlyArray<EntryData> } => {
  const { experiment } = options
  const { study, human, split, holdout, halves } = prepared
  const scoresOf = (role: "floor" | "ceiling") => {
    const found = scored.find(
      (item) => !("skipped" in item) && item.selection.plugin.descriptor.baseline === role,
    )
    return found === undefined || "skipped" in found ? undefined : found.halfScores
  }
  const floor = scoresOf("floor")
  const ceiling = scoresOf("ceiling")
  const fidelities = scored.map((item) => {
    if ("skipped" in item) return undefined
    const twinsAsked = item.synthetic.length
    const validRate = twinsAsked === 0 ? 0 : item.synthetic.filter((r) => r.valid).length / twinsAsked
    const perMetric = new Map<string, ResampledFidelity>()
    for (const score of item.halfScores) {
      perMetric.set(
        score.metric,
        metricFidelity(
          score,
          floor?.find((s) => s.metric === score.metric),
          ceiling?.find((s) => s.metric === score.metric),
          validRate,
        ),
      )
    }
    return { validRate, perMetric, overall: overallFidelity([...perMetric.values()]) }
  })
  const paired = pairedComparisons(
    scored.flatMap((item, index) =>
      "skipped" in item
        ? []
        : [
            {
              id: item.id,
              reference: item.selection.plugin.descriptor.baseline !== undefined,
              overall: fidelities[index]!.overall,
            },
          ],
    ),
  )
  const entries: Array<EntryData> = scored.map((item, index) => {
    if ("skipped" in item)
      return { entry: skippedEntry(item.id, item.selection, item.skipped, study), synthetic: [] }
    const fidelity = fidelities[index]!
    const perMetric: Record<string, Fidelity> = {}
    for (const [metric, value] of fidelity.perMetric) perMetric[metric] = value.fidelity
    const comparison = paired.get(item.id)
    const reference = item.selection.plugin.descriptor.baseline !== undefined
    const entry: ResultsEntry = {
      ...summarise(item.id, item.selection, item.synthetic, item.totals, study),
      scores: item.scores.map(withoutReplicates),
      fidelity: {
        perMetric,
        overall: withLeftOut(fidelity.overall.fidelity, fidelity.perMetric),
        validRate: fidelity.validRate,
        ...(comparison === undefined
          ? {}
          : { comparisons: comparison.comparisons, rank: reference ? null : comparison.rank }),
      },
    }
    const pilotSynthetic = pilotAnswers.get(item.id) ?? []
    if (options.ppi === undefined || !withPpi(options, prepared, item.selection))
      return { entry, synthetic: item.synthetic }
    const ppi = worthOf({
      study,
      pilot: ppiPilotOf(prepared, item.selection),
      pilotSynthetic,
      holdout,
      holdoutSynthetic: item.synthetic,
      entry,
      settings: options.ppi,
    })
    return { entry: { ...entry, ppi }, synthetic: item.synthetic, pilotSynthetic }
  })

  const plugins: Array<PluginInstance> = [
    {
      kind: "experiment",
      id: experiment.descriptor.id,
      version: experiment.descriptor.version,
      params: {},
    },
    ...options.providers.map(
      (selection): PluginInstance => ({
        kind: "provider",
        id: selection.plugin.descriptor.id,
        version: selection.plugin.descriptor.version,
        // no credential in a base URL (user-info) reaches the results, the site or its downloads
        params: withoutUrlCredentials({
          model: selection.spec.model,
          ...(selection.spec.baseUrl === undefined ? {} : { baseUrl: selection.spec.baseUrl }),
          ...(selection.spec.options === undefined ? {} : { options: selection.spec.options }),
        }),
      }),
    ),
    ...options.metrics.map(
      (metric): PluginInstance => ({
        kind: "metric",
        id: metric.descriptor.id,
        version: metric.descriptor.version,
        params: {},
      }),
    ),
  ]
  const reconstructed = reconstructedTexts(study)
  const results: ResultsFile = {
    schemaVersion: ResultsSchemaVersion,
    generator: { name: "standin", version: ENGINE_VERSION },
    study: {
      id: study.id,
      version: study.version,
      title: study.title,
      citation: study.citation,
      definitionSha256: definitionSha256(study),
      items: study.items.map((item) => ({
        id: item.id,
        label: item.label,
        role: item.role,
        options: [...scaleOptions(item.scale)],
      })),
      ...derivedOf(study),
      arms: study.arms.map((arm) => ({ id: arm.id, label: arm.label })),
      ...(study.private === true ? { private: true } : {}),
      ...(study.notes === undefined || study.notes.length === 0 ? {} : { notes: study.notes }),
      ...(reconstructed.length === 0 ? {} : { reconstructed }),
      instrument: exampleInstrument(experiment, options.includeDemographics),
    },
    manifest: {
      seed: options.seed,
      pilot: options.pilot,
      pilotSize: split.pilot.length,
      holdoutSize: split.holdout.length,
      holdoutCap: options.holdoutCap ?? null,
      splitSha256: split.sha256,
      replicates: options.replicates,
      elicitation: options.elicitation,
      settings: options.settings,
      includeDemographics: options.includeDemographics,
      maxReasks: options.maxReasks,
      ...(options.optionOrder === undefined || options.optionOrder === "as-shown"
        ? {}
        : { optionOrder: options.optionOrder }),
      bootstrapResamples: options.bootstrap,
      ...(options.providers.some((selection) => selection.plugin.descriptor.baseline === "ceiling")
        ? {
            ceiling: {
              halfA: halves.scored.length,
              halfB: halves.donors.length,
              description: ceilingDescription,
            },
          }
        : {}),
      plugins,
      packages: { "@standin/engine": ENGINE_VERSION },
      data: { file: study.data.file, sha256: human.sha256, rows: human.respondents.length },
    },
    metrics: options.metrics.map((metric) => ({
      id: metric.descriptor.id,
      version: metric.descriptor.version,
      label: metric.descriptor.label,
      family: metric.descriptor.family,
      description: metric.descriptor.description,
      headline: metric.descriptor.headline,
      direction: metric.descriptor.direction,
      measures: metric.descriptor.measures.map((measure) => ({
        id: measure.id,
        label: measure.label,
        description: measure.description,
        direction: measure.direction,
      })),
      citations: metric.descriptor.citations.map((citation) => ({ ...citation })),
    })),
    human: { n: holdout.length, distributions: answerDistributions(study, holdout) },
    entries: entries.map((data) => data.entry),
  }
  return { results, entries }
}
