import { join } from "node:path"
import type {
  Elicitation,
  GenerationSettings,
  MetricError,
  OptionOrderMode,
  StudyDataError,
} from "@standin/core"
import { InputError } from "@standin/core"
import {
  type BudgetExceeded,
  conversationsJsonl,
  judgeRun,
  planRun,
  type RunEvent,
  type RunOutcome,
  type RunPlan,
  type RunVerdict,
  runStudy,
  splitSeeds,
  summariseSplits,
} from "@standin/engine"
import { contentHash, normalizeBaseUrl, type StoreError, withoutSecrets } from "@standin/store"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { planTable } from "../calls.js"
import { type Catalog, findProvider, findStudy } from "../catalog.js"
import { configYaml, type FlagShape, flagShape } from "../config-file.js"
import { defaultTo, parsePilotSize, parseSampling, rangeFlag, threadsOf, wholeFlag } from "../options.js"
import { type ConversationsWriter, toJson, writeRunFiles, writeRunMeta } from "../output.js"
import { checkOutputFolder } from "../paths.js"
import { buildLeaderboard, reportResults } from "./leaderboard.js"
import { runSummaryText, summaryRecords } from "./results.js"
import { callFlags, callOptions, withCalls } from "./run-calls.js"
import { runStudies, studyList } from "./run-many.js"
import { reportFailedModels, type StatusInput, statusFlags } from "./run-status.js"
import { simulationFlags } from "./shared-flags.js"

export interface RunInput extends StatusInput {
  readonly study: string
  readonly provider: ReadonlyArray<string>
  readonly pilot: string
  readonly pilotArms: string
  readonly pilotSampling: string
  readonly holdout: Option.Option<number>
  readonly seed: number
  readonly splits: number
  readonly replicates: number
  readonly elicitation: Elicitation
  readonly temperature: Option.Option<number>
  readonly topP: Option.Option<number>
  readonly maxTokens: Option.Option<number>
  readonly demographics: boolean
  readonly maxReasks: number
  readonly optionOrder: OptionOrderMode
  readonly bootstrap: number
  readonly minCell: number
  readonly threads: Option.Option<number>
  readonly concurrency: Option.Option<number>
  readonly out: string
  readonly quiet: boolean
  readonly site: boolean
  readonly store: Option.Option<string>
  readonly fresh: boolean
  readonly maxCost: Option.Option<number>
  readonly dryRun: boolean
  readonly rpm: Option.Option<number>
  readonly tpm: Option.Option<number>
  readonly prices: Option.Option<string>
  readonly batch: boolean
  readonly batchThreshold: number
  readonly batchPoll: number
  readonly batchSize: Option.Option<number>
  readonly humanCost: number
  readonly timeout: Option.Option<number>
  readonly config: Option.Option<string>
  readonly printConfig: boolean
  readonly json: boolean
}

const say = (quiet: boolean) => (line: string) => {
  if (!quiet) process.stderr.write(`${line}\n`)
}

/**
 * Progress as plain lines on stderr: what loaded, the split, each baseline's progress, skips with reasons.
 * Model providers' calls have their own display (`--quiet` silences both).
 */
const reporter = (quiet: boolean, isBaseline: (entry: string) => boolean) => {
  const print = say(quiet)
  const lastShown = new Map<string, number>()
  return (event: RunEvent) => {
    switch (event._tag) {
      case "Loaded":
        return print(
          `loaded ${event.respondents.toLocaleString("en-US")} respondents (${event.origin}: ${event.path})`,
        )
      case "Split":
        return print(
          `split: pilot ${event.pilot.toLocaleString("en-US")}, holdout ${event.holdout.toLocaleString("en-US")}`,
        )
      case "ProviderSkipped":
        return print(`skipped ${event.entry}: ${event.reason}`)
      case "ProviderStarted":
        return print(`simulating ${event.entry}: ${event.total.toLocaleString("en-US")} twins`)
      case "TwinDone": {
        if (!isBaseline(event.entry)) return
        const step = Math.max(1, Math.floor(event.total / 4))
        const last = lastShown.get(event.entry) ?? 0
        if (event.done < event.total && event.done - last >= step) {
          lastShown.set(event.entry, event.done)
          print(
            `  ${event.entry}: ${event.done.toLocaleString("en-US")}/${event.total.toLocaleString("en-US")}`,
          )
        }
        return
      }
      case "ProviderFinished":
        return print(`  ${event.entry}: done (${event.totals.calls.toLocaleString("en-US")} calls)`)
      case "Scoring":
        return print(`  scoring ${event.entry}: ${event.metric} …`)
    }
  }
}

