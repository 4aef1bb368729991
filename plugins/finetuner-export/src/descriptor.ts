import { type FinetunerDescriptor, FinetunerSpecVersion } from "@standin/core"

export const descriptor: FinetunerDescriptor = {
  kind: "finetuner",
  id: "export",
  version: "0.1.0",
  specVersion: FinetunerSpecVersion,
  label: "Self-hosted LoRA (axolotl + vLLM)",
  description:
    "Trains nowhere: writes the pilot's chat JSONL and an axolotl LoRA config to a folder, with the exact `axolotl train` and `vllm serve --enable-lora` commands. Once the adapter exists the job has succeeded, and the served adapter is evaluated through the OpenAI-compatible provider.",
  keyEnv: [],
  servedBy: "openai-compatible",
  hyperparameters: ["epochs", "batchSize", "learningRate", "loraRank", "loraAlpha", "seed"],
}

/** Defaults written into the config: a common LoRA recipe for 7–8B instruct models. */
export const DEFAULTS = {
  epochs: 3,
  batchSize: 4,
  learningRate: 0.0002,
  loraRank: 16,
  loraAlpha: 32,
  seed: 42,
} as const

/** Where vLLM's OpenAI-compatible server listens by default. */
export const DEFAULT_SERVED_AT = "http://127.0.0.1:8000/v1"
