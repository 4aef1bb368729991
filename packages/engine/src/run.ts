import { createRequire } from "node:module"
import type {
  Elicitation,
  ExperimentShape,
  Fidelity,
  GenerationSettings,
  MetricScore,
  MetricShape,
  OptionOrderMode,
  PilotDesign,
  PluginInstance,
  ProviderPlugin,
  ProviderShape,
  ProviderSpec,
  Respondent,
  ResultsEntry,
  ResultsFile,
  StudyDataError,
  SyntheticRespondent,
  Twin,
} from "@standin/core"
import {
  FailureReason,
  HoldoutData,
  InputError,
  type MetricError,
  PilotData,
  Provider,
  ResultsSchemaVersion,
  scaleOptions,
  scrubUrlCredentials,
  slugify,
  twinOf,
  twinPages,
  withoutUrlCredentials,
} from "@standin/core"
import { Context, Effect, Layer } from "effect"
import { ceilingDescription, ceilingHalvings } from "./ceiling.js"
import { exampleInstrument } from "./conversation.js"
import { definitionSha256 } from "./definition-hash.js"
import { answerDistributions } from "./distributions.js"
import { metricFidelity, overallFidelity, pairedComparisons, type ResampledFidelity } from "./fidelity.js"
import {
  type CallExecutor,
  directExecutor,
  reasksOf,
  refuseUnsupportedElicitation,
  type SimulationTotals,
  simulate,
} from "./simulate.js"
import { type Split, splitRespondents } from "./split.js"
import { type PpiSettings, pilotTwins, separatePilotTwins, worthOf } from "./worth.js"

const ownPackage = createRequire(import.meta.url)("../package.json") as { version: string }
export const ENGINE_VERSION = ownPackage.version

/** A provider as the run will use it: the plugin, the parsed spec, and the entry label. */
export interface ProviderSelection {
  readonly plugin: ProviderPlugin
  readonly spec: ProviderSpec
  /** Extra result metadata for finetuned models. */
  readonly finetune?: ResultsEntry["finetune"]
  /**
   * The pilot this provider may learn from, when it is not the run's own (e.g. each point of a sweep
   * draws its own pilot from the pilot pool). Never overlaps the holdout: the engine checks it.
   */
  readonly pilot?: ReadonlyArray<Respondent>
  /**
   * The pilot people whose own twins this provider answers for prediction-powered inference, when they are not
   * its `pilot` (a sweep gives the base model every point's pilot at once). Never given to the provider.
   */
  readonly ppiPilot?: ReadonlyArray<Respondent>
  /** A label suffix telling entries of the same provider apart (e.g. the pilot design of a sweep point). */
  readonly tag?: string
}

export type RunEvent =
  | { readonly _tag: "Loaded"; readonly respondents: number; readonly origin: string; readonly path: string }
  | { readonly _tag: "Split"; readonly pilot: number; readonly holdout: number }
  | { readonly _tag: "ProviderSkipped"; readonly entry: string; readonly reason: string }
  | { readonly _tag: "ProviderStarted"; readonly entry: string; readonly total: number }
  | {
      readonly _tag: "TwinDone"
      readonly entry: string
      readonly done: number
      readonly total: number
      readonly failed: boolean
      readonly costUsd: number
    }
  | { readonly _tag: "ProviderFinished"; readonly entry: string; readonly totals: SimulationTotals }
  | { readonly _tag: "Scoring"; readonly entry: string; readonly metric: string }

export interface RunOptions<E> {
  readonly experiment: ExperimentShape
  readonly providers: ReadonlyArray<ProviderSelection>
  readonly metrics: ReadonlyArray<MetricShape>
  readonly pilot: PilotDesign
  readonly holdoutCap?: number
  /** A split made beforehand (e.g. a sweep's fixed holdout and pilot pool); `pilot` then only describes it. */
  readonly split?: Split
  readonly seed: number
  readonly replicates: number
  readonly elicitation: Elicitation
  readonly settings: GenerationSettings
  readonly includeDemographics: boolean
  readonly maxReasks: number
  /** How options are ordered in prompts (default "as-shown"); recorded in the manifest when not as shown. */
  readonly optionOrder?: OptionOrderMode
  readonly bootstrap: number
  readonly minCellSize: number
  readonly concurrency: number
  /** How calls are executed (cache, rate limits, retries, budget); defaults to calling the provider directly. */
  readonly executor?: (
    provider: ProviderShape,
    selection: ProviderSelection,
    /** First asks the provider will get (twins × replicates), before re-asks. */
    plan: { readonly calls: number },
  ) => Effect.Effect<CallExecutor<E>, E>
  readonly onEvent?: (event: RunEvent) => void
  /** Simulate the pilot's own twins too (never scored) and add each entry's `ppi` block (worth.ts). */
  readonly ppi?: PpiSettings
}

