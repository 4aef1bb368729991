import type {
  AnswerValue,
  Elicitation,
  ExperimentShape,
  GenerationSettings,
  Item,
  OptionDistribution,
  OptionOrderMode,
  ProviderDescriptor,
  ProviderRequest,
  ProviderShape,
  SyntheticRespondent,
  Twin,
} from "@standin/core"
import {
  descriptorForModel,
  InputError,
  instrumentPages,
  ProviderError,
  twinPages,
  unsupportedElicitation,
} from "@standin/core"
import { Effect } from "effect"
import { parseReply } from "./answers.js"
import type { CallResult } from "./calls/call-runner.js"
import { optionOrdersFor } from "./option-order.js"
import { deriveSeed, streamFor } from "./random.js"
import { randomisersFor, randomiserTexts } from "./randomiser.js"

/** What the engine gets back from one provider call (possibly served from the cache). */
export type ExecutedCall = Omit<CallResult, "key">

/**
 * Executes provider calls. The plain executor calls the provider directly; the engine's call runner adds
 * the cache, rate limits, retries and the budget. `E` is whatever besides a ProviderError stops a call
 * (e.g. an exhausted budget), which ends the simulation rather than one twin.
 */
export interface CallExecutor<E = never> {
  readonly call: (request: ProviderRequest) => Effect.Effect<ExecutedCall, ProviderError | E>
  /**
   * How many twins to simulate at once with this executor, overriding the run's concurrency: an
   * executor with its own rate limiter takes as many as it lets through, a batching one takes all.
   */
  readonly concurrency?: number
  /** Run once every twin is done (writes buffered bookkeeping, ends progress displays, stops pollers). */
  readonly finish?: Effect.Effect<void, E>
}

/** Calls the provider directly, with no cache and no retries. */
export const directExecutor = (provider: ProviderShape): CallExecutor => ({
  call: (request) =>
    provider.generate(request).pipe(Effect.map((response) => ({ response, cached: false, costUsd: null }))),
})

export interface SimulationOptions {
  readonly experiment: ExperimentShape
  readonly provider: ProviderShape
  readonly twins: ReadonlyArray<Twin>
  readonly replicates: number
  readonly elicitation: Elicitation
  readonly settings: GenerationSettings
  readonly includeDemographics: boolean
  /** Re-asks after an invalid answer (the first ask is not counted). */
  readonly maxReasks: number
  readonly seed: number
  readonly concurrency: number
  /** How options are ordered in prompts (default "as-shown": as the humans saw them). */
  readonly optionOrder?: OptionOrderMode
  /** Called after each twin-replicate is done, in completion order. */
  readonly onDone?: (
    respondent: SyntheticRespondent,
    outcome: { readonly calls: number; readonly cached: number; readonly costUsd: number },
  ) => void
}

export interface SimulationTotals {
  readonly calls: number
  readonly cachedCalls: number
  readonly costUsd: number | null
}

/**
 * The request for one call of a twin: its prompt, the run's settings, and a seed derived from the run's
 * seed, the twin, the replicate and the re-ask attempt (unless the run fixes one), the same on every page. `--dry-run` builds the same requests to estimate them and find them in the cache.
 */
export const callRequest = (
  options: {
    readonly provider: { readonly model: string }
    readonly experiment: { readonly definition: { readonly items: ReadonlyArray<Item> } }
    readonly settings: GenerationSettings
    readonly elicitation: Elicitation
    readonly seed: number
  },
  twin: Twin,
  prompt: ProviderRequest["prompt"],
  replicate: number,
  attempt: number,
  /** The page asked (index and items); absent for the first page of a one-page instrument. */
  page?: { readonly index: number; readonly items: ReadonlyArray<Item> },
): ProviderRequest => ({
  model: options.provider.model,
  twin,
  items: page?.items ?? options.experiment.definition.items,
  prompt,
  settings: {
    ...options.settings,
    // One seed for every page of a twin's ask: the page is its own field (the prompts differ anyway).
    seed:
      options.settings.seed ?? deriveSeed(options.seed, "call", twin.id, replicate, attempt) % 2_147_483_647,
  },
  elicitation: options.elicitation,
  replicate,
  attempt,
  ...(page === undefined || page.index === 0 ? {} : { page: page.index }),
})

const uniquePush = (list: Array<string>, values: ReadonlyArray<string>) => {
  for (const value of values) if (!list.includes(value)) list.push(value)
}

