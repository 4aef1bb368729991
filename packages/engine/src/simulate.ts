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
  ProviderResponse,
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
import { streamFor, type Uniform, vendorSeed } from "@standin/stats"
import { Effect } from "effect"
import { parseReply } from "./answers.js"
import type { CallResult } from "./calls/call-runner.js"
import { optionOrdersFor } from "./option-order.js"
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
  /**
   * The executor's cache, for the replay path: twins whose every call is cached are answered from it in one
   * loop, before the others go through `call`. Without it every twin goes through `call`.
   */
  readonly replay?: CacheReplay<E>
}

/** One cached answer found by `CacheReplay.find`. */
export interface ReplayFound {
  readonly response: ProviderResponse
  /** What it cost when it was paid for; null when the price was unknown. */
  readonly costUsd: number | null
  /** Where it was found (the cache's own bookkeeping, handed back to `commit`). */
  readonly source: unknown
}

/** A call answered from the cache by the replay path, handed back to `CacheReplay.commit`. */
export interface ReplayHit {
  readonly request: ProviderRequest
  readonly key: string
  readonly answer: ReplayFound
}

/**
 * A call cache read without side effects, then committed: the replay path finds the answers of many calls at
 * once, and records (progress, the run's status rows) only those of twins answered in full.
 */
export interface CacheReplay<E = never> {
  /** The cache key of a request. */
  readonly keyOf: (request: ProviderRequest) => string
  /** The cached answers of these keys, by key (those found only); records nothing. */
  readonly find: (keys: ReadonlyArray<string>) => Effect.Effect<ReadonlyMap<string, ReplayFound>, E>
  /** Records calls served from the cache as `call` records a cache hit. */
  readonly commit: (hits: ReadonlyArray<ReplayHit>) => Effect.Effect<void, E>
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
    // The vendor's seed, derived once (stats' vendorSeed); one seed for every page of a twin's ask: the page is
    // its own field (the prompts differ anyway).
    seed: vendorSeed(options.settings.seed, options.seed, twin.id, replicate, attempt),
  },
  elicitation: options.elicitation,
  replicate,
  attempt,
  ...(page === undefined || page.index === 0 ? {} : { page: page.index }),
})

const uniquePush = (list: Array<string>, values: ReadonlyArray<string>) => {
  for (const value of values) if (!list.includes(value)) list.push(value)
}

/** `streamFor`, derived only when first drawn from (most replies draw nothing): the same draws. */
export const lazyStreamFor = (seed: number, ...keys: ReadonlyArray<string | number>): Uniform => {
  let stream: Uniform | undefined
  const next = () => {
    stream ??= streamFor(seed, ...keys)
    return stream.next()
  }
  return { next, int: (n) => Math.floor(next() * n) }
}

type CallOutcome =
  | { readonly ok: true; readonly value: ExecutedCall }
  | { readonly ok: false; readonly error: ProviderError }

interface TwinTally {
  readonly calls: number
  readonly cached: number
  readonly costUsd: number
  readonly costKnown: boolean
}

/**
 * One twin-replicate's conversation, as a state machine: `next` is the call it asks for (the same request until
 * it is fed), `feed` gives it that call's outcome, `result` is the respondent once `next` has nothing left. The
 * live path feeds it from the executor, one fiber per twin; the replay path from the cache, many twins in one
 * loop. Both drive this same code, so both give the same bytes.
 */
class TwinAsk {
  private readonly warnings: Array<string> = []
  private readonly modelVersions: Array<string> = []
  private inputTokens = 0
  private outputTokens = 0
  private calls = 0
  private cached = 0
  private cost = 0
  private costKnown = true
  private failure: { reason: ProviderError["reason"]; message: string } | undefined
  private made = 0
  private readonly answers: Record<string, AnswerValue> = {}
  private readonly distributions: Record<string, OptionDistribution> = {}
  private readonly invalidItems: Array<string> = []
  private readonly history: Array<Record<string, AnswerValue>> = []
  private readonly turns: Array<{ page: string; raw: string; attempts: number }> = []
  private raw = ""
  private readonly optionOrders: ReturnType<typeof optionOrdersFor>
  private readonly prompts: Map<string, ProviderRequest["prompt"]>
  private readonly randomisers: TwinShared["randomisers"]
  private readonly told: TwinShared["told"]
  private readonly askedPages: ReturnType<typeof twinPages>
  private pageIndex = -1
  private page: ReturnType<typeof twinPages>[number] | undefined
  private prompt: ProviderRequest["prompt"] | undefined
  private attempt = 0
  private pageCalls = 0
  private last: { text: string; parsed: ReturnType<typeof parseReply> } | undefined
  private current: ProviderRequest | undefined
  private finished = false

