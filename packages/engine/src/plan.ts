import {
  type Elicitation,
  type ExperimentShape,
  type GenerationSettings,
  HoldoutData,
  type InputError,
  type OptionOrderMode,
  PilotData,
  type PilotDesign,
  Provider,
  type StudyDataError,
  type Twin,
  twinOf,
  twinPages,
} from "@standin/core"
import { callKey, type StoreError, type StoreShape } from "@standin/store"
import { Context, Effect, Layer } from "effect"
import { callKeyParts } from "./calls/call-runner.js"
import { estimateCall } from "./calls/estimate.js"
import { costOf, defaultPriceTable, type PriceTable, priceFor } from "./calls/price-table.js"
import { type BatchChoice, usesBatch } from "./calls/run-calls.js"
import { optionOrdersFor } from "./option-order.js"
import { randomisersFor, randomiserTexts } from "./randomiser.js"
import { type ProviderSelection, twinIdFor } from "./run.js"
import { callRequest, refuseUnsupportedElicitation } from "./simulate.js"
import { type Split, splitRespondents } from "./split.js"
import { type PpiSettings, pilotTwins } from "./worth.js"

export interface PlanOptions {
  readonly experiment: ExperimentShape
  readonly providers: ReadonlyArray<ProviderSelection>
  readonly pilot: PilotDesign
  readonly holdoutCap?: number
  readonly split?: Split
  readonly seed: number
  readonly replicates: number
  readonly elicitation: Elicitation
  readonly settings: GenerationSettings
  readonly includeDemographics: boolean
  readonly maxReasks: number
  /** How options are ordered in prompts (default "as-shown"). */
  readonly optionOrder?: OptionOrderMode
  /** Cached answers are counted as such (free now); ignored with `fresh`. */
  readonly store?: StoreShape
  readonly fresh?: boolean
  readonly prices?: PriceTable
  readonly batch?: BatchChoice
  /** As in `runStudy`: the pilot's own twins are asked too, and counted here. */
  readonly ppi?: PpiSettings
}

/** What one provider of a run would be asked, before anything is sent. */
export interface ProviderPlan {
  readonly provider: string
  readonly model: string
  /** Baselines call no model: they cost nothing. */
  readonly baseline: boolean
  /** Set when the provider could not be set up (e.g. no key): the run would skip it. */
  readonly skipped?: string
  /** Through the vendor's batch API (priced at its discount). */
  readonly batch: boolean
  /** First asks: twins × replicates. */
  readonly calls: number
  /** Of those, answered from the cache already. */
  readonly cached: number
  /** Estimated tokens of the calls still to pay for (first asks only). */
  readonly inputTokens: number
  readonly outputTokens: number
  /** Estimated cost of those calls; null when the model has no known price. */
  readonly costUsd: number | null
  /**
   * The most re-asks can add: every invalid answer is asked again at most `maxReasks` times, each about
   * as long as a first ask. Not part of the estimate (most answers are valid the first time).
   */
  readonly reaskCostUsd: number | null
}

export interface RunPlan {
  readonly pilot: number
  readonly holdout: number
  readonly providers: ReadonlyArray<ProviderPlan>
}

/**
 * A dry run: loads and splits the data exactly as the run would, renders every first ask each provider
 * would get, and estimates its tokens (input: ceil(characters / 4), the fakes' metering rule; output:
 * from the answer schema) and cost, counting answers already cached as free. Nothing is sent.
 */
