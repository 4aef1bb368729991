import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join, resolve } from "node:path"
import {
  chatTrainingFiles,
  checkFinetuneRequest,
  FinetuneError,
  type FinetuneJobRef,
  type FinetuneRequest,
  type FinetunerShape,
  type FinetuneStatus,
  type Hyperparameters,
  type PreparedFinetune,
  type ProviderSpec,
  preparedFinetune,
  slugify,
  trainedModelSpec,
} from "@standin/core"
import { Effect } from "effect"
import { DEFAULT_SERVED_AT, DEFAULTS, descriptor } from "./descriptor.js"

export interface ExportFinetunerConfig {
  /** The folder that receives one subfolder per finetune (default `standin-finetunes`). */
  readonly dir?: string
  /** Where the adapter will be served (vLLM's OpenAI-compatible server; default http://127.0.0.1:8000/v1). */
  readonly servedAt?: string
}

/** What one export holds, read back from its folder: enough to rebuild the commands. */
interface Manifest {
  readonly baseModel: string
  readonly loraName: string
  readonly loraRank: number
  readonly files: ReadonlyArray<string>
}

const yamlString = (text: string): string => JSON.stringify(text)

/**
 * The axolotl config. Axolotl is the trainer because one YAML file drives a whole LoRA run — no code to
 * maintain — and its `chat_template` dataset type reads the very `{"messages": …}` JSONL the vendors take,
 * computing the loss on the assistant turn only (the answers), as Together's `train_on_inputs: auto` does.
 * Its adapter folder (adapter_config.json + adapter_model.safetensors) is what vLLM's `--lora-modules` loads.
 */
export const axolotlConfig = (
  baseModel: string,
  h: Required<
    Pick<Hyperparameters, "epochs" | "batchSize" | "learningRate" | "loraRank" | "loraAlpha" | "seed">
  >,
  hasValidation: boolean,
): string =>
  [
    "# Written by standin (finetuner-export). Train with: axolotl train axolotl.yaml",
    `base_model: ${yamlString(baseModel)}`,
    "chat_template: tokenizer_default",
    "datasets:",
    "  - path: train.jsonl",
    "    ds_type: json",
    "    type: chat_template",
    "    field_messages: messages",
    "    roles_to_train: [assistant]",
    ...(hasValidation
      ? [
          "test_datasets:",
          "  - path: validation.jsonl",
          "    ds_type: json",
          "    split: train",
          "    type: chat_template",
          "    field_messages: messages",
          "    roles_to_train: [assistant]",
        ]
      : ["val_set_size: 0"]),
    "adapter: lora",
    `lora_r: ${h.loraRank}`,
    `lora_alpha: ${h.loraAlpha}`,
    "lora_dropout: 0.05",
    "lora_target_linear: true",
    "sequence_len: 2048",
    "sample_packing: false",
    `num_epochs: ${h.epochs}`,
    `micro_batch_size: ${h.batchSize}`,
    "gradient_accumulation_steps: 1",
    "optimizer: adamw_torch",
    "lr_scheduler: cosine",
    `learning_rate: ${h.learningRate}`,
    "warmup_ratio: 0.05",
    `seed: ${h.seed}`,
    "bf16: auto",
    "output_dir: ./adapter",
    "save_strategy: epoch",
    "",
  ].join("\n")

/** The command that serves the base model with the adapter, named so the provider can ask for it. */
export const vllmCommand = (manifest: Manifest, folder: string, servedAt: string): string => {
  const port = new URL(servedAt).port || "8000"
  return `vllm serve ${manifest.baseModel} --enable-lora --lora-modules ${manifest.loraName}=${join(folder, "adapter")} --max-lora-rank ${manifest.loraRank} --port ${port}`
}

