import { mkdtemp } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))

export const fixturesRoot = join(here, "..", "fixtures")
/** The committed 3 studies × 6 model rows set. */
export const fixtureSetDir = join(fixturesRoot, "set")
/** A version 0 (pre-release) copy of the first study. */
export const legacyV0File = join(fixturesRoot, "legacy-v0", "results.json")
export const studyFile = (study: string) => join(fixtureSetDir, study, "results.json")
export const studies = ["fixture-charity-default", "fixture-data-sharing", "fixture-news-sharing"] as const
/** Where screenshots go for a person to look at (git-ignored). */
export const screenshotDir = join(here, "..", "..", "..", "..", "test-output", "leaderboard")

export const temporaryDir = (prefix: string) => mkdtemp(join(tmpdir(), `standin-leaderboard-${prefix}-`))