export const planRun = (
  options: PlanOptions,
): Effect.Effect<RunPlan, StudyDataError | InputError | StoreError> =>
  Effect.gen(function* () {
    const { experiment } = options
    const study = experiment.definition
    yield* refuseUnsupportedElicitation(options.providers, options.elicitation)
    const human = yield* experiment.loadHumanData
    const split =
      options.split ??
      (yield* splitRespondents(study, human.respondents, options.pilot, options.seed, options.holdoutCap))
    const twins: ReadonlyArray<Twin> = [
      ...split.holdout.map((respondent, index) => twinOf(study, respondent, twinIdFor(index))),
      ...(options.ppi === undefined ? [] : pilotTwins(split.pilot, study)),
    ]
    const prices = options.prices ?? defaultPriceTable
    const data = Layer.merge(
      Layer.succeed(PilotData, { study, pilot: split.pilot, seed: options.seed }),
      Layer.succeed(HoldoutData, { holdout: [], twinIndex: new Map() }),
    )
    // Each page is one call. Later pages' prompts hold the earlier answers, unknown before the run: they are
    // estimated with the answers left empty, and counted as cached when the twin's first page is.
    // Skip logic: a twin is asked only the pages that keep an item its human was asked.
    const asked = twins.map((twin) => twinPages(study, twin))
    const prompts = twins.map((twin, index) => {
      const optionOrders = optionOrdersFor(study, options.optionOrder ?? "as-shown", options.seed, twin.id)
      const told = randomiserTexts(randomisersFor(study, options.seed, twin.id))
      return asked[index]!.map(({ index: page }) =>
        experiment.renderPrompt(twin, {
          elicitation: options.elicitation,
          includeDemographics: options.includeDemographics,
          ...(page === 0 ? {} : { page, history: Array.from({ length: page }, () => ({})) }),
          ...(optionOrders === undefined ? {} : { optionOrders }),
          ...(told === undefined ? {} : { randomisers: told }),
        }),
      )
    })
    const calls = options.replicates * asked.reduce((total, pages) => total + pages.length, 0)
    const plans: Array<ProviderPlan> = []
    for (const selection of options.providers) {
      const { descriptor } = selection.plugin
      const base = { provider: selection.spec.provider, model: selection.spec.model, calls }
      if (descriptor.baseline !== undefined) {
        plans.push({
          ...base,
          baseline: true,
          batch: false,
          cached: 0,
          inputTokens: 0,
          outputTokens: 0,
          costUsd: 0,
          reaskCostUsd: 0,
        })
        continue
      }
      // Building the provider reads its key and options (nothing is sent): a run would skip it otherwise.
      const built = yield* Layer.build(selection.plugin.layer(selection.spec).pipe(Layer.provide(data))).pipe(
        Effect.map((context) => ({ ok: true as const, provider: Context.get(context, Provider) })),
        Effect.catchTag("PluginConfigError", (error) =>
          Effect.succeed({ ok: false as const, reason: error.message }),
        ),
        Effect.scoped,
      )
      const batch = built.ok && usesBatch(built.provider, options.batch, calls, options.elicitation)
      const price = priceFor(prices, selection.spec.provider, selection.spec.model)
      let cached = 0
      let inputTokens = 0
      let outputTokens = 0
      for (const [index, twin] of twins.entries()) {
        for (let replicate = 0; replicate < options.replicates; replicate++) {
          const requests = prompts[index]!.map((prompt, position) =>
            callRequest(
              {
                provider: { model: selection.spec.model },
                experiment,
                settings: options.settings,
                elicitation: options.elicitation,
                seed: options.seed,
              },
              twin,
              prompt,
              replicate,
              0,
              { index: asked[index]![position]!.index, items: asked[index]![position]!.items },
            ),
          )
          if (options.store !== undefined && options.fresh !== true) {
            const hit = yield* options.store.getCall(callKey(callKeyParts(selection.spec, requests[0]!)))
            if (hit !== undefined) {
              cached += requests.length
              continue
            }
          }
          for (const request of requests) {
            const usage = estimateCall(request)
            inputTokens += usage.inputTokens
            outputTokens += usage.outputTokens
          }
        }
      }
      const costUsd = price === undefined ? null : costOf(price, { inputTokens, outputTokens }, { batch })
      plans.push({
        ...base,
        baseline: false,
        ...(built.ok ? {} : { skipped: built.reason }),
        batch,
        cached,
        inputTokens,
        outputTokens,
        costUsd,
        reaskCostUsd: costUsd === null ? null : costUsd * options.maxReasks,
      })
    }
    return { pilot: split.pilot.length, holdout: split.holdout.length, providers: plans }
  })
