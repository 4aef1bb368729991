/**
 * Golden values from `ppi_py` (the authors' reference implementation), read at test time from the shared
 * folder described in its README: STANDIN_PPI_REFERENCE_DIR, else `ppi-reference` beside STANDIN_DATA_DIR,
 * else ../shared/ppi-reference relative to the repository root. Missing in CI → the suite fails; elsewhere it
 * is skipped with a message. Every call asks for `variant: "reference"` (ppi_py's own formula); the default
 * finite-sample variant is golden-tested in ppi-finite-sample.test.ts.
 */
import { existsSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { parse } from "csv-parse/sync"
import {
  classicalLogistic,
  classicalMean,
  classicalOls,
  type PpiCoefficients,
  ppiLogistic,
  ppiMean,
  ppiOls,
} from "../src/index.js"

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..")

const candidates = [
  process.env.STANDIN_PPI_REFERENCE_DIR,
  process.env.STANDIN_DATA_DIR
    ? join(dirname(resolve(process.env.STANDIN_DATA_DIR)), "ppi-reference")
    : undefined,
  resolve(repoRoot, "..", "shared", "ppi-reference"),
].filter((c): c is string => c !== undefined)

const referenceDir = candidates.find((c) => existsSync(join(c, "reference.json")))

if (referenceDir === undefined && process.env.CI) {
  throw new Error(
    `PPI reference values not found (looked in ${candidates.join(", ")}); set STANDIN_PPI_REFERENCE_DIR in CI`,
  )
}
if (referenceDir === undefined) {
  console.warn(
    `[ppi-reference] skipped: no reference.json in ${candidates.join(", ")} (set STANDIN_PPI_REFERENCE_DIR)`,
  )
}

interface Entry {
  readonly columns?: ReadonlyArray<string>
  readonly estimate?: ReadonlyArray<number>
  readonly lower: ReadonlyArray<number>
  readonly upper: ReadonlyArray<number>
}
type Case = { readonly n: number; readonly N: number; readonly alpha: number } & Record<string, Entry>

const readCsv = (path: string): Array<Record<string, number>> => {
  const rows = parse(readFileSync(path, "utf8"), { columns: true, skip_empty_lines: true }) as Array<
    Record<string, string>
  >
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])))
}

const expectClose = (actual: ReadonlyArray<number>, expected: ReadonlyArray<number>, tolerance: number) => {
  expect(actual.length).toBe(expected.length)
  actual.forEach((a, i) => {
    expect(Math.abs(a - expected[i]!), `index ${i}: ${a} vs ${expected[i]}`).toBeLessThan(tolerance)
  })
}

const expectEntry = (result: PpiCoefficients, entry: Entry, tolerance: number) => {
  if (entry.estimate) expectClose(result.estimate, entry.estimate, tolerance)
  expectClose(result.lower, entry.lower, tolerance)
  expectClose(result.upper, entry.upper, tolerance)
}

describe.skipIf(referenceDir === undefined)("PPI against ppi_py reference values", () => {
  const dir = referenceDir ?? ""
  const reference = referenceDir
    ? (JSON.parse(readFileSync(join(dir, "reference.json"), "utf8")) as Record<string, Case>)
    : {}
  for (const [name, expected] of Object.entries(reference)) {
    describe(name, () => {
      const labelled = readCsv(join(dir, `${name}-labelled.csv`))
      const unlabelled = readCsv(join(dir, `${name}-unlabelled.csv`))
      const y = labelled.map((r) => r.y!)
      const yhat = labelled.map((r) => r.yhat!)
      const yhatUnlabelled = unlabelled.map((r) => r.yhat!)
      const x = labelled.map((r) => [1, r.treat!, r.age!])
      const xUnlabelled = unlabelled.map((r) => [1, r.treat!, r.age!])
      const alpha = expected.alpha
      const regression = { x, y, yhat, xUnlabelled, yhatUnlabelled }

      it("reads the sizes the reference used", () => {
        expect(y.length).toBe(expected.n)
        expect(yhatUnlabelled.length).toBe(expected.N)
        for (const key of ["ols/ppi++", "logistic/ppi++"])
          expect(expected[key]!.columns).toEqual(["intercept", "treat", "age"])
      })

      it("means: PPI++, PPI and classical to 1e-6", () => {
        const check = (result: ReturnType<typeof ppiMean>, entry: Entry) => {
          if (!result.ok) throw new Error(result.error.message)
          expectEntry(
            {
              ...result.value,
              estimate: [result.value.estimate],
              se: [result.value.se],
              lower: [result.value.lower],
              upper: [result.value.upper],
            },
            entry,
            1e-6,
          )
        }
        const variant = "reference"
        check(ppiMean({ y, yhat, yhatUnlabelled }, { alpha, variant }), expected["mean/ppi++"]!)
        check(ppiMean({ y, yhat, yhatUnlabelled }, { alpha, variant, lambda: 1 }), expected["mean/ppi"]!)
        check(classicalMean(y, { alpha, variant }), expected["mean/classical"]!)
      })

      it("OLS: PPI++, PPI and classical to 1e-6", () => {
        const tuned = ppiOls(regression, { alpha, variant: "reference" })
        const plain = ppiOls(regression, { alpha, variant: "reference", lambda: 1 })
        const classical = classicalOls(x, y, { alpha, variant: "reference" })
        if (!tuned.ok || !plain.ok || !classical.ok) throw new Error("OLS failed")
        expectEntry(tuned.value, expected["ols/ppi++"]!, 1e-6)
        expectEntry(plain.value, expected["ols/ppi"]!, 1e-6)
        expectEntry(classical.value, expected["ols/classical"]!, 1e-6)
      })

      it("logistic: PPI++, PPI and classical to 1e-4", () => {
        const tuned = ppiLogistic(regression, { alpha, variant: "reference" })
        const plain = ppiLogistic(regression, { alpha, variant: "reference", lambda: 1 })
        const classical = classicalLogistic(x, y, { alpha, variant: "reference" })
        if (!tuned.ok || !plain.ok || !classical.ok) throw new Error("logistic failed")
        expectEntry(tuned.value, expected["logistic/ppi++"]!, 1e-4)
        expectEntry(plain.value, expected["logistic/ppi"]!, 1e-4)
        expectEntry(classical.value, expected["logistic/classical"]!, 1e-4)
      })
    })
  }
})
