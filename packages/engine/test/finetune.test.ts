import { describe, expect, it } from "@effect/vitest"
import { humanSplitHalf, pilotCell, pilotMarginal, uniform } from "@standin/baselines"
import {
  chatTrainingFile,
  type ExperimentShape,
  Finetuner,
  type FinetunerShape,
  type FinetuneState,
  type Respondent,
} from "@standin/core"
import { layer as openAiFinetuner } from "@standin/finetuner-openai"
import { plugin as openAiProvider } from "@standin/provider-openai"
import { make as makeStore, type StoreShape } from "@standin/store"
import { defineStudy } from "@standin/study"
import { type FakeServer, plantedKey, startOpenAiFake } from "@standin/testkit"
import { ConfigProvider, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { afterEach, beforeEach } from "vitest"
import { type FinetuneJobEvent, prepareFinetune, runFinetune } from "../src/finetune.js"
import { splitRespondents } from "../src/split.js"
import { chooseArm, runSweep, type SweepEvent, sweepPoints, sweepSplit } from "../src/sweep.js"
import { buildTrainingSet } from "../src/training.js"
import { fixtureRespondents, fixtureStudy } from "./fixture.js"

// Ids shaped like the bundled study's private response ids: they must never reach an upload.
const respondents: ReadonlyArray<Respondent> = fixtureRespondents(240).map((r, i) => ({
  ...r,
  id: `R_${String(i).padStart(15, "q")}`,
}))
const { experiment: defined } = defineStudy(fixtureStudy)
const experiment: ExperimentShape = {
  ...defined,
  loadHumanData: Effect.succeed({ respondents, path: "memory", sha256: "0".repeat(64), origin: "data-dir" }),
}
const split = Effect.runSync(
  splitRespondents(
    fixtureStudy,
    respondents,
    { size: { _tag: "Count", count: 30 }, arms: "all", sampling: { _tag: "Random" } },
    5,
  ),
)

let fake: FakeServer
beforeEach(async () => {
  fake = await startOpenAiFake({ apiKey: plantedKey, seed: 3 })
})
afterEach(() => fake.close())

const getFinetuner = Effect.gen(function* () {
  return yield* Finetuner
})
const env = () => ({ OPENAI_API_KEY: plantedKey, OPENAI_BASE_URL: fake.baseUrl })
const withEnv = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: env() }))))
const finetuner = () =>
  Effect.runPromise(withEnv(Effect.provide(getFinetuner, openAiFinetuner({ baseUrl: fake.baseUrl }))))

/** A second, different finetune: 12 pilot respondents, no validation file. */
const smallerPilot = () =>
  buildTrainingSet(experiment, split.pilot.slice(0, 12), {
    includeDemographics: false,
    validationFraction: 0,
    seed: 5,
  })

const prepare = (ft: FinetunerShape, training?: ReturnType<typeof buildTrainingSet>) =>
  prepareFinetune({
    experiment,
    finetuner: ft,
    baseModel: "gpt-4o-mini-2024-07-18",
    pilot: split.pilot,
    everyone: respondents,
    includeDemographics: true,
    validationFraction: 0.2,
    seed: 5,
    hyperparameters: { epochs: 2, loraRank: 8 },
    ...(training === undefined ? {} : { training }),
  })

