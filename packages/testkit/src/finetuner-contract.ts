import {
  type FinetuneError,
  type FinetuneJobRef,
  type FinetuneRequest,
  Finetuner,
  type FinetunerPlugin,
  type FinetunerShape,
  FinetunerSpecVersion,
  type Hyperparameters,
  isTerminal,
  type TrainingExample,
} from "@standin/core"
import { ConfigProvider, Effect, Layer } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { fixtureRespondents, fixtureStudy, renderFixturePrompt } from "./fixture-study.js"

/**
 * The contract every finetuner plugin runs: `FinetunerContract.suite(plugin, options)`. It prepares a
 * finetune of fixture respondents, checks the exact bytes (one chat line per example, no respondent key,
 * nothing sent while preparing), walks a job to success against the plugin's vendor side (a loopback fake,
 * or the files of a self-hosted export), and checks cancellation, failure with the vendor's message, and
 * that only a succeeded job yields a provider spec.
 */

/** The vendor side of one contract run: a fresh fake, or a folder for a self-hosted export. */
export interface FinetunerEnvironment {
  /** Options for `plugin.layer(options)`. */
  readonly options: Readonly<Record<string, unknown>>
  /** Environment variables the layer reads (keys, base URLs). */
  readonly env: Readonly<Record<string, string>>
  /** Moves jobs out of their first state (a little clock time). */
  readonly step: () => Promise<void>
  /** Moves every job to its end (the fake's whole lifecycle, or the self-hosted training run). */
  readonly finish: () => Promise<void>
  /** Every file that left the plugin's hands, with its exact content (the fake's upload log, or files written). */
  readonly uploads: () => ReadonlyArray<{ readonly filename: string; readonly content: string }>
  readonly close: () => Promise<void>
}

export interface FinetunerContractOptions {
  readonly baseModel: string
  /** A fresh vendor side whose jobs end as `outcome` once finished. */
  readonly environment: (outcome: "succeeded" | "failed") => Promise<FinetunerEnvironment>
  /** Whether the vendor side can fail a job (default true). */
  readonly failures?: boolean
  /**
   * Whether jobs live at a vendor, so that the finetuner must `find` a job started by a run that crashed
   * before recording it (default true; false for one whose job is local, like an export).
   */
  readonly vendorJobs?: boolean
  readonly hyperparameters?: Hyperparameters
}

/** Twelve fixture respondents as training examples through the fixture study's renderer. */
export const contractExamples = (count = 12, offset = 0): Array<TrainingExample> =>
  fixtureRespondents(count + offset, 41)
    .slice(offset)
    .map((respondent, index) => {
      const key = `p${String(offset + index + 1).padStart(5, "0")}`
      const prompt = renderFixturePrompt(
        fixtureStudy,
        { id: key, arm: respondent.arm, persona: respondent.persona },
        { elicitation: "sample", includeDemographics: true },
      )
      return {
        respondentKey: key,
        messages: [
          ...prompt.messages,
          {
            role: "assistant" as const,
            content: JSON.stringify(
              Object.fromEntries(
                fixtureStudy.items.map((item) => [item.id, respondent.answers[item.id] ?? null]),
              ),
            ),
          },
        ],
      }
    })

const request = (options: FinetunerContractOptions, validation = 0): FinetuneRequest => ({
  study: fixtureStudy.id,
  baseModel: options.baseModel,
  train: contractExamples(12),
  validation: contractExamples(validation, 12),
  hyperparameters: options.hyperparameters ?? { epochs: 2, seed: 7, suffix: "contract" },
})

const finetunerIn = (plugin: FinetunerPlugin, environment: FinetunerEnvironment) =>
  Effect.runPromise(
    Effect.gen(function* () {
      return yield* Finetuner
    }).pipe(
      Effect.provide(
        plugin
          .layer(environment.options)
          .pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: { ...environment.env } })))),
      ),
    ),
  )

const run = <A>(effect: Effect.Effect<A, FinetuneError>) => Effect.runPromise(effect)
const failure = <A>(effect: Effect.Effect<A, FinetuneError>) =>
  Effect.runPromise(Effect.flip(effect)) as Promise<FinetuneError>