/**
 * Simulates every twin (× replicates) through one provider. Each twin answers the instrument page by page in
 * one conversation: each page's prompt holds the earlier pages and the twin's answers to them. Invalid
 * answers on a page are re-asked (that page only) up to `maxReasks` times, then kept as invalid with the raw
 * text, and the conversation goes on. A failed call (after the executor's retries) is recorded on the twin
 * with its reason: one twin's failure never ends the run. Results come back in twin order, whatever order
 * they completed in.
 */
export const simulate = <E>(options: SimulationOptions, executor: CallExecutor<E>) =>
  Effect.gen(function* () {
    const { experiment, provider } = options
    const study = experiment.definition
    const items: ReadonlyArray<Item> = study.items
    const pages = instrumentPages(study)
    const paged = pages.length > 1
    // Per twin-replicate, summed in twin order at the end: the totals do not depend on completion order.
    const tallies: Array<{ calls: number; cached: number; costUsd: number; costKnown: boolean }> = []
    const jobs = options.twins.flatMap((twin) =>
      Array.from({ length: options.replicates }, (_, replicate) => ({ twin, replicate })),
    )
    const streamKey = `${provider.descriptor.id}:${provider.model}`
    // A rejected key fails every call alike: after the first auth failure, later twins are recorded with
    // the same failure instead of sending more doomed (and possibly billed or rate-limited) requests.
    let authFailure: ProviderError | undefined
    const one = ({ twin, replicate }: { twin: Twin; replicate: number }, index: number) =>
      Effect.gen(function* () {
        const optionOrders = optionOrdersFor(study, options.optionOrder ?? "as-shown", options.seed, twin.id)
        const randomisers = randomisersFor(study, options.seed, twin.id)
        const told = randomiserTexts(randomisers)
        // Providers report the settings they could not honour (the Provider contract checks it).
        const warnings: Array<string> = []
        const modelVersions: Array<string> = []
        let inputTokens = 0
        let outputTokens = 0
        let twinCalls = 0
        let twinCached = 0
        let twinCost = 0
        let twinCostKnown = true
        let failure: { reason: ProviderError["reason"]; message: string } | undefined
        let made = 0
        const answers: Record<string, AnswerValue> = {}
        const distributions: Record<string, OptionDistribution> = {}
        const invalidItems: Array<string> = []
        const history: Array<Record<string, AnswerValue>> = []
        const turns: Array<{ page: string; raw: string; attempts: number }> = []
        let raw = ""
        const askedPages = twinPages(study, twin)
        for (const [pageIndex, studyPage] of pages.entries()) {
          // Skip logic: the twin is asked what its human was asked; a page with nothing left is not shown.
          const page = askedPages.find((candidate) => candidate.index === pageIndex)
          if (page === undefined) {
            history.push({})
            continue
          }
          const prompt = experiment.renderPrompt(twin, {
            elicitation: options.elicitation,
            includeDemographics: options.includeDemographics,
            ...(pageIndex === 0 ? {} : { page: pageIndex, history }),
            ...(optionOrders === undefined ? {} : { optionOrders }),
            ...(told === undefined ? {} : { randomisers: told }),
          })
          let last: { text: string; parsed: ReturnType<typeof parseReply> } | undefined
          let pageCalls = 0
          for (let attempt = 0; attempt <= options.maxReasks; attempt++) {
            const request = callRequest(options, twin, prompt, replicate, attempt, {
              index: pageIndex,
              items: page.items,
            })
            if (authFailure === undefined) made++
            const outcome =
              authFailure !== undefined
                ? { ok: false as const, error: authFailure }
                : yield* executor.call(request).pipe(
                    Effect.map((value) => ({ ok: true as const, value })),
                    Effect.catchIf(
                      (error): error is ProviderError => error instanceof ProviderError,
                      (error) => Effect.succeed({ ok: false as const, error }),
                    ),
                  )
            if (!outcome.ok) {
              if (outcome.error.reason === "auth") authFailure = outcome.error
              failure = { reason: outcome.error.reason, message: outcome.error.message }
              break
            }
            const { response, cached, costUsd: callCost } = outcome.value
            twinCalls++
            pageCalls++
            if (cached) twinCached++
            if (callCost === null) twinCostKnown = false
            else twinCost += callCost
            inputTokens += response.usage.inputTokens
            outputTokens += response.usage.outputTokens
            uniquePush(warnings, response.warnings)
            uniquePush(modelVersions, [response.modelVersion])
            const parsed = parseReply(
              page.items,
              options.elicitation,
              response,
              pageIndex === 0
                ? streamFor(options.seed, "draw", streamKey, twin.id, replicate, attempt)
                : streamFor(options.seed, "draw", streamKey, twin.id, replicate, attempt, "page", pageIndex),
            )
            last = { text: response.text, parsed }
            if (parsed.invalidItems.length === 0) break
          }
          if (last !== undefined) {
            if (last.parsed.invalidItems.length > 0) uniquePush(warnings, last.parsed.problems)
            Object.assign(answers, last.parsed.answers)
            Object.assign(distributions, last.parsed.distributions)
            raw = last.text
          }
          if (failure !== undefined || last === undefined) break
          invalidItems.push(...last.parsed.invalidItems)
          history.push(last.parsed.answers)
          turns.push({ page: studyPage.id, raw: last.text, attempts: pageCalls })
        }
        const answered = failure === undefined && turns.length === askedPages.length
        const respondent: SyntheticRespondent = {
          twinId: twin.id,
          replicate,
          arm: twin.arm,
          persona: twin.persona,
          // After a failure the answers already given stay readable, but every item counts as invalid.
          answers: Object.fromEntries(items.map((item) => [item.id, answers[item.id] ?? null])),
          ...(Object.keys(distributions).length > 0 ? { distributions } : {}),
          raw,
          valid: answered && invalidItems.length === 0,
          invalidItems: answered
            ? items.filter((item) => invalidItems.includes(item.id)).map((item) => item.id)
            : items.map((item) => item.id),
          warnings,
          attempts: made,
          elicitation: options.elicitation,
          modelVersion: modelVersions.join(" | "),
          usage: { inputTokens, outputTokens },
          ...(paged ? { turns } : {}),
          ...(optionOrders === undefined ? {} : { optionOrders }),
          ...(randomisers === undefined ? {} : { randomisers }),
          ...(failure === undefined ? {} : { failure }),
        }
        tallies[index] = { calls: twinCalls, cached: twinCached, costUsd: twinCost, costKnown: twinCostKnown }
        options.onDone?.(respondent, { calls: twinCalls, cached: twinCached, costUsd: twinCost })
        return respondent
      })
    const synthetic = yield* Effect.forEach(jobs, one, {
      concurrency: executor.concurrency ?? options.concurrency,
    })
    if (executor.finish !== undefined) yield* executor.finish
    let calls = 0
    let cachedCalls = 0
    let costUsd = 0
    let costKnown = true
    for (const tally of tallies) {
      calls += tally.calls
      cachedCalls += tally.cached
      costUsd += tally.costUsd
      costKnown &&= tally.costKnown
    }
    const totals: SimulationTotals = { calls, cachedCalls, costUsd: costKnown ? costUsd : null }
    return { synthetic, totals }
  })

