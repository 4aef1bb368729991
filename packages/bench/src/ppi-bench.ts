/**
 * Validity of prediction-powered inference: coverage of 95% PPI and PPI++ intervals (the default
 * finite-sample variant; beside them the reference `ppi_py` PPI++ and the classical interval, for comparison)
 * for a proportion and a difference between arms, at pilot sizes 50, 100 and 250 with 2,000
 * twins-only units, for a good, a useless and a biased model. Prints PASS when coverage lies in 0.93–0.97 and
 * MISS otherwise (exit code 0 either way: a benchmark reports, it does not gate), then the PPI++ / classical
 * width ratio for the useless model, which must stay at or below about 1.02 (PPI++ falls back to the humans).
 * Last, for information (fewer replications: each is a logistic fit on 2,000 units), the coverage of a logistic
 * regression's treatment coefficient by PPI++ and by the pilot alone.
 */
import {
  coverageBand,
  type ModelKind,
  simulateCoverage,
  simulateLogisticCoverage,
  type Target,
  withinBand,
} from "./ppi-coverage.js"

const replications = Number(process.env.STANDIN_BENCH_PPI_REPLICATIONS ?? 2000)
const N = 2000
const models: ReadonlyArray<ModelKind> = ["good", "useless", "biased"]
const targets: ReadonlyArray<Target> = ["mean", "difference"]
const sizes = [50, 100, 250]

const mark = (c: number) => `${c.toFixed(3)} ${withinBand(c) ? "PASS" : "MISS"}`

console.log(
  `PPI coverage: ${replications} replications per cell, N = ${N} twins-only units, target ${coverageBand.lower}–${coverageBand.upper}`,
)
console.log(
  ["model", "target", "n", "PPI", "PPI++", "PPI++ (ref.)", "classical", "PPI++/cl. width", "mean λ"]
    .map((h, i) => h.padEnd(i < 3 ? 11 : i < 5 ? 13 : 16))
    .join(""),
)
let misses = 0
const uselessRatios: Array<string> = []
let seed = 20_231_101
for (const model of models)
  for (const target of targets)
    for (const n of sizes) {
      const r = simulateCoverage({ model, target, n, N, replications, seed: seed++ })
      if (!withinBand(r.coverage.ppi)) misses++
      if (!withinBand(r.coverage.ppiPlusPlus)) misses++
      console.log(
        [model, target, String(n)].map((s) => s.padEnd(11)).join("") +
          [
            mark(r.coverage.ppi),
            mark(r.coverage.ppiPlusPlus),
            r.coverage.ppiPlusPlusReference.toFixed(3),
            r.coverage.classical.toFixed(3),
            r.widthRatio.toFixed(3),
            r.meanLambda.toFixed(3),
          ]
            .map((s, i) => s.padEnd(i < 2 ? 13 : 16))
            .join(""),
      )
      if (model === "useless")
        uselessRatios.push(
          `${target} n=${n}: ${r.widthRatio.toFixed(3)} ${r.widthRatio <= 1.02 ? "PASS" : "MISS"}`,
        )
    }
console.log(`Useless model, PPI++ width / classical width (target ≤ 1.02): ${uselessRatios.join("; ")}`)
console.log(
  misses === 0
    ? "PPI coverage: every PPI and PPI++ cell within the band"
    : `PPI coverage: ${misses} PPI/PPI++ cell(s) outside the band (Monte Carlo sd at ${replications} replications ≈ ${Math.sqrt((0.95 * 0.05) / replications).toFixed(3)})`,
)

const logisticReplications = Number(process.env.STANDIN_BENCH_PPI_LOGISTIC_REPLICATIONS ?? 400)
console.log(
  `\nLogistic treatment coefficient (y ~ 1 + treat + covariate): coverage of 95% intervals, ${logisticReplications} replications per cell, N = ${N} (for information; Monte Carlo sd ≈ ${Math.sqrt((0.95 * 0.05) / logisticReplications).toFixed(3)})`,
)
console.log(["model", "n", "PPI++", "classical", "failed fits"].map((h) => h.padEnd(12)).join(""))
for (const model of models)
  for (const n of sizes) {
    const r = simulateLogisticCoverage({ model, n, N, replications: logisticReplications, seed: seed++ })
    console.log(
      [model, String(n), r.coverage.ppiPlusPlus.toFixed(3), r.coverage.classical.toFixed(3), String(r.failed)]
        .map((cell) => cell.padEnd(12))
        .join(""),
    )
  }
