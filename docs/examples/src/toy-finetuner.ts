/**
 * The worked example of docs/adding-a-finetuner.md: a finetuner that "trains" in memory — it learns each
 * item's most common answer from the training file — and walks a job through the same states a vendor's
 * does (queued → running → succeeded, or cancelled). The finetuned model is served by the toy provider as
 * `toy:canned` with the learned answers in its providerOptions.
 */
import {
  type AnswerValue,
  FinetuneError,
  type FinetuneJobRef,
  type FinetuneRequest,
  Finetuner,
  type FinetunerDescriptor,
  type FinetunerPlugin,
  FinetunerSpecVersion,
  type FinetuneStatus,
  type PreparedFinetune,
  type TrainingExample,
  type TrainingFile,
} from "@standin/core"
import { Effect, Layer } from "effect"

export const toyFinetunerDescriptor: FinetunerDescriptor = {
  kind: "finetuner",
  id: "toy-finetune",
  version: "0.1.0",
  specVersion: FinetunerSpecVersion,
  label: "Toy finetuner",
  description: "Learns each item's modal answer from the pilot; served by the toy provider.",
  keyEnv: [],
  servedBy: "toy",
  hyperparameters: ["epochs"],
}

/** One chat example per line, the format most vendors accept. The respondent key is never written. */
const jsonl = (examples: ReadonlyArray<TrainingExample>): string =>
  examples.map((example) => `${JSON.stringify({ messages: example.messages })}\n`).join("")

const file = (purpose: TrainingFile["purpose"], examples: ReadonlyArray<TrainingExample>): TrainingFile => {
  const content = jsonl(examples)
  return {
    purpose,
    filename: `${purpose}.jsonl`,
    content,
    examples: examples.length,
    tokens: Math.ceil(content.length / 4),
  }
}

/** The modal answer of every item, read from the assistant targets of the training file. */
const learn = (content: string): Record<string, AnswerValue> => {
  const counts = new Map<string, Map<string, number>>()
  for (const line of content.split("\n")) {
    if (line === "") continue
    const { messages } = JSON.parse(line) as { messages: Array<{ role: string; content: string }> }
    const target = messages.find((message) => message.role === "assistant")
    if (target === undefined) continue
    for (const [item, answer] of Object.entries(JSON.parse(target.content) as Record<string, AnswerValue>)) {
      if (answer === null) continue
      const byAnswer = counts.get(item) ?? new Map<string, number>()
      byAnswer.set(JSON.stringify(answer), (byAnswer.get(JSON.stringify(answer)) ?? 0) + 1)
      counts.set(item, byAnswer)
    }
  }
  return Object.fromEntries(
    [...counts].map(([item, byAnswer]) => [
      item,
      JSON.parse([...byAnswer].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0]) as AnswerValue,
    ]),
  )
}

interface Job {
  polls: number
  state: FinetuneStatus["state"]
  readonly answers: Record<string, AnswerValue>
}

export const toyFinetuner: FinetunerPlugin = {
  descriptor: toyFinetunerDescriptor,
  layer: () =>
    Layer.sync(Finetuner, () => {
      // The vendor's side, in memory: jobs live as long as the layer.
      const jobs = new Map<string, Job>()
      const fail = (reason: FinetuneError["reason"], message: string, jobId?: string) =>
        new FinetuneError({
          finetuner: "toy-finetune",
          reason,
          message,
          ...(jobId === undefined ? {} : { jobId }),
        })
      const find = (job: FinetuneJobRef) =>
        Effect.suspend(() => {
          const found = jobs.get(job.jobId)
          return found === undefined
            ? Effect.fail(fail("invalid-request", `no job ${job.jobId}`, job.jobId))
            : Effect.succeed(found)
        })
      const statusOf = (job: Job): FinetuneStatus => ({
        state: job.state,
        events: [],
        ...(job.state === "succeeded" ? { model: "toy:canned" } : {}),
      })
      return {
        descriptor: toyFinetunerDescriptor,
        prepare: (request: FinetuneRequest): Effect.Effect<PreparedFinetune, FinetuneError> =>
          Effect.gen(function* () {
            // The leakage check: a respondent may be in the training or the validation file, never both.
            const trainKeys = new Set(request.train.map((example) => example.respondentKey))
            const leaked = request.validation.find((example) => trainKeys.has(example.respondentKey))
            if (leaked !== undefined)
              return yield* fail("leakage", "a respondent is in both the training and the validation file")
            if (request.train.length === 0)
              return yield* fail("invalid-request", "the training file is empty")
            const files = [
              file("train", request.train),
              ...(request.validation.length > 0 ? [file("validation", request.validation)] : []),
            ]
            const epochs = request.hyperparameters.epochs ?? 1
            const trainedTokens = files[0]!.tokens * epochs
            return {
              finetuner: "toy-finetune",
              baseModel: request.baseModel,
              files,
              hyperparameters: { epochs },
              estimate: { trainedTokens, costUsd: 0 },
            }
          }),
        submit: (prepared) =>
          Effect.sync(() => {
            const jobId = `toyjob-${jobs.size + 1}`
            jobs.set(jobId, { polls: 0, state: "queued", answers: learn(prepared.files[0]!.content) })
            return {
              finetuner: "toy-finetune",
              jobId,
              fileIds: prepared.files.map((f) => `${jobId}-${f.purpose}`),
            }
          }),
        // Each poll moves the job on, as a vendor's queue would.
        status: (job) =>
          Effect.map(find(job), (found) => {
            if (found.state === "queued" || found.state === "running") {
              found.polls++
              found.state = found.polls >= 2 ? "succeeded" : "running"
            }
            return statusOf(found)
          }),
        cancel: (job) =>
          Effect.map(find(job), (found) => {
            if (found.state !== "succeeded") found.state = "cancelled"
            return statusOf(found)
          }),
        providerSpec: (job, status) =>
          Effect.flatMap(find(job), (found) =>
            status.state === "succeeded"
              ? Effect.succeed({
                  provider: "toy",
                  model: "canned",
                  options: { toy: { answers: found.answers } },
                })
              : Effect.fail(
                  fail("job-failed", `job ${job.jobId} has not succeeded (${status.state})`, job.jobId),
                ),
          ),
      }
    }),
}
