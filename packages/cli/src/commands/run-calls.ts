import { existsSync } from "node:fs"
import { hostname } from "node:os"
import type { Elicitation, InputError } from "@standin/core"
import {
  type BatchChoice,
  type BudgetExceeded,
  detectProgressMode,
  makeBudget,
  makeProgress,
  type PriceTable,
  type ProgressSink,
  type RateLimits,
  runExecutors,
} from "@standin/engine"
import { make as makeStore, runIdOf, type StoreError, type StoreShape } from "@standin/store"
import { Data, Effect, Option } from "effect"
import { Flag } from "effect/cli"
import { batchLine, budgetStopMessage, interruptMessage, loadPrices, spendLine, storePath } from "../calls.js"
import {
  drainSeconds,
  interruptCommand,
  receivedSignal,
  type StopSignal,
  signalExitCode,
  whileDraining,
} from "../interrupts.js"
import { defaultTo, rangeFlag, wholeFlag } from "../options.js"
import { checkWritableFile } from "../paths.js"

/** The flags of `standin run` that govern paid calls: cache, budget, rate limits, prices, batches. */
export const callFlags = {
  store: Flag.String("store").pipe(
    Flag.withDescription(
      "The call cache and run records (SQLite). Default: store.sqlite in the user cache (STANDIN_CACHE_DIR, else $XDG_CACHE_HOME/standin, else ~/.cache/standin). Running the same command again resumes from it: answers already paid for are never paid again.",
    ),
    Flag.optional,
  ),
  fresh: Flag.Boolean("fresh").pipe(
    defaultTo("Ignore cached answers and pay for every call again (new answers replace cached ones).", false),
  ),
  maxCost: Flag.Finite("max-cost").pipe(
    Flag.withDescription(
      "Stop cleanly before spending more than this many US dollars on model calls in this run (cached answers are free). A stopped run writes no results; run the same command again to continue. Default: no limit.",
    ),
    Flag.optional,
  ),
  dryRun: Flag.Boolean("dry-run").pipe(
    defaultTo(
      "Print, per provider, the calls, estimated input and output tokens and cost (cached answers are free), then stop before anything is sent.",
      false,
    ),
  ),
  rpm: Flag.Int("rpm").pipe(
    Flag.withDescription("Requests per minute per provider. Default: the provider's own (e.g. openai 500)."),
    Flag.optional,
  ),
  tpm: Flag.Int("tpm").pipe(
    Flag.withDescription(
      "Tokens per minute per provider, input plus expected output. Default: the provider's own (e.g. openai 200,000).",
    ),
    Flag.optional,
  ),
  prices: Flag.String("prices").pipe(
    Flag.withDescription(
      'A JSON file of prices laid over the bundled table, USD per 1M tokens: {"openai": {"gpt-4o-mini": {"input": 0.15, "output": 0.6, "batchDiscount": 0.5}}}. Default: the bundled table alone.',
    ),
    Flag.optional,
  ),
  batch: Flag.Boolean("batch").pipe(
    defaultTo(
      "Send model calls through the vendors' batch APIs (OpenAI Batch, Anthropic Message Batches, Gemini batch mode): about half the price, answers within 24 hours. Without it, batches are used from --batch-threshold calls per provider.",
      false,
    ),
  ),
  batchThreshold: Flag.Int("batch-threshold").pipe(
    defaultTo("Use a provider's batch API automatically from this many calls (twins × replicates).", 20_000),
  ),
  batchPoll: Flag.Finite("batch-poll").pipe(defaultTo("Seconds between checks on running batches.", 30)),
  timeout: Flag.Finite("timeout").pipe(
    Flag.withDescription(
      "Seconds one try of a model call may take before it counts as a timeout and is retried. Default: 300.",
    ),
    Flag.optional,
  ),
  batchSize: Flag.Int("batch-size").pipe(
    Flag.withDescription(
      "At most this many requests per vendor batch. Default: 10,000, or the vendor's limit if it is lower.",
    ),
    Flag.optional,
  ),
}

export interface CallInput {
  readonly store: Option.Option<string>
  readonly maxCost: Option.Option<number>
  readonly dryRun: boolean
  readonly rpm: Option.Option<number>
  readonly tpm: Option.Option<number>
  readonly concurrency: Option.Option<number>
  readonly prices: Option.Option<string>
  readonly batch: boolean
  readonly batchThreshold: number
  readonly batchPoll: number
  readonly batchSize: Option.Option<number>
  readonly timeout?: Option.Option<number>
}