describe("finetuning from the pilot", () => {
  it("uploads only pilot respondents, never an id, and reports what the finetuner ignores", async () => {
    const ft = await finetuner()
    const safe = await Effect.runPromise(prepare(ft))
    expect(safe.ignored).toEqual(["loraRank"])
    expect(safe.training.train.length + safe.training.validation.length).toBe(30)
    const outcome = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const store = yield* makeStore(":memory:")
          return yield* runFinetune({ store, finetuner: ft, safe, pollInterval: "1 millis", maxWait: 0 })
        }),
      ),
    )
    expect(outcome.status.state).toBe("validating")
    const uploads = fake.uploads()
    expect(uploads.map((file) => file.filename).sort()).toEqual([
      "standin-fixture-train.jsonl",
      "standin-fixture-validation.jsonl",
    ])
    // Every uploaded line is a pilot respondent's prompt with their real answers; no id of anyone appears.
    const pilotTargets = split.pilot.map((r) =>
      JSON.stringify({ act: r.answers.act, worry: r.answers.worry }),
    )
    const lines = uploads.flatMap((file) => file.content.trimEnd().split("\n"))
    expect(lines).toHaveLength(30)
    const expected = buildTrainingSet(experiment, split.pilot, {
      includeDemographics: true,
      validationFraction: 0,
      seed: 5,
    }).train.map((example) => JSON.stringify({ messages: example.messages }))
    expect([...lines].sort()).toEqual([...expected].sort())
    for (const line of lines) {
      const messages = (JSON.parse(line) as { messages: Array<{ content: string }> }).messages
      expect(pilotTargets).toContain(messages.at(-1)!.content)
    }
    const everything = uploads.map((file) => file.content).join("\n")
    for (const respondent of respondents) expect(everything).not.toContain(respondent.id)
  })

  it("fails before any upload when a holdout id is planted in a training example, or an example is not the pilot's", async () => {
    const ft = await finetuner()
    const training = buildTrainingSet(experiment, split.pilot, {
      includeDemographics: true,
      validationFraction: 0,
      seed: 5,
    })
    const holdoutId = split.holdout[0]!.id
    const planted = {
      ...training,
      train: training.train.map((example, index) =>
        index === 3
          ? {
              ...example,
              messages: example.messages.map((message) =>
                message.role === "user"
                  ? { ...message, content: `${message.content}\n(ref ${holdoutId})` }
                  : message,
              ),
            }
          : example,
      ),
    }
    const leaked = await Effect.runPromise(Effect.flip(prepare(ft, planted)))
    expect(leaked.reason).toBe("leakage")
    expect(leaked.message).toMatch(/contains a respondent id.*Nothing was uploaded/)
    const holdoutExample = buildTrainingSet(experiment, split.holdout.slice(0, 1), {
      includeDemographics: true,
      validationFraction: 0,
      seed: 5,
    }).train[0]!
    const stranger = {
      ...training,
      train: [...training.train, { ...holdoutExample, respondentKey: "h00001" }],
    }
    const foreign = await Effect.runPromise(Effect.flip(prepare(ft, stranger)))
    expect(foreign.reason).toBe("leakage")
    expect(foreign.message).toMatch(/h00001 is not a pilot respondent/)
    // A private column the study renders (here the persona's "group") would be uploaded: refused too.
    const exposing = {
      ...experiment,
      definition: { ...fixtureStudy, privateColumns: [...fixtureStudy.privateColumns, "group"] },
    }
    const exposed = await Effect.runPromise(
      Effect.flip(
        prepareFinetune({
          experiment: exposing,
          finetuner: ft,
          baseModel: "gpt-4o-mini-2024-07-18",
          pilot: split.pilot,
          everyone: respondents,
          includeDemographics: true,
          validationFraction: 0,
          seed: 5,
          hyperparameters: {},
        }),
      ),
    )
    expect(exposed.message).toMatch(
      /column "group" is private, yet fixture renders it as persona attribute "group"/,
    )
    expect(fake.uploads()).toEqual([])
    expect(fake.log.find("/files")).toEqual([])
  })

  it.effect(
    "resumes the same job from the store instead of starting a second one, and brings back failures",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const ft = yield* Effect.promise(() => finetuner())
          const safe = yield* prepare(ft)
          const store = yield* makeStore(":memory:")
          const events: Array<FinetuneJobEvent["_tag"]> = []
          const first = yield* runFinetune({
            store,
            finetuner: ft,
            safe,
            pollInterval: "1 millis",
            maxWait: 0,
            onEvent: (event) => events.push(event._tag),
          })
          expect(first.resumed).toBe(false)
          expect(first.spec).toBeUndefined()
          expect((yield* store.getFinetuneJob(safe.key))?.jobId).toBe(first.job.jobId)
          fake.clock.advance(60_000)
          const second = yield* runFinetune({
            store,
            finetuner: ft,
            safe,
            pollInterval: "1 millis",
            onEvent: (event) => events.push(event._tag),
          })
          expect(second.resumed).toBe(true)
          expect(second.job).toEqual(first.job)
          expect(second.status.state).toBe("succeeded")
          expect(second.spec).toEqual({
            provider: "openai",
            model: second.status.model,
            baseUrl: fake.baseUrl,
          })
          expect(fake.log.find("/fine_tuning/jobs").filter((entry) => entry.method === "POST")).toHaveLength(
            1,
          )
          expect(events).toEqual(["Submitting", "Submitted", "Status", "Resumed", "Status"])
          const record = yield* store.getFinetuneJob(safe.key)
          expect(record?.status).toBe("succeeded")
          expect(JSON.parse(record!.estimate!)).toEqual(safe.prepared.estimate)

          // A cancelled job comes back as an error with the vendor's message.
          const other = yield* prepare(ft, smallerPilot())
          const started = yield* runFinetune({
            store,
            finetuner: ft,
            safe: other,
            pollInterval: "1 millis",
            maxWait: 0,
          })
          yield* ft.cancel(started.job)
          const cancelled = yield* Effect.flip(
            runFinetune({ store, finetuner: ft, safe: other, pollInterval: "1 millis" }),
          )
          expect(cancelled.reason).toBe("job-cancelled")
          expect(cancelled.message).toBe("The job was cancelled")
          // Asked to, a new job replaces the ended one; without asking, the ended job is reported again.
          const again = yield* Effect.flip(
            runFinetune({ store, finetuner: ft, safe: other, pollInterval: "1 millis" }),
          )
          expect(again.jobId).toBe(started.job.jobId)
          const retried: Array<string> = []
          const fresh = yield* runFinetune({
            store,
            finetuner: ft,
            safe: other,
            pollInterval: "1 millis",
            maxWait: 0,
            retry: true,
            onEvent: (event) => retried.push(event._tag),
          })
          expect(fresh.job.jobId).not.toBe(started.job.jobId)
          expect(retried).toEqual(["Retrying", "Submitting", "Submitted", "Status"])
        }),
      ),
  )

  it.effect(
    "after a crash between starting the job and recording it, the vendor's job is found by its token and adopted, not started again",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const ft = yield* Effect.promise(() => finetuner())
          const safe = yield* prepare(ft)
          const store = yield* makeStore(":memory:")
          const jobPosts = () =>
            fake.log.find("/fine_tuning/jobs").filter((entry) => entry.method === "POST").length
          // the process dies right after the vendor started the job, before the store heard of it
          const dying: StoreShape = {
            ...store,
            putFinetuneJob: (row) =>
              row.status === "submitted" ? Effect.die("killed") : store.putFinetuneJob(row),
          }
          const crashed = yield* Effect.exit(
            runFinetune({ store: dying, finetuner: ft, safe, pollInterval: "1 millis", maxWait: 0 }),
          )
          expect(crashed._tag).toBe("Failure")
          expect((yield* store.getFinetuneJob(safe.key))?.status).toBe("submitting")
          expect(jobPosts()).toBe(1)
          const events: Array<FinetuneJobEvent> = []
          fake.clock.advance(60_000)
          const resumed = yield* runFinetune({
            store,
            finetuner: ft,
            safe,
            pollInterval: "1 millis",
            onEvent: (event) => events.push(event),
          })
          expect(jobPosts()).toBe(1)
          expect(events.map((event) => event._tag)).toEqual(["Recovered", "Status"])
          expect(resumed.resumed).toBe(true)
          expect(resumed.status.state).toBe("succeeded")
          expect((yield* store.getFinetuneJob(safe.key))?.jobId).toBe(resumed.job.jobId)

          // Killed before the vendor started anything: nothing to find, so the finetune is submitted again.
          const other = yield* prepare(ft, smallerPilot())
          const killedEarly: FinetunerShape = { ...ft, submit: () => Effect.die("killed mid-upload") }
          yield* Effect.exit(runFinetune({ store, finetuner: killedEarly, safe: other, maxWait: 0 }))
          const tags: Array<string> = []
          yield* runFinetune({
            store,
            finetuner: ft,
            safe: other,
            pollInterval: "1 millis",
            maxWait: 0,
            onEvent: (event) => tags.push(event._tag),
          })
          expect(tags).toEqual(["Interrupted", "Submitting", "Submitted", "Status"])
          expect(jobPosts()).toBe(2)
        }),
      ),
  )
})

