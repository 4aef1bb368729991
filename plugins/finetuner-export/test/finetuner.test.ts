import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { contractExamples, FinetunerContract } from "@standin/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { make, plugin } from "../src/index.js"

/** The self-hosted side: a folder; "training" is the adapter appearing in it. */
const folder = () => mkdtempSync(join(tmpdir(), "standin-export-"))
const exports = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(dir, entry.name))
const train = (dir: string) => {
  for (const job of exports(dir)) {
    mkdirSync(join(job, "adapter"), { recursive: true })
    writeFileSync(join(job, "adapter", "adapter_config.json"), '{"r": 16}\n')
  }
}

FinetunerContract.suite(plugin, {
  baseModel: "meta-llama/Llama-3.1-8B-Instruct",
  failures: false,
  vendorJobs: false,
  environment: async () => {
    const dir = folder()
    return {
      options: { dir, servedAt: "http://127.0.0.1:8011/v1" },
      env: {},
      step: async () => {},
      finish: async () => train(dir),
      uploads: () =>
        exports(dir).flatMap((job) =>
          readdirSync(job)
            .filter((name) => name.endsWith(".jsonl"))
            .map((name) => ({ filename: name, content: readFileSync(join(job, name), "utf8") })),
        ),
      close: async () => rmSync(dir, { recursive: true, force: true }),
    }
  },
})

describe("the export finetuner", () => {
  it("writes the dataset, an axolotl LoRA config and the exact vLLM and provider commands", async () => {
    const dir = folder()
    try {
      const finetuner = make({ dir })
      const prepared = await Effect.runPromise(
        finetuner.prepare({
          study: "fixture",
          baseModel: "meta-llama/Llama-3.1-8B-Instruct",
          train: contractExamples(12),
          validation: contractExamples(2, 12),
          hyperparameters: { epochs: 2, loraRank: 8, loraAlpha: 16, seed: 5, suffix: "pilot 30" },
        }),
      )
      expect(prepared.estimate.costUsd).toBeNull()
      const job = await Effect.runPromise(finetuner.submit(prepared))
      const again = await Effect.runPromise(finetuner.submit(prepared))
      expect(again.jobId).toBe(job.jobId)
      const out = join(dir, job.jobId)
      expect(readdirSync(out).sort()).toEqual([
        "axolotl.yaml",
        "standin-export.json",
        "train.jsonl",
        "validation.jsonl",
      ])
      const config = readFileSync(join(out, "axolotl.yaml"), "utf8")
      for (const line of [
        'base_model: "meta-llama/Llama-3.1-8B-Instruct"',
        "    type: chat_template",
        "    roles_to_train: [assistant]",
        "  - path: validation.jsonl",
        "adapter: lora",
        "lora_r: 8",
        "lora_alpha: 16",
        "num_epochs: 2",
        "seed: 5",
        "output_dir: ./adapter",
      ])
        expect(config.split("\n")).toContain(line)
      const waiting = await Effect.runPromise(finetuner.status(job))
      expect(waiting.state).toBe("queued")
      const name = `standin-pilot-30-${job.jobId.slice("export-".length, "export-".length + 8)}`
      expect(waiting.events.map((event) => event.message)).toEqual([
        `Dataset and axolotl config written to ${out}`,
        `Train: cd ${out} && axolotl train axolotl.yaml`,
        `Serve: vllm serve meta-llama/Llama-3.1-8B-Instruct --enable-lora --lora-modules ${name}=${join(out, "adapter")} --max-lora-rank 8 --port 8000`,
        `Evaluate: --provider openai-compatible:${name}@http://127.0.0.1:8000/v1`,
      ])
      train(dir)
      const done = await Effect.runPromise(finetuner.status(job))
      expect(await Effect.runPromise(finetuner.providerSpec(job, done))).toEqual({
        provider: "openai-compatible",
        model: name,
        baseUrl: "http://127.0.0.1:8000/v1",
      })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
