import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { gzipSync } from "node:zlib"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeNodeFetch, type SdkFetch } from "../src/node-fetch.js"

/** A loopback server whose answer depends on the path; it counts the connections it accepted. */
let server: Server
let base = ""
let connections = 0
const closed: Array<string> = []
/** The server's side of every connection it accepted, newest last. */
const sockets: Array<Socket> = []
/** Waiters for the next request that reaches /slow and for the next /slow request its client dropped. */
let slowArrived: () => void = () => {}
let slowClosed: () => void = () => {}

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Array<Buffer> = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString("utf8")
}

const routes: Record<string, (request: IncomingMessage, response: ServerResponse) => Promise<void> | void> = {
  "/echo": async (request, response) => {
    const body = await readBody(request)
    response.writeHead(201, "Made", [
      ["content-type", "application/json"],
      ["set-cookie", "a=1"],
      ["set-cookie", "b=2"],
      ["x-request-id", "req_1"],
    ])
    response.end(JSON.stringify({ method: request.method, headers: request.headers, body }))
  },
  "/gzip": (_request, response) => {
    const payload = gzipSync(JSON.stringify({ compressed: true }))
    response.writeHead(200, {
      "content-type": "application/json",
      "content-encoding": "gzip",
      "content-length": String(payload.length),
    })
    response.end(payload)
  },
  "/empty": (_request, response) => {
    response.writeHead(204)
    response.end()
  },
  "/slow": (request, response) => {
    request.on("close", () => {
      if (!response.writableEnded) {
        closed.push("/slow")
        slowClosed()
      }
    })
    slowArrived()
    setTimeout(() => {
      if (!response.destroyed) response.end("late")
    }, 2_000)
  },
  "/wait": (_request, response) => {
    setTimeout(() => response.end("waited"), 400)
  },
  "/redirect": (_request, response) => {
    response.writeHead(307, { location: "/echo" })
    response.end()
  },
  "/stream": (_request, response) => {
    response.writeHead(200, { "content-type": "text/event-stream" })
    response.write("data: one\n\n")
    setTimeout(() => response.end("data: two\n\n"), 100)
  },
  "/stream-gzip": (_request, response) => {
    response.writeHead(200, { "content-type": "text/event-stream", "content-encoding": "gzip" })
    response.end(gzipSync("data: packed\n\n"))
  },
  "/cut": (_request, response) => {
    response.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
    response.write('{"half":')
    setTimeout(() => response.socket?.destroy(), 20)
  },
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const route = routes[new URL(request.url ?? "/", "http://x").pathname]
    if (route === undefined) {
      response.writeHead(404)
      response.end()
    } else void route(request, response)
  })
  server.on("connection", (socket: Socket) => {
    connections++
    sockets.push(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

describe("makeNodeFetch", () => {
  it("sends method, headers and a text body; answers with status, every header and the body", async () => {
    const nodeFetch = makeNodeFetch()
    const response = await nodeFetch(`${base}/echo`, {
      method: "POST",
      headers: { "content-type": "application/json", "X-Custom": "yes" },
      body: JSON.stringify({ héllo: "wörld" }),
    })
    expect(response.status).toBe(201)
    expect(response.statusText).toBe("Made")
    expect(response.ok).toBe(true)
    expect(response.headers.get("x-request-id")).toBe("req_1")
    expect(response.headers.getSetCookie()).toEqual(["a=1", "b=2"])
    const echoed = (await response.json()) as {
      method: string
      headers: Record<string, string>
      body: string
    }
    expect(echoed.method).toBe("POST")
    expect(echoed.headers["x-custom"]).toBe("yes")
    expect(echoed.headers["content-type"]).toBe("application/json")
    // the byte length, not the character count
    expect(echoed.headers["content-length"]).toBe(String(Buffer.byteLength(echoed.body)))
    expect(JSON.parse(echoed.body)).toEqual({ héllo: "wörld" })
  })

  it("sends a byte body and keeps connections alive between requests", async () => {
    const nodeFetch = makeNodeFetch()
    const before = connections
    for (let round = 0; round < 5; round++) {
      const response = await nodeFetch(new URL(`${base}/echo`), {
        method: "PUT",
        body: new TextEncoder().encode(`round ${round}`),
      })
      expect(((await response.json()) as { body: string }).body).toBe(`round ${round}`)
    }
    expect(connections - before).toBe(1)
  })

  it("closes idle connections after the idle timeout, but not one whose answer takes longer", async () => {
    const nodeFetch = makeNodeFetch(globalThis.fetch, { idleTimeoutMs: 150 })
    const before = connections
    expect(await (await nodeFetch(`${base}/wait`)).text()).toBe("waited")
    expect(await (await nodeFetch(`${base}/wait`)).text()).toBe("waited")
    expect(connections - before).toBe(1)
    // the client closes the idle connection once the idle timeout has passed: the server sees it close
    const idle = sockets.at(-1)!
    if (!idle.destroyed) await new Promise((resolve) => idle.once("close", resolve))
    expect(await (await nodeFetch(`${base}/wait`)).text()).toBe("waited")
    expect(connections - before).toBe(2)
  })

  it("decodes a gzip body and drops the encoding headers", async () => {
    const response = await makeNodeFetch()(`${base}/gzip`)
    expect(response.headers.get("content-encoding")).toBeNull()
    expect(await response.json()).toEqual({ compressed: true })
  })

  it("answers 204 with no body", async () => {
    const response = await makeNodeFetch()(`${base}/empty`, { method: "DELETE" })
    expect(response.status).toBe(204)
    expect(response.body).toBeNull()
  })

  it("rejects with the signal's reason when aborted before or during the request, and drops the request", async () => {
    const nodeFetch = makeNodeFetch()
    const early = new AbortController()
    early.abort()
    await expect(nodeFetch(`${base}/slow`, { signal: early.signal })).rejects.toMatchObject({
      name: "AbortError",
    })
    const late = new AbortController()
    const arrived = new Promise<void>((resolve) => {
      slowArrived = resolve
    })
    const dropped = new Promise<void>((resolve) => {
      slowClosed = resolve
    })
    const pending = nodeFetch(`${base}/slow`, { signal: late.signal })
    // aborted once the request is at the server, while its answer is still pending
    await arrived
    late.abort(new DOMException("gave up", "TimeoutError"))
    await expect(pending).rejects.toMatchObject({ name: "TimeoutError", message: "gave up" })
    await dropped
    expect(closed).toContain("/slow")
  })

  it("rejects a refused connection and a body cut short with TypeError('fetch failed')", async () => {
    const nodeFetch = makeNodeFetch()
    const refused = await nodeFetch("http://127.0.0.1:1/nothing").catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(TypeError)
    expect((refused as TypeError).message).toBe("fetch failed")
    const cut = await nodeFetch(`${base}/cut`).catch((error: unknown) => error)
    expect(cut).toBeInstanceOf(TypeError)
  })

  it("streams an event stream instead of buffering it", async () => {
    const response = await makeNodeFetch()(`${base}/stream`)
    const reader = response.body!.getReader()
    const first = await reader.read()
    expect(new TextDecoder().decode(first.value)).toBe("data: one\n\n")
    let rest = ""
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value)
    expect(rest).toBe("data: two\n\n")
    const packed = await makeNodeFetch()(`${base}/stream-gzip`)
    expect(packed.headers.get("content-encoding")).toBeNull()
    expect(await packed.text()).toBe("data: packed\n\n")
  })

  it("leaves requests it does not handle plainly to the fallback: multipart bodies, Request objects, redirects", async () => {
    const handed: Array<string> = []
    const fallback: SdkFetch = (input, init) => {
      handed.push(
        input instanceof Request ? `request ${input.url}` : `${init?.method ?? "GET"} ${String(input)}`,
      )
      return globalThis.fetch(input, init)
    }
    const nodeFetch = makeNodeFetch(fallback)
    const form = new FormData()
    form.append("purpose", "batch")
    const uploaded = await nodeFetch(`${base}/echo`, { method: "POST", body: form })
    expect(((await uploaded.json()) as { body: string }).body).toContain('name="purpose"')
    await (await nodeFetch(new Request(`${base}/echo`))).text()
    const redirected = await nodeFetch(`${base}/redirect`, { method: "POST", body: "again" })
    expect(((await redirected.json()) as { body: string }).body).toBe("again")
    expect(handed).toEqual([`POST ${base}/echo`, `request ${base}/echo`, `POST ${base}/redirect`])
  })
})
