import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

export const repoRoot = resolve(__dirname, "../../..")
export const bin = join(repoRoot, "packages/cli/dist/bin.js")
export const dataDir = process.env.STANDIN_DATA_DIR ?? resolve(repoRoot, "../shared/data")
export const hasData = existsSync(join(dataDir, "berke-fingerprint-consent"))

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `standin-${prefix}-`))

/** Runs the built CLI as a user would, with a clean environment (no API keys) plus `env`. */
export const standin = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm build\` first (pnpm test does).`)
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? tmpdir(),
      STANDIN_CACHE_DIR: tempDir("cache"),
      STANDIN_OFFLINE: "1",
      STANDIN_DATA_DIR: dataDir,
      ...env,
    },
    timeout: 300_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

/**
 * Runs the built CLI asynchronously: needed when the test process itself hosts a loopback fake, whose
 * event loop must keep serving while the CLI runs.
 */
export const standinAsync = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  spawnStandin(args, env).done

/**
 * Starts the built CLI and hands back the child process (to kill it) with a promise of how it ended;
 * `onStderr` sees standard error as it comes.
 */
export const spawnStandin = (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  onStderr: (chunk: string) => void = () => {},
) => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm build\` first (pnpm test does).`)
  let child: ReturnType<typeof spawn> | undefined
  const done = new Promise<{
    status: number | null
    signal: NodeJS.Signals | null
    stdout: string
    stderr: string
  }>((resolvePromise, reject) => {
    child = spawn(process.execPath, [bin, ...args], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? tmpdir(),
        STANDIN_CACHE_DIR: tempDir("cache"),
        STANDIN_OFFLINE: "1",
        STANDIN_DATA_DIR: dataDir,
        ...env,
      },
    })
    let stdout = ""
    let stderr = ""
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString()
      onStderr(chunk.toString())
    })
    child.on("error", reject)
    child.on("close", (status, signal) => resolvePromise({ status, signal, stdout, stderr }))
  })
  return { child: child!, done }
}
