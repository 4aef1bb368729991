import type { GenerationSettings, ResultsFile } from "@standin/core"
import { conversationsJsonl, judgeRun, runSweep, type SweepEvent } from "@standin/engine"
import { contentHash } from "@standin/store"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { type Catalog, findStudy } from "../catalog.js"
import { parsePilotSize, parseSampling, rangeFlag, wholeFlag } from "../options.js"
import { fmt, summaryTable, table, worthBlock, writeRunFiles } from "../output.js"
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
import { reportFailedModels, type StatusInput, statusFlags } from "./run-status.js"
import { simulationFlags } from "./shared-flags.js"

export interface SweepInput extends FinetuneFlagValues, StatusInput {
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
  readonly concurrency: Option.Option<number>
  readonly out: string
  readonly quiet: boolean
  readonly site: boolean
  readonly fresh: boolean
  readonly maxCost: Option.Option<number>
  readonly rpm: Option.Option<number>
  readonly tpm: Option.Option<number>
  readonly prices: Option.Option<string>
  readonly humanCost: number
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

/** The learning curve as a table: one row per grid point, with the n_eff curve when the sweep computed it. */
export const curveTable = (results: ResultsFile): string => {
  const curve = results.learningCurves ?? []
  const worth = curve.some((point) => point.worth !== undefined)
  const neff = (value: number | null | undefined) =>
    value === null || value === undefined ? "–" : fmt(value, 0)
  return table(
    [
      "entry",
      "pilot",
      "sampling",
      "arms",
      "seed",
      "fidelity",
      "95% CI",
      ...(worth ? ["n_eff base", "n_eff finetuned*"] : []),
    ],
    curve.map((point) => [
      point.entry,
      String(point.pilotSize),
      point.sampling,
      point.arms,
      String(point.seed),
      fmt(point.overall.value, 2),
      point.overall.ci === null ? "–" : `${fmt(point.overall.ci.lower, 2)}–${fmt(point.overall.ci.upper, 2)}`,
      ...(worth ? [neff(point.worth?.base), neff(point.worth?.finetuned)] : []),
    ]),
  )
}

/** What the n_eff columns mean, printed under the curve when it has them. */
export const curveNote = (results: ResultsFile): string => {
  const point = (results.learningCurves ?? []).find((candidate) => candidate.worth !== undefined)
  if (point?.worth === undefined) return ""
  return `n_eff (PPI++ on ${point.worth.target}): how many pilot participants the pilot plus the model's twins are worth. "base": the base model's twins with that point's pilot as the labelled set; "finetuned*": the point's finetuned model on the very pilot it was trained on (in-sample: optimistic).\n`
}

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
    yield* rangeFlag("--max-invalid", input.maxInvalid, 0, 1)
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
            concurrency: Option.isSome(input.concurrency)
              ? yield* wholeFlag("--concurrency", input.concurrency.value, 1, 1024)
              : 64,
            ppi: { humanCostUsd: yield* rangeFlag("--human-cost", input.humanCost, 0, 1_000_000) },
            onEvent: reporter(input.quiet),
          })
        }),
    )
    if (called === undefined) return
    // Fails loudly as `standin run` does (run-status.ts): the base model or a finetuned model with no valid twin, or
    // more failed and invalid twins than --max-invalid, exits 4 and builds no site. A point whose job has not
    // finished yet (an export waiting for its adapters) is not a failure: the same sweep picks it up later.
    const verdict = judgeRun(called.result, { maxInvalid: input.maxInvalid })
    const unfinished = new Set(
      verdict.results.entries
        .filter((entry) => entry.status === "skipped" && entry.finetune?.jobId !== undefined)
        .map((entry) => entry.id),
    )
    const outcome = { ...verdict, failed: verdict.failed.filter((entry) => !unfinished.has(entry.id)) }
    // Each model entry's twins, conversation by conversation, as `standin run` writes them (the twin browser).
    const written = writeRunFiles(
      input.out,
      study,
      outcome.results,
      outcome.entries,
      "results.json",
      (entry, synthetic) =>
        entry.baseline === undefined && entry.status === "ok"
          ? conversationsJsonl(experiment, synthetic, {
              elicitation: "sample",
              includeDemographics: input.demographics,
            })
          : null,
    )
    const worth = worthBlock(outcome.results)
    process.stdout.write(
      `\n${summaryTable(outcome.results)}\n\nlearning curve (overall fidelity, 0 = uniform floor, 1 = human ceiling):\n${curveTable(outcome.results)}\n${curveNote(outcome.results)}\n${worth === "" ? "" : `${worth}\n\n`}`,
    )
    if (outcome.results.entries.some((entry) => entry.finetune?.fake === true))
      process.stdout.write(
        "finetunes trained by a testkit fake are labelled fake and never appear on a leaderboard.\n",
      )
    if (called.spend !== undefined) process.stdout.write(`${called.spend}\n`)
    const { site } = reportFailedModels(outcome, input)
    yield* reportResults(input.out, written.resultsPath, input.site && site)
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
      ...statusFlags,
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
      humanCost: Flag.Finite("human-cost").pipe(
        Flag.withDescription(
          "Price of one human participant in USD, for the worth-k-humans cost figures of every entry.",
        ),
        Flag.withDefault(2.5),
      ),
    },
    (input) => handle(sweepHandler(catalog, input)),
  ).pipe(
    Command.withDescription(
      "Draw the learning curve of finetuning: one fixed holdout, and for every pilot size × sampling scheme × replicate seed a pilot from the rest, a finetune on it, and its twins scored on the holdout — beside the base model and the baselines (pilot baselines per point). Writes results.json with learningCurves.",
    ),
  )
