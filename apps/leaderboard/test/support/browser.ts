import { access, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type BrowserContext, chromium, type Page } from "playwright-core"

/** Debian's chromium; the browser tests never download a browser of their own. */
export const chromiumPath = process.env.STANDIN_CHROMIUM ?? "/usr/bin/chromium"

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

export interface Browser {
  readonly context: BrowserContext
  readonly close: () => Promise<void>
}

/** Launches chromium with a fresh profile, or fails saying how to install it. */
export const launchChromium = async (): Promise<Browser> => {
  try {
    await access(chromiumPath)
  } catch {
    throw new Error(
      `Chromium is not installed at ${chromiumPath}: the leaderboard's browser tests need it. Install Debian's package with \`apt-get install -y chromium\` (.ci/run does this in CI), or point STANDIN_CHROMIUM at a chromium binary.`,
    )
  }
  const userDataDir = await mkdtemp(join(tmpdir(), "standin-chromium-"))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumFlags,
    viewport: { width: 1360, height: 900 },
  })
  return {
    context,
    close: async () => {
      await context.close()
      await rm(userDataDir, { recursive: true, force: true })
    },
  }
}

/** Console errors, uncaught exceptions and failed requests of a page, as they happen. */
export const watchErrors = (page: Page): Array<string> => {
  const errors: Array<string> = []
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`)
  })
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`))
  page.on("requestfailed", (request) =>
    errors.push(`request failed: ${request.url()} (${request.failure()?.errorText})`),
  )
  return errors
}
