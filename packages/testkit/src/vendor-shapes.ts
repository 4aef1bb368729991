import { readFileSync } from "node:fs"
import { join } from "node:path"
import type { RequestLogEntry } from "./request-log.js"
import { converterChecker, packageDir, parseDeclarations, type SdkShapes, sdkShapes } from "./sdk-shapes.js"

/**
 * Checks of captured vendor traffic against the vendors' official SDK packages, for vendors that publish no
 * OpenAPI document (see `sdk-shapes.ts`). Each returns the problems found (`METHOD path: where: what`), how many
 * bodies were checked, and the declared types that could not be checked. The SDKs are the testkit's
 * devDependencies, pinned to the versions the plugins use: these checks are for the repository's own tests.
 */
export interface TrafficReport {
  readonly problems: ReadonlyArray<string>
  readonly checked: number
  readonly unchecked: ReadonlyArray<string>
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}

/** The declared type each `@google/genai` converter converts, for the fields it copies as is. */
const geminiTypes: Readonly<Record<string, string>> = {
  contentToMldev: "Content",
  partToMldev: "Part",
  generateContentConfigToMldev: "GenerateContentConfig",
  generateContentParametersToMldev: "GenerateContentParameters",
  generateContentResponseFromMldev: "GenerateContentResponse",
  candidateFromMldev: "Candidate",
  inlinedRequestToMldev: "InlinedRequest",
  inlinedResponseFromMldev: "InlinedResponse",
  citationMetadataFromMldev: "CitationMetadata",
}

/**
 * Fields of a Gemini batch operation the SDK does not read but the API sends: the long-running operation's
 * envelope (`google.longrunning.Operation`: name, metadata, done, response, error) and, in its metadata, the
 * resource's type URL and `batchStats` (request counts).
 */
const operationEnvelope = new Set(["name", "metadata", "done", "response", "error"])
const unreadMetadata = new Set(["@type", "batchStats", "name"])

/**
 * Gemini (`@google/genai`): `generateContent` requests against `generateContentParametersToMldev` (every field
 * the SDK can send, those its config hoists to the top included), answers against
 * `generateContentResponseFromMldev`; `batchGenerateContent` requests against `createBatchJobParametersToMldev`,
 * batch operations against `batchJobFromMldev` (with the operation envelope), each inlined answer against the
 * SDK's response converter. Fields copied as is are checked against the SDK's declared types (`genai.d.ts`).
 */
export const checkGeminiTraffic = (entries: ReadonlyArray<RequestLogEntry>): TrafficReport => {
  const dir = packageDir("@google/genai")
  const source = readFileSync(join(dir, "dist/index.mjs"), "utf8")
  const shapes = sdkShapes(parseDeclarations([readFileSync(join(dir, "dist/genai.d.ts"), "utf8")]))
  const converters = converterChecker(source, shapes, (name) => geminiTypes[name.replace(/\$\d+$/, "")])
  const problems: Array<string> = []
  const unchecked = new Set<string>()
  let checked = 0
  const add = (entry: RequestLogEntry, report: { problems: Array<string>; unchecked: Set<string> }) => {
    checked++
    for (const problem of report.problems) problems.push(`${entry.method} ${entry.path}: ${problem}`)
    for (const type of report.unchecked) unchecked.add(type)
  }
  for (const entry of entries) {
    const path = entry.path.split("?")[0]!
    const ok = entry.status === 200
    if (entry.method === "POST" && /:generateContent$/.test(path)) {
      add(entry, converters.check(entry.body, "generateContentParametersToMldev"))
      if (ok && typeof entry.response === "object")
        add(entry, converters.check(entry.response, "generateContentResponseFromMldev"))
    } else if (entry.method === "POST" && /:batchGenerateContent$/.test(path)) {
      add(entry, converters.check(entry.body, "createBatchJobParametersToMldev"))
      if (ok) add(entry, checkOperation(converters, entry.response))
    } else if (entry.method === "GET" && /\/batches\/[^/:]+$/.test(path) && ok) {
      add(entry, checkOperation(converters, entry.response))
    }
  }
  return { problems, checked, unchecked: [...unchecked].sort() }
}

