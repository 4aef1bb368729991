import { createHash } from "node:crypto"
import type {
  Elicitation,
  ExperimentShape,
  FinetuneInfo,
  FinetunerShape,
  GenerationSettings,
  Hyperparameters,
  LearningCurvePoint,
  MetricError,
  MetricShape,
  PilotDesign,
  ProviderPlugin,
  ProviderSpec,
  Respondent,
  StudyDataError,
  StudyDefinition,
} from "@standin/core"
import { type FinetuneError, InputError, PluginConfigError, Provider } from "@standin/core"
import { shuffled, streamFor } from "@standin/stats"
import type { StoreShape } from "@standin/store"
import { type Duration, Effect, Layer } from "effect"
import { type FinetuneJobEvent, type FinetuneOutcome, prepareFinetune, runFinetune } from "./finetune.js"
import { type ProviderSelection, type RunEvent, type RunOptions, type RunOutcome, runStudy } from "./run.js"
import { type Split, splitRespondents } from "./split.js"
import { pointWorth, unionOfPilots } from "./sweep-worth.js"
import type { PpiSettings } from "./worth.js"

/**
 * A sweep: the learning curve of finetuning. One fixed holdout is drawn for the whole sweep (from the seed);
 * the rest of the data is the pilot pool. Every grid point (pilot size × sampling × replicate seed) draws its
 * pilot from the pool — nested: with the same replicate seed a smaller pilot is a subset of a larger one —
 * finetunes on it, and is scored on the same holdout as the base model and the baselines, so every point
 * shares one floor and one ceiling. Pilot baselines (pilot-marginal, pilot-cell) are run per point.
 */

/** `random` or `balanced:<attribute>`: how sampling reads in flags, entry labels and learning curves. */
export const samplingLabel = (sampling: PilotDesign["sampling"]): string =>
  sampling._tag === "Random" ? "random" : `balanced:${sampling.attribute}`

/** The arm `--pilot-arms one` means: one arm of the study, chosen by the seed. */
export const chooseArm = (study: StudyDefinition, seed: number): string => {
  const arms = shuffled(
    study.arms.map((arm) => arm.id),
    streamFor(seed, "pilot-arm", study.id),
  )
  return arms[0] ?? "all"
}

/** The sweep's fixed split: a seeded holdout of `holdoutSize` respondents; the pilot pool is everyone else. */
export const sweepSplit = (
  study: StudyDefinition,
  respondents: ReadonlyArray<Respondent>,
  seed: number,
  holdoutSize: number,
): Split => {
  const held = new Set(
    shuffled(respondents, streamFor(seed, "sweep-holdout", study.id))
      .slice(0, holdoutSize)
      .map((respondent) => respondent.id),
  )
  const holdout = respondents.filter((respondent) => held.has(respondent.id))
  const pool = respondents.filter((respondent) => !held.has(respondent.id))
  return {
    pilot: pool,
    holdout,
    sha256: createHash("sha256")
      .update(JSON.stringify([pool.map((r) => r.id).sort(), holdout.map((r) => r.id).sort()]))
      .digest("hex"),
  }
}

export interface SweepPoint {
  readonly design: PilotDesign
  /** 0-based replicate index; the point's seed is the sweep's seed plus it. */
  readonly replicate: number
  readonly seed: number
  /** How the point is told apart in entry ids and labels, e.g. `pilot 30 balanced:race r2`. */
  readonly tag: string
}

export type SweepEvent =
  | { readonly _tag: "Split"; readonly pool: number; readonly holdout: number }
  | {
      readonly _tag: "Prepared"
      readonly point: SweepPoint
      readonly pilot: number
      readonly tokens: number
      readonly costUsd: number | null
      readonly ignored: ReadonlyArray<string>
    }
  | { readonly _tag: "Job"; readonly point: SweepPoint; readonly event: FinetuneJobEvent }
  | { readonly _tag: "FinetuneFailed"; readonly point: SweepPoint; readonly message: string }
  | { readonly _tag: "Run"; readonly event: RunEvent }

