import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http"
import { Agent as HttpsAgent, request as httpsRequest } from "node:https"
import { Readable, type Transform } from "node:stream"
import { promisify } from "node:util"
import {
  brotliDecompress,
  createBrotliDecompress,
  createGunzip,
  createInflate,
  gunzip,
  inflate,
} from "node:zlib"

/** The `fetch` the vendors' SDKs accept in their `fetch` option. */
export type SdkFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

/** The content codings a response may come in: decoded whole (a buffered answer) or as it streams. */
const codings: Readonly<
  Record<string, { readonly whole: (input: Buffer) => Promise<Buffer>; readonly stream: () => Transform }>
> = {
  gzip: { whole: promisify(gunzip), stream: createGunzip },
  "x-gzip": { whole: promisify(gunzip), stream: createGunzip },
  deflate: { whole: promisify(inflate), stream: createInflate },
  br: { whole: promisify(brotliDecompress), stream: createBrotliDecompress },
}

/** Statuses whose response has no body (the Response constructor refuses one). */
const bodiless = new Set([101, 103, 204, 205, 304])
const redirects = new Set([301, 302, 303, 307, 308])

const abortReason = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException("This operation was aborted", "AbortError")

const headersOf = (message: IncomingMessage): Headers => {
  const headers = new Headers()
  const raw = message.rawHeaders
  for (let index = 0; index < raw.length; index += 2) headers.append(raw[index]!, raw[index + 1]!)
  return headers
}

/**
 * A `fetch` over node:http(s) with keep-alive agents, for the SDKs' documented `fetch` option.
 *
 * Node 20's global fetch (undici behind web streams, transferables and an abort controller per request)
 * spent about a third of a run's CPU at hundreds of calls per second; this one does the same requests
 * for a fraction. It handles what the generation calls send — a text or byte body (or none) to an http(s)
 * URL — and buffers the answer, except an event stream, which it streams. Anything else (a `Request`
 * object, a multipart upload, a redirect to follow) goes to the global fetch unchanged. Aborts reject
 * with the signal's reason and network failures with `TypeError("fetch failed")`, as fetch does.
 */
export const makeNodeFetch = (
  fallback: SdkFetch = globalThis.fetch,
  options: {
    /**
     * An idle connection is closed after this long (default 4 s), before a server's own idle timeout
     * (commonly 5 s) can close it under a request being sent; a server's `Keep-Alive: timeout` hint
     * shortens it. Requests waiting for their answer are not affected.
     */
    readonly idleTimeoutMs?: number
  } = {},
): SdkFetch => {
  const timeout = options.idleTimeoutMs ?? 4_000
  const agents = {
    "http:": new HttpAgent({ keepAlive: true, timeout }),
    "https:": new HttpsAgent({ keepAlive: true, timeout }),
  }
  return async (input, init = {}) => {
    const body = init.body
    const plainBody =
      body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array
    if (input instanceof Request || !plainBody) return fallback(input, init)
    const url = typeof input === "string" ? new URL(input) : input
    if (url.protocol !== "http:" && url.protocol !== "https:") return fallback(input, init)
    const signal = init.signal ?? undefined
    if (signal?.aborted) throw abortReason(signal)

    const headers: Record<string, string> = {}
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value
    })
    headers["accept-encoding"] ??= "gzip, deflate, br"
    if (body !== undefined && body !== null) headers["content-length"] = String(Buffer.byteLength(body))

    return new Promise<Response>((resolve, reject) => {
      let settled = false
      const fail = (error: unknown) => {
        if (settled) return
        settled = true
        signal?.removeEventListener("abort", onAbort)
        reject(error)
      }
      const succeed = (response: Response) => {
        if (settled) return
        settled = true
        signal?.removeEventListener("abort", onAbort)
        resolve(response)
      }
      const send = url.protocol === "https:" ? httpsRequest : httpRequest
      const agent = url.protocol === "https:" ? agents["https:"] : agents["http:"]
      const request = send(url, { method: init.method ?? "GET", headers, agent })
      const onAbort = () => {
        fail(abortReason(signal!))
        request.destroy()
      }
      signal?.addEventListener("abort", onAbort, { once: true })
      request.on("error", (cause) => fail(new TypeError("fetch failed", { cause })))
      const answer = (message: IncomingMessage) => {
        const status = message.statusCode ?? 0
        const location = message.headers.location
        if (redirects.has(status) && location !== undefined && init.redirect !== "manual") {
          message.resume()
          fallback(input, init).then(succeed, fail)
          return
        }
        const responseHeaders = headersOf(message)
        const statusText = message.statusMessage ?? ""
        const encoding = (message.headers["content-encoding"] ?? "").trim().toLowerCase()
        if ((message.headers["content-type"] ?? "").includes("text/event-stream")) {
          const decoder = codings[encoding]?.stream
          const stream = decoder === undefined ? message : message.pipe(decoder())
          if (decoder !== undefined) {
            message.on("error", (cause) => stream.destroy(cause))
            responseHeaders.delete("content-encoding")
            responseHeaders.delete("content-length")
          }
          succeed(
            new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, {
              status,
              statusText,
              headers: responseHeaders,
            }),
          )
          return
        }
        const chunks: Array<Buffer> = []
        message.on("data", (chunk: Buffer) => chunks.push(chunk))
        message.on("error", (cause) => fail(new TypeError("fetch failed", { cause })))
        message.on("aborted", () =>
          fail(new TypeError("fetch failed", { cause: new Error("response aborted") })),
        )
        message.on("end", () => {
          if (!message.complete) {
            fail(new TypeError("fetch failed", { cause: new Error("response ended early") }))
            return
          }
          const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
          const decode = codings[encoding]?.whole
          const decoded = decode === undefined || raw.length === 0 ? Promise.resolve(raw) : decode(raw)
          decoded.then(
            (bytes) => {
              if (decode !== undefined) {
                responseHeaders.delete("content-encoding")
                responseHeaders.delete("content-length")
              }
              succeed(
                new Response(bodiless.has(status) ? null : bytes, {
                  status,
                  statusText,
                  headers: responseHeaders,
                }),
              )
            },
            (cause: unknown) => fail(new TypeError("fetch failed", { cause })),
          )
        })
      }
      request.on("response", (message) => {
        try {
          answer(message)
        } catch (cause) {
          message.resume()
          fail(new TypeError("fetch failed", { cause }))
        }
      })
      if (body !== undefined && body !== null) request.end(body)
      else request.end()
    })
  }
}

/**
 * The `fetch` standin's providers hand their SDK: one keep-alive `makeNodeFetch` for the process, or the
 * global fetch when `STANDIN_FETCH=global` is set (to rule the transport out when chasing a problem).
 */
export const sdkFetch = (): SdkFetch => {
  if (process.env.STANDIN_FETCH === "global") return globalThis.fetch
  shared ??= makeNodeFetch()
  return shared
}
let shared: SdkFetch | undefined