export interface EntryData {
  readonly entry: ResultsEntry
  readonly synthetic: ReadonlyArray<SyntheticRespondent>
  /** With PPI: the answers of the pilot people's own twins (ids `p00001…`, in `ppiPilot`/pilot order). */
  readonly pilotSynthetic?: ReadonlyArray<SyntheticRespondent>
}

export interface RunOutcome {
  readonly results: ResultsFile
  readonly entries: ReadonlyArray<EntryData>
  readonly split: Split
  readonly holdout: ReadonlyArray<Respondent>
}

const emptyFailures = (): Record<FailureReason, number> =>
  Object.fromEntries(FailureReason.literals.map((reason) => [reason, 0])) as Record<FailureReason, number>

const entryId = (selection: ProviderSelection, taken: Set<string>): string => {
  const name =
    selection.plugin.descriptor.baseline !== undefined
      ? selection.plugin.descriptor.id
      : slugify(`${selection.spec.provider}-${selection.spec.model}`)
  const base = selection.tag === undefined ? name : `${name}-${slugify(selection.tag)}`
  let id = base
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`
  taken.add(id)
  return id
}

const entryLabel = (selection: ProviderSelection): string => {
  const label =
    selection.plugin.descriptor.baseline !== undefined
      ? selection.plugin.descriptor.label
      : `${selection.plugin.descriptor.label}: ${selection.spec.model}${selection.spec.baseUrl === undefined ? "" : ` @ ${scrubUrlCredentials(selection.spec.baseUrl)}`}`
  return selection.tag === undefined ? label : `${label} (${selection.tag})`
}

/** Pseudonymous twin ids: the human's id is private and never leaves the run. */
export const twinIdFor = (index: number): string => `t${String(index + 1).padStart(5, "0")}`

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

/** Scores as results hold them: the per-resample headline values stay in memory. */
/**
 * Two halves' scores of one metric as one: the headline and each resample's value averaged (null or NaN when either
 * half could not be scored). Intervals without per-resample values average their bounds.
 */
export const crossFitted = (a: MetricScore, b: MetricScore): MetricScore => {
  const value =
    a.headline.value === null || b.headline.value === null ? null : (a.headline.value + b.headline.value) / 2
  const ra = a.headlineReplicates
  const rb = b.headlineReplicates
  const ci =
    a.headline.ci === null || b.headline.ci === null
      ? null
      : {
          lower: (a.headline.ci.lower + b.headline.ci.lower) / 2,
          upper: (a.headline.ci.upper + b.headline.ci.upper) / 2,
          level: a.headline.ci.level,
          method: a.headline.ci.method,
          description: "mean of the two halves' bounds",
        }
  const { headlineReplicates: _replicates, ...rest } = a
  return {
    ...rest,
    headline: { measure: a.headline.measure, value, ci },
    ...(ra !== undefined && rb !== undefined && ra.length === rb.length
      ? { headlineReplicates: ra.map((x, r) => (x + rb[r]!) / 2) }
      : {}),
  }
}

/**
 * Several halvings' cross-fitted scores of one metric as one (the ceiling's fidelity figure): headline and each
 * resample's value averaged over the halvings (null or NaN when any could not be scored).
 */
export const averagedScores = (scores: ReadonlyArray<MetricScore>): MetricScore => {
  const first = scores[0]!
  if (scores.length === 1) return first
  const values = scores.map((score) => score.headline.value)
  const value = values.some((v) => v === null)
    ? null
    : values.reduce((sum: number, v) => sum + v!, 0) / scores.length
  const intervals = scores.map((score) => score.headline.ci)
  const ci = intervals.some((interval) => interval === null)
    ? null
    : {
        lower: intervals.reduce((sum, interval) => sum + interval!.lower, 0) / scores.length,
        upper: intervals.reduce((sum, interval) => sum + interval!.upper, 0) / scores.length,
        level: first.headline.ci!.level,
        method: first.headline.ci!.method,
        description: `mean of ${scores.length} halvings' bounds`,
      }
  const replicates = scores.map((score) => score.headlineReplicates)
  const length = replicates[0]?.length
  const aligned = replicates.every((r) => r !== undefined && r.length === length)
  const { headlineReplicates: _replicates, ...rest } = first
  return {
    ...rest,
    headline: { measure: first.headline.measure, value, ci },
    ...(aligned && length !== undefined
      ? {
          headlineReplicates: Array.from(
            { length },
            (_, r) => replicates.reduce((sum, values) => sum + values![r]!, 0) / scores.length,
          ),
        }
      : {}),
  }
}

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
 * The run: load the human data, split it (seeded) into pilot and holdout, simulate one twin (× replicates)
 * per holdout respondent through every provider — baselines and models alike — score each against the
 * holdout with every metric, and normalise each score between the uniform floor and the human ceiling.
 */
