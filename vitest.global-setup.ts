import { existsSync } from "node:fs"
import { join, resolve } from "node:path"

// The tests of the bundled studies (statsmodels checks, published figures, data loaders, most CLI end-to-end tests)
// need their human data, which is never committed. On a developer's machine they are skipped without it; in CI
// (CI set) a missing data file fails the run, so that CI can never be green with those tests silently not run.
const dataDir = process.env.STANDIN_DATA_DIR ?? resolve(import.meta.dirname, "../shared/data")
const dataFiles = [
  join("berke-fingerprint-consent", "survey-experiment-data.csv"),
  join("anes1996-vote", "anes96.csv"),
  join("beps-uk-vote", "Rdatasets-BEPS.csv"),
  join("brader2008-immigration-framing", "Rdatasets-framing.csv"),
]

const truthy = (value: string | undefined) =>
  value !== undefined && value !== "" && value !== "0" && value !== "false"

export default function setup() {
  if (!truthy(process.env.CI)) return
  const missing = dataFiles.filter((file) => !existsSync(join(dataDir, file)))
  if (missing.length > 0) {
    throw new Error(
      `CI is set but bundled studies' data is missing from ${dataDir}: ${missing.join(", ")}. Set STANDIN_DATA_DIR to a folder holding ${dataFiles.join(", ")} (the tests that need them would otherwise be skipped).`,
    )
  }
}