export interface SweepOptions<E> {
  readonly experiment: ExperimentShape
  readonly finetuner: FinetunerShape
  /** The base model, as given with --base: run as is, and finetuned at every point. */
  readonly base: ProviderSelection
  /** Floor and ceiling baselines (run once) and pilot baselines (run once per point, on the point's pilot). */
  readonly baselines: ReadonlyArray<ProviderSelection>
  /** The provider plugin that serves a trained model (the finetuner's `servedBy`). */
  readonly servedBy: ProviderPlugin
  readonly metrics: ReadonlyArray<MetricShape>
  readonly sizes: ReadonlyArray<PilotDesign["size"]>
  readonly samplings: ReadonlyArray<PilotDesign["sampling"]>
  /** "all", or the id of the one arm every pilot comes from. */
  readonly arms: string
  /** Replicate seeds per (size, sampling). */
  readonly seeds: number
  readonly seed: number
  /** Respondents held out for scoring (default: half the data). */
  readonly holdoutSize?: number
  readonly includeDemographics: boolean
  readonly hyperparameters: Hyperparameters
  readonly validationFraction: number
  readonly store: StoreShape
  readonly pollInterval?: Duration.Input
  /** Stop waiting for a job after this long: its point is skipped, and the same sweep run later picks it up. */
  readonly maxWait?: Duration.Input
  /** How many finetunes are submitted and polled at once (default 4). */
  readonly jobConcurrency?: number
  readonly replicates: number
  readonly elicitation: Elicitation
  readonly settings: GenerationSettings
  readonly maxReasks: number
  readonly bootstrap: number
  readonly minCellSize: number
  /** Scoring threads and where workers load the metrics from: as `RunOptions.threads` and `metricSources`. */
  readonly threads?: number
  readonly metricSources?: RunOptions<E>["metricSources"]
  readonly concurrency: number
  /** How model calls are executed (cache, rate limits, retries, budget): as `RunOptions.executor`. */
  readonly executor?: RunOptions<E>["executor"]
  /**
   * Prediction-powered inference: every entry gets a `ppi` block and each learning-curve point its `worth`
   * (the n_eff curve). The base model and the run-once baselines answer for the union of the points' pilots.
   */
  readonly ppi?: PpiSettings
  readonly onEvent?: (event: SweepEvent) => void
}

/** A stand-in for a trained model that could not be had: the run records it as skipped, with the reason. */
const unavailable = (plugin: ProviderPlugin, reason: string): ProviderPlugin => ({
  descriptor: plugin.descriptor,
  layer: () =>
    Layer.effect(
      Provider,
      Effect.fail(new PluginConfigError({ plugin: plugin.descriptor.id, message: reason })),
    ),
})

const sizeLabel = (size: PilotDesign["size"]): string =>
  size._tag === "Count"
    ? String(size.count)
    : `${Math.round(size.fraction * 1000) / 10}%${size.max === undefined ? "" : ` (at most ${size.max})`}`

export const sweepPoints = (
  options: Pick<SweepOptions<unknown>, "sizes" | "samplings" | "arms" | "seeds" | "seed">,
): ReadonlyArray<SweepPoint> =>
  options.samplings.flatMap((sampling) =>
    options.sizes.flatMap((size) =>
      Array.from({ length: options.seeds }, (_, replicate) => ({
        design: { size, arms: options.arms, sampling },
        replicate,
        seed: options.seed + replicate,
        tag: `pilot ${sizeLabel(size)}${options.arms === "all" ? "" : ` ${options.arms}`} ${samplingLabel(sampling)} r${replicate + 1}`,
      })),
    ),
  )