  constructor(
    private readonly context: SimulationContext,
    readonly twin: Twin,
    readonly replicate: number,
  ) {
    const { study, options } = context
    const shared = context.twinShared(twin, () => {
      const randomisers = randomisersFor(study, options.seed, twin.id)
      return {
        optionOrders: optionOrdersFor(study, options.optionOrder ?? "as-shown", options.seed, twin.id),
        randomisers,
        told: randomiserTexts(randomisers),
        prompts: new Map(),
      }
    })
    this.optionOrders = shared.optionOrders
    this.randomisers = shared.randomisers
    this.told = shared.told
    this.prompts = shared.prompts
    this.askedPages = context.pagesOf(twin)
    this.nextPage()
  }

  /** Moves to the next page the twin is asked (skip logic: a page with nothing left is not shown). */
  private nextPage() {
    const { pages, options, experiment } = this.context
    for (;;) {
      this.pageIndex++
      if (this.pageIndex >= pages.length) {
        this.finished = true
        return
      }
      const pageIndex = this.pageIndex
      const page = this.askedPages.find((candidate) => candidate.index === pageIndex)
      if (page === undefined) {
        this.history.push({})
        continue
      }
      this.page = page
      // The replicates of a twin ask the same prompt for a page when they gave the same answers before it.
      const asked = `${pageIndex}:${historyKey(this.history)}`
      let prompt = this.prompts.get(asked)
      if (prompt === undefined) {
        prompt = experiment.renderPrompt(this.twin, {
          elicitation: options.elicitation,
          includeDemographics: options.includeDemographics,
          ...(pageIndex === 0 ? {} : { page: pageIndex, history: this.history }),
          ...(this.optionOrders === undefined ? {} : { optionOrders: this.optionOrders }),
          ...(this.told === undefined ? {} : { randomisers: this.told }),
        })
        this.prompts.set(asked, prompt)
      }
      this.prompt = prompt
      this.attempt = 0
      this.pageCalls = 0
      this.last = undefined
      return
    }
  }

  /** The call the twin asks for now; undefined once it is done. */
  next(): ProviderRequest | undefined {
    if (this.finished) return undefined
    this.current ??= callRequest(
      this.context.options,
      this.twin,
      this.prompt!,
      this.replicate,
      this.attempt,
      {
        index: this.pageIndex,
        items: this.page!.items,
      },
    )
    return this.current
  }

  /** The outcome of the call `next` asked for; `sent` when it was made (not refused after a rejected key). */
  feed(outcome: CallOutcome, sent: boolean) {
    const { options, streamKey } = this.context
    const page = this.page!
    const pageIndex = this.pageIndex
    const attempt = this.attempt
    this.current = undefined
    if (sent) this.made++
    if (!outcome.ok) {
      this.failure = { reason: outcome.error.reason, message: outcome.error.message }
      this.endPage()
      return
    }
    const { response, cached, costUsd: callCost } = outcome.value
    this.calls++
    this.pageCalls++
    if (cached) this.cached++
    if (callCost === null) this.costKnown = false
    else this.cost += callCost
    this.inputTokens += response.usage.inputTokens
    this.outputTokens += response.usage.outputTokens
    uniquePush(this.warnings, response.warnings)
    uniquePush(this.modelVersions, [response.modelVersion])
    const parsed = parseReply(
      page.items,
      options.elicitation,
      response,
      pageIndex === 0
        ? lazyStreamFor(options.seed, "draw", streamKey, this.twin.id, this.replicate, attempt)
        : lazyStreamFor(
            options.seed,
            "draw",
            streamKey,
            this.twin.id,
            this.replicate,
            attempt,
            "page",
            pageIndex,
          ),
    )
    this.last = { text: response.text, parsed }
    // Invalid answers on a page are re-asked (that page only) up to maxReasks times.
    if (parsed.invalidItems.length === 0 || attempt >= options.maxReasks) this.endPage()
    else this.attempt++
  }

  private endPage() {
    const last = this.last
    if (last !== undefined) {
      if (last.parsed.invalidItems.length > 0) uniquePush(this.warnings, last.parsed.problems)
      Object.assign(this.answers, last.parsed.answers)
      Object.assign(this.distributions, last.parsed.distributions)
      this.raw = last.text
    }
    if (this.failure !== undefined || last === undefined) {
      this.finished = true
      return
    }
    this.invalidItems.push(...last.parsed.invalidItems)
    this.history.push(last.parsed.answers)
    this.turns.push({
      page: this.context.pages[this.pageIndex]!.id,
      raw: last.text,
      attempts: this.pageCalls,
    })
    this.nextPage()
  }

