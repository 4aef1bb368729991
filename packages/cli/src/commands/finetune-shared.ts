import {
  Finetuner,
  type FinetunerPlugin,
  type FinetunerShape,
  type Hyperparameters,
  InputError,
  type PluginConfigError,
  type ProviderPlugin,
  type ProviderSpec,
  type StudyDefinition,
  scrubUrlCredentials,
} from "@standin/core"
import { chooseArm, type FinetuneJobEvent } from "@standin/engine"
import { DEFAULT_BASE_URL as TOGETHER_URL } from "@standin/finetuner-together"
import { Effect, Option } from "effect"
import { Flag } from "effect/cli"
import { type Catalog, findProvider } from "../catalog.js"
import { rangeFlag, wholeFlag } from "../options.js"

/** Flags `standin finetune` and `standin sweep` share: the base model, the finetuner and its hyperparameters. */
export const finetuneFlags = {
  base: Flag.String("base").pipe(
    Flag.withDescription(
      "The base model to finetune, as a provider reference: openai:gpt-4o-mini-2024-07-18, openai-compatible:meta-llama/Meta-Llama-3.1-8B-Instruct-Reference (with --finetuner together), openai-compatible:<model>@http://127.0.0.1:8000/v1 (with --finetuner export).",
    ),
  ),
  finetuner: Flag.String("finetuner").pipe(
    Flag.withDescription(
      "openai, together or export (self-hosted: writes the dataset and an axolotl config). Default: openai for an openai: base.",
    ),
    Flag.optional,
  ),
  validation: Flag.Finite("validation").pipe(
    Flag.withDescription("Share of the pilot held back as a validation file (0–0.5)."),
    Flag.withDefault(0),
  ),
  epochs: Flag.Int("epochs").pipe(Flag.withDescription("Training epochs."), Flag.optional),
  batchSize: Flag.Int("batch-size").pipe(Flag.withDescription("Training batch size."), Flag.optional),
  learningRate: Flag.Finite("learning-rate").pipe(
    Flag.withDescription("Learning rate (Together, self-hosted)."),
    Flag.optional,
  ),
  learningRateMultiplier: Flag.Finite("learning-rate-multiplier").pipe(
    Flag.withDescription("Learning-rate multiplier (OpenAI)."),
    Flag.optional,
  ),
  loraRank: Flag.Int("lora-rank").pipe(
    Flag.withDescription("LoRA rank (Together, self-hosted)."),
    Flag.optional,
  ),
  loraAlpha: Flag.Int("lora-alpha").pipe(
    Flag.withDescription("LoRA alpha (Together, self-hosted)."),
    Flag.optional,
  ),
  suffix: Flag.String("suffix").pipe(
    Flag.withDescription("Suffix for the trained model's name."),
    Flag.optional,
  ),
  store: Flag.String("store").pipe(
    Flag.withDescription(
      "The local store that keeps finetune jobs (and resumes them) and the call cache. Default: store.sqlite in the user cache (STANDIN_CACHE_DIR, else $XDG_CACHE_HOME/standin, else ~/.cache/standin), shared with `standin run`.",
    ),
    Flag.optional,
  ),
  exportDir: Flag.String("export-dir").pipe(
    Flag.withDescription("Where --finetuner export writes its datasets and configs."),
    Flag.withDefault("standin-finetunes"),
  ),
  poll: Flag.Finite("poll").pipe(
    Flag.withDescription("Seconds between status polls of a running job."),
    Flag.withDefault(30),
  ),
} as const

export interface FinetuneFlagValues {
  readonly base: string
  readonly finetuner: Option.Option<string>
  readonly validation: number
  readonly epochs: Option.Option<number>
  readonly batchSize: Option.Option<number>
  readonly learningRate: Option.Option<number>
  readonly learningRateMultiplier: Option.Option<number>
  readonly loraRank: Option.Option<number>
  readonly loraAlpha: Option.Option<number>
  readonly suffix: Option.Option<string>
  readonly store: Option.Option<string>
  readonly exportDir: string
  readonly poll: number
}

