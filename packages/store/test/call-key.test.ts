import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Redacted } from "effect"
import fc from "fast-check"
import {
  type CallKeyParts,
  callKey,
  callKeyMaterial,
  canonicalJson,
  canonicalMessages,
  normalizeBaseUrl,
  sha256Hex,
} from "../src/index.js"

const base: CallKeyParts = {
  provider: "openai",
  model: "gpt-4o-mini",
  baseUrl: "https://api.openai.com/v1",
  settings: { temperature: 1, seed: 7, maxTokens: 400 },
  messages: [
    { role: "system", content: "You are a survey respondent." },
    { role: "user", content: "How concerned are you about tracking?" },
  ],
  perItem: [],
  responseSchema: { type: "object", properties: { q1: { enum: ["yes", "no"] } }, required: ["q1"] },
  elicitation: "sample",
  replicate: 0,
  attempt: 0,
  seed: 7,
  twinId: "t-001",
}

describe("canonicalJson", () => {
  it("sorts keys at every depth and drops undefined members", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: undefined, x: "s" }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":"s","z":0}]},"b":1}',
    )
    expect(canonicalJson([undefined, Number.NaN, -0])).toBe("[null,null,0]")
  })

  it("never writes a Redacted value", () => {
    const text = canonicalJson({ key: Redacted.make("sk-secret-123"), keep: "yes" })
    expect(text).toBe('{"keep":"yes"}')
    expect(text).not.toContain("sk-secret")
  })
})

describe("callKey", () => {
  it("is a sha256 hex digest, stable for the same parts", () => {
    expect(callKey(base)).toMatch(/^[0-9a-f]{64}$/)
    expect(callKey(base)).toBe(callKey({ ...base }))
  })

  it("hashes exactly the canonical JSON of its parts", () => {
    const withExtras: CallKeyParts = {
      ...base,
      responseSchemaName: "answers",
      providerOptions: { openai: { store: false, apiKey: "sk-x" } },
      extra: { pilot: "abc" },
    }
    expect(callKeyMaterial(withExtras)).toBe(
      canonicalJson({
        v: 1,
        provider: "openai",
        model: "gpt-4o-mini",
        baseUrl: "https://api.openai.com/v1",
        settings: base.settings,
        messages: base.messages,
        perItem: [],
        responseSchema: base.responseSchema,
        responseSchemaName: "answers",
        elicitation: "sample",
        replicate: 0,
        attempt: 0,
        seed: 7,
        twinId: "t-001",
        providerOptions: { openai: { store: false } },
        extra: { pilot: "abc" },
      }),
    )
    const bare: CallKeyParts = {
      provider: "p",
      model: "m",
      settings: {},
      messages: [],
      elicitation: "sample",
      replicate: 0,
      attempt: 0,
      seed: null,
    }
    expect(JSON.parse(callKeyMaterial(bare))).toEqual({
      attempt: 0,
      baseUrl: null,
      elicitation: "sample",
      extra: null,
      messages: [],
      model: "m",
      perItem: [],
      provider: "p",
      providerOptions: null,
      replicate: 0,
      responseSchema: null,
      responseSchemaName: null,
      seed: null,
      settings: {},
      twinId: null,
      v: 1,
    })
  })

  it("ignores the order in which keys were written", () => {
    const reordered: CallKeyParts = {
      twinId: "t-001",
      seed: 7,
      attempt: 0,
      replicate: 0,
      elicitation: "sample",
      responseSchema: { required: ["q1"], properties: { q1: { enum: ["yes", "no"] } }, type: "object" },
      perItem: [],
      messages: [
        { content: "You are a survey respondent.", role: "system" },
        { content: "How concerned are you about tracking?", role: "user" },
      ],
      settings: { maxTokens: 400, seed: 7, temperature: 1 },
      baseUrl: "https://api.openai.com/v1/",
      model: "gpt-4o-mini",
      provider: "openai",
    }
    expect(callKey(reordered)).toBe(callKey(base))
  })

  it("ignores secrets wherever they appear", () => {
    const withSecrets: CallKeyParts = {
      ...base,
      baseUrl: "https://user:hunter2@api.openai.com/v1?api-key=sk-abc&key=AIza-secret",
      settings: { ...base.settings, apiKey: Redacted.make("sk-abc") },
      providerOptions: {
        openai: { apiKey: "sk-abc", authorization: "Bearer sk-abc", accessToken: "t0k", store: false },
      },
    }
    const withoutSecrets: CallKeyParts = { ...base, providerOptions: { openai: { store: false } } }
    expect(callKey(withSecrets)).toBe(callKey(withoutSecrets))
    const material = callKeyMaterial(withSecrets)
    expect(material).toContain('"maxTokens":400')
    for (const secret of ["sk-abc", "hunter2", "AIza-secret", "Bearer", "t0k"])
      expect(material).not.toContain(secret)
  })

  it("changes with every part that can change the answer", () => {
    const variants: ReadonlyArray<Partial<CallKeyParts>> = [
      { provider: "anthropic" },
      { model: "gpt-4o" },
      { baseUrl: "http://127.0.0.1:8080/v1" },
      { settings: { temperature: 0.5, seed: 7, maxTokens: 400 } },
      { settings: { temperature: 1, seed: 7 } },
      { messages: [{ role: "user", content: "How concerned are you about tracking?" }] },
      { perItem: [{ itemId: "q1", messages: [], labels: ["A"], options: ["yes"] }] },
      { responseSchema: { type: "object" } },
      { responseSchemaName: "other" },
      { elicitation: "verbalized" },
      { replicate: 1 },
      { attempt: 1 },
      { seed: 8 },
      { seed: null },
      { twinId: "t-002" },
      { providerOptions: { openai: { reasoningEffort: "low" } } },
      { extra: { pilotSha256: "abc" } },
    ]
    const keys = new Set([callKey(base), ...variants.map((variant) => callKey({ ...base, ...variant }))])
    expect(keys.size).toBe(variants.length + 1)
  })
})