export const runHandler = (catalog: Catalog, input: RunInput) =>
  Effect.gen(function* () {
    if (input.printConfig) {
      process.stdout.write(configYaml(runFlagShapes, input as unknown as Record<string, unknown>))
      return
    }
    const startedAt = new Date().toISOString()
    if (!input.dryRun) yield* checkOutputFolder("--out", input.out)
    const experiment = yield* findStudy(catalog, input.study)
    const providerTexts =
      input.provider.length > 0
        ? input.provider
        : catalog.providers.filter((p) => p.descriptor.baseline !== undefined).map((p) => p.descriptor.id)
    const providers = yield* Effect.forEach(providerTexts, (text) => findProvider(catalog, text))
    const size = yield* parsePilotSize(input.pilot)
    const sampling = yield* parseSampling(input.pilotSampling)
    const seed = yield* wholeFlag("--seed", input.seed, 0, 2 ** 31 - 1)
    const splitCount = yield* wholeFlag("--splits", input.splits, 1, 100)
    const replicates = yield* wholeFlag("--replicates", input.replicates, 1, 1000)
    const maxReasks = yield* wholeFlag("--max-reasks", input.maxReasks, 0, 10)
    yield* rangeFlag("--max-invalid", input.maxInvalid, 0, 1)
    const bootstrap = yield* wholeFlag("--bootstrap", input.bootstrap, 0, 100_000)
    const minCellSize = yield* wholeFlag("--min-cell", input.minCell, 1)
    const threads = yield* threadsOf(input.threads)
    const concurrency = Option.isSome(input.concurrency)
      ? yield* wholeFlag("--concurrency", input.concurrency.value, 1, 1024)
      : undefined
    const settings: GenerationSettings = {
      ...(Option.isSome(input.temperature)
        ? { temperature: yield* rangeFlag("--temperature", input.temperature.value, 0, 2) }
        : {}),
      ...(Option.isSome(input.topP) ? { topP: yield* rangeFlag("--top-p", input.topP.value, 0, 1) } : {}),
      ...(Option.isSome(input.maxTokens)
        ? { maxTokens: yield* wholeFlag("--max-tokens", input.maxTokens.value, 1, 100_000) }
        : {}),
    }
    const holdoutCap = Option.isSome(input.holdout)
      ? yield* wholeFlag("--holdout", input.holdout.value, 2)
      : undefined
    if (input.pilotArms !== "all" && !experiment.definition.arms.some((arm) => arm.id === input.pilotArms)) {
      return yield* new InputError({
        flag: "--pilot-arms",
        message: `--pilot-arms "${input.pilotArms}" is not "all" or an arm of ${experiment.descriptor.id} (${experiment.definition.arms.map((a) => a.id).join(", ")}).`,
      })
    }
    const calls = yield* callOptions(input)
    const humanCostUsd = yield* rangeFlag("--human-cost", input.humanCost, 0, 1_000_000)
    const design = {
      experiment,
      providers,
      pilot: { size, arms: input.pilotArms, sampling },
      ...(holdoutCap === undefined ? {} : { holdoutCap }),
      seed,
      replicates,
      elicitation: input.elicitation,
      settings,
      includeDemographics: input.demographics,
      maxReasks,
      ppi: { humanCostUsd },
      // As the humans saw them is the default and leaves results and cache keys as they were.
      ...(input.optionOrder === "as-shown" ? {} : { optionOrder: input.optionOrder }),
    }
    const models = providers.filter((selection) => selection.plugin.descriptor.baseline === undefined)
    const baselineIds = new Set(
      catalog.providers.flatMap((plugin) =>
        plugin.descriptor.baseline === undefined ? [] : [plugin.descriptor.id],
      ),
    )
    const outcome = yield* withCalls(
      {
        ...calls,
        fresh: input.fresh,
        quiet: input.quiet,
        elicitation: input.elicitation,
        models: models.length,
        // The command's canonical options: running the same command again resumes the same run.
        runKey: {
          command: "run",
          study: {
            id: experiment.descriptor.id,
            version: experiment.descriptor.version,
            // a study folder edited in place is another run
            definition: contentHash(experiment.definition),
          },
          // stored with the run: no credential from a base URL or the options may reach it
          providers: providers.map(({ spec }) => ({
            provider: spec.provider,
            model: spec.model,
            baseUrl: normalizeBaseUrl(spec.baseUrl),
            options: withoutSecrets(spec.options ?? {}),
          })),
          pilot: design.pilot,
          holdoutCap: holdoutCap ?? null,
          seed,
          ...(splitCount === 1 ? {} : { splits: splitCount }),
          replicates,
          elicitation: input.elicitation,
          settings,
          includeDemographics: input.demographics,
          maxReasks,
          ...(input.optionOrder === "as-shown" ? {} : { optionOrder: input.optionOrder }),
        },
      },
      (
        services,
      ): Effect.Effect<
        | { readonly _tag: "Plan"; readonly plan: RunPlan }
        | { readonly _tag: "Outcome"; readonly outcomes: ReadonlyArray<RunOutcome> },
        StudyDataError | InputError | MetricError | StoreError | BudgetExceeded
      > =>
        input.dryRun
          ? Effect.map(
              planRun({
                ...design,
                ...(services.store === undefined ? {} : { store: services.store }),
                fresh: input.fresh,
                prices: calls.prices,
                batch: calls.batch,
              }),
              (plan) => ({ _tag: "Plan" as const, plan }),
            )
          : Effect.map(
              Effect.forEach(
                splitSeeds(seed, splitCount),
                (splitSeed, k) => {
                  if (splitCount > 1 && !input.quiet)
                    process.stderr.write(`split ${k + 1} of ${splitCount} (seed ${splitSeed})\n`)
                  return runStudy({
                    ...design,
                    seed: splitSeed,
                    metrics: catalog.metrics,
                    threads,
                    ...(catalog.metricSources === undefined ? {} : { metricSources: catalog.metricSources }),
                    bootstrap,
                    minCellSize,
                    concurrency: concurrency ?? 64,
                    executor: services.executor,
                    onEvent: reporter(input.quiet, (entry) => baselineIds.has(entry)),
                  })
                },
                { concurrency: 1 },
              ),
              (outcomes) => ({ _tag: "Outcome" as const, outcomes }),
            ),
    )
    if (outcome === undefined) return
    if (outcome.result._tag === "Plan") {
      process.stdout.write(
        input.json
          ? toJson({ dryRun: true, maxReasks, ...outcome.result.plan })
          : `${planTable(outcome.result.plan, maxReasks)}\n`,
      )
      return
    }
    // a requested model that produced (almost) nothing fails the run loudly (run-status.ts), in every split
    const verdicts = outcome.result.outcomes.map((one) => judgeRun(one, { maxInvalid: input.maxInvalid }))
    const [verdict, ...others] = verdicts as [RunVerdict, ...Array<RunVerdict>]
    // Each further split keeps its own results (not named results.json: a leaderboard folder scan must not
    // count a split as a run of its own); the run's results.json is split 1 plus the splits summary.
    const splitFiles = others.map((_, k) => `splits/${k + 2}/split-results.json`)
    // Each model entry's twins, conversation by conversation (the leaderboard's twin browser reads them).
    const conversations: ConversationsWriter = (entry, synthetic) =>
      entry.baseline === undefined && entry.status === "ok"
        ? conversationsJsonl(experiment, synthetic, {
            elicitation: input.elicitation,
            includeDemographics: input.demographics,
          })
        : null
    others.forEach((other, k) => {
      writeRunFiles(
        join(input.out, "splits", String(k + 2)),
        experiment.definition,
        other.results,
        other.entries,
        "split-results.json",
        conversations,
      )
    })
    const results =
      others.length === 0
        ? verdict.results
        : {
            ...verdict.results,
            splits: yield* summariseSplits(verdicts, splitSeeds(seed, splitCount), [
              "results.json",
              ...splitFiles,
            ]),
          }
    const written = writeRunFiles(
      input.out,
      experiment.definition,
      results,
      verdict.entries,
      "results.json",
      conversations,
    )
    const timed = outcome.result.outcomes.flatMap((one) => (one.phaseSeconds ? [one.phaseSeconds] : []))
    const phaseSum = (phase: "prepare" | "simulate" | "score" | "report") =>
      timed.reduce((sum, seconds) => sum + seconds[phase], 0)
    writeRunMeta(input.out, {
      schemaVersion: 1,
      startedAt,
      finishedAt: new Date().toISOString(),
      ...(timed.length === 0
        ? {}
        : {
            phaseSeconds: {
              prepare: phaseSum("prepare"),
              simulate: phaseSum("simulate"),
              score: phaseSum("score"),
              report: phaseSum("report"),
            },
          }),
    })
    if (!input.json) {
      process.stdout.write(`\n${runSummaryText(results)}`)
      if (outcome.spend !== undefined) process.stdout.write(`${outcome.spend}\n`)
    }
    const { site } = reportFailedModels(
      {
        ...verdict,
        failed: verdicts
          .flatMap((one) => one.failed)
          .filter((f, i, all) => all.findIndex((g) => g.id === f.id) === i),
      },
      input,
    )
    if (!input.json) return yield* reportResults(input.out, written.resultsPath, input.site && site)
    // One JSON document on stdout; the spend line joins the progress on stderr.
    if (outcome.spend !== undefined && !input.quiet) process.stderr.write(`${outcome.spend}\n`)
    const built =
      input.site && site ? yield* buildLeaderboard([written.resultsPath], join(input.out, "site")) : undefined
    process.stdout.write(
      toJson({
        study: results.study.id,
        version: results.study.version,
        results: written.resultsPath,
        site: built?.site.index ?? null,
        entries: summaryRecords(results),
      }),
    )
  })