describe("polling", () => {
  it.effect(
    "waits the poll interval between polls (TestClock), and a bounded wait leaves the job to a later run",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const states: ReadonlyArray<FinetuneState> = ["validating", "queued", "running", "succeeded"]
          let polls = 0
          const toy: FinetunerShape = {
            descriptor: { ...(yield* Effect.promise(() => finetuner())).descriptor, id: "toy" },
            prepare: (request) =>
              Effect.succeed({
                finetuner: "toy",
                baseModel: request.baseModel,
                files: [chatTrainingFile("train", "train.jsonl", request.train)],
                hyperparameters: request.hyperparameters,
                estimate: { trainedTokens: 1, costUsd: null },
              }),
            submit: () => Effect.succeed({ finetuner: "toy", jobId: "toy-1", fileIds: [] }),
            status: () => Effect.sync(() => ({ state: states[Math.min(polls++, 3)]!, events: [] })),
            cancel: () => Effect.die("unused"),
            providerSpec: () => Effect.succeed({ provider: "toy", model: "trained" }),
          }
          const safe = yield* prepare(toy)
          const store = yield* makeStore(":memory:")
          const bounded = yield* runFinetune({
            store,
            finetuner: toy,
            safe,
            pollInterval: "30 seconds",
            maxWait: "0 seconds",
          })
          expect([bounded.status.state, polls]).toEqual(["validating", 1])
          const fiber = yield* Effect.forkChild(
            runFinetune({ store, finetuner: toy, safe, pollInterval: "30 seconds" }),
          )
          yield* TestClock.adjust("1 second")
          expect(polls).toBe(2)
          yield* TestClock.adjust("29 seconds")
          expect(polls).toBe(3)
          yield* TestClock.adjust("60 seconds")
          const outcome = yield* Fiber.join(fiber)
          expect(polls).toBe(4)
          expect(outcome).toMatchObject({ resumed: true, spec: { provider: "toy", model: "trained" } })
        }),
      ),
  )
})