const checkOperation = (converters: ReturnType<typeof converterChecker>, value: unknown) => {
  const operation = record(value)
  const problems: Array<string> = []
  const unchecked = new Set<string>()
  for (const key of Object.keys(operation))
    if (!operationEnvelope.has(key)) problems.push(`$: field "${key}" is not part of a batch operation`)
  const { metadata: _metadata, ...metadata } = { metadata: undefined, ...record(operation.metadata) }
  const read = Object.fromEntries(Object.entries(metadata).filter(([key]) => !unreadMetadata.has(key)))
  const report = converters.check({ name: operation.name, metadata: read }, "batchJobFromMldev")
  problems.push(...report.problems)
  for (const type of report.unchecked) unchecked.add(type)
  // the operation's `response` repeats the output: its inlined answers are answers like live ones
  const output = record(record(operation.response).inlinedResponses).inlinedResponses
  if (Array.isArray(output))
    output.forEach((item, index) => {
      const inner = converters.check(
        item,
        "inlinedResponseFromMldev",
        `$.response.inlinedResponses[${index}]`,
      )
      problems.push(...inner.problems)
    })
  return { problems, unchecked }
}

/** Together's routes and the `together-ai` SDK types of their request and answer bodies (null: not JSON). */
const togetherRoutes: ReadonlyArray<{
  readonly method: string
  readonly pattern: RegExp
  readonly request: string | null
  readonly response: string | null
}> = [
  {
    method: "POST",
    pattern: /^\/v1\/chat\/completions$/,
    request: "CompletionCreateParamsNonStreaming",
    response: "ChatCompletion",
  },
  { method: "GET", pattern: /^\/v1\/files$/, request: null, response: "FileList" },
  { method: "GET", pattern: /^\/v1\/files\/[^/]+$/, request: null, response: "FileResponse" },
  // the upload's first step answers 302 with where the bytes go (no body)
  { method: "POST", pattern: /^\/v1\/files$/, request: null, response: null },
  {
    method: "POST",
    pattern: /^\/v1\/fine-tunes$/,
    request: "FineTuningCreateParams",
    response: "FineTuningCreateResponse",
  },
  { method: "GET", pattern: /^\/v1\/fine-tunes$/, request: null, response: "FineTuningListResponse" },
  { method: "GET", pattern: /^\/v1\/fine-tunes\/[^/]+$/, request: null, response: "FinetuneResponse" },
  {
    method: "GET",
    pattern: /^\/v1\/fine-tunes\/[^/]+\/events$/,
    request: null,
    response: "FineTuningListEventsResponse",
  },
  {
    method: "GET",
    pattern: /^\/v1\/fine-tunes\/[^/]+\/checkpoints$/,
    request: null,
    response: "FineTuningListCheckpointsResponse",
  },
  {
    method: "POST",
    pattern: /^\/v1\/fine-tunes\/[^/]+\/cancel$/,
    request: null,
    response: "FineTuningCancelResponse",
  },
]

let together: { readonly chat: SdkShapes; readonly jobs: SdkShapes } | undefined
/** Two sets of declarations: chat (its `CompletionCreateParams…` shadow the legacy completions' ones), files and jobs. */
const togetherShapes = () => {
  if (together !== undefined) return together
  const dir = join(packageDir("together-ai"), "resources")
  const load = (files: ReadonlyArray<string>) =>
    sdkShapes(parseDeclarations(files.map((file) => readFileSync(join(dir, file), "utf8"))))
  together = {
    chat: load(["completions.d.ts", "chat/completions.d.ts"]),
    jobs: load(["files.d.ts", "fine-tuning.d.ts"]),
  }
  return together
}

/**
 * Together (`together-ai`, whose types are the wire's, snake_case): chat completions, file listings and
 * fine-tuning jobs, events, checkpoints and cancels, each request and 200 answer against the SDK's declared
 * types — unknown fields, missing required ones, wrong primitives and literals. A route the table does not
 * know is a problem too, so new traffic is not silently unchecked.
 */
