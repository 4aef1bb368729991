import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { FAKE_VENDOR_HEADER } from "@standin/provider-kit"
import { type FakeClock, manualClock } from "./clock.js"
import { type FaultKind, FaultPlan, type FaultSpec, parseFaultSpec } from "./faults.js"
import { Rng } from "./random.js"
import { RequestLog, redactHeaders, redactPath } from "./request-log.js"
import { defaultResponder, type Responder, type Vendor } from "./survey.js"

export interface FakeOptions {
  /** 0 (the default) picks a free port. The fakes always bind 127.0.0.1. */
  readonly port?: number
  /** Seeds answers, fault draws and random latency. */
  readonly seed?: number
  /** A fixed delay, or a uniform one between `min` and `max`, before every answer. */
  readonly latencyMs?: number | { readonly min: number; readonly max: number }
  /** Faults by rate or by script, as a SPEC string (see `parseFaultSpec`) or a parsed spec. */
  readonly faults?: string | FaultSpec
  /** The wait a 429 asks for (sent as `retry-after` seconds and `retry-after-ms`). Default 1000. */
  readonly retryAfterMs?: number
  /** Append every request (redacted) to this JSONL file. */
  readonly logFile?: string
  readonly responder?: Responder
  /** Drives fine-tuning and batch lifecycles. Default: a manual clock. */
  readonly clock?: FakeClock
  /** When set, requests must carry exactly this key or get the vendor's 401. */
  readonly apiKey?: string
  /**
   * Makes 401 messages quote the key that was offered verbatim, as a careless server might, so
   * tests can prove that clients scrub keys from error messages. Off by default.
   */
  readonly echoKeyInErrors?: boolean
  /** The model version reported for a requested model. */
  readonly modelVersion?: (model: string) => string
  /** Phase lengths of asynchronous jobs, in clock milliseconds. */
  readonly jobs?: Partial<JobTimings>
  /**
   * Enforces a requests-per-minute limit on generation endpoints (per minute of the fake's clock), as the vendor
   * does: every answer carries the vendor's rate-limit headers (`x-ratelimit-*` for OpenAI and Together,
   * `anthropic-ratelimit-*` for Anthropic), and a request over the limit gets a 429 with no `retry-after`, only
   * those headers to say when the limit resets.
   */
  readonly rateLimit?: { readonly requestsPerMinute: number }
  /**
   * Keep each answer's body in the request log (`response`: parsed JSON, or the text of a file download), so a
   * test can check what the fake answered against the vendor's published schema. Off by default.
   */
  readonly captureResponses?: boolean
  /**
   * `false` plays a server with no batch API (an OpenAI-compatible server, a proxy, a region without batches):
   * every batch endpoint answers the vendor's 404 for an unknown URL. Default: batches are served.
   */
  readonly batches?: boolean
}

export interface JobTimings {
  readonly validatingMs: number
  readonly queuedMs: number
  readonly runningMs: number
  /** Outcome of fine-tuning jobs whose training file is valid. */
  readonly fineTuneOutcome: "succeeded" | "failed"
}

export const defaultJobTimings: JobTimings = {
  validatingMs: 1_000,
  queuedMs: 2_000,
  runningMs: 10_000,
  fineTuneOutcome: "succeeded",
}

export interface RouteContext {
  readonly method: string
  /** Path without query. */
  readonly path: string
  readonly query: URLSearchParams
  readonly params: Readonly<Record<string, string>>
  readonly headers: IncomingMessage["headers"]
  readonly body: unknown
  readonly rawBody: Buffer
  /** `http://127.0.0.1:PORT`, for absolute URLs in responses. */
  readonly origin: string
  /** A content fault (refusal, offscale, lowmass) for the handler to act out. */
  readonly fault?: Extract<FaultKind, "refusal" | "offscale" | "lowmass">
}

export interface RouteResult {
  readonly status: number
  /** Serialised as JSON unless a string or Buffer. */
  readonly body: unknown
  readonly headers?: Readonly<Record<string, string>>
  /** A fault the handler decided on (a scripted responder can return one). */
  readonly fault?: FaultKind
}

export interface Route {
  readonly method: string
  readonly pattern: RegExp
  /** Whether rate and script faults apply (generation endpoints). */
  readonly faultable: boolean
  /** A signed URL (e.g. an upload target): its address authorises it, so no API key is asked for. */
  readonly signed?: boolean
  /** An endpoint of the vendor's batch API: unknown (404) on a fake started with `batches: false`. */
  readonly batch?: boolean
  readonly handle: (context: RouteContext) => RouteResult | Promise<RouteResult>
}

/** A file a client uploaded to a fake (training files, batch inputs), as the fake received it. */
export interface UploadedFile {
  readonly id: string
  readonly filename: string
  readonly purpose: string
  /** The bytes as received, decoded as UTF-8. */
  readonly content: string
}

