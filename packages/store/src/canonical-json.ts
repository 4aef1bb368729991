import * as crypto from "node:crypto"
import { Redacted } from "effect"

/**
 * Canonical JSON: object keys sorted, `undefined` members dropped, `Redacted` values dropped (a
 * secret never reaches a key or a file), non-finite numbers as null. Two values that mean the same
 * thing give the same string whatever order their keys were written in.
 */
export const canonicalJson = (value: unknown): string => {
  const out = write(value)
  return out === undefined ? "null" : out
}

const write = (value: unknown): string | undefined => {
  if (value === null) return "null"
  switch (typeof value) {
    case "string":
      return JSON.stringify(value)
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null"
    case "boolean":
      return value ? "true" : "false"
    case "bigint":
      return value.toString()
    case "object": {
      if (Redacted.isRedacted(value)) return undefined
      if (Array.isArray(value)) {
        let out = "["
        for (let index = 0; index < value.length; index++) {
          if (index > 0) out += ","
          out += write(value[index]) ?? "null"
        }
        return out + "]"
      }
      if (value instanceof Date) return JSON.stringify(value.toISOString())
      const record = value as Record<string, unknown>
      const keys = Object.keys(record).sort()
      let out = "{"
      let first = true
      for (const key of keys) {
        const member = write(record[key])
        if (member === undefined) continue
        if (!first) out += ","
        first = false
        out += JSON.stringify(key) + ":" + member
      }
      return out + "}"
    }
    default:
      // functions and symbols carry no data
      return undefined
  }
}

const memo = new WeakMap<object, string>()

/**
 * canonicalJson, remembered per object: for large parts that many calls share by reference (a study's
 * answer schema, its settings). Only for values that are never mutated, as standin's readonly domain
 * values are.
 */
export const canonicalJsonShared = (value: unknown): string => {
  if (value === null || typeof value !== "object") return canonicalJson(value)
  const known = memo.get(value)
  if (known !== undefined) return known
  const text = canonicalJson(value)
  memo.set(value, text)
  return text
}

/** Lower-case hex sha256 of a string (UTF-8); the one-shot `crypto.hash` where Node has it (faster for keys). */
export const sha256Hex: (text: string) => string =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "hex")
    : (text) => crypto.createHash("sha256").update(text, "utf8").digest("hex")

/**
 * canonicalJson of chat messages (`{role, content}` objects, the bulk of every cache key), written
 * without the generic walk: the same string, made faster. Anything else goes the generic way.
 */
export const canonicalMessages = (messages: ReadonlyArray<unknown>): string => {
  let out = "["
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] as Record<string, unknown> | null
    if (
      message === null ||
      typeof message !== "object" ||
      typeof message.role !== "string" ||
      typeof message.content !== "string" ||
      Object.keys(message).length !== 2
    )
      return canonicalJson(messages)
    if (index > 0) out += ","
    out += `{"content":${JSON.stringify(message.content)},"role":${JSON.stringify(message.role)}}`
  }
  return `${out}]`
}

/** sha256 of the canonical JSON of a value: a content address. */
export const contentHash = (value: unknown): string => sha256Hex(canonicalJson(value))