/** Runs the grid: finetune every point on its pilot, then score base, baselines and every finetune on the holdout. */
export const runSweep = <E>(
  options: SweepOptions<E>,
): Effect.Effect<RunOutcome, StudyDataError | InputError | MetricError | FinetuneError | E> =>
  Effect.gen(function* () {
    const { experiment, finetuner } = options
    const study = experiment.definition
    const emit = options.onEvent ?? (() => {})
    const human = yield* experiment.loadHumanData
    const everyone = human.respondents
    const holdoutSize = options.holdoutSize ?? Math.floor(everyone.length / 2)
    if (!Number.isInteger(holdoutSize) || holdoutSize < 2 || holdoutSize >= everyone.length)
      return yield* new InputError({
        flag: "--holdout",
        message: `the sweep's holdout must hold from 2 to ${everyone.length - 1} respondents (the rest is the pilot pool), got ${holdoutSize}.`,
      })
    const split = sweepSplit(study, everyone, options.seed, holdoutSize)
    emit({ _tag: "Split", pool: split.pilot.length, holdout: split.holdout.length })

    const points = sweepPoints(options)
    const pilots = yield* Effect.forEach(points, (point) =>
      splitRespondents(study, split.pilot, point.design, point.seed).pipe(
        Effect.map((drawn) => drawn.pilot),
        Effect.mapError(
          (error) =>
            new InputError({
              ...(error.flag === undefined ? {} : { flag: error.flag }),
              message: `${point.tag}: ${error.message} (the pilot pool is everyone outside the sweep's holdout of ${holdoutSize}; lower --holdout for a larger pool)`,
            }),
        ),
      ),
    )

    // Finetune every point; a point whose finetune fails is recorded as skipped with the vendor's message.
    const finetunes = yield* Effect.forEach(
      points,
      (point, index) =>
        Effect.gen(function* () {
          const pilot = pilots[index]!
          const safe = yield* prepareFinetune({
            experiment,
            finetuner,
            baseModel: options.base.spec.model,
            pilot,
            everyone,
            includeDemographics: options.includeDemographics,
            validationFraction: options.validationFraction,
            seed: point.seed,
            hyperparameters: { seed: point.seed, ...options.hyperparameters },
          })
          emit({
            _tag: "Prepared",
            point,
            pilot: pilot.length,
            tokens: safe.prepared.estimate.trainedTokens,
            costUsd: safe.prepared.estimate.costUsd,
            ignored: safe.ignored,
          })
          return yield* runFinetune({
            store: options.store,
            finetuner,
            safe,
            ...(options.pollInterval === undefined ? {} : { pollInterval: options.pollInterval }),
            ...(options.maxWait === undefined ? {} : { maxWait: options.maxWait }),
            onEvent: (event) => emit({ _tag: "Job", point, event }),
          })
        }).pipe(
          Effect.map((outcome): FinetuneOutcome | { readonly failed: string } => outcome),
          Effect.catchTag("FinetuneError", (error) => {
            // Leakage is never a point's bad luck: it stops the sweep before anything else is sent.
            if (error.reason === "leakage") return Effect.fail(error)
            emit({ _tag: "FinetuneFailed", point, message: error.message })
            return Effect.succeed({ failed: `finetune failed (${error.reason}): ${error.message}` })
          }),
        ),
      { concurrency: options.jobConcurrency ?? 4 },
    )

    const floorAndCeiling = options.baselines.filter(
      (selection) => selection.plugin.descriptor.baseline !== "pilot",
    )
    const pilotBaselines = options.baselines.filter(
      (selection) => selection.plugin.descriptor.baseline === "pilot",
    )
    const union = unionOfPilots(pilots)
    const withUnion = (selection: ProviderSelection): ProviderSelection =>
      options.ppi === undefined ? selection : { ...selection, ppiPilot: union }
    const selections: Array<ProviderSelection> = [...floorAndCeiling, options.base].map(withUnion)
    points.forEach((point, index) => {
      const pilot = pilots[index]!
      const outcome = finetunes[index]!
      const info: FinetuneInfo = {
        finetuner: finetuner.descriptor.id,
        baseModel: options.base.spec.model,
        pilot: point.design,
        pilotSize: pilot.length,
        includeDemographics: options.includeDemographics,
        seed: point.seed,
        ...("failed" in outcome ? {} : { jobId: outcome.job.jobId }),
        ...("failed" in outcome || outcome.status.fake !== true ? {} : { fake: true }),
      }
      if ("failed" in outcome || outcome.spec === undefined) {
        selections.push({
          plugin: unavailable(
            options.servedBy,
            "failed" in outcome
              ? outcome.failed
              : `job ${outcome.job.jobId} is ${outcome.status.state}: run the same sweep again once it has finished`,
          ),
          spec: { provider: options.servedBy.descriptor.id, model: `${options.base.spec.model} finetuned` },
          finetune: info,
          pilot,
          tag: point.tag,
        })
      } else {
        const spec: ProviderSpec = outcome.spec
        selections.push({ plugin: options.servedBy, spec, finetune: info, pilot, tag: point.tag })
      }
      for (const baseline of pilotBaselines) selections.push({ ...baseline, pilot, tag: point.tag })
    })

    const outcome = yield* runStudy({
      experiment,
      providers: selections,
      metrics: options.metrics,
      // The manifest's pilot is the pool; each point's own design is in its entry's `finetune`.
      pilot: {
        size: { _tag: "Count", count: split.pilot.length },
        arms: "all",
        sampling: { _tag: "Random" },
      },
      split,
      // no holdoutCap: a sweep's --holdout sets the holdout's size (the manifest's holdoutSize), it caps nothing
      seed: options.seed,
      replicates: options.replicates,
      elicitation: options.elicitation,
      settings: options.settings,
      includeDemographics: options.includeDemographics,
      maxReasks: options.maxReasks,
      bootstrap: options.bootstrap,
      minCellSize: options.minCellSize,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.metricSources === undefined ? {} : { metricSources: options.metricSources }),
      concurrency: options.concurrency,
      ...(options.executor === undefined ? {} : { executor: options.executor }),
      ...(options.ppi === undefined ? {} : { ppi: options.ppi }),
      onEvent: (event) => emit({ _tag: "Run", event }),
    })

    // Entries come in the selections' order; the base model is the one selection that is options.base.
    const baseIndex = selections.findIndex(
      (selection) =>
        selection.plugin === options.base.plugin &&
        selection.finetune === undefined &&
        selection.plugin.descriptor.baseline === undefined,
    )
    const baseData = baseIndex < 0 ? undefined : outcome.entries[baseIndex]
    const pilotOfEntry = new Map(
      selections.flatMap((selection, index) => {
        const data = outcome.entries[index]
        return data === undefined || selection.finetune === undefined || selection.pilot === undefined
          ? []
          : [[data.entry.id, { pilot: selection.pilot, data }] as const]
      }),
    )

    const worthOfPoint = (id: string): Pick<LearningCurvePoint, "worth"> => {
      const point = pilotOfEntry.get(id)
      if (options.ppi === undefined || point === undefined) return {}
      const worth = pointWorth({
        study,
        pilot: point.pilot,
        union,
        base: baseData,
        finetuned: point.data,
        holdout: outcome.holdout,
        settings: options.ppi,
      })
      return worth === undefined ? {} : { worth }
    }
    const learningCurves: Array<LearningCurvePoint> = outcome.results.entries.flatMap((entry) => {
      const info = entry.finetune
      if (info === undefined) return []
      return [
        {
          entry: entry.id,
          baseModel: info.baseModel,
          pilotSize: info.pilotSize,
          sampling: samplingLabel(info.pilot.sampling),
          arms: info.pilot.arms,
          includeDemographics: info.includeDemographics,
          seed: info.seed,
          metrics: entry.fidelity.perMetric,
          overall: entry.fidelity.overall,
          ...worthOfPoint(entry.id),
        },
      ]
    })
    const manifest = outcome.results.manifest
    return {
      ...outcome,
      results: {
        ...outcome.results,
        manifest: {
          ...manifest,
          plugins: [
            ...manifest.plugins,
            {
              kind: "finetuner" as const,
              id: finetuner.descriptor.id,
              version: finetuner.descriptor.version,
              params: {
                baseModel: options.base.spec.model,
                hyperparameters: { ...options.hyperparameters },
                validationFraction: options.validationFraction,
                sizes: options.sizes.map(sizeLabel),
                samplings: options.samplings.map(samplingLabel),
                arms: options.arms,
                seeds: options.seeds,
              },
            },
          ],
        },
        learningCurves,
      },
    }
  })
