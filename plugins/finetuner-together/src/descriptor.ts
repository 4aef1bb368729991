import { type FinetunerDescriptor, FinetunerSpecVersion } from "@standin/core"

export const descriptor: FinetunerDescriptor = {
  kind: "finetuner",
  id: "together",
  version: "0.1.0",
  specVersion: FinetunerSpecVersion,
  label: "Together LoRA fine-tuning",
  description:
    "LoRA finetunes of open-weight models (Llama, Qwen, …) on Together, the setting of Wang et al.: uploads the pilot's chat JSONL, runs a job with epochs, batch size, learning rate, LoRA rank and alpha, seed and suffix, reports status, events and checkpoints, cancels. The trained model is called through Together's OpenAI-compatible API with TOGETHER_API_KEY.",
  keyEnv: ["TOGETHER_API_KEY"],
  servedBy: "openai-compatible",
  hyperparameters: ["epochs", "batchSize", "learningRate", "loraRank", "loraAlpha", "seed", "suffix"],
}

export const DEFAULT_BASE_URL = "https://api.together.xyz/v1"

/** Defaults sent explicitly, so the estimate, the job and the results file agree. */
export const DEFAULTS = { epochs: 3, learningRate: 0.00001, loraRank: 8, loraAlpha: 16 } as const