/** Polls a job until it ends (a bounded number of steps). */
const settle = async (finetuner: FinetunerShape, job: FinetuneJobRef, environment: FinetunerEnvironment) => {
  await environment.finish()
  let status = await run(finetuner.status(job))
  for (let poll = 0; poll < 10 && !isTerminal(status.state); poll++) {
    await environment.finish()
    status = await run(finetuner.status(job))
  }
  return status
}

export const FinetunerContract = {
  suite: (plugin: FinetunerPlugin, options: FinetunerContractOptions): void => {
    const descriptor = plugin.descriptor
    describe(`FinetunerContract: ${descriptor.id}`, () => {
      const open: Array<FinetunerEnvironment> = []
      const environment = async (outcome: "succeeded" | "failed" = "succeeded") => {
        const made = await options.environment(outcome)
        open.push(made)
        return made
      }
      afterEach(async () => {
        for (const made of open.splice(0)) await made.close()
      })

      it("describes itself completely", async () => {
        expect(descriptor.kind).toBe("finetuner")
        expect(descriptor.id).toMatch(/^[a-z][a-z0-9-]*$/)
        expect(descriptor.version).toMatch(/^\d+\.\d+\.\d+/)
        expect(descriptor.specVersion).toBe(FinetunerSpecVersion)
        expect(descriptor.label.length).toBeGreaterThan(0)
        expect(descriptor.description.length).toBeGreaterThan(20)
        expect(descriptor.servedBy).toMatch(/^[a-z][a-z0-9-]*$/)
        const known = [
          "epochs",
          "batchSize",
          "learningRateMultiplier",
          "learningRate",
          "loraRank",
          "loraAlpha",
          "seed",
          "suffix",
        ]
        for (const name of descriptor.hyperparameters) expect(known).toContain(name)
        const finetuner = await finetunerIn(plugin, await environment())
        expect(finetuner.descriptor).toBe(descriptor)
      })

      it("prepares the exact bytes without sending anything: one chat line per example, no respondent key", async () => {
        const env = await environment()
        const finetuner = await finetunerIn(plugin, env)
        const given = request(options, 3)
        const prepared = await run(finetuner.prepare(given))
        expect(env.uploads()).toEqual([])
        expect(prepared.finetuner).toBe(descriptor.id)
        expect(prepared.baseModel).toBe(options.baseModel)
        const train = prepared.files.find((file) => file.purpose === "train")
        const validation = prepared.files.find((file) => file.purpose === "validation")
        if (train === undefined) return expect.unreachable("no training file")
        const chatLines = (content: string) =>
          content
            .split("\n")
            .filter((line) => line.trim() !== "")
            .map((line) => JSON.parse(line) as { messages: unknown })
        expect(chatLines(train.content).map((line) => line.messages)).toEqual(
          given.train.map((example) => example.messages),
        )
        expect(train.examples).toBe(12)
        expect(train.tokens).toBeGreaterThan(0)
        expect(validation?.examples).toBe(3)
        expect(chatLines(validation!.content)).toHaveLength(3)
        for (const file of prepared.files) expect(file.content).not.toMatch(/p000\d\d/)
        expect(prepared.estimate.trainedTokens).toBeGreaterThanOrEqual(train.tokens)
        // The same request gives the same bytes.
        const again = await run(finetuner.prepare(given))
        expect(again.files.map((file) => file.content)).toEqual(prepared.files.map((file) => file.content))
        const withoutValidation = await run(finetuner.prepare(request(options, 0)))
        expect(withoutValidation.files.filter((file) => file.purpose === "validation")).toEqual([])
      })

      it("refuses an empty request and a respondent in both files, before anything is sent", async () => {
        const env = await environment()
        const finetuner = await finetunerIn(plugin, env)
        const empty = await failure(finetuner.prepare({ ...request(options), train: [] }))
        expect(empty.reason).toBe("invalid-request")
        const both = await failure(
          finetuner.prepare({ ...request(options), validation: contractExamples(2) }),
        )
        expect(both.reason).toBe("leakage")
        expect(env.uploads()).toEqual([])
      })

      it("sends exactly the prepared bytes and walks a job to success; only then is there a provider spec", async () => {
        const env = await environment()
        const finetuner = await finetunerIn(plugin, env)
        const prepared = await run(finetuner.prepare(request(options, 3)))
        const job = await run(finetuner.submit(prepared))
        expect(job.finetuner).toBe(descriptor.id)
        expect(job.jobId.length).toBeGreaterThan(0)
        expect([...env.uploads().map((file) => file.content)].sort()).toEqual(
          prepared.files.map((file) => file.content).sort(),
        )
        const early = await run(finetuner.status(job))
        expect(["validating", "queued", "running"]).toContain(early.state)
        const tooSoon = await failure(finetuner.providerSpec(job, early))
        expect(tooSoon.reason).toBe("job-failed")
        expect(tooSoon.message).toMatch(/not finished/)
        await env.step()
        const done = await settle(finetuner, job, env)
        expect(done.state).toBe("succeeded")
        expect(done.model?.length).toBeGreaterThan(0)
        expect(done.events.length).toBeGreaterThan(0)
        for (let i = 1; i < done.events.length; i++)
          expect(done.events[i]!.at).toBeGreaterThanOrEqual(done.events[i - 1]!.at)
        const spec = await run(finetuner.providerSpec(job, done))
        expect(spec.provider).toBe(descriptor.servedBy)
        expect(spec.model.length).toBeGreaterThan(0)
      })

      if (options.vendorJobs !== false)
        it("finds the job a submit with a token started (the way back after a crash), and no other", async () => {
          const env = await environment()
          const finetuner = await finetunerIn(plugin, env)
          if (finetuner.find === undefined)
            return expect.unreachable("a finetuner with vendor jobs needs find")
          const token = "a".repeat(64)
          expect(await run(finetuner.find(token))).toBeUndefined()
          const untagged = await run(finetuner.submit(await run(finetuner.prepare(request(options)))))
          const job = await run(
            finetuner.submit(await run(finetuner.prepare(request(options, 3))), { token }),
          )
          const found = await run(finetuner.find(token))
          expect(found?.jobId).toBe(job.jobId)
          expect(found?.jobId).not.toBe(untagged.jobId)
          expect([...(found?.fileIds ?? [])].sort()).toEqual([...job.fileIds].sort())
          expect(await run(finetuner.find("b".repeat(64)))).toBeUndefined()
          // a cancelled job is not adopted: the next run starts a new one
          await run(finetuner.cancel(job))
          await settle(finetuner, job, env)
          expect(await run(finetuner.find(token))).toBeUndefined()
        })

      it("cancels a running job, and a cancelled job yields no model", async () => {
        const env = await environment()
        const finetuner = await finetunerIn(plugin, env)
        const job = await run(finetuner.submit(await run(finetuner.prepare(request(options)))))
        await env.step()
        const cancelling = await run(finetuner.cancel(job))
        expect(["cancelled", "running", "queued", "validating"]).toContain(cancelling.state)
        const ended = await settle(finetuner, job, env)
        expect(ended.state).toBe("cancelled")
        const error = await failure(finetuner.providerSpec(job, ended))
        expect(error.reason).toBe("job-cancelled")
        expect(error.jobId).toBe(job.jobId)
      })

      if (options.failures !== false)
        it("reports a failed job with the vendor's message", async () => {
          const env = await environment("failed")
          const finetuner = await finetunerIn(plugin, env)
          const job = await run(finetuner.submit(await run(finetuner.prepare(request(options)))))
          const ended = await settle(finetuner, job, env)
          expect(ended.state).toBe("failed")
          expect(ended.error?.length).toBeGreaterThan(0)
          const error = await failure(finetuner.providerSpec(job, ended))
          expect(error.reason).toBe("job-failed")
          expect(error.message).toBe(ended.error)
        })
    })
  },
}