describe("a sweep", () => {
  it("scores every grid point on one holdout, with nested pilots, pilot baselines per point and fake labels", async () => {
    const instant = await startOpenAiFake({
      apiKey: plantedKey,
      seed: 4,
      jobs: { validatingMs: 0, queuedMs: 0, runningMs: 0 },
    })
    try {
      const options = {
        sizes: [
          { _tag: "Count", count: 12 },
          { _tag: "Count", count: 24 },
        ],
        samplings: [{ _tag: "Random" }, { _tag: "Balanced", attribute: "group" }],
        arms: "all",
        seeds: 2,
        seed: 9,
      } as const
      const points = sweepPoints(options)
      expect(points.map((point) => point.tag)).toEqual([
        "pilot 12 random r1",
        "pilot 12 random r2",
        "pilot 24 random r1",
        "pilot 24 random r2",
        "pilot 12 balanced:group r1",
        "pilot 12 balanced:group r2",
        "pilot 24 balanced:group r1",
        "pilot 24 balanced:group r2",
      ])
      const fixed = sweepSplit(fixtureStudy, respondents, 9, 100)
      const pilotOf = (index: number) =>
        Effect.runSync(
          splitRespondents(fixtureStudy, fixed.pilot, points[index]!.design, points[index]!.seed),
        ).pilot
      // Nested: the same replicate seed's smaller pilot is inside its larger one.
      for (const [small, large] of [
        [0, 2],
        [1, 3],
        [4, 6],
        [5, 7],
      ] as const) {
        const big = new Set(pilotOf(large).map((r) => r.id))
        expect(pilotOf(small).every((r) => big.has(r.id))).toBe(true)
      }
      expect(["control", "treated"]).toContain(chooseArm(fixtureStudy, 9))

      const events: Array<SweepEvent> = []
      const outcome = await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const store = yield* makeStore(":memory:")
            const ft = yield* Effect.provide(getFinetuner, openAiFinetuner({ baseUrl: instant.baseUrl }))
            return yield* runSweep({
              experiment,
              finetuner: ft,
              base: {
                plugin: openAiProvider,
                spec: { provider: "openai", model: "gpt-4o-mini", baseUrl: instant.baseUrl },
              },
              baselines: [uniform, pilotMarginal, pilotCell, humanSplitHalf].map((plugin) => ({
                plugin,
                spec: { provider: plugin.descriptor.id, model: "v1" },
              })),
              servedBy: openAiProvider,
              metrics: [],
              ...options,
              holdoutSize: 100,
              includeDemographics: true,
              hyperparameters: { epochs: 1 },
              validationFraction: 0,
              store,
              pollInterval: "1 millis",
              replicates: 1,
              elicitation: "sample",
              settings: { temperature: 1, seed: 1 },
              maxReasks: 1,
              bootstrap: 0,
              minCellSize: 5,
              concurrency: 8,
              onEvent: (event) => events.push(event),
            })
          }),
        ).pipe(
          Effect.provide(
            ConfigProvider.layer(ConfigProvider.fromEnv({ env: { OPENAI_API_KEY: plantedKey } })),
          ),
        ),
      )
      const entries = outcome.results.entries
      expect(
        entries.filter((entry) => entry.baseline === "floor" || entry.baseline === "ceiling"),
      ).toHaveLength(2)
      expect(entries.filter((entry) => entry.baseline === "pilot")).toHaveLength(16)
      const finetuned = entries.filter((entry) => entry.finetune !== undefined)
      expect(finetuned).toHaveLength(8)
      for (const entry of finetuned) {
        expect(entry.status).toBe("ok")
        expect(entry.finetune?.fake).toBe(true)
        expect(entry.model).toMatch(/^ft:gpt-4o-mini:standin-fake:/)
        expect(entry.counts.twins).toBe(100)
      }
      expect(entries.find((entry) => entry.id === "openai-gpt-4o-mini")?.finetune).toBeUndefined()
      expect(outcome.results.manifest.holdoutSize).toBe(100)
      expect(outcome.holdout).toHaveLength(100)
      expect(
        outcome.results.learningCurves?.map((point) => [point.pilotSize, point.sampling, point.seed]),
      ).toEqual([
        [12, "random", 9],
        [12, "random", 10],
        [24, "random", 9],
        [24, "random", 10],
        [12, "balanced:group", 9],
        [12, "balanced:group", 10],
        [24, "balanced:group", 9],
        [24, "balanced:group", 10],
      ])
      expect(outcome.results.manifest.plugins.at(-1)).toMatchObject({ kind: "finetuner", id: "openai" })
      // One job per point; every training file holds pilot-pool respondents only and no id.
      expect(instant.log.find("/fine_tuning/jobs").filter((entry) => entry.method === "POST")).toHaveLength(8)
      const holdoutTargets = new Set(fixed.holdout.map((r) => r.id))
      const uploaded = instant
        .uploads()
        .map((file) => file.content)
        .join("\n")
      for (const respondent of respondents) expect(uploaded).not.toContain(respondent.id)
      expect([...holdoutTargets].every((id) => !uploaded.includes(id))).toBe(true)
      expect(events.filter((event) => event._tag === "Prepared")).toHaveLength(8)
    } finally {
      await instant.close()
    }
  })

  it("with PPI: the base model answers for the union of the pilots once, and every point gets its n_eff", async () => {
    const instant = await startOpenAiFake({
      apiKey: plantedKey,
      seed: 5,
      jobs: { validatingMs: 0, queuedMs: 0, runningMs: 0 },
    })
    try {
      const events: Array<SweepEvent> = []
      const outcome = await Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const store = yield* makeStore(":memory:")
            const ft = yield* Effect.provide(getFinetuner, openAiFinetuner({ baseUrl: instant.baseUrl }))
            return yield* runSweep({
              experiment,
              finetuner: ft,
              base: {
                plugin: openAiProvider,
                spec: { provider: "openai", model: "gpt-4o-mini", baseUrl: instant.baseUrl },
              },
              baselines: [uniform, pilotCell].map((plugin) => ({
                plugin,
                spec: { provider: plugin.descriptor.id, model: "v1" },
              })),
              servedBy: openAiProvider,
              metrics: [],
              sizes: [
                { _tag: "Count", count: 30 },
                { _tag: "Count", count: 60 },
              ],
              samplings: [{ _tag: "Random" }],
              arms: "all",
              seeds: 1,
              seed: 3,
              holdoutSize: 100,
              includeDemographics: true,
              hyperparameters: { epochs: 1 },
              validationFraction: 0,
              store,
              pollInterval: "1 millis",
              replicates: 1,
              elicitation: "sample",
              settings: { temperature: 1, seed: 1 },
              maxReasks: 0,
              bootstrap: 0,
              minCellSize: 5,
              concurrency: 8,
              ppi: { humanCostUsd: 2.5 },
              onEvent: (event) => events.push(event),
            })
          }),
        ).pipe(
          Effect.provide(
            ConfigProvider.layer(ConfigProvider.fromEnv({ env: { OPENAI_API_KEY: plantedKey } })),
          ),
        ),
      )
      const started = new Map(
        events.flatMap((event) =>
          event._tag === "Run" && event.event._tag === "ProviderStarted"
            ? [[event.event.entry, event.event.total] as const]
            : [],
        ),
      )
      // nested pilots: the union is the larger pilot, so the base model answers 100 holdout + 60 pilot twins
      expect(started.get("openai-gpt-4o-mini")).toBe(160)
      const base = outcome.results.entries.find((entry) => entry.id === "openai-gpt-4o-mini")!
      expect(base.ppi?.pilotTwins).toBe(60)
      const curve = outcome.results.learningCurves ?? []
      expect(curve.map((point) => [point.pilotSize, point.worth?.n])).toEqual([
        [30, 30],
        [60, 60],
      ])
      for (const point of curve) {
        expect(point.worth?.target).toBe(base.ppi?.headline)
        expect(point.worth?.base).toBeGreaterThan(0)
        expect(point.worth?.finetuned).toBeGreaterThan(0)
        // the finetuned model answered for its own pilot's twins: its ppi block says it is in-sample
        const finetuned = outcome.results.entries.find((entry) => entry.id === point.entry)!
        expect(finetuned.ppi?.inSample).toBe(true)
        expect(finetuned.ppi?.pilotTwins).toBe(point.pilotSize)
      }
    } finally {
      await instant.close()
    }
  })
})
