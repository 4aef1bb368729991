import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { callSeed } from "@standin/engine"
import { type FakeServer, type RequestLogEntry, startOpenAiFake } from "@standin/testkit/fakes"
import { hasData, standin, standinAsync, tempDir } from "./helpers.js"

/**
 * The bundled study's instrument as the humans saw it, proven on the wire: the requests a loopback OpenAI
 * fake received, twin by twin.
 */

let fake: FakeServer
const env = () => ({ OPENAI_API_KEY: "sk-test-PLANTED", OPENAI_BASE_URL: fake.baseUrl })
beforeAll(async () => {
  fake = await startOpenAiFake({ seed: 4 })
})
afterAll(() => fake?.close())

const run = (out: string, extra: ReadonlyArray<string> = []) =>
  standinAsync(
    [
      "run",
      "--provider",
      "openai:gpt-4o-mini",
      "--holdout",
      "8",
      // No pilot: the pilot's own twins (asked for prediction-powered inference) would add calls to the log.
      "--pilot",
      "0",
      "--seed",
      "7",
      "--bootstrap",
      "0",
      "--no-site",
      "--quiet",
      "--out",
      out,
      ...extra,
    ],
    env(),
  )

interface Message {
  readonly role: string
  readonly content: string
}
const messagesOf = (entry: RequestLogEntry): ReadonlyArray<Message> =>
  (entry.body as { messages: ReadonlyArray<Message> }).messages

/** The synthetic CSV's rows as objects (quoted fields with commas, quotes and newlines handled). */
const parseCsv = (text: string): Array<Record<string, string>> => {
  const rows: Array<Array<string>> = []
  let row: Array<string> = []
  let field = ""
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (char === '"') quoted = false
      else field += char
    } else if (char === '"') quoted = true
    else if (char === ",") {
      row.push(field)
      field = ""
    } else if (char === "\n") {
      row.push(field)
      rows.push(row)
      row = []
      field = ""
    } else field += char
  }
  const [header, ...body] = rows
  return body.map((cells) => Object.fromEntries(header!.map((name, index) => [name, cells[index] ?? ""])))
}

const STATEMENTS = [
  "I think that I understand how browser fingerprinting works",
  "fingerprint/track my browser",
]

