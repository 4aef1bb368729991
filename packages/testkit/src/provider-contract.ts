import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  type Elicitation,
  HoldoutData,
  isRetryableReason,
  isValidAnswer,
  PilotData,
  Provider,
  type ProviderRequest,
  type ProviderResponse,
  ProviderSpecVersion,
  type RenderedPrompt,
  type RenderOptions,
  type Respondent,
  type StudyDefinition,
  scaleOptions,
  type Twin,
  unsupportedElicitation,
} from "@standin/core"
import { Effect, Layer, Redacted, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startVendorFake } from "./fakes.js"
import type { FaultKind } from "./faults.js"
import { fixtureRespondents, fixtureStudy, renderFixturePrompt } from "./fixture-study.js"
import { inputTokens } from "./metering.js"
import { defaultJobTimings, type FakeOptions, type FakeServer } from "./server.js"
import type { Vendor } from "./survey.js"

/** The key every contract run plants; it must never come back out. */
export const plantedKey = "sk-test-PLANTED"

/** What `makeLayer` gets: where the fake listens and what to configure the provider with. */
export interface ContractEnvironment {
  /** The fake's base URL in the form the vendor's SDK expects ("" when there is no fake). */
  readonly baseUrl: string
  /** The planted key (`sk-test-PLANTED`). */
  readonly apiKey: Redacted.Redacted<string>
  /** A short per-call timeout, so the hang fault is quick to detect. */
  readonly timeoutMs: number
  readonly model: string
  readonly fake: FakeServer | undefined
}

export interface ContractOptions {
  /** The vendor fake the provider talks to. Omit for providers that make no HTTP call (baselines). */
  readonly vendor?: Vendor
  /** Model name to configure (default `standin-contract-model`). */
  readonly model?: string
  /** Run the fault checks (default: whenever there is a vendor fake). */
  readonly faults?: boolean
  /** Check that reported usage follows the fake's metering rule (default: whenever there is a vendor fake). */
  readonly meteredUsage?: boolean
  readonly study?: StudyDefinition
  readonly render?: (study: StudyDefinition, twin: Twin, options: RenderOptions) => RenderedPrompt
  /** Pilot respondents given to providers through PilotData (default: 60 fixture respondents). */
  readonly pilot?: ReadonlyArray<Respondent>
  /** Holdout respondents; the contract's twins are theirs (default: 6 fixture respondents). */
  readonly holdout?: ReadonlyArray<Respondent>
  /** Extra options for the fake (latency, responder …). */
  readonly fakeOptions?: FakeOptions
  /** The per-call timeout given to the provider (default 1500 ms). */
  readonly timeoutMs?: number
  /**
   * Checks the fake's whole traffic after every other test ran (start the fake with `captureResponses` through
   * `fakeOptions` to check answers too), e.g. against the vendor's published schema.
   */
  readonly traffic?: (fake: FakeServer) => void | Promise<void>
}

export type MakeContractLayer = (
  environment: ContractEnvironment,
) => Layer.Layer<Provider, unknown, PilotData | HoldoutData>

const elicitations: ReadonlyArray<Elicitation> = ["sample", "logprobs", "verbalized"]

