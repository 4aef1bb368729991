import { readFile, stat } from "node:fs/promises"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { extname, join, normalize, resolve, sep } from "node:path"

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>/` */
  readonly url: string
  /** Paths that were requested and not found (a test asserts this stays empty). */
  readonly missing: ReadonlyArray<string>
  readonly close: () => Promise<void>
}

/**
 * Serves a folder on 127.0.0.1 (an ephemeral port unless given): a stand-in for GitHub Pages in
 * browser tests and the bench. GET only; never leaves the folder.
 */
export const serveStatic = async (folder: string, port = 0): Promise<StaticServer> => {
  const root = resolve(folder)
  const missing: Array<string> = []
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://127.0.0.1").pathname)
    let file = normalize(join(root, path))
    if (file !== root && !file.startsWith(root + sep)) {
      response.writeHead(403).end()
      return
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, "index.html")
      const body = await readFile(file)
      response
        .writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" })
        .end(body)
    } catch {
      missing.push(path)
      response.writeHead(404, { "content-type": "text/plain" }).end("not found")
    }
  })
  await new Promise<void>((ready) => server.listen(port, "127.0.0.1", ready))
  const { port: bound } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${bound}/`,
    missing,
    close: () => new Promise<void>((done) => server.close(() => done())),
  }
}