export const make = (config: ExportFinetunerConfig = {}): FinetunerShape => {
  const root = resolve(config.dir ?? "standin-finetunes")
  const servedAt = config.servedAt ?? DEFAULT_SERVED_AT
  const fail = (reason: FinetuneError["reason"], message: string, jobId?: string) =>
    new FinetuneError({
      finetuner: descriptor.id,
      reason,
      message,
      ...(jobId === undefined ? {} : { jobId }),
    })
  const folderOf = (jobId: string) => join(root, jobId)
  const write = (jobId: string, run: () => void) =>
    Effect.try({
      try: run,
      catch: (cause) =>
        fail(
          "invalid-request",
          `cannot write ${folderOf(jobId)}: ${cause instanceof Error ? cause.message : String(cause)}`,
          jobId,
        ),
    })

  const prepare = (request: FinetuneRequest): Effect.Effect<PreparedFinetune, FinetuneError> =>
    Effect.gen(function* () {
      yield* checkFinetuneRequest(descriptor.id, request)
      const files = chatTrainingFiles(request, "")
      const given = request.hyperparameters
      const hyperparameters = {
        epochs: given.epochs ?? DEFAULTS.epochs,
        batchSize: given.batchSize ?? DEFAULTS.batchSize,
        learningRate: given.learningRate ?? DEFAULTS.learningRate,
        loraRank: given.loraRank ?? DEFAULTS.loraRank,
        loraAlpha: given.loraAlpha ?? DEFAULTS.loraAlpha,
        seed: given.seed ?? DEFAULTS.seed,
        ...(given.suffix === undefined ? {} : { suffix: given.suffix }),
      }
      // Self-hosted: the GPU hours are yours, so there is no price to estimate.
      return preparedFinetune(descriptor.id, request, files, hyperparameters, undefined)
    })

  /** Writes the export into a folder named by its content, so the same finetune lands in the same folder. */
  const submit = (prepared: PreparedFinetune): Effect.Effect<FinetuneJobRef, FinetuneError> =>
    Effect.gen(function* () {
      const h = prepared.hyperparameters
      const digest = createHash("sha256")
        .update(JSON.stringify([prepared.baseModel, h, prepared.files.map((file) => file.content)]))
        .digest("hex")
        .slice(0, 12)
      const jobId = `export-${digest}`
      const folder = folderOf(jobId)
      const manifest: Manifest = {
        baseModel: prepared.baseModel,
        loraName: slugify(`standin-${h.suffix ?? "pilot"}-${digest.slice(0, 8)}`),
        loraRank: h.loraRank ?? DEFAULTS.loraRank,
        files: prepared.files.map((file) => file.filename),
      }
      yield* write(jobId, () => {
        mkdirSync(folder, { recursive: true })
        for (const file of prepared.files) writeFileSync(join(folder, file.filename), file.content)
        writeFileSync(
          join(folder, "axolotl.yaml"),
          axolotlConfig(
            prepared.baseModel,
            {
              epochs: h.epochs ?? DEFAULTS.epochs,
              batchSize: h.batchSize ?? DEFAULTS.batchSize,
              learningRate: h.learningRate ?? DEFAULTS.learningRate,
              loraRank: h.loraRank ?? DEFAULTS.loraRank,
              loraAlpha: h.loraAlpha ?? DEFAULTS.loraAlpha,
              seed: h.seed ?? DEFAULTS.seed,
            },
            prepared.files.some((file) => file.purpose === "validation"),
          ),
        )
        writeFileSync(join(folder, "standin-export.json"), `${JSON.stringify(manifest, null, 2)}\n`)
      })
      return {
        finetuner: descriptor.id,
        jobId,
        fileIds: prepared.files.map((file) => join(folder, file.filename)),
      }
    })

  const manifestOf = (jobId: string): Effect.Effect<Manifest, FinetuneError> =>
    Effect.try({
      try: () => JSON.parse(readFileSync(join(folderOf(jobId), "standin-export.json"), "utf8")) as Manifest,
      catch: () => fail("invalid-request", `no export ${jobId} in ${root}`, jobId),
    })

  /** The job is the person running the trainer: succeeded once the adapter exists, cancelled by a marker. */
  const status = (ref: FinetuneJobRef): Effect.Effect<FinetuneStatus, FinetuneError> =>
    Effect.map(manifestOf(ref.jobId), (manifest): FinetuneStatus => {
      const folder = folderOf(ref.jobId)
      const at = 0
      const events = [
        { at, level: "info", message: `Dataset and axolotl config written to ${folder}` },
        { at, level: "info", message: `Train: cd ${folder} && axolotl train axolotl.yaml` },
        { at, level: "info", message: `Serve: ${vllmCommand(manifest, folder, servedAt)}` },
        {
          at,
          level: "info",
          message: `Evaluate: --provider openai-compatible:${manifest.loraName}@${servedAt}`,
        },
      ]
      if (existsSync(join(folder, "CANCELLED")))
        return {
          state: "cancelled",
          events,
          error: `export ${ref.jobId} was cancelled (${join(folder, "CANCELLED")})`,
        }
      if (existsSync(join(folder, "adapter", "adapter_config.json")))
        return { state: "succeeded", events, model: manifest.loraName }
      return { state: "queued", events }
    })

  const cancel = (ref: FinetuneJobRef): Effect.Effect<FinetuneStatus, FinetuneError> =>
    Effect.flatMap(
      write(ref.jobId, () => writeFileSync(join(folderOf(ref.jobId), "CANCELLED"), "cancelled by standin\n")),
      () => status(ref),
    )

  const providerSpec = (
    ref: FinetuneJobRef,
    current: FinetuneStatus,
  ): Effect.Effect<ProviderSpec, FinetuneError> =>
    trainedModelSpec({
      finetuner: descriptor.id,
      ref,
      status: current.state === "cancelled" ? { error: "the export was cancelled", ...current } : current,
      spec: { provider: descriptor.servedBy, baseUrl: servedAt },
      unfinished: `train the adapter first (${join(folderOf(ref.jobId), "axolotl.yaml")})`,
    })

  return { descriptor, prepare, submit, status, cancel, providerSpec }
}
