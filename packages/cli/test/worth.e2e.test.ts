/**
 * Issue 16's acceptance on the bundled study with a pilot of 100: the baselines get honest worth-k-humans
 * values (uniform adds about nothing; pilot-cell is flagged in-sample; human-split-half says what its n_eff
 * means) and every entry's PPI-corrected treatment effect CI covers the whole holdout's human estimate.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import type { PpiSummary } from "@standin/core"
import { hasData, standin, tempDir } from "./helpers.js"

interface Entry {
  readonly id: string
  readonly ppi: PpiSummary
}

describe.runIf(hasData)("worth k humans on the bundled study (pilot 100)", () => {
  it("baselines get honest values and the PPI effect covers the full holdout's", () => {
    const out = tempDir("worth")
    const run = standin(["run", "--pilot", "100", "--bootstrap", "10", "--out", out])
    expect(run.status, run.stderr).toBe(0)
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
      manifest: { holdoutSize: number }
      entries: ReadonlyArray<Entry>
    }
    const byId = new Map(results.entries.map((entry) => [entry.id, entry.ppi]))
    for (const [id, ppi] of byId) {
      const effect = ppi.targets.find((target) => target.id === ppi.headline)!
      expect(effect.kind, id).toBe("effect")
      expect(effect.n, id).toBe(100)
      // the truth check: the whole human holdout, inside the PPI-corrected interval
      expect(effect.holdout.n, id).toBe(results.manifest.holdoutSize)
      expect(effect.covered, id).toBe(true)
      expect(effect.ppi.lower <= effect.holdout.estimate && effect.holdout.estimate <= effect.ppi.upper).toBe(
        true,
      )
      // the declared logistic analyses' treatment coefficients are targets too, with their own truth check
      const coefficients = ppi.targets.filter((target) => target.kind === "coefficient")
      expect(coefficients.map((target) => target.id).sort(), id).toEqual([
        "concern:coefficient:showdata",
        "share:coefficient:showdata",
      ])
      for (const target of coefficients) expect(target.covered, `${id} ${target.id}`).toBe(true)
    }
    // uniform: random answers add about nothing (PPI++ sets λ ≈ 0)
    const uniform = byId.get("uniform")!
    const uniformEffect = uniform.targets.find((target) => target.id === uniform.headline)!
    expect(Math.abs(uniformEffect.gain!)).toBeLessThan(5)
    expect(uniformEffect.lambda).toBeLessThan(0.1)
    expect(uniform.inSample).toBe(false)
    // pilot-cell: learnt from the pilot it answers for, so flagged in-sample
    expect(byId.get("pilot-cell")!.inSample).toBe(true)
    expect(byId.get("pilot-cell")!.note).toMatch(/in-sample/)
    // human-split-half: other real people of the same cell — worth what the persona cell is worth
    expect(byId.get("human-split-half")!.inSample).toBe(false)
    expect(byId.get("human-split-half")!.note).toMatch(/persona cell/)
    // the terminal says so too
    expect(run.stdout).toMatch(/^uniform: adds no precision/m)
    expect(run.stdout).toMatch(/^pilot-cell: .*\(in-sample: optimistic\)$/m)
    expect(run.stdout).toMatch(/^human-split-half: .* covers the holdout's/m)
  })
})
