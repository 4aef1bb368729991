import { spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

export const repoRoot = resolve(__dirname, "../../..")
export const bin = join(repoRoot, "packages/cli/dist/bin.js")
export const dataDir = process.env.STANDIN_DATA_DIR ?? resolve(repoRoot, "../shared/data")
export const hasData = existsSync(join(dataDir, "berke-fingerprint-consent"))

/** The newest file under `dir` (recursively) with its modification time, or undefined when empty. */
const newestFile = (dir: string): { path: string; mtimeMs: number } | undefined => {
  let newest: { path: string; mtimeMs: number } | undefined
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    const { mtimeMs } = statSync(path)
    if (newest === undefined || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs }
  }
  return newest
}

/** The workspace packages the CLI is built from: itself and every `workspace:` dependency, transitively. */
const workspacePackages = (): Array<string> => {
  const dirs = new Map<string, string>()
  for (const group of ["packages", "plugins", "benchmarks", "apps"]) {
    const root = join(repoRoot, group)
    if (!existsSync(root)) continue
    for (const name of readdirSync(root)) {
      const manifest = join(root, name, "package.json")
      if (existsSync(manifest)) dirs.set(JSON.parse(readFileSync(manifest, "utf8")).name, join(root, name))
    }
  }
  const seen = new Set<string>()
  const visit = (name: string) => {
    const dir = dirs.get(name)
    if (dir === undefined || seen.has(dir)) return
    seen.add(dir)
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))
    for (const [dep, range] of Object.entries<string>(manifest.dependencies ?? {})) {
      if (range.startsWith("workspace:")) visit(dep)
    }
  }
  visit("@standin/cli")
  return [...seen]
}

/**
 * Why the built CLI would not run the current sources, or undefined when it would: dist/bin.js missing,
 * or a source file of the CLI or of a workspace package it is built from newer than that package's
 * newest dist/ file. The end-to-end tests run dist/, so they refuse to run against a stale build.
 */
export const staleBuild = (): string | undefined =>
  existsSync(bin) ? staleDist(workspacePackages()) : `${bin} is missing`

/** The first package folder whose src/ holds a file newer than every file of its dist/, said in words. */
export const staleDist = (packageDirs: ReadonlyArray<string>): string | undefined => {
  for (const dir of packageDirs) {
    const src = join(dir, "src")
    if (!existsSync(src)) continue
    const source = newestFile(src)
    const built = existsSync(join(dir, "dist")) ? newestFile(join(dir, "dist")) : undefined
    if (source === undefined) continue
    if (built === undefined) return `${join(dir, "dist")} is missing`
    if (source.mtimeMs > built.mtimeMs) {
      return `${source.path} is newer than the build in ${join(dir, "dist")}`
    }
  }
  return undefined
}

/**
 * The turbo build tasks of the CLI whose inputs changed since any build (a turbo cache miss), or
 * undefined when turbo cannot tell. turbo does not rewrite an unchanged dist/ on a cache hit, so a
 * source touched or checked out without change looks newer than its build: turbo, which hashes
 * contents, has the last word.
 */
const turboMisses = (): Array<string> | undefined => {
  const turbo = join(repoRoot, "node_modules", ".bin", "turbo")
  const result = spawnSync(turbo, ["run", "build", "--filter=@standin/cli...", "--dry=json"], {
    cwd: repoRoot,
    encoding: "utf8",
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
    maxBuffer: 64 * 1024 * 1024,
  })
  if (result.status !== 0) return undefined
  try {
    const plan = JSON.parse(result.stdout) as { tasks: Array<{ taskId: string; cache: { status: string } }> }
    return plan.tasks.filter((task) => task.cache.status !== "HIT").map((task) => task.taskId)
  } catch {
    return undefined
  }
}

let buildChecked = false
const requireFreshBuild = () => {
  if (buildChecked) return
  const stale = staleBuild()
  if (stale !== undefined) {
    const misses = existsSync(bin) ? turboMisses() : undefined
    if (misses === undefined || misses.length > 0) {
      const tasks =
        misses === undefined
          ? ""
          : ` (turbo: ${misses.slice(0, 3).join(", ")}${misses.length > 3 ? ` and ${misses.length - 3} more` : ""} not built from the current sources)`
      throw new Error(
        `The CLI end-to-end tests run the built CLI, but ${stale}${tasks}: run \`pnpm build\` first (pnpm test does).`,
      )
    }
  }
  buildChecked = true
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `standin-${prefix}-`))

/** Runs the built CLI as a user would, with a clean environment (no API keys) plus `env`. */
export const standin = (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  requireFreshBuild()
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
  requireFreshBuild()
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