export interface ResolvedFinetune {
  readonly plugin: FinetunerPlugin
  readonly finetuner: FinetunerShape
  /** The base model as a provider (for the sweep's base entry). */
  readonly base: { readonly plugin: ProviderPlugin; readonly spec: ProviderSpec }
  /** The provider that serves the trained model. */
  readonly servedBy: ProviderPlugin
  readonly hyperparameters: Hyperparameters
  readonly validationFraction: number
  readonly pollSeconds: number
}

const getFinetuner = Effect.gen(function* () {
  return yield* Finetuner
})

/** Resolves --base and --finetuner to plugins, and the hyperparameter flags to a Hyperparameters value. */
export const resolveFinetune = (
  catalog: Catalog,
  input: FinetuneFlagValues,
): Effect.Effect<ResolvedFinetune, InputError | PluginConfigError> =>
  Effect.gen(function* () {
    const found = yield* findProvider(catalog, input.base).pipe(
      Effect.mapError(
        (error) =>
          new InputError({ flag: "--base", message: error.message.replaceAll("--provider", "--base") }),
      ),
    )
    if (found.plugin.descriptor.baseline !== undefined)
      return yield* new InputError({
        flag: "--base",
        message: `--base must be a model, not the ${found.plugin.descriptor.id} baseline.`,
      })
    const finetuners = catalog.finetuners ?? []
    const ids = finetuners.map((plugin) => plugin.descriptor.id)
    const wanted =
      Option.getOrUndefined(input.finetuner) ?? (found.spec.provider === "openai" ? "openai" : undefined)
    if (wanted === undefined)
      return yield* new InputError({
        flag: "--finetuner",
        message: `name the finetuner for --base ${input.base}: --finetuner ${ids.join(" or ")}.`,
      })
    const plugin = finetuners.find((candidate) => candidate.descriptor.id === wanted)
    if (plugin === undefined)
      return yield* new InputError({
        flag: "--finetuner",
        message: `unknown finetuner "${wanted}". Installed finetuners: ${ids.join(", ") || "none"}.`,
      })
    const servedBy = catalog.providers.find(
      (candidate) => candidate.descriptor.id === plugin.descriptor.servedBy,
    )
    if (servedBy === undefined)
      return yield* new InputError({
        flag: "--finetuner",
        message: `${wanted} models are served by the ${plugin.descriptor.servedBy} provider, which is not installed.`,
      })
    let base = found
    const options: Record<string, unknown> = {}
    if (wanted === "export") {
      options.dir = input.exportDir
      if (found.spec.baseUrl !== undefined) options.servedAt = found.spec.baseUrl
    } else if (found.spec.baseUrl !== undefined) options.baseUrl = found.spec.baseUrl
    if (wanted === "together" && found.spec.provider === "openai-compatible") {
      // The base model runs on Together too, with the Together key.
      const baseUrl = found.spec.baseUrl ?? process.env.TOGETHER_BASE_URL ?? TOGETHER_URL
      base = {
        ...found,
        spec: {
          ...found.spec,
          baseUrl,
          // vendor options have one shape: providerOptions[providerId]
          options: {
            ...found.spec.options,
            "openai-compatible": {
              ...(found.spec.options?.["openai-compatible"] as Record<string, unknown> | undefined),
              keyEnv: "TOGETHER_API_KEY",
            },
          },
        },
      }
      options.baseUrl = baseUrl
    }
    const finetuner = yield* Effect.provide(getFinetuner, plugin.layer(options))
    const validationFraction = yield* rangeFlag("--validation", input.validation, 0, 0.5)
    const pollSeconds = yield* rangeFlag("--poll", input.poll, 0.01, 3600)
    const whole = (flag: string, value: Option.Option<number>, min: number, max?: number) =>
      Option.isSome(value)
        ? Effect.map(wholeFlag(flag, value.value, min, max), (v) => v)
        : Effect.succeed(undefined)
    const positive = (flag: string, value: Option.Option<number>) =>
      Option.isSome(value) ? rangeFlag(flag, value.value, 1e-9, 100) : Effect.succeed(undefined)
    const epochs = yield* whole("--epochs", input.epochs, 1, 50)
    const batchSize = yield* whole("--batch-size", input.batchSize, 1, 1024)
    const loraRank = yield* whole("--lora-rank", input.loraRank, 1, 512)
    const loraAlpha = yield* whole("--lora-alpha", input.loraAlpha, 1, 1024)
    const learningRate = yield* positive("--learning-rate", input.learningRate)
    const learningRateMultiplier = yield* positive("--learning-rate-multiplier", input.learningRateMultiplier)
    const hyperparameters: Hyperparameters = {
      ...(epochs === undefined ? {} : { epochs }),
      ...(batchSize === undefined ? {} : { batchSize }),
      ...(learningRate === undefined ? {} : { learningRate }),
      ...(learningRateMultiplier === undefined ? {} : { learningRateMultiplier }),
      ...(loraRank === undefined ? {} : { loraRank }),
      ...(loraAlpha === undefined ? {} : { loraAlpha }),
      ...(Option.isSome(input.suffix) ? { suffix: input.suffix.value } : {}),
    }
    return { plugin, finetuner, base, servedBy, hyperparameters, validationFraction, pollSeconds }
  })