/** Every fake's responses carry this header, so a client can label what it got from a test double. */
export const FAKE_HEADER = FAKE_VENDOR_HEADER

/** What makes a fake speak one vendor's protocol. */
export interface VendorProtocol {
  readonly vendor: Vendor
  readonly routes: ReadonlyArray<Route>
  /** Files uploaded so far, oldest first (vendors with a files API). */
  readonly uploads?: () => ReadonlyArray<UploadedFile>
  /** The vendor's error response for an HTTP status. */
  readonly error: (
    status: number,
    message: string,
    kind: FaultKind | "not-found" | "invalid",
  ) => {
    readonly status: number
    readonly body: unknown
    readonly headers?: Readonly<Record<string, string>>
  }
  /** The key a request carries, if any. */
  readonly keyOf: (headers: IncomingMessage["headers"], query: URLSearchParams) => string | undefined
  /** Where the vendor's SDK expects the base URL, given the server's origin. */
  readonly sdkBaseUrl: (origin: string) => string
  /** Which rate-limit headers the vendor sends (none when absent). */
  readonly rateLimitHeaders?: "x-ratelimit" | "anthropic-ratelimit"
}

/** A Go duration as OpenAI's `x-ratelimit-reset-*` headers write it: `"6m0s"`, `"1.5s"`, `"20ms"`. */
export const goDuration = (milliseconds: number): string => {
  if (milliseconds < 1000) return `${Math.max(0, Math.round(milliseconds))}ms`
  const minutes = Math.floor(milliseconds / 60_000)
  const seconds = (milliseconds - minutes * 60_000) / 1000
  const text = `${Number(seconds.toFixed(3))}s`
  return minutes > 0 ? `${minutes}m${text}` : text
}

export interface FakeServer {
  readonly vendor: Vendor
  readonly port: number
  /** `http://127.0.0.1:PORT`. */
  readonly url: string
  /** The base URL to give the vendor's SDK (OpenAI: `…/v1`; Anthropic, Google: the origin). */
  readonly baseUrl: string
  readonly log: RequestLog
  readonly faults: FaultPlan
  readonly clock: FakeClock
  /** The upload log: every file uploaded so far, with its exact content, oldest first. */
  readonly uploads: () => ReadonlyArray<UploadedFile>
  /** Replaces the responder (`undefined` restores the default one). */
  readonly setResponder: (responder: Responder | undefined) => void
  readonly close: () => Promise<void>
}

/** Shared state a vendor protocol reads: responder, seed, generators, clock, options. */
export interface FakeState {
  readonly options: FakeOptions
  readonly seed: number
  readonly answerRng: Rng
  readonly faultRng: Rng
  readonly clock: FakeClock
  readonly timings: JobTimings
  /** The fault plan, shared by live calls and batch items. */
  readonly faults: FaultPlan
  responder: Responder
  counter: number
  readonly nextId: (prefix: string) => string
  readonly modelVersion: (model: string) => string
}

export const makeState = (
  options: FakeOptions,
  defaultModelVersion: (model: string) => string,
): FakeState => {
  const seed = options.seed ?? 1
  const spec =
    options.faults === undefined
      ? undefined
      : typeof options.faults === "string"
        ? parseFaultSpec(options.faults)
        : options.faults
  if (spec !== undefined && "error" in spec) throw new Error(`bad fault spec: ${spec.error}`)
  const state: FakeState = {
    options,
    seed,
    answerRng: new Rng(seed),
    faultRng: new Rng(seed ^ 0x5bd1e995),
    clock: options.clock ?? manualClock(),
    timings: { ...defaultJobTimings, ...options.jobs },
    faults: new FaultPlan(spec),
    responder: options.responder ?? defaultResponder,
    counter: 0,
    nextId: (prefix) => {
      state.counter += 1
      return `${prefix}${seed.toString(36)}${state.counter.toString(36).padStart(6, "0")}`
    },
    modelVersion: options.modelVersion ?? defaultModelVersion,
  }
  return state
}

const readBody = (request: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks)))
    request.on("error", reject)
  })

const parseBody = (raw: Buffer, contentType: string | undefined): unknown => {
  if (raw.length === 0) return null
  const text = raw.toString("utf8")
  if (contentType?.includes("multipart/form-data")) return `<multipart ${raw.length} bytes>`
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const sleep = (milliseconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, milliseconds))

const errorKinds: ReadonlySet<FaultKind> = new Set([
  "429",
  "429-bare",
  "quota",
  "500",
  "503",
  "529",
  "400",
  "401",
])

