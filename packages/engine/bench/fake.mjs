// Starts the loopback fake vendor (`standin-fake`, built by @standin/testkit) in its own process for the benches.
import { spawn } from "node:child_process"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const fakeBin = resolve(dirname(fileURLToPath(import.meta.url)), "../../testkit/dist/bin.js")

/** Starts `standin-fake --vendor openai` with `args`; resolves with its SDK base URL and a way to stop it. */
export const startFake = (args = []) =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [fakeBin, "--vendor", "openai", "--port", "0", ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    })
    let output = ""
    child.stdout.on("data", (chunk) => {
      output += chunk.toString()
      const match = /SDK base URL: (\S+)/.exec(output)
      if (match !== null)
        resolvePromise({
          baseUrl: match[1],
          close: () =>
            new Promise((done) => {
              child.on("exit", done)
              child.kill("SIGTERM")
            }),
        })
    })
    child.on("exit", (code) => reject(new Error(`standin-fake exited with ${code}: ${output}`)))
  })
