import { appendFileSync, readFileSync } from "node:fs"

/** Headers whose values are secrets. */
export const secretHeaders: ReadonlySet<string> = new Set([
  "authorization",
  "x-api-key",
  "x-goog-api-key",
  "api-key",
])

export const REDACTED = "[REDACTED]"

export const redactHeaders = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const lower = name.toLowerCase()
    out[lower] = secretHeaders.has(lower) ? REDACTED : Array.isArray(value) ? value.join(", ") : String(value)
  }
  return out
}

/** A request path with the `key=` query parameter (Gemini's other way to pass a key) redacted. */
export const redactPath = (path: string): string =>
  path.replace(/([?&](?:key|api[_-]?key)=)[^&#]*/gi, (_match, prefix: string) => `${prefix}${REDACTED}`)

export interface RequestLogEntry {
  readonly vendor: string
  /** Milliseconds since the epoch (wall clock). */
  readonly at: number
  readonly method: string
  /** Path with query, secrets redacted. */
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  /** Parsed JSON body, the raw text when it is not JSON, or null when empty. */
  readonly body: unknown
  /**
   * The status sent; 0 when the connection was dropped, 499 when the client left before the answer or
   * never read it (its connection was reset with the answer unread, e.g. its process was killed).
   */
  readonly status: number
  /** The fault injected into this request, if any ("client-closed" when the client left first). */
  readonly fault?: string
  /** The answer's body, when the fake was started with `captureResponses` (a download as its text). */
  readonly response?: unknown
}

/** A line of a log file that corrects an earlier entry (by its index): the answer was never read. */
interface Amendment {
  readonly amends: number
  readonly status: number
  readonly fault: string
}

/** Every request a fake received, with secrets redacted; optionally appended to a JSONL file. */
export class RequestLog {
  private readonly list: Array<RequestLogEntry> = []
  /** Entries dropped by `clear` (indices count from the first entry ever added, as in the file). */
  private cleared = 0
  constructor(private readonly file?: string) {}

  /** Appends an entry; returns its index (for `unread`). */
  add(entry: RequestLogEntry): number {
    this.list.push(entry)
    if (this.file !== undefined) appendFileSync(this.file, `${JSON.stringify(entry)}\n`)
    return this.cleared + this.list.length - 1
  }

  /**
   * Marks an answered entry as never read by the client: it becomes `499 client-closed`. In the file an
   * amendment line follows, which `readRequestLog` applies.
   */
  unread(index: number): void {
    const entry = this.list[index - this.cleared]
    if (entry === undefined) return
    this.list[index - this.cleared] = { ...entry, status: 499, fault: "client-closed" }
    if (this.file !== undefined) {
      const amendment: Amendment = { amends: index, status: 499, fault: "client-closed" }
      appendFileSync(this.file, `${JSON.stringify(amendment)}\n`)
    }
  }

  get entries(): ReadonlyArray<RequestLogEntry> {
    return this.list
  }

  /** Entries whose path (without query) ends with `suffix` or matches `pattern`. */
  find(match: string | RegExp): ReadonlyArray<RequestLogEntry> {
    return this.list.filter((entry) => {
      const path = entry.path.split("?")[0] ?? ""
      return typeof match === "string" ? path.endsWith(match) : match.test(path)
    })
  }

  get last(): RequestLogEntry | undefined {
    return this.list[this.list.length - 1]
  }

  clear(): void {
    this.cleared += this.list.length
    this.list.length = 0
  }
}

/** Reads a fake's JSONL request log (`--log`), with its amendments applied. */
export const readRequestLog = (file: string): ReadonlyArray<RequestLogEntry> => {
  const entries: Array<RequestLogEntry> = []
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line === "") continue
    const value = JSON.parse(line) as RequestLogEntry | Amendment
    if ("amends" in value) {
      const entry = entries[value.amends]
      if (entry !== undefined) entries[value.amends] = { ...entry, status: value.status, fault: value.fault }
    } else entries.push(value)
  }
  return entries
}