/** Faults every provider must map, with the reason each must map to. */
const faultReasons: ReadonlyArray<readonly [FaultKind, string]> = [
  ["429", "rate-limited"],
  ["500", "server"],
  ["503", "server"],
  ["400", "invalid-request"],
  ["401", "auth"],
  ["reset", "transport"],
  ["timeout", "timeout"],
  ["truncated", "malformed-output"],
  ["malformed", "malformed-output"],
  ["refusal", "content-filtered"],
]

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Checks one response against the study's scales for an elicitation; returns the problems found. */
export const answerProblems = (
  study: StudyDefinition,
  elicitation: Elicitation,
  response: ProviderResponse,
): ReadonlyArray<string> => {
  const problems: Array<string> = []
  if (elicitation === "logprobs") {
    for (const item of study.items) {
      const distribution = response.distributions?.[item.id]
      if (distribution === undefined) {
        problems.push(`no distribution for ${item.id}`)
        continue
      }
      const options = scaleOptions(item.scale)
      const keys = Object.keys(distribution).sort()
      if (JSON.stringify(keys) !== JSON.stringify([...options].sort()))
        problems.push(`${item.id}: keys ${keys.join("|")}`)
      const total = Object.values(distribution).reduce((a, b) => a + b, 0)
      if (Math.abs(total - 1) > 1e-6) problems.push(`${item.id}: probabilities add up to ${total}`)
      if (Object.values(distribution).some((p) => !(p >= 0)))
        problems.push(`${item.id}: a negative probability`)
    }
    return problems
  }
  const parsed = parseJson(response.text)
  if (!isRecord(parsed)) return [`text is not a JSON object: ${response.text.slice(0, 80)}`]
  for (const item of study.items) {
    const value = parsed[item.id]
    if (elicitation === "sample") {
      if (!isValidAnswer(item.scale, (value ?? null) as never))
        problems.push(`${item.id}: ${JSON.stringify(value)} is off the scale`)
      continue
    }
    if (!isRecord(value)) {
      problems.push(`${item.id}: no stated distribution`)
      continue
    }
    const options = scaleOptions(item.scale)
    const extra = Object.keys(value).filter((key) => !options.includes(key))
    if (extra.length > 0) problems.push(`${item.id}: unknown options ${extra.join("|")}`)
    const numbers = Object.values(value)
    if (!numbers.every((p) => typeof p === "number" && p >= 0))
      problems.push(`${item.id}: not all probabilities`)
    const total = numbers.reduce<number>((a, b) => a + (typeof b === "number" ? b : 0), 0)
    if (Math.abs(total - 1) > 0.05) problems.push(`${item.id}: probabilities add up to ${total}`)
  }
  return problems
}

/**
 * The Provider contract, as a vitest suite. Every provider package runs it against its vendor's fake
 * (`vendor`), and baselines without one. It checks that answers parse against the items' scales for
 * every declared elicitation, that undeclared ones are refused before any call, that unsupported
 * settings come back as warnings, that every fault maps to the right reason and retryability, that
 * usage and model versions are reported, and that the planted key never comes back out.
 */
