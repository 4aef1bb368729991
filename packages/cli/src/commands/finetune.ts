import { FinetuneError } from "@standin/core"
import { prepareFinetune, runFinetune, samplingLabel, splitRespondents } from "@standin/engine"
import { make as makeStore } from "@standin/store"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { storePath } from "../calls.js"
import { type Catalog, findStudy } from "../catalog.js"
import { parsePilotSize, parseSampling, wholeFlag } from "../options.js"
import {
  bytes,
  type FinetuneFlagValues,
  finetuneFlags,
  jobLines,
  resolveArms,
  resolveFinetune,
  specText,
  usd,
} from "./finetune-shared.js"

export interface FinetuneInput extends FinetuneFlagValues {
  readonly study: string
  readonly pilot: string
  readonly pilotArms: string
  readonly pilotSampling: string
  readonly demographics: boolean
  readonly seed: number
  readonly dryRun: boolean
  readonly cancel: boolean
  readonly wait: boolean
  readonly retry: boolean
}

const out = (line: string) => process.stdout.write(`${line}\n`)

/** The roles of a chat JSONL line's messages, if it is one. */
const exampleRoles = (line: string): ReadonlyArray<string> | undefined => {
  try {
    const messages = (JSON.parse(line) as { messages?: unknown }).messages
    return Array.isArray(messages)
      ? messages.map((message) => String((message as { role?: unknown }).role))
      : undefined
  } catch {
    return undefined
  }
}

