import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { startOpenAiFake } from "../src/openai.js"
import { readRequestLog } from "../src/request-log.js"
import type { FakeServer } from "../src/server.js"

/**
 * What the fake logs as paid when its client dies: a 200 only for an answer the client read. A client
 * killed before the answer, or with the answer unread in its socket, gets a 499 `client-closed`.
 */

let fake: FakeServer
let directory = ""
beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), "standin-delivery-"))
  fake = await startOpenAiFake({ seed: 1, latencyMs: 100, logFile: join(directory, "requests.jsonl") })
})
afterAll(async () => {
  await fake?.close()
  rmSync(directory, { recursive: true, force: true })
})

const body = JSON.stringify({
  model: "gpt-4o-mini",
  messages: [{ role: "user", content: "Answer with a number." }],
})

/**
 * A client in its own process: it sends one chat completion, then, once the request is out, either
 * waits for the answer and prints it ("read"), or blocks its event loop so it never reads it ("busy").
 */
const client = (mode: "read" | "busy"): { child: ChildProcess; sent: Promise<void>; read: Promise<void> } => {
  const script = `
    const http = require("node:http")
    const request = http.request(${JSON.stringify(`${fake.baseUrl}/chat/completions`)}, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-test", "content-length": ${Buffer.byteLength(body)} },
    }, (response) => {
      let text = ""
      response.on("data", (chunk) => { text += chunk })
      response.on("end", () => { process.stdout.write("read\\n"); setInterval(() => {}, 1000) })
    })
    request.end(${JSON.stringify(body)}, () => {
      process.stdout.write("sent\\n")
      if (${JSON.stringify(mode)} === "busy") { const until = Date.now() + 10000; while (Date.now() < until) {} }
    })
  `
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] })
  let output = ""
  const seen = (word: string) =>
    new Promise<void>((resolve) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes(word)) resolve()
      })
    })
  return { child, sent: seen("sent"), read: seen("read") }
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.on("exit", () => resolve())
    child.kill("SIGKILL")
  })

/** Waits until the fake's log holds what `expectation` checks (at each change, up to 10 s). */
const logged = (expectation: () => void) => vi.waitFor(expectation, { timeout: 10_000, interval: 5 })

describe("the fake's log when its client is killed", () => {
  it("an answer the client read stays a 200", async () => {
    const before = fake.log.entries.length
    const { child, read } = client("read")
    await read
    await killed(child)
    // the connection's close reaches the fake after the kill: a later request on a new connection is
    // logged after it, so by then any correction of the first answer would be in the log
    await fetch(`${fake.baseUrl}/models`, { headers: { authorization: "Bearer sk-test" } })
    await logged(() => expect(fake.log.entries.length).toBe(before + 2))
    expect(fake.log.entries.slice(before, before + 1).map((entry) => entry.status)).toEqual([200])
  })

  it("a client killed before the answer: 499 client-closed", async () => {
    const before = fake.log.entries.length
    const { child, sent } = client("read")
    await sent
    await killed(child)
    await logged(() =>
      expect(fake.log.entries.slice(before)).toMatchObject([{ status: 499, fault: "client-closed" }]),
    )
  })

  it("an answer sent but never read (the client's loop was blocked when it was killed): 499, in memory and in the file", async () => {
    const before = fake.log.entries.length
    const { child, sent } = client("busy")
    await sent
    // the fake answers after 100 ms, into the socket of a process that never reads it
    await logged(() => expect(fake.log.entries.slice(before).map((entry) => entry.status)).toEqual([200]))
    await killed(child)
    await logged(() =>
      expect(fake.log.entries.slice(before)).toMatchObject([{ status: 499, fault: "client-closed" }]),
    )
    const fromFile = readRequestLog(join(directory, "requests.jsonl"))
    expect(fromFile).toHaveLength(fake.log.entries.length)
    expect(fromFile.map((entry) => entry.status)).toEqual(fake.log.entries.map((entry) => entry.status))
  })
})
