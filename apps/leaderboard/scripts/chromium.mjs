// The chromium that the leaderboard's browser tests and bench drive.
//
// By default, the headless Chromium that ships inside the npm package `@sparticuz/chromium` (a dev
// dependency: `pnpm install` brings it; no system package, no download, no `playwright install`).
// `STANDIN_CHROMIUM=/usr/bin/chromium` drives another build instead, e.g. Debian's
// (`apt-get install -y chromium`).
import { randomUUID } from "node:crypto"
import { createReadStream, createWriteStream } from "node:fs"
import { access, chmod, mkdir, rename, rm } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { pipeline } from "node:stream/promises"
import { createBrotliDecompress } from "node:zlib"

/** The flags TOOLCHAIN.md lists for headless chromium on this machine and in CI. */
export const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  // No --allow-file-access-from-files: the file:// test must see what a person's browser does.
]

const exists = (path) =>
  access(path).then(
    () => true,
    () => false,
  )

/**
 * Unpacks the npm package's brotli-compressed chromium once, into a folder of the system's temporary
 * directory named after the package's version, and returns the binary's path. Test files run in
 * parallel workers: each unpacks into a file of its own and renames it into place (atomic), so no
 * worker ever starts a half-written binary.
 * @returns {Promise<string>}
 */
export const bundledChromium = async () => {
  const require = createRequire(import.meta.url)
  let packageDir
  try {
    // The package's exports hide package.json; its CommonJS entry is build/cjs/index.cjs.
    packageDir = dirname(dirname(dirname(require.resolve("@sparticuz/chromium"))))
  } catch {
    throw new Error(
      "The npm package @sparticuz/chromium is not installed: run `pnpm install` (it is a dev dependency of @standin/leaderboard), or point STANDIN_CHROMIUM at a chromium binary.",
    )
  }
  const { version } = require(join(packageDir, "package.json"))
  const dir = join(tmpdir(), `standin-chromium-${version}`)
  const binary = join(dir, "chromium")
  if (await exists(binary)) return binary
  const compressed = join(packageDir, "bin", "chromium.br")
  await mkdir(dir, { recursive: true })
  const partial = `${binary}.${process.pid}.${randomUUID()}.partial`
  try {
    await pipeline(createReadStream(compressed), createBrotliDecompress(), createWriteStream(partial))
    await chmod(partial, 0o755)
    await rename(partial, binary)
  } catch (error) {
    await rm(partial, { force: true })
    throw new Error(`Could not unpack ${compressed} into ${dir}: ${error.message}`)
  }
  return binary
}

/**
 * The chromium binary to launch: STANDIN_CHROMIUM if set, else the npm package's.
 * @returns {Promise<string>}
 */
export const chromiumPath = async () => {
  const override = process.env.STANDIN_CHROMIUM
  if (override === undefined || override === "") return bundledChromium()
  if (!(await exists(override))) {
    throw new Error(
      `STANDIN_CHROMIUM points at ${override}, which does not exist. Unset it to use the chromium of the npm package @sparticuz/chromium, or install Debian's with \`apt-get install -y chromium\`.`,
    )
  }
  return override
}