/** The call flags, checked. */
export const callOptions = (input: CallInput) =>
  Effect.gen(function* () {
    const maxCost = Option.isSome(input.maxCost)
      ? yield* rangeFlag("--max-cost", input.maxCost.value, 0, 1_000_000)
      : undefined
    const limits: Partial<RateLimits> = {
      ...(Option.isSome(input.concurrency) ? { maxConcurrency: input.concurrency.value } : {}),
      ...(Option.isSome(input.rpm)
        ? { requestsPerMinute: yield* wholeFlag("--rpm", input.rpm.value, 1, 10_000_000) }
        : {}),
      ...(Option.isSome(input.tpm)
        ? { tokensPerMinute: yield* wholeFlag("--tpm", input.tpm.value, 1, 10_000_000_000) }
        : {}),
    }
    const batch: BatchChoice = {
      mode: input.batch ? "always" : "auto",
      threshold: yield* wholeFlag("--batch-threshold", input.batchThreshold, 1),
      pollIntervalMs: Math.round(1000 * (yield* rangeFlag("--batch-poll", input.batchPoll, 0.01, 3600))),
      ...(Option.isSome(input.batchSize)
        ? { maxRequests: yield* wholeFlag("--batch-size", input.batchSize.value, 1, 1_000_000) }
        : {}),
    }
    const prices: PriceTable = yield* loadPrices(Option.getOrUndefined(input.prices))
    const timeoutMs =
      input.timeout !== undefined && Option.isSome(input.timeout)
        ? Math.round(1000 * (yield* rangeFlag("--timeout", input.timeout.value, 0.1, 86_400)))
        : undefined
    return {
      storeFlag: Option.getOrUndefined(input.store),
      maxCost,
      limits,
      batch,
      prices,
      dryRun: input.dryRun,
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    }
  })

export type CallOptions = Effect.Success<ReturnType<typeof callOptions>>

/** The same run is already running in another process on the same store. */
export class RunBusy extends Data.TaggedError("RunBusy")<{ readonly message: string }> {}

export interface CallServices {
  /** Open for runs with model providers (and dry runs when the store exists). */
  readonly store: StoreShape | undefined
  readonly executor: ReturnType<typeof runExecutors>
}

/**
 * Runs `use` with the machinery of paid calls around it: the store (opened only when a model is called),
 * the run record (`beginRun` keyed by the command's canonical options: the same command resumes), one
 * budget for the run, a progress display per provider, batch lines. A run the budget stopped prints what
 * it spent and how to resume, exits with code 3 and returns undefined; otherwise the result and a line
 * on what was paid now and what came from the cache.
 */
export const withCalls = <A, E>(
  options: CallOptions & {
    readonly fresh: boolean
    readonly quiet: boolean
    readonly elicitation: Elicitation
    /** Model providers in the run (0: only baselines, nothing to cache). */
    readonly models: number
    readonly runKey: unknown
  },
  use: (services: CallServices) => Effect.Effect<A, E | BudgetExceeded | StoreError>,
): Effect.Effect<
  { readonly result: A; readonly spend: string | undefined } | undefined,
  E | StoreError | RunBusy | InputError
