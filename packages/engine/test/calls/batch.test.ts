import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type ProviderBatch, ProviderError, type ProviderShape, type Twin } from "@standin/core"
import { make as makeStore, type StoreShape } from "@standin/store"
import { type FakeServer, fixtureTwins, startVendorFake } from "@standin/testkit"
import { Effect, Exit, Fiber, Scope } from "effect"
import { afterAll, afterEach, describe, expect, it } from "vitest"
import {
  type BatchEvent,
  costOf,
  defaultPriceTable,
  makeBatchExecutor,
  makeBudget,
  makeCallRunner,
  priceFor,
  probeBatch,
  runExecutors,
  silentProgress,
} from "../../src/calls/index.js"
import { callRequest, simulate } from "../../src/simulate.js"
import {
  type BatchVendor,
  batchCreations,
  fixtureExperiment,
  liveCalls,
  models,
  vendorProvider,
} from "./vendor-fixture.js"

const directory = mkdtempSync(join(tmpdir(), "standin-batch-"))
afterAll(() => rmSync(directory, { recursive: true, force: true }))
const servers: Array<FakeServer> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

const settings = { temperature: 1 }
const simulation = (provider: ProviderShape, twins: ReadonlyArray<Twin>) => ({
  experiment: fixtureExperiment,
  provider,
  twins,
  replicates: 1,
  elicitation: "sample" as const,
  settings,
  includeDemographics: true,
  maxReasks: 1,
  seed: 5,
  concurrency: 4,
})

/** One process's worth of a run: a store, a runner and a batch executor on a fresh scope. */
const session = (options: {
  readonly vendor: BatchVendor
  readonly fake: FakeServer
  readonly path: string
  readonly runId: string
  readonly events: Array<BatchEvent>
}) =>
  Effect.gen(function* () {
    const scope = yield* Scope.make()
    const store: StoreShape = yield* makeStore(options.path).pipe(Scope.provide(scope))
    yield* store.beginRun(options.runId, "{}")
    const provider = vendorProvider(options.vendor, options.fake)
    const spec = { provider: provider.descriptor.id, model: models[options.vendor] }
    const runner = yield* makeCallRunner({
      provider,
      spec,
      store,
      runId: options.runId,
      budget: makeBudget(5),
    })
    const executor = yield* makeBatchExecutor({
      runner,
      batch: provider.batch!,
      provider: spec.provider,
      store,
      runId: options.runId,
      scope,
      maxRequests: 8,
      pollIntervalMs: 15,
      idleMs: 20,
      onEvent: (event) => options.events.push(event),
    })
    return { scope, store, provider, runner, executor, spec }
  })

/** Moves the fake's batch clock on while `fiber` runs (the vendor finishes batches "later"). */
const driveClock = (fake: FakeServer, fiber: Fiber.Fiber<unknown, unknown>) =>
  Effect.promise(async () => {
    while (fiber.pollUnsafe() === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 25))
      fake.clock.advance(11_001)
    }
  })

const vendors: ReadonlyArray<BatchVendor> = ["openai", "anthropic", "google"]

