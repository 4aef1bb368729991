import type { GenerationSettings, ResultsFile } from "@standin/core"
import { runSweep, type SweepEvent } from "@standin/engine"
import { contentHash } from "@standin/store"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { type Catalog, findStudy } from "../catalog.js"
import { parsePilotSize, parseSampling, rangeFlag, threadsOf, wholeFlag } from "../options.js"
import { fmt, summaryTable, table, writeRunFiles } from "../output.js"
import { checkOutputFolder } from "../paths.js"
import {
  type FinetuneFlagValues,
  finetuneFlags,
  jobLines,
  resolveArms,
  resolveFinetune,
  usd,
} from "./finetune-shared.js"
import { reportResults } from "./leaderboard.js"
import { callFlags, callOptions, withCalls } from "./run-calls.js"
import { simulationFlags } from "./shared-flags.js"

export interface SweepInput extends FinetuneFlagValues {
  readonly study: string
  readonly pilot: string
  readonly pilotArms: string
  readonly pilotSampling: string
  readonly seeds: number
  readonly seed: number
  readonly holdout: Option.Option<number>
  readonly demographics: boolean
  readonly replicates: number
  readonly temperature: Option.Option<number>
  readonly maxReasks: number
  readonly bootstrap: number
  readonly minCell: number
  readonly threads: Option.Option<number>
  readonly concurrency: Option.Option<number>
  readonly out: string
  readonly quiet: boolean
  readonly site: boolean
  readonly fresh: boolean
  readonly maxCost: Option.Option<number>
  readonly rpm: Option.Option<number>
  readonly tpm: Option.Option<number>
  readonly prices: Option.Option<string>
}

const list = (text: string): ReadonlyArray<string> =>
  text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")

/** Progress on stderr: the split, each point's finetune, and the run's providers. */
const reporter = (quiet: boolean) => (event: SweepEvent) => {
  if (quiet) return
  const print = (line: string) => process.stderr.write(`${line}\n`)
  switch (event._tag) {
    case "Split":
      return print(`sweep: holdout ${event.holdout} (fixed for every point), pilot pool ${event.pool}`)
    case "Prepared":
      return print(
        `${event.point.tag}: ${event.pilot} pilot respondents, ${event.tokens.toLocaleString("en-US")} trained tokens, ${usd(event.costUsd)}${event.ignored.length > 0 ? ` (ignored: ${event.ignored.join(", ")})` : ""}`,
      )
    case "Job":
      for (const line of jobLines(event.event, `${event.point.tag}: `)) print(line)
      return
    case "FinetuneFailed":
      return print(`${event.point.tag}: finetune failed: ${event.message}`)
    case "Run":
      if (event.event._tag === "ProviderStarted")
        print(`simulating ${event.event.entry}: ${event.event.total} twins`)
      if (event.event._tag === "ProviderSkipped") print(`skipped ${event.event.entry}: ${event.event.reason}`)
      return
  }
}

/** The learning curve as a table: one row per grid point. */
export const curveTable = (results: ResultsFile): string =>
  table(
    ["entry", "pilot", "sampling", "arms", "seed", "fidelity", "95% CI"],
    (results.learningCurves ?? []).map((point) => [
      point.entry,
      String(point.pilotSize),
      point.sampling,
      point.arms,
      String(point.seed),
      fmt(point.overall.value, 2),
      point.overall.ci === null ? "–" : `${fmt(point.overall.ci.lower, 2)}–${fmt(point.overall.ci.upper, 2)}`,
    ]),
  )

