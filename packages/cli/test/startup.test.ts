import { readFileSync } from "node:fs"
import { join } from "node:path"
import { stripVTControlCharacters } from "node:util"
import { describe, expect, it } from "vitest"
import { catalogParts, loadCatalog } from "../src/catalog.js"
import { catalogPartsFor } from "../src/main.js"
import { repoRoot, standin } from "./helpers.js"

const version = (
  JSON.parse(readFileSync(join(repoRoot, "packages/cli/package.json"), "utf8")) as { version: string }
).version

describe("start-up: a command loads only the plugins it uses", () => {
  it("maps each command to the catalog parts its handler reads", () => {
    expect(catalogPartsFor(["analyze", "fingerprint-consent"])).toEqual(["studies"])
    expect(catalogPartsFor(["providers", "--models"])).toEqual(["providers"])
    expect(catalogPartsFor(["study", "check", "./folder"])).toEqual(["studies", "checkAnalyses"])
    expect(catalogPartsFor(["results", "out"])).toEqual([])
    // a global flag before the command does not hide it
    expect(catalogPartsFor(["--log-level", "debug", "studies"])).toEqual(["studies"])
    expect(catalogPartsFor(["run", "--study", "fingerprint-consent"])).toEqual(catalogParts)
    // no command named: everything, so that no handler ever sees a part missing
    expect(catalogPartsFor(["--help"])).toEqual(catalogParts)
  })

  it("loads the studies without any provider or metric, and everything when asked", async () => {
    const studies = await loadCatalog(["studies"])
    expect(studies.studies.map((study) => study.descriptor.id)).toEqual([
      "fingerprint-consent",
      "anes1996-vote",
      "beps-uk-vote",
      "brader2008-immigration-framing",
    ])
    expect(studies.providers).toEqual([])
    expect(studies.metrics).toEqual([])
    expect(studies.finetuners).toBeUndefined()
    expect(studies.checkAnalyses).toBeUndefined()
    const all = await loadCatalog()
    expect(all.providers.map((plugin) => plugin.descriptor.id)).toEqual([
      "uniform",
      "pilot-marginal",
      "pilot-cell",
      "human-split-half",
      "openai",
      "anthropic",
      "google",
      "openai-compatible",
    ])
    expect(all.metrics.map((metric) => metric.descriptor.id)).toEqual([
      "divergence",
      "subgroup",
      "heterogeneity",
      "coherence",
      "regression",
    ])
    expect(all.finetuners?.map((plugin) => plugin.descriptor.id)).toEqual(["openai", "together", "export"])
    expect(typeof all.checkAnalyses).toBe("function")
  })

  it("answers --version and -v with the package's version, as the command line's own flag does", () => {
    for (const flag of ["--version", "-v"]) {
      const result = standin([flag])
      expect(result.status).toBe(0)
      expect(result.stdout).toBe(`standin v${version}\n`)
    }
    // with anything else the command line proper answers, in the same words
    const full = standin(["--version", "--log-level", "error"])
    expect(full.status).toBe(0)
    expect(stripVTControlCharacters(full.stdout)).toBe(`standin v${version}\n`)
  })
})