/** `standin run`'s flags (a config file may set each but `--config` and `--print-config`). */
export const runFlags = {
  study: Flag.String("study").pipe(
    defaultTo(
      "Study to run: an installed study id (see `standin studies`) or the path of a study folder (one holding study.yaml; see `standin study init`). `all` runs every installed study, and a comma list (a,b) the ones named, each into --out/<study>/ with one site over all of them.",
      "fingerprint-consent",
    ),
  ),
  provider: Flag.String("provider").pipe(
    Flag.withDescription(
      "Provider to simulate with, repeatable: a baseline (uniform, pilot-marginal, pilot-cell, human-split-half) or provider:model, e.g. openai:gpt-4o-mini, anthropic:claude-haiku-4-5, google:gemini-2.5-flash, openai-compatible:llama3.1:8b@http://127.0.0.1:11434/v1. Default: all baselines. Base URL (a proxy, a gateway, a local server): append @<URL> to the model (provider:model@http://host:port/v1), or set OPENAI_BASE_URL, ANTHROPIC_BASE_URL, GOOGLE_GEMINI_BASE_URL or OPENAI_COMPATIBLE_BASE_URL; @<URL> wins.",
    ),
    Flag.atLeast(0),
  ),
  pilot: Flag.String("pilot").pipe(
    defaultTo(
      'Pilot size: a count (100), a fraction (0.1 or 10%), or "auto": 10% of the respondents, at most 100 (100 on the bundled study). The holdout is everyone else.',
      "auto",
    ),
  ),
  pilotArms: Flag.String("pilot-arms").pipe(
    defaultTo('Draw the pilot from "all" arms or from one arm id.', "all"),
  ),
  pilotSampling: Flag.String("pilot-sampling").pipe(
    defaultTo('"random" or "balanced:<persona attribute>" (e.g. balanced:race).', "random"),
  ),
  holdout: Flag.Int("holdout").pipe(
    Flag.withDescription(
      "Cap the holdout at this many respondents (a seeded random subset of everyone not in the pilot) for a quick run; at most the respondents left after the pilot. Recorded as holdoutCap in results.json (holdoutSize is the holdout scored). In `standin sweep`, --holdout instead sets the fixed holdout's size. Default: no cap (everyone not in the pilot).",
    ),
    Flag.optional,
  ),
  seed: Flag.Int("seed").pipe(
    defaultTo("Seed for the split, baselines, sampling and bootstrap: same seed, same bytes.", 1),
  ),
  splits: Flag.Int("splits").pipe(
    defaultTo(
      "Repeat the run on K pilot/holdout splits (split 1 uses --seed, the others seeds derived from it) and report each fidelity's mean, between-split SD and an interval including the split variance. Each split's results are kept under <out>/splits/.",
      1,
    ),
  ),
  elicitation: Flag.Literals("elicitation", ["sample", "logprobs", "verbalized"]).pipe(
    defaultTo(
      "sample: the model answers; logprobs: first-token distribution over option labels; verbalized: the model states a distribution.",
      "sample" as const,
    ),
  ),
  optionOrder: Flag.Literals("option-order", ["as-shown", "reversed", "shuffled"]).pipe(
    defaultTo(
      "Order of each item's options in prompts: as-shown (as the humans saw them, with their default), reversed, or shuffled (seeded per twin and item; each twin's order is recorded in its synthetic CSV row).",
      "as-shown" as const,
    ),
  ),
  topP: Flag.Finite("top-p").pipe(
    Flag.withDescription("Nucleus sampling top-p (0–1). Default: the provider's own (not sent)."),
    Flag.optional,
  ),
  maxTokens: Flag.Int("max-tokens").pipe(
    Flag.withDescription("Maximum output tokens per call. Default: the provider's own (not sent)."),
    Flag.optional,
  ),
  out: Flag.String("out").pipe(
    defaultTo("Output folder for results.json and synthetic/*.csv.", "standin-out"),
  ),
  humanCost: Flag.Finite("human-cost").pipe(
    defaultTo(
      "Price of one human participant in USD, for the worth-k-humans cost line (what a model saves for the same precision).",
      2.5,
    ),
  ),
  ...simulationFlags,
  ...callFlags,
  ...statusFlags,
  config: Flag.String("config").pipe(
    Flag.withDescription(
      "A YAML file of this command's flags, by their names (seed: 3, max-reasks: 1, provider: [uniform, openai:gpt-4o-mini], demographics: false); a flag given on the command line overrides the file's value. Default: none.",
    ),
    Flag.optional,
  ),
  printConfig: Flag.Boolean("print-config").pipe(
    defaultTo(
      "Print the effective configuration (the config file's values, the flags given and every default) as YAML and stop: save it and pass it to --config to run the same again.",
      false,
    ),
  ),
  json: Flag.Boolean("json").pipe(
    defaultTo(
      "Print the summary as JSON on stdout (the study, the results and site paths, and per entry its counts, metric headlines with intervals and fidelity) instead of the table; with --dry-run, the plan (calls, tokens and cost per provider).",
      false,
    ),
  ),
} as const

/** What a config file may set, read off the flags. */
export const runFlagShapes: ReadonlyArray<FlagShape & { readonly key: string }> = Object.entries(
  runFlags,
).map(([key, flag]) => ({ key, ...flagShape(flag) }))

export const runCommand = (
  catalog: Catalog,
  handle: (effect: Effect.Effect<void, unknown>) => Effect.Effect<void>,
) =>
  Command.make("run", runFlags, (input) => {
    const studies = studyList(catalog, input.study)
    return handle(
      // --print-config prints the configuration once, "study: all" included
      studies === undefined || input.printConfig
        ? runHandler(catalog, input)
        : runStudies(catalog, input, studies, (one) => runHandler(catalog, one)),
    )
  }).pipe(
    Command.withDescription(
      "Run a study: split the human data into pilot and holdout (seeded), simulate a synthetic twin of every holdout respondent with each provider, score the twins against the real answers with every metric, and write results.json and one synthetic CSV per provider.",
    ),
  )