export const finetuneHandler = (catalog: Catalog, input: FinetuneInput) =>
  Effect.gen(function* () {
    const experiment = yield* findStudy(catalog, input.study)
    const study = experiment.definition
    const seed = yield* wholeFlag("--seed", input.seed, 0, 2 ** 31 - 1)
    const size = yield* parsePilotSize(input.pilot)
    const sampling = yield* parseSampling(input.pilotSampling)
    const { arms, chosen } = yield* resolveArms(study, input.pilotArms, seed)
    const resolved = yield* resolveFinetune(catalog, input)
    const { finetuner } = resolved
    const human = yield* experiment.loadHumanData
    // The same draw `standin run` makes with the same --pilot flags and --seed: its holdout is this pilot's complement.
    const split = yield* splitRespondents(study, human.respondents, { size, arms, sampling }, seed)
    const safe = yield* prepareFinetune({
      experiment,
      finetuner,
      baseModel: resolved.base.spec.model,
      pilot: split.pilot,
      everyone: human.respondents,
      includeDemographics: input.demographics,
      validationFraction: resolved.validationFraction,
      seed,
      hyperparameters: { seed, ...resolved.hyperparameters },
    })
    const prepared = safe.prepared
    const armText =
      arms === "all"
        ? "all arms"
        : `arm "${arms}"${chosen ? ` (one arm, chosen by --seed ${seed}; the study's arms are ${study.arms.map((arm) => arm.id).join(", ")})` : ""}`
    out(
      `pilot: ${split.pilot.length} respondents from ${armText}, ${samplingLabel(sampling)}${input.demographics ? "" : ", demographics removed from the prompts"}`,
    )
    for (const file of prepared.files)
      out(
        `${file.purpose} file: ${file.filename}, ${bytes(Buffer.byteLength(file.content))}, ${file.examples} examples, ${file.tokens.toLocaleString("en-US")} tokens`,
      )
    const epochs = prepared.hyperparameters.epochs
    const selfHosted = finetuner.descriptor.id === "export"
    out(
      `estimate: ${prepared.estimate.trainedTokens.toLocaleString("en-US")} trained tokens${epochs === undefined ? "" : ` (${epochs} epochs)`}, ${selfHosted ? "self-hosted (your own GPU time)" : usd(prepared.estimate.costUsd)} with ${finetuner.descriptor.id} for ${prepared.baseModel}`,
    )
    out(`hyperparameters: ${JSON.stringify(prepared.hyperparameters)}`)
    if (safe.ignored.length > 0)
      out(`ignored (${finetuner.descriptor.id} does not take them): ${safe.ignored.join(", ")}`)
    if (input.dryRun) {
      // One pilot respondent's example as the file holds it: the whole conversation with the study's
      // instrument, page by page, with the human's real answers as the assistant turns.
      const train = prepared.files.find((file) => file.purpose === "train")
      const line = train?.content.split("\n").find((text) => text.trim() !== "")
      if (line !== undefined) {
        const roles = exampleRoles(line)
        out(
          `first training example (${train!.filename}${roles === undefined ? "" : `, ${roles.length} turns: ${roles.join(", ")}`}):`,
        )
        out(line)
      }
      out("dry run: nothing was uploaded.")
      return
    }
    yield* Effect.scoped(
      Effect.gen(function* () {
        const store = yield* makeStore(yield* storePath(Option.getOrUndefined(input.store)))
        if (input.cancel) {
          const record = yield* store.getFinetuneJob(safe.key)
          if (record?.jobId == null) {
            out("no job of this finetune was started: nothing to cancel.")
            return
          }
          const status = yield* finetuner.cancel({
            finetuner: record.finetuner,
            jobId: record.jobId,
            fileIds: record.fileIds,
          })
          out(`job ${record.jobId}: ${status.state}`)
          return
        }
        // A self-hosted export "runs" until you have trained the adapter: it is never waited for.
        const wait = input.wait && finetuner.descriptor.id !== "export"
        const outcome = yield* runFinetune({
          store,
          finetuner,
          safe,
          pollInterval: `${Math.round(resolved.pollSeconds * 1000)} millis`,
          ...(wait ? {} : { maxWait: 0 }),
          retry: input.retry,
          onEvent: (event) => {
            for (const line of jobLines(event)) out(line)
          },
        }).pipe(
          Effect.mapError((error) =>
            error.reason === "job-failed" || error.reason === "job-cancelled"
              ? new FinetuneError({
                  finetuner: error.finetuner,
                  reason: error.reason,
                  message: `${error.message} (run the same command with --retry to start a new job)`,
                  ...(error.jobId === undefined ? {} : { jobId: error.jobId }),
                })
              : error,
          ),
        )
        if (outcome.spec === undefined) {
          out(
            `job ${outcome.job.jobId} is ${outcome.status.state}: run the same command again to pick it up.`,
          )
          return
        }
        const spec = outcome.spec
        out(
          `model: ${spec.model}${outcome.status.fake === true ? " (trained by a testkit fake: its results are labelled fake)" : ""}`,
        )
        out(`provider: ${specText(spec)}`)
        // providerOptions[providerId] (the flat options of before still read)
        const own = spec.options?.[spec.provider]
        const keyEnv =
          typeof own === "object" && own !== null
            ? (own as Readonly<Record<string, unknown>>).keyEnv
            : spec.options?.keyEnv
        const flags = [
          `--study ${input.study}`,
          `--pilot ${input.pilot}`,
          `--pilot-arms ${arms}`,
          `--pilot-sampling ${samplingLabel(sampling)}`,
          `--seed ${seed}`,
          ...(input.demographics ? [] : ["--no-demographics"]),
          `--provider ${specText(spec)}`,
        ]
        out(
          `evaluate it on this pilot's holdout: ${typeof keyEnv === "string" ? `OPENAI_COMPATIBLE_API_KEY="$${keyEnv}" ` : ""}standin run ${flags.join(" ")}`,
        )
      }),
    )
  })

export const finetuneCommand = (
  catalog: Catalog,
  handle: (effect: Effect.Effect<void, unknown>) => Effect.Effect<void>,
) =>
  Command.make(
    "finetune",
    {
      study: Flag.String("study").pipe(
        Flag.withDescription("Study: an installed study id or the path of a study folder."),
        Flag.withDefault("fingerprint-consent"),
      ),
      ...finetuneFlags,
      pilot: Flag.String("pilot").pipe(
        Flag.withDescription("Pilot size: a count (30) or a fraction (0.25 or 25%) of the arm-scoped data."),
        Flag.withDefault("30"),
      ),
      pilotArms: Flag.String("pilot-arms").pipe(
        Flag.withDescription('"all" arms, "one" arm (chosen by --seed, and said which), or an arm id.'),
        Flag.withDefault("all"),
      ),
      pilotSampling: Flag.String("pilot-sampling").pipe(
        Flag.withDescription('"random" or "balanced:<persona attribute>" (e.g. balanced:race).'),
        Flag.withDefault("random"),
      ),
      demographics: Flag.Boolean("demographics").pipe(
        Flag.withDescription("Train with the persona in the prompt; --no-demographics is the ablation."),
        Flag.withDefault(true),
      ),
      seed: Flag.Int("seed").pipe(
        Flag.withDescription("Seed for the pilot draw, the validation split and the vendor's training seed."),
        Flag.withDefault(1),
      ),
      dryRun: Flag.Boolean("dry-run").pipe(
        Flag.withDescription(
          "Prepare the training file and print its size, tokens and estimated cost; upload nothing.",
        ),
        Flag.withDefault(false),
      ),
      cancel: Flag.Boolean("cancel").pipe(
        Flag.withDescription("Cancel the job this exact finetune started (found in --store)."),
        Flag.withDefault(false),
      ),
      retry: Flag.Boolean("retry").pipe(
        Flag.withDescription("Start a new job when this finetune's stored job failed or was cancelled."),
        Flag.withDefault(false),
      ),
      wait: Flag.Boolean("wait").pipe(
        Flag.withDescription("Poll until the job ends (--no-wait submits, or resumes, and returns)."),
        Flag.withDefault(true),
      ),
    },
    (input) => handle(finetuneHandler(catalog, input)),
  ).pipe(
    Command.withDescription(
      "Finetune a base model on a pilot sample of the study's participants (never the holdout): build the training file with the study's own prompt renderer, upload it, run the job and print the trained model's provider. The job is kept in the local store: interrupted and run again, the same command resumes polling the same job.",
    ),
  )