  get tally(): TwinTally {
    return { calls: this.calls, cached: this.cached, costUsd: this.cost, costKnown: this.costKnown }
  }

  /** The respondent, once `next` has nothing left. */
  result(): SyntheticRespondent {
    const { items, options, paged } = this.context
    const { failure, answers, distributions, invalidItems, optionOrders } = this
    const answered = failure === undefined && this.turns.length === this.askedPages.length
    return {
      twinId: this.twin.id,
      replicate: this.replicate,
      arm: this.twin.arm,
      persona: this.twin.persona,
      // After a failure the answers already given stay readable, but every item counts as invalid.
      answers: Object.fromEntries(items.map((item) => [item.id, answers[item.id] ?? null])),
      ...(Object.keys(distributions).length > 0 ? { distributions } : {}),
      raw: this.raw,
      valid: answered && invalidItems.length === 0,
      invalidItems: answered
        ? items.filter((item) => invalidItems.includes(item.id)).map((item) => item.id)
        : items.map((item) => item.id),
      warnings: this.warnings,
      attempts: this.made,
      elicitation: options.elicitation,
      modelVersion: this.modelVersions.join(" | "),
      usage: { inputTokens: this.inputTokens, outputTokens: this.outputTokens },
      ...(paged ? { turns: this.turns } : {}),
      ...(optionOrders === undefined ? {} : { optionOrders }),
      ...(this.randomisers === undefined ? {} : { randomisers: this.randomisers }),
      ...(failure === undefined ? {} : { failure }),
    }
  }
}

/**
 * The earlier pages' answers as a string that differs whenever they do (a non-finite number or an undefined
 * answer is told apart from null): what a page's prompt depends on besides the twin.
 */
const historyKey = (history: ReadonlyArray<Record<string, AnswerValue>>): string =>
  history.length === 0
    ? ""
    : JSON.stringify(history, (_, value: unknown) =>
        value === undefined || (typeof value === "number" && !Number.isFinite(value))
          ? `\u0000${String(value)}`
          : value,
      )

/** What the replicates of one twin share: its option orders, its randomiser outcomes and the prompts rendered for it. */
interface TwinShared {
  readonly optionOrders: ReturnType<typeof optionOrdersFor>
  readonly randomisers: ReturnType<typeof randomisersFor>
  /** What the twin is told of its randomisers' outcomes (in its prompts). */
  readonly told: ReturnType<typeof randomiserTexts>
  readonly prompts: Map<string, ProviderRequest["prompt"]>
}

interface SimulationContext {
  /** The twin's shared part; only the last twin's is kept (replicates of a twin follow one another). */
  readonly twinShared: (twin: Twin, make: () => TwinShared) => TwinShared
  /** `twinPages`, computed once per set of skipped items. */
  readonly pagesOf: (twin: Twin) => ReturnType<typeof twinPages>
  readonly options: SimulationOptions
  readonly experiment: ExperimentShape
  readonly study: ExperimentShape["definition"]
  readonly items: ReadonlyArray<Item>
  readonly pages: ReturnType<typeof instrumentPages>
  readonly paged: boolean
  readonly streamKey: string
}

/** Twins the replay path takes at once: their lookups are batched, then the event loop gets a turn. */
const replayChunk = 256

/**
 * Simulates every twin (× replicates) through one provider. Each twin answers the instrument page by page in
 * one conversation: each page's prompt holds the earlier pages and the twin's answers to them. Invalid
 * answers on a page are re-asked (that page only) up to `maxReasks` times, then kept as invalid with the raw
 * text, and the conversation goes on. A failed call (after the executor's retries) is recorded on the twin
 * with its reason: one twin's failure never ends the run. Results come back in twin order, whatever order
 * they completed in.
 *
 * With an executor that can replay its cache, the twins whose every call is cached are answered first, many
 * at a time in one loop (their lookups batched, no fiber each); only the others take the live path, where a
 * call found in the cache is still served from it, so nothing is paid twice.
 */
