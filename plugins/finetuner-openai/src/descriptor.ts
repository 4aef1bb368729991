import { type FinetunerDescriptor, FinetunerSpecVersion } from "@standin/core"

export const descriptor: FinetunerDescriptor = {
  kind: "finetuner",
  id: "openai",
  version: "0.1.0",
  specVersion: FinetunerSpecVersion,
  label: "OpenAI fine-tuning",
  description:
    "Supervised fine-tuning of OpenAI chat models (gpt-4o-mini, gpt-4.1-mini, …): uploads the pilot's chat JSONL, runs a job with epochs, batch size, learning-rate multiplier, seed and suffix, reports status, events and checkpoints, cancels. The trained `ft:` model runs through the OpenAI provider.",
  keyEnv: ["OPENAI_API_KEY"],
  servedBy: "openai",
  hyperparameters: ["epochs", "batchSize", "learningRateMultiplier", "seed", "suffix"],
}

/** OpenAI refuses training files with fewer examples than this. */
export const MINIMUM_EXAMPLES = 10

/** Epochs when none are given: sent explicitly, so the estimate and the job agree. */
export const DEFAULT_EPOCHS = 3
