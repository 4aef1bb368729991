import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { type BrowserContext, chromium, type Page } from "playwright-core"
import { chromiumFlags, chromiumPath } from "../../scripts/chromium.mjs"

export { chromiumFlags, chromiumPath }

export interface Browser {
  readonly context: BrowserContext
  readonly close: () => Promise<void>
}

/** Launches chromium with a fresh profile, or fails saying what is missing. */
export const launchChromium = async (): Promise<Browser> => {
  const executablePath = await chromiumPath()
  const userDataDir = await mkdtemp(join(tmpdir(), "standin-chromium-profile-"))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [...chromiumFlags],
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