export const checkTogetherTraffic = (entries: ReadonlyArray<RequestLogEntry>): TrafficReport => {
  const shapes = togetherShapes()
  const problems: Array<string> = []
  const unchecked = new Set<string>()
  let checked = 0
  for (const entry of entries) {
    const path = entry.path.split("?")[0]!
    // the bytes of an upload; and the `refusal` fault, which borrows OpenAI's refusal field (Together has none)
    if (path.startsWith("/upload/") || entry.fault === "refusal") continue
    const route = togetherRoutes.find((known) => known.method === entry.method && known.pattern.test(path))
    if (route === undefined) {
      problems.push(`${entry.method} ${path}: a route the check does not know`)
      continue
    }
    const add = (value: unknown, type: string, where: string) => {
      checked++
      const report = (path === "/v1/chat/completions" ? shapes.chat : shapes.jobs).check(value, type, where)
      for (const problem of report.problems) problems.push(`${entry.method} ${path}: ${problem}`)
      for (const type of report.unchecked) unchecked.add(type)
    }
    if (route.request !== null && entry.body !== null) add(entry.body, route.request, "request")
    if (route.response !== null && entry.status === 200 && typeof entry.response === "object")
      add(entry.response, route.response, "response")
  }
  return { problems, checked, unchecked: [...unchecked].sort() }
}

/** Anthropic's routes and the `@anthropic-ai/sdk` types of their bodies (null: not checked; "jsonl": results). */
const anthropicRoutes: ReadonlyArray<{
  readonly method: string
  readonly pattern: RegExp
  readonly request: string | null
  readonly response: string | null
}> = [
  {
    method: "POST",
    pattern: /^\/v1\/messages$/,
    request: "MessageCreateParamsNonStreaming",
    response: "Message",
  },
  {
    method: "POST",
    pattern: /^\/v1\/messages\/batches$/,
    request: "BatchCreateParams",
    response: "MessageBatch",
  },
  // a page of batches (`{ data, has_more, first_id, last_id }`): the SDK declares only its items
  { method: "GET", pattern: /^\/v1\/messages\/batches$/, request: null, response: null },
  { method: "GET", pattern: /^\/v1\/messages\/batches\/[^/]+$/, request: null, response: "MessageBatch" },
  {
    method: "GET",
    pattern: /^\/v1\/messages\/batches\/[^/]+\/results$/,
    request: null,
    response: "MessageBatchIndividualResponse",
  },
  {
    method: "POST",
    pattern: /^\/v1\/messages\/batches\/[^/]+\/cancel$/,
    request: null,
    response: "MessageBatch",
  },
  {
    method: "DELETE",
    pattern: /^\/v1\/messages\/batches\/[^/]+$/,
    request: null,
    response: "DeletedMessageBatch",
  },
]

let anthropic: SdkShapes | undefined

/**
 * Anthropic (`@anthropic-ai/sdk`, whose types are the wire's): messages and message batches, each request and 200
 * answer against the SDK's declared types; a batch's results (JSON lines) line by line as
 * `MessageBatchIndividualResponse`.
 */
export const checkAnthropicTraffic = (entries: ReadonlyArray<RequestLogEntry>): TrafficReport => {
  if (anthropic === undefined) {
    const dir = join(packageDir("@anthropic-ai/sdk"), "resources")
    anthropic = sdkShapes(
      parseDeclarations(
        ["shared.d.ts", "messages/messages.d.ts", "messages/batches.d.ts"].map((file) =>
          readFileSync(join(dir, file), "utf8"),
        ),
      ),
    )
  }
  const shapes = anthropic
  const problems: Array<string> = []
  const unchecked = new Set<string>()
  let checked = 0
  for (const entry of entries) {
    const path = entry.path.split("?")[0]!
    const route = anthropicRoutes.find((known) => known.method === entry.method && known.pattern.test(path))
    if (route === undefined) {
      problems.push(`${entry.method} ${path}: a route the check does not know`)
      continue
    }
    const add = (value: unknown, type: string, where: string) => {
      checked++
      const report = shapes.check(value, type, where)
      for (const problem of report.problems) problems.push(`${entry.method} ${path}: ${problem}`)
      for (const type of report.unchecked) unchecked.add(type)
    }
    if (route.request !== null && entry.body !== null) add(entry.body, route.request, "request")
    if (route.response === null || entry.status !== 200) continue
    if (typeof entry.response === "string")
      entry.response
        .split("\n")
        .filter((line) => line.trim() !== "")
        .forEach((line, index) => {
          add(JSON.parse(line), route.response!, `response line ${index + 1}`)
        })
    else if (typeof entry.response === "object") add(entry.response, route.response, "response")
  }
  return { problems, checked, unchecked: [...unchecked].sort() }
}
