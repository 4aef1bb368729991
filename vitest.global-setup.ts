import { existsSync } from "node:fs"
import { join, resolve } from "node:path"

// About thirty tests (the statsmodels check of the bundled study, its published figures, the data loader,
// most CLI end-to-end tests) need the bundled study's human data, which is never committed. On a
// developer's machine they are skipped without it; in CI (CI set) a missing data folder fails the run,
// so that CI can never be green with those tests silently not run.
const dataDir = process.env.STANDIN_DATA_DIR ?? resolve(import.meta.dirname, "../shared/data")
const dataFile = join(dataDir, "berke-fingerprint-consent", "survey-experiment-data.csv")

const truthy = (value: string | undefined) =>
  value !== undefined && value !== "" && value !== "0" && value !== "false"

export default function setup() {
  if (truthy(process.env.CI) && !existsSync(dataFile)) {
    throw new Error(
      `CI is set but the bundled study's data is missing: ${dataFile} does not exist. Set STANDIN_DATA_DIR to a folder holding berke-fingerprint-consent/survey-experiment-data.csv (the tests that need it would otherwise be skipped).`,
    )
  }
}
