import { spawn } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import type { ExperimentShape, ProviderShape } from "@standin/core"
import { make as makeAnthropic } from "@standin/provider-anthropic"
import { make as makeGoogle } from "@standin/provider-google"
import { make as makeOpenAi } from "@standin/provider-openai"
import {
  type FakeServer,
  fixtureStudy,
  type RequestLogEntry,
  readRequestLog,
  renderFixturePrompt,
  type Vendor,
} from "@standin/testkit"
import { Effect, Redacted } from "effect"

/** The testkit's fixture study as an experiment (its human data is never loaded by these tests). */
export const fixtureExperiment: ExperimentShape = {
  descriptor: {
    kind: "experiment",
    id: "fixture",
    version: "1.0.0",
    specVersion: "1.0",
    title: "Fixture",
    citation: "none",
  },
  definition: fixtureStudy,
  loadHumanData: Effect.die("the fixture experiment has no data"),
  renderPrompt: (twin, options) => renderFixturePrompt(fixtureStudy, twin, options),
}

/** The vendors with batch APIs these tests drive (the Together fake serves finetuning). */
export type BatchVendor = Exclude<Vendor, "together">

export const models: Record<BatchVendor, string> = {
  openai: "gpt-4o-mini",
  anthropic: "claude-haiku-4-5",
  google: "gemini-2.5-flash",
}

/** The real vendor plugin (its official SDK) pointed at a loopback fake. */
export const vendorProvider = (
  vendor: BatchVendor,
  fake: Pick<FakeServer, "baseUrl">,
  timeoutMs = 2_000,
): ProviderShape => {
  const config = {
    apiKey: Redacted.make("sk-test-PLANTED"),
    model: models[vendor],
    baseUrl: fake.baseUrl,
    timeoutMs,
  }
  switch (vendor) {
    case "openai":
      return makeOpenAi(config)
    case "anthropic":
      return makeAnthropic(config)
    case "google":
      return makeGoogle(config)
  }
}

/** Generation requests a fake received (live calls, not batch endpoints). */
export const liveCalls = (fake: FakeServer) =>
  fake.log.entries.filter(
    (entry) =>
      entry.method === "POST" && /\/chat\/completions$|\/v1\/messages$|:generateContent$/.test(entry.path),
  )

/** Batch creations a fake received. */
export const batchCreations = (fake: FakeServer) =>
  fake.log.entries.filter(
    (entry) =>
      entry.method === "POST" &&
      /\/v1\/batches$|\/messages\/batches$|:batchGenerateContent$/.test(entry.path),
  )

/** A `standin-fake` in its own process (as a vendor would be), with its request log in a JSONL file. */
export const spawnFake = async (args: ReadonlyArray<string>) => {
  const bin = resolve(__dirname, "../../../testkit/dist/bin.js")
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm build\` first (pnpm test does).`)
  const directory = mkdtempSync(join(tmpdir(), "standin-fake-"))
  const logFile = join(directory, "requests.jsonl")
  const child = spawn(process.execPath, [bin, "--port", "0", "--log", logFile, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  })
  const baseUrl = await new Promise<string>((resolvePromise, reject) => {
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      const match = /SDK base URL: (\S+)/.exec(output)
      if (match?.[1] !== undefined) resolvePromise(match[1])
    })
    child.on("exit", (code) => reject(new Error(`standin-fake exited with ${code}: ${output}`)))
  })
  return {
    baseUrl,
    log: (): ReadonlyArray<RequestLogEntry> => readRequestLog(logFile),
    close: async () => {
      const exited = new Promise((resolvePromise) => child.on("exit", resolvePromise))
      child.kill("SIGTERM")
      await exited
      rmSync(directory, { recursive: true, force: true })
    },
  }
}