describe.runIf(hasData)("the bundled study's instrument, on the wire (CLI, loopback fake)", () => {
  it('shows a "shown" twin the consent page with the example table and the default, then its answer, then the perception page', async () => {
    const out = tempDir("instrument")
    const before = fake.log.entries.length
    const result = await run(out)
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const rows = parseCsv(readFileSync(join(out, "synthetic/openai-gpt-4o-mini.csv"), "utf8"))
    const entries = fake.log.entries.slice(before).filter((entry) => entry.path.endsWith("/chat/completions"))
    expect(entries).toHaveLength(rows.length * 2)
    // A twin's calls are found by their seed: the run's seed, the twin, the replicate and the attempt.
    const callsOf = (twin: string) => {
      const seed = callSeed(7, twin, 0, 0)
      return entries.filter((entry) => (entry.body as { seed?: number }).seed === seed)
    }
    const shown = rows.filter((row) => row.arm === "shown")
    const hidden = rows.filter((row) => row.arm === "hidden")
    expect(shown.length).toBeGreaterThan(0)
    expect(hidden.length).toBeGreaterThan(0)
    for (const row of shown) {
      const [consent, perception] = callsOf(row.twin_id!)
      expect(consent, row.twin_id).toBeDefined()
      expect(perception, row.twin_id).toBeDefined()
      // The consent page is the first user turn, alone: the table, the request, the default listed first.
      const first = messagesOf(consent!)
      expect(first.map((message) => message.role)).toEqual(["system", "user"])
      const page = first[1]!.content
      expect(page).toContain("your payment for participating in this survey will not depend on that choice")
      expect(page).toContain("We are asking to collect attributes from your web browser")
      expect(page).toContain("Here are the attributes we'd like to collect:")
      expect(page).toContain("| Attribute | Value |")
      expect(page).toContain(
        "| WebGL Unmasked Renderer | ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version) |",
      )
      expect(page).toContain("22 rows (scroll)")
      expect(page).toContain('Options: "Consent to share" (selected by default), "Decline"')
      // Nothing of the perception page before the consent answer.
      for (const statement of STATEMENTS) expect(page).not.toContain(statement)
      expect(page).not.toContain("To what extent do you agree")
      // Then the conversation goes on: the same page, the twin's own answer, then the perception page.
      const second = messagesOf(perception!)
      expect(second.map((message) => message.role)).toEqual(["system", "user", "assistant", "user"])
      expect(second.slice(0, 2)).toEqual(first)
      expect(second[2]!.content).toBe(JSON.stringify({ share: row.share }))
      expect(
        second[3]!.content.startsWith("To what extent do you agree with the following statements?"),
      ).toBe(true)
      for (const statement of STATEMENTS) expect(second[3]!.content).toContain(statement)
      expect(entries.indexOf(consent!)).toBeLessThan(entries.indexOf(perception!))
      // Every turn's raw reply is kept.
      const turns = JSON.parse(row.turns!) as Array<{ page: string; raw: string }>
      expect(turns.map((turn) => turn.page)).toEqual(["consent", "perceptions"])
    }
    // `study show` prints exactly what the vendor received, with no model call.
    const one = shown[0]!
    const sent = fake.log.entries.length
    const show = standin([
      "study",
      "show",
      "fingerprint-consent",
      "--twin",
      one.twin_id!,
      "--holdout",
      "8",
      "--pilot",
      "0",
      "--seed",
      "7",
    ])
    expect(show.status).toBe(0)
    expect(fake.log.entries.length).toBe(sent)
    const printed = show.stdout.split("── user · page 1 of 2 (consent) ──\n")[1]!.split("\n\n── assistant")[0]
    expect(printed).toBe(messagesOf(callsOf(one.twin_id!)[0]!)[1]!.content)
    // The results record the instrument each arm faced, for the leaderboard's study page.
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
    const instrument = results.study.instrument as ReadonlyArray<{
      arm: string
      turns: ReadonlyArray<{ role: string; page?: string; content: string }>
    }>
    expect(instrument.map((example) => example.arm)).toEqual(["hidden", "shown"])
    for (const example of instrument) {
      expect(example.turns.map((turn) => `${turn.role} ${turn.page ?? ""}`.trim())).toEqual([
        "system",
        "user consent",
        "assistant consent",
        "user perceptions",
        "assistant perceptions",
      ])
      expect(example.turns[1]!.content.includes("| Attribute | Value |")).toBe(example.arm === "shown")
    }
    for (const row of hidden) {
      const [consent] = callsOf(row.twin_id!)
      const page = messagesOf(consent!)[1]!.content
      expect(page).toContain("We are asking to collect attributes from your web browser")
      expect(page).not.toContain("| Attribute | Value |")
    }
  })

  it("--option-order shuffled: per-twin orders on the wire and in each CSV row; the same seed gives the same bytes", async () => {
    const a = tempDir("shuffled-a")
    const b = tempDir("shuffled-b")
    const before = fake.log.entries.length
    expect((await run(a, ["--option-order", "shuffled"])).status).toBe(0)
    const entries = fake.log.entries.slice(before).filter((entry) => entry.path.endsWith("/chat/completions"))
    expect((await run(b, ["--option-order", "shuffled"])).status).toBe(0)
    const csv = readFileSync(join(a, "synthetic/openai-gpt-4o-mini.csv"), "utf8")
    expect(readFileSync(join(b, "synthetic/openai-gpt-4o-mini.csv"), "utf8")).toBe(csv)
    expect(readFileSync(join(b, "results.json"), "utf8")).toBe(readFileSync(join(a, "results.json"), "utf8"))
    const results = JSON.parse(readFileSync(join(a, "results.json"), "utf8"))
    expect(results.manifest.optionOrder).toBe("shuffled")
    const rows = parseCsv(csv)
    const orders = rows.map((row) => JSON.parse(row.option_order!) as Record<string, Array<string>>)
    expect(new Set(orders.map((order) => JSON.stringify(order))).size).toBeGreaterThan(1)
    for (const [index, row] of rows.entries()) {
      const seed = callSeed(7, row.twin_id!, 0, 0)
      const [consent, perception] = entries.filter((entry) => (entry.body as { seed?: number }).seed === seed)
      const listed = (order: ReadonlyArray<string>, preselected?: string) =>
        order
          .map((option) => `"${option}"${option === preselected ? " (selected by default)" : ""}`)
          .join(", ")
      expect(messagesOf(consent!)[1]!.content).toContain(
        `Options: ${listed(orders[index]!.share!, "Consent to share")}`,
      )
      expect(messagesOf(perception!)[3]!.content).toContain(`Options: ${listed(orders[index]!.concern!)}`)
    }
    // Each twin's conversation file holds what the vendor received, page by page, and the replies verbatim.
    const entry = results.entries.find((e: { id: string }) => e.id === "openai-gpt-4o-mini")
    expect(entry.conversationsFile).toBe("synthetic/openai-gpt-4o-mini.conversations.jsonl")
    const jsonl = readFileSync(join(a, entry.conversationsFile), "utf8")
    expect(readFileSync(join(b, entry.conversationsFile), "utf8")).toBe(jsonl)
    const conversations = jsonl
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line))
    expect(conversations.map((c) => c.twinId)).toEqual(rows.map((row) => row.twin_id))
    for (const [index, conversation] of conversations.entries()) {
      const row = rows[index]!
      const seed = callSeed(7, row.twin_id!, 0, 0)
      const calls = entries.filter((e) => (e.body as { seed?: number }).seed === seed)
      const last = messagesOf(calls.at(-1)!)
      const turns = conversation.turns as Array<{ role: string; content: string; carried?: string }>
      // The last call's messages are the conversation up to its page: system, page 1, answer as carried, page 2.
      expect(turns.map((turn) => turn.role)).toEqual(["system", "user", "assistant", "user", "assistant"])
      expect(last.map((m) => m.content)).toEqual([
        turns[0]!.content,
        turns[1]!.content,
        turns[2]!.carried,
        turns[3]!.content,
      ])
      const replies = JSON.parse(row.turns!) as Array<{ raw: string }>
      expect([turns[2]!.content, turns[4]!.content]).toEqual(replies.map((reply) => reply.raw))
      expect(conversation.valid).toBe(row.valid === "true")
      expect(conversation.arm).toBe(row.arm)
      expect(conversation.optionOrders).toEqual(orders[index])
    }
  })

  it("study show prints the same conversation with no model call", () => {
    const sent = fake.log.entries.length
    const shown = standin(["study", "show", "fingerprint-consent", "--persona", "3", "--arm", "shown"])
    expect(shown.stderr).toBe("")
    expect(shown.status).toBe(0)
    const text = shown.stdout
    expect(text).toContain("── user · page 1 of 2 (consent) ──")
    expect(text).toContain("| Canvas geometry hashed | [1369032737,1864480827,-2065969454,-955405403] |")
    expect(text).toContain("── assistant · the human's own answers ──")
    expect(text.indexOf("(consent) ──")).toBeLessThan(text.indexOf("(perceptions) ──"))
    expect(text.slice(0, text.indexOf("(perceptions) ──"))).not.toContain(STATEMENTS[1])
    const hidden = standin(["study", "show", "fingerprint-consent", "--arm", "hidden"])
    expect(hidden.status).toBe(0)
    expect(hidden.stdout).not.toContain("| Attribute | Value |")
    expect(hidden.stdout).toContain("<the twin's answer to share, as a JSON object>")
    const twin = standin(["study", "show", "fingerprint-consent", "--twin", "t00002", "--seed", "7"])
    expect(twin.status).toBe(0)
    expect(twin.stdout).toContain("twin t00002 (--pilot 100 --seed 7)")
    const stranger = standin(["study", "show", "fingerprint-consent", "--twin", "t99999"])
    expect(stranger.status).not.toBe(0)
    expect(stranger.stderr).toContain('--twin "t99999" is not a twin of this split')
    const wrong = standin(["study", "show", "fingerprint-consent", "--arm", "nope"])
    expect(wrong.status).not.toBe(0)
    expect(wrong.stderr).toContain('--arm "nope" is not an arm of fingerprint-consent (hidden, shown)')
    expect(fake.log.entries.length).toBe(sent)
  })

  it("finetune --dry-run: one multi-turn example per pilot respondent, the human's answers as the assistant turns, with every finetuner", () => {
    for (const finetuner of ["openai", "together", "export"]) {
      const dry = standin([
        "finetune",
        "--base",
        "openai:gpt-4o-mini",
        "--finetuner",
        finetuner,
        "--pilot",
        "20",
        "--dry-run",
      ])
      expect(dry.stderr, finetuner).toBe("")
      expect(dry.status, finetuner).toBe(0)
      expect(dry.stdout, finetuner).toMatch(/train file: \S+, [\d.]+ \w+, 20 examples/)
      expect(dry.stdout, finetuner).toContain("5 turns: system, user, assistant, user, assistant")
      const line = dry.stdout.split("\n").find((text) => text.startsWith('{"messages"'))!
      const messages = (JSON.parse(line) as { messages: ReadonlyArray<Message> }).messages
      expect(Object.keys(JSON.parse(messages[2]!.content))).toEqual(["share"])
      expect(Object.keys(JSON.parse(messages[4]!.content))).toEqual(["understand", "concern"])
      expect(messages[1]!.content).not.toContain(STATEMENTS[1])
      expect(messages[3]!.content).toContain(STATEMENTS[1])
    }
  })
})