export const runStudy = <E>(
  options: RunOptions<E>,
): Effect.Effect<RunOutcome, StudyDataError | InputError | MetricError | E> =>
  Effect.gen(function* () {
    const { experiment } = options
    const study = experiment.definition
    const emit = options.onEvent ?? (() => {})
    yield* refuseUnsupportedElicitation(options.providers, options.elicitation)
    const human = yield* experiment.loadHumanData
    emit({ _tag: "Loaded", respondents: human.respondents.length, origin: human.origin, path: human.path })
    const split =
      options.split === undefined
        ? yield* splitRespondents(study, human.respondents, options.pilot, options.seed, options.holdoutCap)
        : options.split
    const holdoutIds = new Set(split.holdout.map((respondent) => respondent.id))
    for (const selection of options.providers) {
      const leaked = selection.pilot?.find((respondent) => holdoutIds.has(respondent.id))
      if (leaked !== undefined) {
        return yield* new InputError({
          message: `a pilot given to ${selection.plugin.descriptor.id} holds a holdout respondent (data row ${leaked.row}); pilots and the holdout must never overlap.`,
        })
      }
    }
    emit({ _tag: "Split", pilot: split.pilot.length, holdout: split.holdout.length })
    const twins: ReadonlyArray<Twin> = split.holdout.map((respondent, index) =>
      twinOf(study, respondent, twinIdFor(index)),
    )
    const holdout: ReadonlyArray<Respondent> = split.holdout.map((respondent, index) => ({
      ...respondent,
      id: twinIdFor(index),
    }))
    // The ceiling: the holdout split into halves A and B. Half A's twins are answered by half-B donors and half B's
    // by half-A donors; each half is scored only against its own humans, so the people scored are never donors. The
    // ceiling's fidelity figure averages several such halvings (ceiling.ts); the first is the one models are scored on.
    const halvings = ceilingHalvings(study.id, holdout, options.seed, study.subgroups)
    const halves = halvings[0]!
    const inHalfA = halvings.map((halving) => new Set(halving.scored.map((respondent) => respondent.id)))
    const halfOf = (twinId: string, halving = 0): "a" | "b" => (inHalfA[halving]!.has(twinId) ? "a" : "b")
    const humansOf = (halving: number) => ({ a: halvings[halving]!.scored, b: halvings[halving]!.donors })
    const donorsFor = (people: ReadonlyArray<Respondent>, asked: ReadonlyArray<Twin>) =>
      Layer.succeed(HoldoutData, {
        holdout: people,
        twinIndex: new Map(people.map((r, index) => [r.id, index])),
        twins: asked,
      })
    const pilotLayer = Layer.succeed(PilotData, { study, pilot: split.pilot, seed: options.seed })
    const noHoldout = Layer.succeed(HoldoutData, { holdout: [], twinIndex: new Map() })
    /**
     * What one provider is asked: all twins, or (the ceiling) for every halving each half's twins with the other
     * half as donors.
     */
    const passesFor = (isCeiling: boolean) =>
      isCeiling
        ? halvings.flatMap((halving, index) =>
            (["a", "b"] as const).map((half) => {
              const asked = twins.filter((twin) => halfOf(twin.id, index) === half)
              return {
                halving: index,
                twins: asked,
                donors: donorsFor(half === "a" ? halving.donors : halving.scored, asked),
              }
            }),
          )
        : [{ halving: 0, twins, donors: noHoldout }]

    const taken = new Set<string>()
    const pilotOf = (selection: ProviderSelection) => selection.pilot ?? split.pilot
    const ppiPilotOf = (selection: ProviderSelection) => selection.ppiPilot ?? pilotOf(selection)
    const withPpi = (selection: ProviderSelection) =>
      options.ppi !== undefined && ppiPilotOf(selection).length > 0
    const pilotAnswers = new Map<string, ReadonlyArray<SyntheticRespondent>>()
    const simulated: Array<
      | {
          id: string
          selection: ProviderSelection
          synthetic: ReadonlyArray<SyntheticRespondent>
          /** The ceiling's answers for its further halvings (scored for fidelity only). */
          furtherHalvings: ReadonlyArray<ReadonlyArray<SyntheticRespondent>>
          totals: SimulationTotals
        }
      | { id: string; selection: ProviderSelection; skipped: string }
    > = []
    for (const selection of options.providers) {
      const id = entryId(selection, taken)
      const isCeiling = selection.plugin.descriptor.baseline === "ceiling"
      const pilotData =
        selection.pilot === undefined
          ? pilotLayer
          : Layer.succeed(PilotData, { study, pilot: selection.pilot, seed: options.seed })
      const passes = passesFor(isCeiling)
      const providers: Array<ProviderShape> = []
      let refused: string | undefined
      for (const pass of passes) {
        const built = yield* Layer.build(
          selection.plugin.layer(selection.spec).pipe(Layer.provide(Layer.merge(pilotData, pass.donors))),
        ).pipe(
          Effect.map((context) => ({ ok: true as const, provider: Context.get(context, Provider) })),
          Effect.catchTag("PluginConfigError", (error) =>
            Effect.succeed({ ok: false as const, reason: error.message }),
          ),
        )
        if (!built.ok) {
          refused = built.reason
          break
        }
        providers.push(built.provider)
      }
      if (refused !== undefined) {
        emit({ _tag: "ProviderSkipped", entry: id, reason: refused })
        simulated.push({ id, selection, skipped: refused })
        continue
      }
      // the pilot's own twins (worth.ts) ride along with the first pass and are never scored
      const ownPilot = withPpi(selection) ? pilotTwins(ppiPilotOf(selection), study) : []
      const total =
        (passes.reduce((sum, pass) => sum + pass.twins.length, 0) + ownPilot.length) * options.replicates
      let done = 0
      const byHalving: Array<Array<SyntheticRespondent>> = halvings.map(() => [])
      let totals: SimulationTotals = { calls: 0, cachedCalls: 0, costUsd: 0 }
      emit({ _tag: "ProviderStarted", entry: id, total })
      for (const [index, pass] of passes.entries()) {
        const provider = providers[index]!
        const passTwins = index === 0 ? [...pass.twins, ...ownPilot] : pass.twins
        const executor =
          options.executor === undefined
            ? (directExecutor(provider) as CallExecutor<E>)
            : yield* options.executor(provider, selection, {
                calls:
                  options.replicates *
                  passTwins.reduce((total, twin) => total + twinPages(study, twin).length, 0),
              })
        const result = yield* simulate(
          {
            experiment,
            provider,
            twins: passTwins,
            replicates: options.replicates,
            elicitation: options.elicitation,
            settings: options.settings,
            includeDemographics: options.includeDemographics,
            maxReasks: options.maxReasks,
            ...(options.optionOrder === undefined ? {} : { optionOrder: options.optionOrder }),
            seed: options.seed,
            concurrency: selection.plugin.descriptor.baseline === undefined ? options.concurrency : 1,
            onDone: (respondent, outcome) => {
              done++
              emit({
                _tag: "TwinDone",
                entry: id,
                done,
                total,
                failed: respondent.failure !== undefined,
                costUsd: outcome.costUsd,
              })
            },
          },
          executor,
        )
        byHalving[pass.halving]!.push(...result.synthetic)
        totals = {
          calls: totals.calls + result.totals.calls,
          cachedCalls: totals.cachedCalls + result.totals.cachedCalls,
          costUsd:
            totals.costUsd === null || result.totals.costUsd === null
              ? null
              : totals.costUsd + result.totals.costUsd,
        }
      }
      // In holdout order, whatever the passes.
      if (passes.length > 1)
        for (const answers of byHalving)
          answers.sort((a, b) => a.twinId.localeCompare(b.twinId) || a.replicate - b.replicate)
      emit({ _tag: "ProviderFinished", entry: id, totals })
      const parts = separatePilotTwins(byHalving[0]!, ownPilot)
      pilotAnswers.set(id, parts.pilot)
      simulated.push({
        id,
        selection,
        synthetic: parts.holdout,
        furtherHalvings: isCeiling ? byHalving.slice(1) : [],
        totals,
      })
    }

    const metricOptions = {
      seed: options.seed,
      resamples: options.bootstrap,
      alpha: 0.05,
      minCellSize: options.minCellSize,
    }
    const scored: Array<
      | {
          id: string
          selection: ProviderSelection
          synthetic: ReadonlyArray<SyntheticRespondent>
          totals: SimulationTotals
          scores: ReadonlyArray<MetricScore>
          /** The scores fidelity is computed from: the two halves' scores averaged (see below). */
          halfScores: ReadonlyArray<MetricScore>
        }
      | { id: string; selection: ProviderSelection; skipped: string }
    > = []
    // Fidelity compares like with like: each half's humans against twins of the same n/2 people — the ceiling's
    // answered by the other half's donors, the floor's and every model's by themselves. The two halves' headlines
    // (and per-resample values) are averaged, so every figure (sign-recovery F1, whose power grows with n,
    // worst-level figures, distances) is compared at one sample size while all the data is used. The entries'
    // reported scores are on the whole holdout, except the ceiling's, which are half A's (donors never scored).
    const hasCeiling = simulated.some(
      (item) => !("skipped" in item) && item.selection.plugin.descriptor.baseline === "ceiling",
    )
    for (const item of simulated) {
      if ("skipped" in item) {
        scored.push(item)
        continue
      }
      const isCeiling = item.selection.plugin.descriptor.baseline === "ceiling"
      const scores: Array<MetricScore> = []
      const halfScores: Array<MetricScore> = []
      const answersOf = (halving: number) =>
        halving === 0 ? item.synthetic : item.furtherHalvings[halving - 1]!
      const ofHalf = (half: "a" | "b", halving: number) =>
        answersOf(halving).filter((twin) => halfOf(twin.twinId, halving) === half)
      for (const metric of options.metrics) {
        emit({ _tag: "Scoring", entry: item.id, metric: metric.descriptor.id })
        const onHalf = (half: "a" | "b", halving = 0) =>
          metric.score({
            study,
            human: humansOf(halving)[half],
            synthetic: ofHalf(half, halving),
            options: metricOptions,
          })
        if (isCeiling) {
          const a = yield* onHalf("a")
          scores.push(a)
          const perHalving = [crossFitted(a, yield* onHalf("b"))]
          for (let halving = 1; halving <= item.furtherHalvings.length; halving++)
            perHalving.push(crossFitted(yield* onHalf("a", halving), yield* onHalf("b", halving)))
          halfScores.push(averagedScores(perHalving))
          continue
        }
        const score = yield* metric.score({
          study,
          human: holdout,
          synthetic: item.synthetic,
          options: metricOptions,
        })
        scores.push(score)
        halfScores.push(hasCeiling ? crossFitted(yield* onHalf("a"), yield* onHalf("b")) : score)
      }
      scored.push({ ...item, scores, halfScores })
    }
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
      if (options.ppi === undefined || !withPpi(item.selection)) return { entry, synthetic: item.synthetic }
      const ppi = worthOf({
        study,
        pilot: ppiPilotOf(item.selection),
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
        arms: study.arms.map((arm) => ({ id: arm.id, label: arm.label })),
        ...(study.private === true ? { private: true } : {}),
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
    return { results, entries, split, holdout }
  }).pipe(Effect.scoped)