describe("batch executor against the vendors' batch fakes", () => {
  for (const vendor of vendors) {
    it(`${vendor}: answers every twin through batches in chunks, cached under the live calls' keys at the batch price`, async () => {
      const fake = await startVendorFake(vendor, { seed: 3 })
      servers.push(fake)
      const twins = fixtureTwins(30, 4)
      const events: Array<BatchEvent> = []
      const path = join(directory, `${vendor}-chunks.sqlite`)
      await Effect.runPromise(
        Effect.gen(function* () {
          const { scope, store, provider, runner, executor, spec } = yield* session({
            vendor,
            fake,
            path,
            runId: "chunks",
            events,
          })
          const fiber = yield* Effect.forkChild(simulate(simulation(provider, twins), executor))
          yield* driveClock(fake, fiber)
          const { synthetic, totals } = yield* Fiber.join(fiber)
          expect(synthetic.every((respondent) => respondent.failure === undefined)).toBe(true)
          expect(synthetic.filter((respondent) => respondent.valid).length).toBe(30)
          // ceil(30 / 8) batches of at most 8 requests, none live
          expect(batchCreations(fake)).toHaveLength(4)
          expect(liveCalls(fake)).toHaveLength(0)
          const filed = yield* store.listBatches({ runId: "chunks", provider: spec.provider })
          expect(filed.map((batch) => batch.requestKeys.length).sort()).toEqual([6, 8, 8, 8])
          expect(filed.every((batch) => batch.status === "collected")).toBe(true)
          expect(events.filter((event) => event._tag === "Submitted")).toHaveLength(4)
          // the keys are the live calls' keys, and the price is the batch price
          const price = priceFor(defaultPriceTable, spec.provider, spec.model)!
          for (const [index, twin] of twins.entries()) {
            const request = callRequest(
              simulation(provider, twins),
              twin,
              fixtureExperiment.renderPrompt(twin, { elicitation: "sample", includeDemographics: true }),
              0,
              0,
            )
            const cached = yield* store.getCall(runner.keyOf(request))
            expect(cached, `twin ${index} is cached`).toBeDefined()
            expect(cached!.costUsd).toBeCloseTo(
              costOf(
                price,
                { inputTokens: cached!.inputTokens, outputTokens: cached!.outputTokens },
                { batch: true },
              ),
              12,
            )
            expect(cached!.costUsd!).toBeLessThan(
              costOf(price, { inputTokens: cached!.inputTokens, outputTokens: cached!.outputTokens }),
            )
          }
          expect(totals.calls).toBe(30)
          yield* Scope.close(scope, Exit.void)

          // the same run again, live this time: every answer comes from the cache, nothing is sent
          const before = fake.log.entries.length
          const again = yield* session({ vendor, fake, path, runId: "chunks-again", events: [] })
          const replay = yield* simulate(simulation(again.provider, twins), again.runner)
          expect(fake.log.entries.length).toBe(before)
          expect(replay.synthetic).toEqual(synthetic)
          yield* Scope.close(again.scope, Exit.void)
        }),
      )
    })
  }

  for (const vendor of ["openai", "anthropic"] as const) {
    it(`${vendor}: a restart while batches run resumes them by id, without submitting anything again`, async () => {
      const fake = await startVendorFake(vendor, { seed: 4 })
      servers.push(fake)
      const twins = fixtureTwins(20, 5)
      const path = join(directory, `${vendor}-restart.sqlite`)
      const first: Array<BatchEvent> = []
      const second: Array<BatchEvent> = []
      await Effect.runPromise(
        Effect.gen(function* () {
          const crashed = yield* session({ vendor, fake, path, runId: "restart", events: first })
          const fiber = yield* Effect.forkChild(
            simulate(simulation(crashed.provider, twins), crashed.executor),
          )
          // wait until every twin is in a submitted batch, then "crash": the vendor has not finished any
          while (first.filter((event) => event._tag === "Submitted").length < 3)
            yield* Effect.sleep("10 millis")
          yield* Fiber.interrupt(fiber)
          yield* Scope.close(crashed.scope, Exit.void)
          const submitted = batchCreations(fake).length
          expect(submitted).toBe(3)
          expect(liveCalls(fake)).toHaveLength(0)

          const resumed = yield* session({ vendor, fake, path, runId: "restart", events: second })
          expect(second.filter((event) => event._tag === "Resumed")).toHaveLength(3)
          const fiber2 = yield* Effect.forkChild(
            simulate(simulation(resumed.provider, twins), resumed.executor),
          )
          yield* driveClock(fake, fiber2)
          const { synthetic } = yield* Fiber.join(fiber2)
          expect(synthetic.every((respondent) => respondent.valid)).toBe(true)
          expect(batchCreations(fake)).toHaveLength(submitted)
          expect(second.filter((event) => event._tag === "Submitted")).toHaveLength(0)
          expect(liveCalls(fake)).toHaveLength(0)
          expect(yield* resumed.store.countCalls).toBe(20)
          yield* Scope.close(resumed.scope, Exit.void)
        }),
      )
    })
  }

  it("items the vendor failed, and a batch that could not be submitted, fall back to live calls", async () => {
    const fake = await startVendorFake("openai", { seed: 6 })
    servers.push(fake)
    const twins = fixtureTwins(8, 6)
    const events: Array<BatchEvent> = []
    await Effect.runPromise(
      Effect.gen(function* () {
        const { scope, store, provider, executor } = yield* session({
          vendor: "openai",
          fake,
          path: join(directory, "fallback.sqlite"),
          runId: "fallback",
          events,
        })
        // the batch's items draw these faults in order when the vendor runs it; live calls come after
        fake.faults.script(["ok", "500", "ok", "429", "ok", "ok", "ok", "503"])
        const fiber = yield* Effect.forkChild(simulate(simulation(provider, twins), executor))
        yield* driveClock(fake, fiber)
        const { synthetic } = yield* Fiber.join(fiber)
        expect(synthetic.every((respondent) => respondent.failure === undefined)).toBe(true)
        expect(batchCreations(fake)).toHaveLength(1)
        // the three failed items, each called live once
        expect(liveCalls(fake)).toHaveLength(3)
        expect(yield* store.countCalls).toBe(8)
        const ended = events.find((event) => event._tag === "Ended")
        expect(ended).toMatchObject({ state: "ended", answered: 8 })
        yield* Scope.close(scope, Exit.void)
      }),
    )

    // A vendor that refuses the batch itself: every call goes live.
    const refusing = await startVendorFake("openai", { seed: 7 })
    servers.push(refusing)
    await Effect.runPromise(
      Effect.gen(function* () {
        const { scope, provider, runner, store } = yield* session({
          vendor: "openai",
          fake: refusing,
          path: join(directory, "refused.sqlite"),
          runId: "refused",
          events: [],
        })
        const broken = {
          ...provider.batch!,
          submit: () =>
            Effect.fail(
              new ProviderError({
                provider: "openai",
                reason: "invalid-request",
                message: "batches are not enabled for this project",
              }),
            ),
        }
        const failed: Array<BatchEvent> = []
        const executor = yield* makeBatchExecutor({
          runner,
          batch: broken,
          provider: "openai",
          store,
          runId: "refused",
          scope,
          idleMs: 10,
          pollIntervalMs: 10,
          onEvent: (event) => failed.push(event),
        })
        const { synthetic } = yield* simulate(simulation(provider, twins), executor)
        expect(synthetic.every((respondent) => respondent.valid)).toBe(true)
        expect(liveCalls(refusing)).toHaveLength(8)
        expect(failed.find((event) => event._tag === "SubmitFailed")).toMatchObject({ requests: 8 })
        yield* Scope.close(scope, Exit.void)
      }),
    )
  })

  /** A run's executor for one vendor as `standin run` makes it, batches from 10 calls on. */
  const autoExecutor = (
    vendor: BatchVendor,
    fake: FakeServer,
    scope: Scope.Scope,
    events: Array<BatchEvent>,
    options: {
      readonly path?: string
      readonly runId?: string
      readonly probe?: ProviderBatch["probe"]
    } = {},
  ) =>
    Effect.gen(function* () {
      const path = options.path ?? join(directory, `${vendor}-auto-${fake.url.split(":").pop()}.sqlite`)
      const runId = options.runId ?? "auto"
      const store = yield* makeStore(path).pipe(Scope.provide(scope))
      yield* store.beginRun(runId, "{}")
      const real = vendorProvider(vendor, fake)
      const provider =
        options.probe === undefined ? real : { ...real, batch: { ...real.batch!, probe: options.probe } }
      const executor = yield* runExecutors({
        store,
        runId,
        budget: makeBudget(5),
        batch: { mode: "auto", threshold: 10, pollIntervalMs: 15, idleMs: 20 },
        elicitation: "sample",
        scope,
        progress: () => silentProgress,
        onBatchEvent: (event) => events.push(event),
      })(
        provider,
        { plugin: undefined as never, spec: { provider: provider.descriptor.id, model: models[vendor] } },
        { calls: 12 },
      )
      return { provider, executor, store }
    })

  for (const vendor of vendors) {
    it(`${vendor}: a server without the batch API is found out by one request before anything is prepared, and every call goes live`, async () => {
      const fake = await startVendorFake(vendor, { seed: 8, batches: false })
      servers.push(fake)
      const twins = fixtureTwins(12, 8)
      const events: Array<BatchEvent> = []
      await Effect.runPromise(
        Effect.gen(function* () {
          const scope = yield* Scope.make()
          const { provider, executor, store } = yield* autoExecutor(vendor, fake, scope, events)
          // decided before the first twin: one probe, answered 404, and the live path's concurrency
          expect(fake.log.entries).toHaveLength(1)
          expect(fake.log.entries[0]).toMatchObject({ method: "GET", status: 404 })
          expect(events).toEqual([
            {
              _tag: "Unavailable",
              provider: provider.descriptor.id,
              message: expect.stringMatching(/404/),
            },
          ])
          expect(executor.concurrency).toBeLessThan(1_000)
          const { synthetic } = yield* simulate(simulation(provider, twins), executor)
          expect(synthetic.every((respondent) => respondent.valid)).toBe(true)
          expect(liveCalls(fake)).toHaveLength(12)
          expect(batchCreations(fake)).toHaveLength(0)
          // nothing but the probe and the live calls reached the server: no upload, no second try
          expect(fake.log.entries).toHaveLength(13)
          expect(yield* store.countCalls).toBe(12)
          yield* Scope.close(scope, Exit.void)
        }),
      )
    })

    it(`${vendor}: where the batch API answers the probe, the run goes through batches`, async () => {
      const fake = await startVendorFake(vendor, { seed: 9 })
      servers.push(fake)
      const twins = fixtureTwins(12, 9)
      const events: Array<BatchEvent> = []
      await Effect.runPromise(
        Effect.gen(function* () {
          const scope = yield* Scope.make()
          const { provider, executor } = yield* autoExecutor(vendor, fake, scope, events)
          expect(fake.log.entries).toHaveLength(1)
          expect(fake.log.entries[0]).toMatchObject({ method: "GET", status: 200 })
          const fiber = yield* Effect.forkChild(simulate(simulation(provider, twins), executor))
          yield* driveClock(fake, fiber)
          const { synthetic } = yield* Fiber.join(fiber)
          expect(synthetic.every((respondent) => respondent.valid)).toBe(true)
          expect(events.some((event) => event._tag === "Unavailable")).toBe(false)
          expect(batchCreations(fake)).toHaveLength(1)
          expect(liveCalls(fake)).toHaveLength(0)
          yield* Scope.close(scope, Exit.void)
        }),
      )
    })
  }

  it("the probe: a 404 is final at once, a flaky server is tried again, a busy one (429) counts as there", async () => {
    const fake = await startVendorFake("openai", { seed: 12 })
    servers.push(fake)
    const real = vendorProvider("openai", fake).batch!
    const answering = (failures: ReadonlyArray<ProviderError>) => {
      let calls = 0
      const probe = Effect.suspend(() => {
        const failure = failures[calls++]
        return failure === undefined ? Effect.void : Effect.fail(failure)
      })
      return { batch: { ...real, probe }, calls: () => calls }
    }
    const error = (reason: ProviderError["reason"], status: number, message: string) =>
      new ProviderError({ provider: "openai", reason, status, message })
    const events: Array<BatchEvent> = []
    const run = (batch: ProviderBatch) =>
      Effect.runPromise(probeBatch(batch, "openai", (event) => events.push(event)))

    const missing = answering([error("invalid-request", 404, "404 Not Found")])
    expect(await run(missing.batch)).toBe("404 Not Found")
    expect(missing.calls()).toBe(1)
    expect(events).toEqual([{ _tag: "Unavailable", provider: "openai", message: "404 Not Found" }])

    const flaky = answering([error("server", 502, "502 Bad Gateway"), error("server", 503, "503")])
    expect(await run(flaky.batch)).toBeUndefined()
    expect(flaky.calls()).toBe(3)

    const down = answering([1, 2, 3].map(() => error("server", 500, "500 Internal Server Error")))
    expect(await run(down.batch)).toBe("500 Internal Server Error")
    expect(down.calls()).toBe(3)

    // still busy after its tries: the API is there, and the submit's own retries wait for it
    const busy = answering([1, 2, 3].map(() => error("rate-limited", 429, "429 Too Many Requests")))
    expect(await run(busy.batch)).toBeUndefined()
    expect(busy.calls()).toBe(3)
    expect(events).toHaveLength(2)

    // the real probe on the real fake: one GET, and the API is there
    expect(await run(real)).toBeUndefined()
    expect(events).toHaveLength(2)
  })

  it("a restarted run waits for its running batches by id even when the probe fails: nothing is paid twice", async () => {
    const fake = await startVendorFake("openai", { seed: 11 })
    servers.push(fake)
    const twins = fixtureTwins(12, 11)
    const path = join(directory, "probe-restart.sqlite")
    const first: Array<BatchEvent> = []
    const second: Array<BatchEvent> = []
    await Effect.runPromise(
      Effect.gen(function* () {
        const scope = yield* Scope.make()
        const crashed = yield* autoExecutor("openai", fake, scope, first, { path, runId: "restart" })
        const fiber = yield* Effect.forkChild(simulate(simulation(crashed.provider, twins), crashed.executor))
        while (!first.some((event) => event._tag === "Submitted")) yield* Effect.sleep("10 millis")
        yield* Fiber.interrupt(fiber)
        yield* Scope.close(scope, Exit.void)
        expect(batchCreations(fake)).toHaveLength(1)

        // the probe now fails (a flaky network, say), but the batch is still the vendor's to answer
        let probes = 0
        const failing = Effect.suspend(() => {
          probes++
          return Effect.fail(
            new ProviderError({ provider: "openai", reason: "transport", message: "socket hang up" }),
          )
        })
        const scope2 = yield* Scope.make()
        const resumed = yield* autoExecutor("openai", fake, scope2, second, {
          path,
          runId: "restart",
          probe: failing,
        })
        expect(probes).toBe(0)
        expect(second.map((event) => event._tag)).toEqual(["Resumed"])
        const fiber2 = yield* Effect.forkChild(
          simulate(simulation(resumed.provider, twins), resumed.executor),
        )
        yield* driveClock(fake, fiber2)
        const { synthetic } = yield* Fiber.join(fiber2)
        expect(synthetic.every((respondent) => respondent.valid)).toBe(true)
        expect(batchCreations(fake)).toHaveLength(1)
        expect(liveCalls(fake)).toHaveLength(0)
        yield* Scope.close(scope2, Exit.void)
      }),
    )
  })

  it("a refused submission sends the calls queued behind it, and every later one, live: the batch API is not asked again", async () => {
    const fake = await startVendorFake("openai", { seed: 10 })
    servers.push(fake)
    const twins = fixtureTwins(20, 10)
    const events: Array<BatchEvent> = []
    let submits = 0
    await Effect.runPromise(
      Effect.gen(function* () {
        const { scope, provider, runner, store } = yield* session({
          vendor: "openai",
          fake,
          path: join(directory, "refused-rest.sqlite"),
          runId: "refused-rest",
          events: [],
        })
        const refusing = {
          ...provider.batch!,
          submit: () =>
            Effect.suspend(() => {
              submits++
              return Effect.fail(
                new ProviderError({
                  provider: "openai",
                  reason: "invalid-request",
                  status: 404,
                  message: "Not Found",
                }),
              )
            }),
        }
        const executor = yield* makeBatchExecutor({
          runner,
          batch: refusing,
          provider: "openai",
          store,
          runId: "refused-rest",
          scope,
          maxRequests: 5,
          idleMs: 10,
          pollIntervalMs: 10,
          onEvent: (event) => events.push(event),
        })
        const { synthetic } = yield* simulate(simulation(provider, twins), executor)
        expect(synthetic.every((respondent) => respondent.valid)).toBe(true)
        // 20 twins in chunks of 5: the first chunk is refused, and no other is tried
        expect(submits).toBe(1)
        expect(liveCalls(fake)).toHaveLength(20)
        const failed = events.filter((event) => event._tag === "SubmitFailed")
        expect(failed).toHaveLength(1)
        expect(failed[0]).toMatchObject({ requests: 5, alsoLive: 15, message: "Not Found" })
        expect(yield* store.listBatches({ runId: "refused-rest", provider: "openai" })).toHaveLength(0)
        yield* Scope.close(scope, Exit.void)
      }),
    )
  })
})