/** Starts a fake on 127.0.0.1 that speaks `protocol`. */
export const startFake = async (
  protocol: (state: FakeState) => VendorProtocol,
  state: FakeState,
): Promise<FakeServer> => {
  const options = state.options
  const faults = state.faults
  const log = new RequestLog(options.logFile)
  const latencyRng = new Rng(state.seed ^ 0x1234567)
  const vendor = protocol(state)
  const retryAfterMs = options.retryAfterMs ?? 1000
  const hanging = new Set<ServerResponse>()
  let origin = "http://127.0.0.1:0"
  // The rate-limit window: requests counted per minute of the fake's clock.
  const window = { start: state.clock.now(), used: 0 }
  const limitHeaders = (): Record<string, string> => {
    const limit = options.rateLimit?.requestsPerMinute
    if (limit === undefined || vendor.rateLimitHeaders === undefined) return {}
    const remaining = Math.max(0, limit - window.used)
    const resetMs = Math.max(0, window.start + 60_000 - state.clock.now())
    return vendor.rateLimitHeaders === "x-ratelimit"
      ? {
          "x-ratelimit-limit-requests": String(limit),
          "x-ratelimit-remaining-requests": String(remaining),
          "x-ratelimit-reset-requests": goDuration(resetMs),
        }
      : {
          "anthropic-ratelimit-requests-limit": String(limit),
          "anthropic-ratelimit-requests-remaining": String(remaining),
          "anthropic-ratelimit-requests-reset": new Date(Date.now() + resetMs).toISOString(),
        }
  }

  const delay = (): number => {
    const latency = options.latencyMs
    if (latency === undefined) return 0
    if (typeof latency === "number") return latency
    return latency.min + latencyRng.next() * (latency.max - latency.min)
  }

  const send = (
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Readonly<Record<string, string>> = {},
    corrupt?: "truncated" | "malformed",
  ): void => {
    let payload: Buffer
    let contentType = headers["content-type"] ?? "application/json"
    if (Buffer.isBuffer(body)) payload = body
    else if (typeof body === "string") {
      payload = Buffer.from(body)
      if (headers["content-type"] === undefined) contentType = "text/plain"
    } else payload = Buffer.from(JSON.stringify(body))
    if (corrupt === "truncated") payload = payload.subarray(0, Math.max(1, Math.floor(payload.length / 2)))
    if (corrupt === "malformed") payload = Buffer.from("<html><body>upstream proxy error</body></html>{")
    response.writeHead(status, {
      [FAKE_HEADER]: "1",
      ...headers,
      "content-type": contentType,
      "content-length": String(payload.length),
    })
    response.end(payload)
  }

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // Latency counts from the request's arrival, as a vendor's does: the fake's own work (reading the
    // body, making the answer) is part of it, not added on top.
    const arrived = performance.now()
    // A new request on a connection shows the client read every answer sent on it before.
    unconfirmed.delete(request.socket)
    const raw = await readBody(request)
    const url = new URL(request.url ?? "/", origin)
    const method = request.method ?? "GET"
    const body = parseBody(raw, request.headers["content-type"])
    const record = (status: number, fault?: string, answer?: unknown): number =>
      log.add({
        vendor: vendor.vendor,
        at: Date.now(),
        method,
        path: redactPath(`${url.pathname}${url.search}`),
        headers: redactHeaders(request.headers),
        body,
        status,
        ...(fault === undefined ? {} : { fault }),
        ...(options.captureResponses === true && answer !== undefined
          ? { response: Buffer.isBuffer(answer) ? answer.toString("utf8") : answer }
          : {}),
      })

    let route: Route | undefined
    let params: Record<string, string> = {}
    for (const candidate of vendor.routes) {
      if (candidate.method !== method) continue
      if (candidate.batch === true && options.batches === false) continue
      const match = candidate.pattern.exec(url.pathname)
      if (match !== null) {
        route = candidate
        params = { ...(match.groups ?? {}) }
        break
      }
    }

    const offered = vendor.keyOf(request.headers, url.searchParams)
    const authError = (): void => {
      const message =
        options.echoKeyInErrors === true && offered !== undefined
          ? `Incorrect API key provided: ${offered}.`
          : "Incorrect API key provided."
      const error = vendor.error(401, message, "401")
      record(error.status, "401", error.body)
      send(response, error.status, error.body, error.headers)
    }
    if (options.apiKey !== undefined && route?.signed !== true && offered !== options.apiKey)
      return authError()

    if (route === undefined) {
      const error = vendor.error(404, `Unknown request URL: ${method} ${url.pathname}.`, "not-found")
      record(error.status, undefined, error.body)
      return send(response, error.status, error.body, error.headers)
    }

    // Over the rate limit: a 429 without retry-after, the rate-limit headers saying when the window resets.
    let limited: Record<string, string> = {}
    if (route.faultable && options.rateLimit !== undefined) {
      if (state.clock.now() - window.start >= 60_000) {
        window.start = state.clock.now()
        window.used = 0
      }
      if (window.used >= options.rateLimit.requestsPerMinute) {
        const error = vendor.error(429, "Rate limit reached for requests. Please try again later.", "429")
        record(error.status, "rate-limit", error.body)
        return send(response, error.status, error.body, { ...error.headers, ...limitHeaders() })
      }
      window.used += 1
      limited = limitHeaders()
    }
    let fault = route.faultable ? faults.draw(state.faultRng) : undefined
    const wait = delay()
    const waited = async (): Promise<void> => {
      const left = wait - (performance.now() - arrived)
      if (left > 0) await sleep(left)
    }

    const sendFault = (kind: FaultKind): void => {
      if (kind === "401") {
        authError()
        return
      }
      const messages: Partial<Record<FaultKind, string>> = {
        "429": "Rate limit reached for requests. Please try again later.",
        "429-bare": "Rate limit reached for requests. Please try again later.",
        quota: "You exceeded your current quota, please check your plan and billing details.",
        "500": "The server had an error while processing your request.",
        "503": "The service is temporarily unavailable.",
        "529": "Overloaded.",
        "400": "Invalid request.",
      }
      const status = kind === "429-bare" || kind === "quota" ? 429 : Number(kind)
      const error = vendor.error(status, messages[kind] ?? kind, kind)
      const headers: Record<string, string> = { ...limited, ...error.headers }
      if (kind === "429") {
        headers["retry-after"] = String(Math.ceil(retryAfterMs / 1000))
        headers["retry-after-ms"] = String(retryAfterMs)
      }
      record(error.status, kind, error.body)
      send(response, error.status, error.body, headers)
    }

    // The hang: no answer until the client gives up or the fake closes.
    const hang = (): void => {
      record(0, "timeout")
      hanging.add(response)
      response.on("close", () => hanging.delete(response))
    }
    if (fault !== undefined && (errorKinds.has(fault) || fault === "reset" || fault === "timeout")) {
      await waited()
      if (fault === "timeout") return hang()
      if (fault === "reset") {
        record(0, "reset")
        request.socket.destroy()
        return
      }
      return sendFault(fault)
    }

    const contentFault =
      fault === "refusal" || fault === "offscale" || fault === "lowmass" ? fault : undefined
    const result = await route.handle({
      method,
      path: url.pathname,
      query: url.searchParams,
      params,
      headers: request.headers,
      body,
      rawBody: raw,
      origin,
      ...(contentFault === undefined ? {} : { fault: contentFault }),
    })
    await waited()
    if (result.fault !== undefined) {
      fault = result.fault
      if (errorKinds.has(fault)) return sendFault(fault)
      if (fault === "reset") {
        record(0, "reset")
        request.socket.destroy()
        return
      }
      if (fault === "timeout") return hang()
    }
    const corrupt = fault === "truncated" || fault === "malformed" ? fault : undefined
    // The client went away while the answer was being made (e.g. its process was killed): nothing is
    // delivered, and the log says so with nginx's 499 rather than a 200 nobody received.
    if (request.socket.destroyed || request.socket.readableEnded || response.destroyed) {
      record(499, "client-closed")
      return
    }
    const index = record(result.status, fault, corrupt === undefined ? result.body : undefined)
    send(response, result.status, result.body, { ...limited, ...result.headers }, corrupt)
    if (result.status < 400 && fault === undefined) watch(request.socket, index)
  }

  // Answers sent on a connection and not yet shown to be read. A client whose process dies with an
  // answer unread in its socket resets the connection (the kernel does, on close): those answers were
  // never received, and the log says 499 instead of the 200 it first wrote. An answer the client read
  // and then lost (killed before it stored it) stays a 200: that one it did receive.
  const unconfirmed = new Map<Socket, Array<number>>()
  const watched = new WeakSet<Socket>()
  const watch = (socket: Socket, index: number): void => {
    const pending = unconfirmed.get(socket)
    if (pending === undefined) unconfirmed.set(socket, [index])
    else pending.push(index)
    if (watched.has(socket)) return
    watched.add(socket)
    socket.on("close", (hadError) => {
      const unread = unconfirmed.get(socket)
      unconfirmed.delete(socket)
      if (hadError && unread !== undefined) for (const entry of unread) log.unread(entry)
    })
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((cause: unknown) => {
      const error = vendor.error(500, `fake failed: ${String(cause)}`, "500")
      if (!response.headersSent) send(response, error.status, error.body)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  origin = `http://127.0.0.1:${port}`

  return {
    vendor: vendor.vendor,
    port,
    url: origin,
    baseUrl: vendor.sdkBaseUrl(origin),
    log,
    faults,
    clock: state.clock,
    uploads: () => vendor.uploads?.() ?? [],
    setResponder: (responder) => {
      state.responder = responder ?? defaultResponder
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy()
        hanging.clear()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