> =>
  Effect.scoped(
    Effect.gen(function* () {
      const scope = yield* Effect.scope
      const path = yield* storePath(options.storeFlag)
      const wanted = options.models > 0 && (!options.dryRun || existsSync(path))
      if (wanted) yield* checkWritableFile(options.storeFlag === undefined ? "the store" : "--store", path)
      const store = wanted ? yield* makeStore(path) : undefined
      const runId = runIdOf(options.runKey)
      const mode = detectProgressMode(options.quiet)
      const say = (line: string) => {
        if (mode !== "quiet") process.stderr.write(`${mode === "tty" ? "\r\x1b[K" : ""}${line}\n`)
      }
      if (store !== undefined && !options.dryRun) {
        // The same run twice at once would pay every call twice: the second one is refused. Other
        // runs (other options) share the store freely.
        const holder = yield* store.lockRun(runId)
        if (holder !== undefined)
          return yield* new RunBusy({
            message: `this run (${runId}) is already running in process ${holder.pid}${holder.host === hostname() ? "" : ` on ${holder.host}`} with the store ${path}, since ${new Date(holder.startedAt).toISOString()}. Wait for it to finish (or stop it), then run the command again: it resumes from the cache. Runs with other options can use the same store at the same time.`,
          })
        yield* Effect.addFinalizer(() => Effect.ignore(store.unlockRun(runId)))
        const begun = yield* store.beginRun(runId, JSON.stringify(options.runKey))
        if (begun.resumed) {
          const summary = yield* store.statusSummary(runId)
          say(
            `resuming run ${runId}: ${summary.ok.toLocaleString("en-US")} answers already in the cache${options.fresh ? " (ignored: --fresh)" : ""}`,
          )
        }
      }
      const budget = makeBudget(options.maxCost ?? null)
      const sinks: Array<ProgressSink> = []
      const executor = runExecutors({
        ...(store === undefined ? {} : { store, runId }),
        fresh: options.fresh,
        budget,
        prices: options.prices,
        limits: options.limits,
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        batch: options.batch,
        elicitation: options.elicitation,
        scope,
        progress: (label, binding) => {
          const sink = makeProgress({ mode, label, binding })
          sinks.push(sink)
          return sink
        },
        onBatchEvent: (event) => say(batchLine(event)),
      })
      const setStatus = (status: "completed" | "stopped" | "failed") =>
        store === undefined || options.dryRun ? Effect.void : store.setRunStatus(runId, status)
      const snapshots = Effect.forEach(sinks, (sink) => sink.snapshot)
      // Ctrl-C or SIGTERM: no new call goes out, the calls already sent come back and are stored (for
      // at most drainSeconds()), then the command is interrupted and says how to resume.
      yield* whileDraining((signal) => {
        budget.halt(signal)
        Effect.runFork(
          Effect.gen(function* () {
            const report = yield* budget.report
            const seconds = drainSeconds()
            if (report.inFlightCalls > 0)
              process.stderr.write(
                `\nstandin: ${signal}: sending no new calls; waiting up to ${seconds} s for the calls already sent to be answered and stored (${signal === "SIGINT" ? "Ctrl-C" : "SIGTERM"} again stops at once)\n`,
              )
            const drained = yield* Effect.raceFirst(
              Effect.as(budget.drained, true),
              Effect.as(Effect.sleep(seconds * 1000), false),
            )
            if (!drained) {
              const left = (yield* budget.report).inFlightCalls
              process.stderr.write(
                `standin: ${left.toLocaleString("en-US")} calls still in flight after ${seconds} s: stopping without them (they will be paid again when the run is resumed)\n`,
              )
            }
            interruptCommand()
          }),
        )
      })
      const stopped = (signal: StopSignal) =>
        Effect.gen(function* () {
          yield* Effect.forEach(sinks, (sink) => sink.finish, { discard: true })
          yield* Effect.ignore(setStatus("stopped"))
          process.stderr.write(`${interruptMessage(signal, yield* snapshots, yield* budget.report)}\n`)
          process.exitCode = signalExitCode(signal)
        })
      const outcome = yield* use({ store, executor }).pipe(
        Effect.map((result) => ({ ok: true as const, result })),
        Effect.catchTag("BudgetExceeded", () => Effect.succeed({ ok: false as const })),
        Effect.tapError(() => Effect.ignore(setStatus("failed"))),
        Effect.onInterrupt(() => {
          const signal = receivedSignal()
          return signal === undefined ? Effect.void : stopped(signal)
        }),
      )
      const halted = (yield* budget.report).halted
      if (!outcome.ok && halted !== null) {
        yield* stopped(halted === "SIGTERM" ? "SIGTERM" : "SIGINT")
        return undefined
      }
      if (!outcome.ok) {
        yield* Effect.forEach(sinks, (sink) => sink.finish, { discard: true })
        yield* setStatus("stopped")
        process.stderr.write(`${budgetStopMessage(yield* budget.report, yield* snapshots)}\n`)
        process.exitCode = 3
        return undefined
      }
      yield* setStatus("completed")
      const spend =
        options.models > 0 && !options.dryRun ? spendLine(yield* snapshots, yield* budget.report) : undefined
      return { result: outcome.result, spend }
    }),
  )