export const suite = (name: string, makeLayer: MakeContractLayer, options: ContractOptions = {}): void => {
  const study = options.study ?? fixtureStudy
  const render = options.render ?? renderFixturePrompt
  const model = options.model ?? "standin-contract-model"
  const vendor = options.vendor
  const checkFaults = options.faults ?? vendor !== undefined
  const metered = options.meteredUsage ?? vendor !== undefined
  const timeoutMs = options.timeoutMs ?? 1500
  const retryAfterMs = options.fakeOptions?.retryAfterMs ?? 1500
  const pilot = options.pilot ?? fixtureRespondents(60, 11, 1.3, study)
  const holdout = options.holdout ?? fixtureRespondents(6, 12, 1.3, study)
  const twins: ReadonlyArray<Twin> = holdout.map((h) => ({ id: h.id, arm: h.arm, persona: h.persona }))
  const data = Layer.mergeAll(
    Layer.succeed(PilotData, { study, pilot, seed: 1 }),
    Layer.succeed(HoldoutData, {
      holdout,
      twinIndex: new Map(holdout.map((respondent, index) => [respondent.id, index])),
    }),
  )
  /** Everything the provider handed back (texts, warnings, error messages), checked for the key at the end. */
  const outputs: Array<string> = []
  let fake: FakeServer | undefined
  let logDirectory = ""

  const environment = (server: FakeServer | undefined): ContractEnvironment => ({
    baseUrl: server?.baseUrl ?? "",
    apiKey: Redacted.make(plantedKey),
    timeoutMs,
    model,
    fake: server,
  })

  const withProvider = <A, E>(
    server: FakeServer | undefined,
    use: (provider: Provider["Service"]) => Effect.Effect<A, E>,
  ): Promise<Result.Result<A, unknown>> =>
    Effect.runPromise(
      Effect.gen(function* () {
        const provider = yield* Provider
        return yield* use(provider)
      }).pipe(Effect.provide(makeLayer(environment(server))), Effect.provide(data), Effect.result),
    )

  const request = (
    twin: Twin,
    elicitation: Elicitation,
    extra: Partial<ProviderRequest> = {},
  ): ProviderRequest => ({
    model,
    twin,
    items: study.items,
    prompt: render(study, twin, { elicitation, includeDemographics: true }),
    settings: {},
    elicitation,
    replicate: 0,
    attempt: 0,
    ...extra,
  })

  const generate = async (
    elicitation: Elicitation,
    extra: Partial<ProviderRequest> = {},
    twin: Twin = twins[0]!,
    server: FakeServer | undefined = fake,
  ): Promise<Result.Result<ProviderResponse, unknown>> => {
    const result = await withProvider(server, (provider) =>
      provider.generate(request(twin, elicitation, extra)),
    )
    if (Result.isSuccess(result)) {
      const { text, warnings, modelVersion, finishReason, distributions } = result.success
      outputs.push(text, modelVersion, finishReason ?? "", JSON.stringify(distributions ?? {}), ...warnings)
    } else outputs.push(String((result.failure as { message?: unknown }).message ?? result.failure))
    return result
  }

  const declared = async (): Promise<ReadonlyArray<Elicitation>> => {
    const result = await withProvider(undefined, (provider) =>
      Effect.succeed(provider.descriptor.capabilities.elicitation),
    )
    return Result.isSuccess(result) ? result.success : []
  }

  describe(`Provider contract: ${name}`, () => {
    beforeAll(async () => {
      if (vendor === undefined) return
      logDirectory = mkdtempSync(join(tmpdir(), "standin-contract-"))
      fake = await startVendorFake(vendor, {
        seed: 5,
        retryAfterMs,
        logFile: join(logDirectory, "requests.jsonl"),
        ...options.fakeOptions,
      })
    })
    afterAll(async () => {
      await fake?.close()
      if (logDirectory !== "") rmSync(logDirectory, { recursive: true, force: true })
    })

    it("builds, and describes itself honestly", async () => {
      const result = await withProvider(fake, (provider) => Effect.succeed(provider))
      expect(
        Result.isSuccess(result),
        `the layer failed to build: ${String(Result.isFailure(result) && result.failure)}`,
      ).toBe(true)
      if (!Result.isSuccess(result)) return
      const { descriptor } = result.success
      expect(descriptor.kind).toBe("provider")
      expect(descriptor.specVersion).toBe(ProviderSpecVersion)
      expect(descriptor.id).toMatch(/^[a-z][a-z0-9-]*$/)
      expect(descriptor.capabilities.elicitation.length).toBeGreaterThan(0)
      if (descriptor.capabilities.elicitation.includes("logprobs"))
        expect(descriptor.capabilities.logprobs).toBe(true)
      if (descriptor.capabilities.elicitation.includes("sample") && vendor !== undefined)
        expect(descriptor.capabilities.structuredOutput).toBe(true)
      expect(typeof result.success.model).toBe("string")
    })

    for (const elicitation of elicitations) {
      it(`answers parse against the items' scales (${elicitation}), or the elicitation is refused up front`, async () => {
        const supported = (await declared()).includes(elicitation)
        if (!supported) {
          const descriptor = await withProvider(undefined, (provider) => Effect.succeed(provider.descriptor))
          if (Result.isSuccess(descriptor))
            expect(unsupportedElicitation(descriptor.success, elicitation)).toBeTypeOf("string")
          const before = fake?.log.entries.length ?? 0
          const result = await generate(elicitation)
          expect(Result.isFailure(result)).toBe(true)
          if (Result.isFailure(result)) {
            expect((result.failure as { _tag?: string })._tag).toBe("ProviderError")
            expect((result.failure as { reason?: string }).reason).toBe("unsupported")
          }
          // Refused before anything was spent: no request reached the vendor.
          expect(fake?.log.entries.length ?? 0).toBe(before)
          return
        }
        for (const twin of twins.slice(0, 4)) {
          const before = fake?.log.entries.length ?? 0
          const result = await generate(elicitation, {}, twin)
          expect(
            Result.isSuccess(result),
            `generate failed: ${Result.isFailure(result) ? String(result.failure) : ""}`,
          ).toBe(true)
          if (!Result.isSuccess(result)) continue
          const response = result.success
          expect(answerProblems(study, elicitation, response)).toEqual([])
          expect(response.modelVersion.length).toBeGreaterThan(0)
          expect(response.usage.inputTokens).toBeGreaterThanOrEqual(0)
          expect(response.usage.outputTokens).toBeGreaterThanOrEqual(0)
          expect(response.warnings.every((warning) => typeof warning === "string")).toBe(true)
          if (metered && fake !== undefined) {
            const prompt = render(study, twin, { elicitation, includeDemographics: true })
            const expected =
              elicitation === "logprobs"
                ? prompt.perItem.reduce(
                    (sum, item) => sum + inputTokens(item.messages.map((m) => m.content)),
                    0,
                  )
                : inputTokens(prompt.messages.map((m) => m.content))
            expect(response.usage.inputTokens).toBe(expected)
            expect(response.usage.outputTokens).toBeGreaterThan(0)
            expect(fake.log.entries.length).toBeGreaterThan(before)
          }
        }
      })
    }

    it("returns warnings for the settings it cannot honour, and none for those it can", async () => {
      const kinds = await declared()
      const elicitation = kinds.includes("sample") ? "sample" : (kinds[0] ?? "sample")
      const descriptor = await withProvider(undefined, (provider) => Effect.succeed(provider.descriptor))
      if (!Result.isSuccess(descriptor)) throw new Error("the layer failed to build")
      const capabilities = descriptor.success.capabilities
      // One setting at a time: a supported setting alone must pass without a warning about it.
      const checks: ReadonlyArray<readonly [boolean, ProviderRequest["settings"], RegExp]> = [
        [capabilities.seed, { seed: 7 }, /\bseed\b/i],
        [capabilities.temperature, { temperature: 0.7 }, /\btemperature\b/i],
        [capabilities.topP, { topP: 0.9 }, /\btop[_ -]?p\b/i],
      ]
      for (const [supported, settings, pattern] of checks) {
        const result = await generate(elicitation, { settings })
        expect(Result.isSuccess(result)).toBe(true)
        if (!Result.isSuccess(result)) continue
        const warnings = result.success.warnings.join("\n")
        if (supported) expect(warnings).not.toMatch(pattern)
        else expect(warnings).toMatch(pattern)
        expect(answerProblems(study, elicitation, result.success)).toEqual([])
      }
    })

    if (checkFaults && vendor !== undefined) {
      for (const [fault, reason] of faultReasons) {
        it(`maps the ${fault} fault to "${reason}" (retryable: ${isRetryableReason(reason as never)})`, async () => {
          const kinds = await declared()
          fake!.faults.clear()
          fake!.faults.script([fault])
          const result = await generate(kinds.includes("sample") ? "sample" : kinds[0]!)
          fake!.faults.clear()
          expect(Result.isFailure(result), "the call should have failed").toBe(true)
          if (!Result.isFailure(result)) return
          const error = result.failure as {
            _tag?: string
            reason?: string
            retryable?: boolean
            retryAfterMs?: number
          }
          expect(error._tag).toBe("ProviderError")
          expect(error.reason).toBe(reason)
          expect(error.retryable).toBe(isRetryableReason(reason as never))
          if (fault === "429") expect(error.retryAfterMs).toBe(retryAfterMs)
        })
      }

      it("returns an off-scale answer verbatim rather than coercing it", async () => {
        const kinds = await declared()
        const elicitation = kinds.includes("sample")
          ? "sample"
          : kinds.includes("verbalized")
            ? "verbalized"
            : undefined
        if (elicitation === undefined) return
        fake!.faults.script(["offscale"])
        const result = await generate(elicitation)
        expect(Result.isSuccess(result)).toBe(true)
        if (Result.isSuccess(result))
          expect(answerProblems(study, elicitation, result.success).length).toBeGreaterThan(0)
      })

      it("warns when the option labels carry little first-token probability", async () => {
        if (!(await declared()).includes("logprobs")) return
        fake!.faults.script(["lowmass"])
        const result = await generate("logprobs")
        fake!.faults.clear()
        expect(Result.isSuccess(result)).toBe(true)
        if (!Result.isSuccess(result)) return
        expect(result.success.warnings.join("\n")).toMatch(new RegExp(study.items[0]!.id))
        expect(answerProblems(study, "logprobs", result.success)).toEqual([])
      })
    }

    if (vendor !== undefined) {
      const batchOf = async () => {
        const result = await withProvider(fake, (provider) => Effect.succeed(provider))
        if (!Result.isSuccess(result)) throw new Error("the layer failed to build")
        return result.success
      }
      /** Moves the fake's clock past a batch's validating and running phases. */
      const finishBatches = () =>
        fake!.clock.advance(defaultJobTimings.validatingMs + defaultJobTimings.runningMs + 1)
      const run = <A>(effect: Effect.Effect<A, unknown>) => Effect.runPromise(Effect.result(effect))

      it("declares a batch API exactly when it has one, within the vendor's limits", async () => {
        const provider = await batchOf()
        expect(provider.batch !== undefined).toBe(provider.descriptor.capabilities.batch)
        if (provider.batch === undefined) return
        expect(provider.batch.limits.maxRequests).toBeGreaterThan(0)
        expect(provider.batch.limits.maxBytes).toBeGreaterThan(0)
        for (const elicitation of provider.batch.elicitation)
          expect(provider.descriptor.capabilities.elicitation).toContain(elicitation)
      })

      it("batch: submits, polls to the end, and decodes answers as a live call would", async () => {
        const provider = await batchOf()
        const batch = provider.batch
        if (batch === undefined) return
        const elicitation = batch.elicitation.includes("sample") ? "sample" : batch.elicitation[0]!
        const settings = { temperature: 0.7, seed: 3 }
        const requests = twins.slice(0, 3).map((twin, index) => ({
          customId: `contract-${index}`,
          request: request(twin, elicitation, { settings }),
        }))
        fake!.faults.clear()
        const submitted = await run(batch.submit(requests, { label: "standin contract" }))
        expect(Result.isSuccess(submitted), String(Result.isFailure(submitted) && submitted.failure)).toBe(
          true,
        )
        if (!Result.isSuccess(submitted)) return
        const batchId = submitted.success.batchId
        const early = await run(batch.status(batchId))
        expect(Result.isSuccess(early) && early.success.state).toBe("running")
        finishBatches()
        const status = await run(batch.status(batchId))
        expect(Result.isSuccess(status) && status.success.state).toBe("ended")
        const results = await run(
          batch.results(
            batchId,
            requests.map((entry) => entry.customId),
          ),
        )
        expect(Result.isSuccess(results)).toBe(true)
        if (!Result.isSuccess(results)) return
        expect(results.success.map((item) => item.customId).sort()).toEqual(
          requests.map((entry) => entry.customId).sort(),
        )
        for (const item of results.success) {
          const sent = requests.find((entry) => entry.customId === item.customId)!
          const decoded = await run(item.decode(sent.request))
          expect(Result.isSuccess(decoded), String(Result.isFailure(decoded) && decoded.failure)).toBe(true)
          if (!Result.isSuccess(decoded)) continue
          const response = decoded.success
          outputs.push(response.text, ...response.warnings)
          expect(answerProblems(study, elicitation, response)).toEqual([])
          expect(response.modelVersion.length).toBeGreaterThan(0)
          if (metered)
            expect(response.usage.inputTokens).toBe(
              inputTokens(sent.request.prompt.messages.map((message) => message.content)),
            )
          // the same warnings a live call with these settings returns
          const live = await generate(elicitation, { settings }, sent.request.twin)
          if (Result.isSuccess(live)) expect(response.warnings).toEqual(live.success.warnings)
        }
      })

      it("batch: an item the vendor failed comes back as a failure with its reason", async () => {
        const provider = await batchOf()
        const batch = provider.batch
        if (batch === undefined) return
        const elicitation = batch.elicitation.includes("sample") ? "sample" : batch.elicitation[0]!
        const requests = twins.slice(0, 2).map((twin, index) => ({
          customId: `failing-${index}`,
          request: request(twin, elicitation),
        }))
        fake!.faults.clear()
        const submitted = await run(batch.submit(requests, { label: "standin contract" }))
        if (!Result.isSuccess(submitted)) throw new Error(String(submitted.failure))
        fake!.faults.script(["ok", "500"])
        finishBatches()
        const status = await run(batch.status(submitted.success.batchId))
        fake!.faults.clear()
        expect(Result.isSuccess(status) && status.success.state).toBe("ended")
        const results = await run(batch.results(submitted.success.batchId, ["failing-0", "failing-1"]))
        if (!Result.isSuccess(results)) throw new Error(String(results.failure))
        const outcome = async (customId: string) => {
          const item = results.success.find((entry) => entry.customId === customId)
          expect(item).toBeDefined()
          return run(item!.decode(requests.find((entry) => entry.customId === customId)!.request))
        }
        expect(Result.isSuccess(await outcome("failing-0"))).toBe(true)
        const failed = await outcome("failing-1")
        expect(Result.isFailure(failed)).toBe(true)
        if (Result.isFailure(failed)) {
          expect((failed.failure as { _tag?: string })._tag).toBe("ProviderError")
          expect((failed.failure as { reason?: string }).reason).toBe("server")
          outputs.push(String((failed.failure as { message?: string }).message))
        }
      })

      it("batch: the probe succeeds where the vendor has a batch API and fails, not retryable, where it has none", async () => {
        const provider = await batchOf()
        const probe = provider.batch?.probe
        if (probe === undefined) return
        const before = fake!.log.entries.length
        expect(Result.isSuccess(await run(probe))).toBe(true)
        // one cheap request, and nothing created
        expect(fake!.log.entries.slice(before).map((entry) => entry.method)).toEqual(["GET"])
        const bare = await startVendorFake(vendor, { batches: false })
        try {
          const refused = await withProvider(bare, (other) => other.batch?.probe ?? Effect.void)
          expect(Result.isFailure(refused)).toBe(true)
          if (!Result.isFailure(refused)) return
          const error = refused.failure as {
            _tag?: string
            status?: number
            retryable?: boolean
            message?: string
          }
          expect(error._tag).toBe("ProviderError")
          expect(error.status).toBe(404)
          expect(error.retryable).toBe(false)
          outputs.push(String(error.message))
        } finally {
          await bare.close()
        }
      })

      it("batch: a cancelled batch ends without answers", async () => {
        const provider = await batchOf()
        const batch = provider.batch
        if (batch === undefined) return
        const elicitation = batch.elicitation.includes("sample") ? "sample" : batch.elicitation[0]!
        const submitted = await run(
          batch.submit([{ customId: "cancelled-0", request: request(twins[0]!, elicitation) }], {
            label: "standin contract",
          }),
        )
        if (!Result.isSuccess(submitted)) throw new Error(String(submitted.failure))
        expect(Result.isSuccess(await run(batch.cancel(submitted.success.batchId)))).toBe(true)
        finishBatches()
        const status = await run(batch.status(submitted.success.batchId))
        expect(Result.isSuccess(status) && status.success.state).not.toBe("running")
        const results = await run(batch.results(submitted.success.batchId, ["cancelled-0"]))
        const answered = Result.isSuccess(results)
          ? await Promise.all(
              results.success.map((item) => run(item.decode(request(twins[0]!, elicitation)))),
            )
          : []
        expect(answered.filter((outcome) => Result.isSuccess(outcome))).toHaveLength(0)
      })
    }

    it("never lets the planted key out: request log, responses, warnings, errors (also on 401)", async () => {
      if (vendor !== undefined) {
        // A server that rejects the key and, carelessly, quotes it back in its error message.
        const hostile = await startVendorFake(vendor, {
          apiKey: "sk-test-the-right-one",
          echoKeyInErrors: true,
        })
        try {
          const kinds = await declared()
          const result = await generate(
            kinds.includes("sample") ? "sample" : kinds[0]!,
            {},
            twins[0]!,
            hostile,
          )
          expect(Result.isFailure(result)).toBe(true)
          if (Result.isFailure(result)) expect((result.failure as { reason?: string }).reason).toBe("auth")
          // The key did reach the server (so the check is not vacuous) and was redacted in its log.
          const offered = hostile.log.entries.map((entry) => JSON.stringify(entry.headers))
          expect(offered.some((headers) => headers.includes("[REDACTED]"))).toBe(true)
          expect(offered.join("\n")).not.toContain(plantedKey)
        } finally {
          await hostile.close()
        }
        expect(JSON.stringify(fake!.log.entries)).not.toContain(plantedKey)
        expect(readFileSync(join(logDirectory, "requests.jsonl"), "utf8")).not.toContain(plantedKey)
      }
      expect(outputs.length).toBeGreaterThan(0)
      for (const output of outputs) expect(output).not.toContain(plantedKey)
    })

    if (options.traffic !== undefined && vendor !== undefined) {
      const checkTraffic = options.traffic
      it("sent and got only what the vendor's published schema allows, over the whole run", async () => {
        await checkTraffic(fake!)
      })
    }
  })
}

/** `ProviderContract.suite(name, makeLayer, options)`. */
export const ProviderContract = { suite, plantedKey, answerProblems } as const