export const simulate = <E>(options: SimulationOptions, executor: CallExecutor<E>) =>
  Effect.gen(function* () {
    const { experiment, provider } = options
    const study = experiment.definition
    const pages = instrumentPages(study)
    let lastTwin: { readonly twin: Twin; readonly shared: TwinShared } | undefined
    const pagesBySkipped = new Map<string, ReturnType<typeof twinPages>>()
    const context: SimulationContext = {
      twinShared: (twin, make) => {
        if (lastTwin?.twin !== twin) lastTwin = { twin, shared: make() }
        return lastTwin.shared
      },
      pagesOf: (twin) => {
        const skipped = twin.skipped === undefined ? "" : JSON.stringify(twin.skipped)
        let asked = pagesBySkipped.get(skipped)
        if (asked === undefined) {
          asked = twinPages(study, twin)
          pagesBySkipped.set(skipped, asked)
        }
        return asked
      },
      options,
      experiment,
      study,
      items: study.items,
      pages,
      paged: pages.length > 1,
      streamKey: `${provider.descriptor.id}:${provider.model}`,
    }
    // Per twin-replicate, summed in twin order at the end: the totals do not depend on completion order.
    const tallies: Array<TwinTally> = []
    const synthetic: Array<SyntheticRespondent> = []
    const jobs = options.twins.flatMap((twin) =>
      Array.from({ length: options.replicates }, (_, replicate) => ({ twin, replicate })),
    )
    const done = (ask: TwinAsk, index: number) => {
      const respondent = ask.result()
      const tally = ask.tally
      tallies[index] = tally
      synthetic[index] = respondent
      options.onDone?.(respondent, { calls: tally.calls, cached: tally.cached, costUsd: tally.costUsd })
    }
    const replayed = executor.replay === undefined ? [] : yield* replay(context, jobs, executor.replay, done)
    const live =
      replayed.length === 0 ? jobs.map((_, index) => index) : jobs.flatMap((_, i) => (replayed[i] ? [] : [i]))
    // A rejected key fails every call alike: after the first auth failure, later twins are recorded with
    // the same failure instead of sending more doomed (and possibly billed or rate-limited) requests.
    let authFailure: ProviderError | undefined
    const one = (index: number) =>
      Effect.gen(function* () {
        const { twin, replicate } = jobs[index]!
        const ask = new TwinAsk(context, twin, replicate)
        for (let request = ask.next(); request !== undefined; request = ask.next()) {
          if (authFailure !== undefined) {
            ask.feed({ ok: false, error: authFailure }, false)
            continue
          }
          const outcome: CallOutcome = yield* executor.call(request).pipe(
            Effect.map((value) => ({ ok: true as const, value })),
            Effect.catchIf(
              (error): error is ProviderError => error instanceof ProviderError,
              (error) => Effect.succeed({ ok: false as const, error }),
            ),
          )
          if (!outcome.ok && outcome.error.reason === "auth") authFailure = outcome.error
          ask.feed(outcome, true)
        }
        done(ask, index)
      })
    yield* Effect.forEach(live, one, {
      concurrency: executor.concurrency ?? options.concurrency,
      discard: true,
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
    return { synthetic: synthetic as ReadonlyArray<SyntheticRespondent>, totals }
  })

/**
 * The replay path: the twins, a chunk at a time, walked in lockstep through their calls; each round computes
 * the keys of every twin still going and finds them all at once (`CacheReplay.find`). A twin stops at its
 * first call not in the cache and is left to the live path, with nothing recorded for it; a twin whose every
 * call was found is committed (progress, the run's status rows) and done. Returns which jobs were answered.
 */
const replay = <E>(
  context: SimulationContext,
  jobs: ReadonlyArray<{ readonly twin: Twin; readonly replicate: number }>,
  cache: CacheReplay<E>,
  done: (ask: TwinAsk, index: number) => void,
) =>
  Effect.gen(function* () {
    const answered: Array<boolean> = new Array(jobs.length).fill(false)
    for (let start = 0; start < jobs.length; start += replayChunk) {
      const end = Math.min(jobs.length, start + replayChunk)
      let going: Array<{ ask: TwinAsk; index: number; hits: Array<ReplayHit> }> = []
      for (let index = start; index < end; index++) {
        const { twin, replicate } = jobs[index]!
        going.push({ ask: new TwinAsk(context, twin, replicate), index, hits: [] })
      }
      const complete: Array<{ ask: TwinAsk; index: number; hits: Array<ReplayHit> }> = []
      while (going.length > 0) {
        const requests = going.map((twin) => twin.ask.next()!)
        const keys = requests.map(cache.keyOf)
        const found = yield* cache.find(keys)
        const still: typeof going = []
        for (const [position, twin] of going.entries()) {
          const key = keys[position]!
          const hit = found.get(key)
          // not cached: the whole twin goes the live path
          if (hit === undefined) continue
          twin.ask.feed(
            { ok: true, value: { response: hit.response, cached: true, costUsd: hit.costUsd } },
            true,
          )
          twin.hits.push({ request: requests[position]!, key, answer: hit })
          if (twin.ask.next() === undefined) complete.push(twin)
          else still.push(twin)
        }
        going = still
      }
      yield* cache.commit(complete.flatMap((twin) => twin.hits))
      for (const twin of complete) {
        answered[twin.index] = true
        done(twin.ask, twin.index)
      }
      // the event loop gets a turn (progress display, signals) between chunks
      yield* Effect.yieldNow
    }
    return answered
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
