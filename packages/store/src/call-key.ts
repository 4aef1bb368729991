import { Redacted } from "effect"
import { canonicalJson, canonicalJsonShared, canonicalMessages, sha256Hex } from "./canonical-json.js"

/** Bumped when the key's recipe changes, so old entries are simply never hit again. */
export const CallKeyVersion = 1

/**
 * Everything that determines a model's answer to one call. Never a secret: `Redacted` values and
 * members named like credentials (`apiKey`, `authorization`, `token`, …) are dropped, and the base
 * URL loses its user-info and credential-like query parameters before hashing.
 */
export interface CallKeyParts {
  readonly provider: string
  readonly model: string
  readonly baseUrl?: string | undefined
  /** Generation settings (temperature, top-p, seed, max tokens); a `Redacted` value here is dropped. */
  readonly settings: Readonly<Record<string, unknown>>
  /** The rendered chat messages, in order. */
  readonly messages: ReadonlyArray<unknown>
  /** Per-item prompts (logprob elicitation), if any. */
  readonly perItem?: ReadonlyArray<unknown> | undefined
  /** The JSON schema of the expected answer. */
  readonly responseSchema?: unknown
  /** The schema's name, for vendors that need one. */
  readonly responseSchemaName?: string | undefined
  readonly elicitation: string
  readonly replicate: number
  /** Re-ask attempt: a re-ask after an invalid answer must not hit the same entry. */
  readonly attempt: number
  readonly seed: number | null
  /**
   * The twin this call plays. Without it, two twins whose personas render the same prompt would share
   * one cached draw, silently shrinking the sample's variance.
   */
  readonly twinId?: string | undefined
  /** Vendor-specific options (they can change the answer). */
  readonly providerOptions?: unknown
  /** Anything else the answer depends on (e.g. a checksum of the pilot a baseline learnt from). */
  readonly extra?: unknown
}

// Whole-name matches: "maxTokens" must survive, "apiKey", "x-api-key", "accessToken", "key" must not.
const secretName =
  /^(?:.*(?:api[-_]?key|secret|password|passwd|credentials?|authori[sz]ation|cookie)|(?:access|refresh|auth|bearer|session|api)?[-_]?token|key|sig|signature)$/i

/** Drops `Redacted` values and credential-named members, recursively. */
export const withoutSecrets = (value: unknown): unknown => {
  if (value === null || typeof value !== "object") return value
  if (Redacted.isRedacted(value)) return undefined
  if (Array.isArray(value)) return value.map(withoutSecrets)
  const out: Record<string, unknown> = {}
  for (const [name, member] of Object.entries(value as Record<string, unknown>)) {
    if (secretName.test(name)) continue
    const clean = withoutSecrets(member)
    if (clean !== undefined) out[name] = clean
  }
  return out
}

/** The base URL as it identifies an endpoint: no user-info, no credential-like query, no trailing slash. */
export const normalizeBaseUrl = (baseUrl: string | undefined): string | null => {
  if (baseUrl === undefined || baseUrl === "") return null
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    return baseUrl.replace(/\/+$/, "")
  }
  url.username = ""
  url.password = ""
  for (const name of [...url.searchParams.keys()]) if (secretName.test(name)) url.searchParams.delete(name)
  url.searchParams.sort()
  url.hash = ""
  return url.toString().replace(/\/+$/, "").replace(/\/\?/, "?")
}

const clean = (value: unknown): unknown => {
  const stripped = withoutSecrets(value)
  return stripped === undefined ? null : stripped
}

// What every call of a run shares by reference (the spec's vendor options, the key's extra) is serialised once;
// the base URL's last normal form is remembered.
const cleanMemo = new WeakMap<object, string>()
const cleanJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return canonicalJson(clean(value))
  let text = cleanMemo.get(value)
  if (text === undefined) {
    text = canonicalJson(clean(value))
    cleanMemo.set(value, text)
  }
  return text
}
// The last messages only: the replicates of a twin that ask the same prompt come one after another, and a
// long-lived memo of every prompt would keep each one's text alive until a full garbage collection.
let lastMessages: { readonly messages: ReadonlyArray<unknown>; readonly json: string } | undefined
const messagesJson = (messages: ReadonlyArray<unknown>): string => {
  if (lastMessages === undefined || lastMessages.messages !== messages)
    lastMessages = { messages, json: canonicalMessages(messages) }
  return lastMessages.json
}
let lastBaseUrl: { readonly given: string | undefined; readonly json: string } | undefined
const baseUrlJson = (baseUrl: string | undefined): string => {
  if (lastBaseUrl === undefined || lastBaseUrl.given !== baseUrl)
    lastBaseUrl = { given: baseUrl, json: canonicalJson(normalizeBaseUrl(baseUrl)) }
  return lastBaseUrl.json
}

/**
 * The canonical JSON that a call key hashes (exported so tests and audits can see exactly what counts).
 * It equals `canonicalJson` of the object with these members; it is written out member by member, in
 * sorted order, because it runs for every call (a cached replay does little else), and the parts that
 * calls share by reference (the answer schema, per-item prompts, a prompt's messages, vendor options, the extra)
 * are serialised once: they are never mutated, as standin's readonly domain values are not.
 */
/** The material up to and including the messages. */
const materialHead = (parts: CallKeyParts): string =>
  '{"attempt":' +
  canonicalJson(parts.attempt) +
  ',"baseUrl":' +
  baseUrlJson(parts.baseUrl) +
  ',"elicitation":' +
  canonicalJson(parts.elicitation) +
  ',"extra":' +
  (parts.extra === undefined ? "null" : cleanJson(parts.extra)) +
  ',"messages":' +
  messagesJson(parts.messages)

/** The rest of the material, from the model on. */
const materialTail = (parts: CallKeyParts): string =>
  '"model":' +
  canonicalJson(parts.model) +
  ',"perItem":' +
  (parts.perItem === undefined || parts.perItem.length === 0 ? "[]" : canonicalJsonShared(parts.perItem)) +
  ',"provider":' +
  canonicalJson(parts.provider) +
  ',"providerOptions":' +
  (parts.providerOptions === undefined ? "null" : cleanJson(parts.providerOptions)) +
  ',"replicate":' +
  canonicalJson(parts.replicate) +
  ',"responseSchema":' +
  (parts.responseSchema === undefined ? "null" : canonicalJsonShared(parts.responseSchema)) +
  ',"responseSchemaName":' +
  canonicalJson(parts.responseSchemaName ?? null) +
  ',"seed":' +
  canonicalJson(parts.seed) +
  ',"settings":' +
  canonicalJson(parts.settings) +
  ',"twinId":' +
  canonicalJson(parts.twinId ?? null) +
  ',"v":' +
  CallKeyVersion +
  "}"

export const callKeyMaterial = (parts: CallKeyParts): string =>
  `${materialHead(parts)},${materialTail(parts)}`

/** The cache key of one call: sha256 (hex) of its canonical JSON. */
export const callKey = (parts: CallKeyParts): string => sha256Hex(callKeyMaterial(parts))