export const sweepHandler = (catalog: Catalog, input: SweepInput) =>
  Effect.gen(function* () {
    yield* checkOutputFolder("--out", input.out)
    const experiment = yield* findStudy(catalog, input.study)
    const study = experiment.definition
    const seed = yield* wholeFlag("--seed", input.seed, 0, 2 ** 31 - 1)
    const seeds = yield* wholeFlag("--seeds", input.seeds, 1, 100)
    const sizes = yield* Effect.forEach(list(input.pilot), parsePilotSize)
    const samplings = yield* Effect.forEach(list(input.pilotSampling), parseSampling)
    const { arms } = yield* resolveArms(study, input.pilotArms, seed)
    const resolved = yield* resolveFinetune(catalog, input)
    const holdoutSize = Option.isSome(input.holdout)
      ? yield* wholeFlag("--holdout", input.holdout.value, 2)
      : undefined
    const settings: GenerationSettings = Option.isSome(input.temperature)
      ? { temperature: yield* rangeFlag("--temperature", input.temperature.value, 0, 2) }
      : {}
    const baselines = catalog.providers
      .filter((plugin) => plugin.descriptor.baseline !== undefined)
      .map((plugin) => ({
        plugin,
        spec: { provider: plugin.descriptor.id, model: plugin.descriptor.defaultModel ?? "v1" },
      }))
    const calls = yield* callOptions({
      store: input.store,
      maxCost: input.maxCost,
      dryRun: false,
      rpm: input.rpm,
      tpm: input.tpm,
      concurrency: input.concurrency,
      prices: input.prices,
      batch: false,
      batchThreshold: Number.MAX_SAFE_INTEGER,
      batchPoll: 30,
      batchSize: Option.none(),
    })
    // Model calls (the base model and every finetuned model) go through the call cache, rate limits and the
    // budget, like `standin run`: an interrupted sweep resumes without paying for an answer twice.
    const called = yield* withCalls(
      {
        ...calls,
        fresh: input.fresh,
        quiet: input.quiet,
        elicitation: "sample",
        models: 1,
        runKey: {
          command: "sweep",
          study: {
            id: experiment.descriptor.id,
            version: experiment.descriptor.version,
            definition: contentHash(study),
          },
          base: { provider: resolved.base.spec.provider, model: resolved.base.spec.model },
          finetuner: resolved.plugin.descriptor.id,
          sizes,
          samplings,
          arms,
          seeds,
          seed,
          holdout: holdoutSize ?? null,
          includeDemographics: input.demographics,
          hyperparameters: resolved.hyperparameters,
          settings,
        },
      },
      ({ store, executor }) =>
        Effect.gen(function* () {
          if (store === undefined) return yield* Effect.die("the sweep's store was not opened")
          return yield* runSweep({
            executor,
            experiment,
            finetuner: resolved.finetuner,
            base: resolved.base,
            baselines,
            servedBy: resolved.servedBy,
            metrics: catalog.metrics,
            sizes,
            samplings,
            arms,
            seeds,
            seed,
            ...(holdoutSize === undefined ? {} : { holdoutSize }),
            includeDemographics: input.demographics,
            hyperparameters: resolved.hyperparameters,
            validationFraction: resolved.validationFraction,
            store,
            pollInterval: `${Math.round(resolved.pollSeconds * 1000)} millis`,
            // A self-hosted export waits for you to train it: its points are skipped until the adapters exist.
            ...(resolved.plugin.descriptor.id === "export" ? { maxWait: 0 } : {}),
            replicates: yield* wholeFlag("--replicates", input.replicates, 1, 1000),
            elicitation: "sample",
            settings,
            maxReasks: yield* wholeFlag("--max-reasks", input.maxReasks, 0, 10),
            bootstrap: yield* wholeFlag("--bootstrap", input.bootstrap, 0, 100_000),
            minCellSize: yield* wholeFlag("--min-cell", input.minCell, 1),
            threads: yield* threadsOf(input.threads),
            ...(catalog.metricSources === undefined ? {} : { metricSources: catalog.metricSources }),
            concurrency: Option.isSome(input.concurrency)
              ? yield* wholeFlag("--concurrency", input.concurrency.value, 1, 1024)
              : 64,
            onEvent: reporter(input.quiet),
          })
        }),
    )
    if (called === undefined) return
    const outcome = called.result
    const written = writeRunFiles(input.out, study, outcome.results, outcome.entries)
    process.stdout.write(
      `\n${summaryTable(outcome.results)}\n\nlearning curve (overall fidelity, 0 = uniform floor, 1 = human ceiling):\n${curveTable(outcome.results)}\n\n`,
    )
    if (outcome.results.entries.some((entry) => entry.finetune?.fake === true))
      process.stdout.write(
        "finetunes trained by a testkit fake are labelled fake and never appear on a leaderboard.\n",
      )
    if (called.spend !== undefined) process.stdout.write(`${called.spend}\n`)
    yield* reportResults(input.out, written.resultsPath, input.site)
  })

export const sweepCommand = (
  catalog: Catalog,
  handle: (effect: Effect.Effect<void, unknown>) => Effect.Effect<void>,
) =>
  Command.make(
    "sweep",
    {
      study: Flag.String("study").pipe(
        Flag.withDescription("Study: an installed study id or the path of a study folder."),
        Flag.withDefault("fingerprint-consent"),
      ),
      ...finetuneFlags,
      ...simulationFlags,
      fresh: callFlags.fresh,
      maxCost: callFlags.maxCost,
      rpm: callFlags.rpm,
      tpm: callFlags.tpm,
      prices: callFlags.prices,
      pilot: Flag.String("pilot").pipe(
        Flag.withDescription("Pilot sizes, comma-separated: counts (30,60,120,240) or fractions (0.25,0.5)."),
        Flag.withDefault("30,60,120,240"),
      ),
      pilotArms: Flag.String("pilot-arms").pipe(
        Flag.withDescription(
          '"all" arms, "one" arm (chosen by --seed), or an arm id: the scope of every pilot.',
        ),
        Flag.withDefault("all"),
      ),
      pilotSampling: Flag.String("pilot-sampling").pipe(
        Flag.withDescription('Sampling schemes, comma-separated: "random" and/or "balanced:<attribute>".'),
        Flag.withDefault("random"),
      ),
      seeds: Flag.Int("seeds").pipe(
        Flag.withDescription("Replicate seeds per (size, sampling): --seed, --seed+1, …"),
        Flag.withDefault(1),
      ),
      seed: Flag.Int("seed").pipe(
        Flag.withDescription("Seed of the fixed holdout, the first replicate, sampling and bootstrap."),
        Flag.withDefault(1),
      ),
      holdout: Flag.Int("holdout").pipe(
        Flag.withDescription(
          "Respondents in the fixed holdout (default: half the data); the rest is the pilot pool. Recorded as holdoutSize in results.json (holdoutCap stays null: unlike `standin run --holdout`, it caps nothing).",
        ),
        Flag.optional,
      ),
      out: Flag.String("out").pipe(
        Flag.withDescription(
          "Output folder for results.json (with the learning curves) and synthetic/*.csv.",
        ),
        Flag.withDefault("standin-sweep"),
      ),
    },
    (input) => handle(sweepHandler(catalog, input)),
  ).pipe(
    Command.withDescription(
      "Draw the learning curve of finetuning: one fixed holdout, and for every pilot size × sampling scheme × replicate seed a pilot from the rest, a finetune on it, and its twins scored on the holdout — beside the base model and the baselines (pilot baselines per point). Writes results.json with learningCurves.",
    ),
  )
