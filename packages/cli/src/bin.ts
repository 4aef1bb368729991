#!/usr/bin/env node
import { createRequire } from "node:module"

// `standin --version` answers before anything else loads (Effect, the commands, the plugins): the version is
// the package's own, printed as the command line's built-in flag prints it.
const args = process.argv.slice(2)
if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
  const { version } = createRequire(import.meta.url)("../package.json") as { version: string }
  process.stdout.write(`standin v${version}\n`)
} else {
  await import("./start.js")
}