/** `--pilot-arms one|all|<arm>`: "one" is an arm chosen by the seed. */
export const resolveArms = (
  study: StudyDefinition,
  text: string,
  seed: number,
): Effect.Effect<{ readonly arms: string; readonly chosen: boolean }, InputError> => {
  if (text === "all") return Effect.succeed({ arms: "all", chosen: false })
  if (text === "one") return Effect.succeed({ arms: chooseArm(study, seed), chosen: true })
  if (study.arms.some((arm) => arm.id === text)) return Effect.succeed({ arms: text, chosen: false })
  return Effect.fail(
    new InputError({
      flag: "--pilot-arms",
      message: `--pilot-arms "${text}" is not "one", "all" or an arm of ${study.id} (${study.arms.map((arm) => arm.id).join(", ")}).`,
    }),
  )
}

/** A provider spec as typed on the command line (options such as keyEnv cannot be). */
export const specText = (spec: ProviderSpec): string =>
  `${spec.provider}:${spec.model}${spec.baseUrl === undefined ? "" : `@${scrubUrlCredentials(spec.baseUrl)}`}`

export const bytes = (count: number): string =>
  count < 1024
    ? `${count} B`
    : count < 1024 * 1024
      ? `${(count / 1024).toFixed(1)} KB`
      : `${(count / 1024 / 1024).toFixed(2)} MB`

export const usd = (value: number | null): string =>
  value === null ? "no price known" : `$${value < 0.01 ? value.toFixed(4) : value.toFixed(2)}`

/** One line per job event: submissions, resumptions, state changes and the vendor's events. */
export const jobLines = (event: FinetuneJobEvent, prefix = ""): ReadonlyArray<string> => {
  switch (event._tag) {
    case "Submitting":
      return [`${prefix}uploading and starting the job`]
    case "Submitted":
      return [`${prefix}job ${event.job.jobId} started (files ${event.job.fileIds.join(", ")})`]
    case "Resumed":
      return [`${prefix}resuming job ${event.job.jobId} (last seen: ${event.status}); no new job is started`]
    case "Interrupted":
      return [
        `${prefix}a previous run stopped while submitting and the vendor has no job of it; submitting again`,
      ]
    case "Recovered":
      return [
        `${prefix}a previous run started job ${event.job.jobId} but stopped before recording it; resuming it, no new job is started`,
      ]
    case "Retrying":
      return [`${prefix}job ${event.previous} ended ${event.status}; starting a new job (--retry)`]
    case "Status":
      return [
        ...event.newEvents.map((e) => `${prefix}  ${e.level === "info" ? "" : `[${e.level}] `}${e.message}`),
        `${prefix}job ${event.job.jobId}: ${event.status.state}`,
      ]
  }
}