describe("normalizeBaseUrl", () => {
  it("keeps what identifies the endpoint and nothing else", () => {
    expect(normalizeBaseUrl(undefined)).toBeNull()
    expect(normalizeBaseUrl("http://127.0.0.1:4000/v1/")).toBe("http://127.0.0.1:4000/v1")
    expect(normalizeBaseUrl("https://me:pw@example.com/openai?api-version=2024-10-21&api-key=x")).toBe(
      "https://example.com/openai?api-version=2024-10-21",
    )
  })
})

describe("canonicalMessages and sha256Hex (the key's fast paths)", () => {
  it("writes exactly what canonicalJson writes, for chat messages and anything else", () => {
    const message = fc.record({
      role: fc.constantFrom("system", "user", "assistant"),
      content: fc.string({ unit: "binary" }),
    })
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), (messages) => {
        expect(canonicalMessages(messages)).toBe(canonicalJson(messages))
      }),
    )
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 4 }), (values) => {
        expect(canonicalMessages(values)).toBe(canonicalJson(values))
      }),
    )
    // extra members, non-string content: the generic way
    const odd = [
      { role: "user", content: "hi", name: "x" },
      { content: 3, role: "user" },
    ]
    expect(canonicalMessages(odd)).toBe(canonicalJson(odd))
  })

  it("writes the same material and key when parts are shared by reference between calls (the replay's memos)", () => {
    const keyParts = fc.record({
      baseUrl: fc.constantFrom(
        undefined,
        "https://api.openai.com/v1",
        "https://user:pw@example.com/v1/?key=s",
      ),
      content: fc.string(),
      options: fc.option(fc.dictionary(fc.constantFrom("temperature", "apiKey", "region"), fc.jsonValue())),
      replicate: fc.nat(7),
    })
    // the same messages, options and extra objects, used by several calls in turn
    const messages = [...base.messages]
    const extra = { pilot: "abc", token: "secret" }
    fc.assert(
      fc.property(fc.array(keyParts, { minLength: 1, maxLength: 8 }), (calls) => {
        const options = calls[0]!.options ?? undefined
        for (const call of calls) {
          const parts: CallKeyParts = {
            ...base,
            baseUrl: call.baseUrl,
            messages,
            replicate: call.replicate,
            providerOptions: options,
            extra,
          }
          // never seen before: nothing remembered for these objects
          const fresh = {
            ...parts,
            messages: structuredClone(messages),
            providerOptions: structuredClone(options),
            extra: structuredClone(extra),
          }
          expect(callKeyMaterial(parts)).toBe(callKeyMaterial(fresh))
          expect(callKey(parts)).toBe(sha256Hex(callKeyMaterial(fresh)))
          expect(callKey({ ...parts, attempt: 1 })).toBe(sha256Hex(callKeyMaterial({ ...fresh, attempt: 1 })))
          expect(callKeyMaterial(parts)).not.toContain("secret")
        }
      }),
    )
  })

  it("hashes as createHash does", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(sha256Hex(text)).toBe(createHash("sha256").update(text, "utf8").digest("hex"))
      }),
    )
  })
})