/**
 * The re-asks a twin took: its calls beyond one per page it was asked (a page whose call failed for good
 * was asked too). On a one-page instrument, every call after the first.
 */
export const reasksOf = (respondent: SyntheticRespondent): number => {
  const asked =
    respondent.turns === undefined ? 1 : respondent.turns.length + (respondent.failure === undefined ? 0 : 1)
  return Math.max(0, respondent.attempts - asked)
}

/**
 * Refuses, before anything is spent, an elicitation method one of the providers does not declare for the model
 * it was asked for (its descriptor narrowed by the plugin's capability table, e.g. no logprobs on reasoning models).
 */
export const refuseUnsupportedElicitation = (
  selections: ReadonlyArray<{
    readonly plugin: { readonly descriptor: ProviderDescriptor }
    readonly spec: { readonly model: string }
  }>,
  elicitation: Elicitation,
): Effect.Effect<void, InputError> => {
  for (const { plugin, spec } of selections) {
    const descriptor = descriptorForModel(plugin.descriptor, spec.model)
    const refusal = unsupportedElicitation(
      descriptor,
      elicitation,
      descriptor.models === undefined ? undefined : spec.model,
    )
    if (refusal !== undefined) return Effect.fail(new InputError({ flag: "--elicitation", message: refusal }))
  }
  return Effect.void
}
