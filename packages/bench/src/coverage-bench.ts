/**
 * The coverage simulation of issue 12, through the real divergence plugin: n ∈ {200, 1000} twins, true JS
 * distance ∈ {0, 0.04, 0.12} for every item, STANDIN_BENCH_COVERAGE_REPLICATIONS replications per cell (default
 * 200) with STANDIN_BENCH_COVERAGE_RESAMPLES bootstrap resamples each (default 200, fewer than a real run's 1,000 to
 * keep the bench short). Prints the coverage of the headline's 95% interval per cell and PASS or MISS against the
 * target; exits 0 either way (a miss is a finding to read, not a crash). Then the same grid for the subgroup
 * headline (the RMS over ranked levels of the corrected level distances, every level at the same true distance) with
 * STANDIN_BENCH_COVERAGE_SUBGROUP_REPLICATIONS replications (default 200) and STANDIN_BENCH_COVERAGE_SUBGROUP_RESAMPLES
 * resamples (default 50: its intervals do not use them).
 */
import { metric as divergence } from "@standin/metric-divergence"
import { metric as subgroup } from "@standin/metric-subgroup"
import {
  type CoverageResult,
  coverageCell,
  coverageMeetsTarget,
  meetsTarget,
  trueDistances,
} from "./coverage.js"

const replications = Number(process.env.STANDIN_BENCH_COVERAGE_REPLICATIONS ?? 200)
const resamples = Number(process.env.STANDIN_BENCH_COVERAGE_RESAMPLES ?? 200)
const subgroupReplications = Number(process.env.STANDIN_BENCH_COVERAGE_SUBGROUP_REPLICATIONS ?? 200)
// The subgroup headline's interval inverts its noise model; the resamples only feed the replicates.
const subgroupResamples = Number(process.env.STANDIN_BENCH_COVERAGE_SUBGROUP_RESAMPLES ?? 50)

const format = (result: CoverageResult): string => {
  const { cell } = result
  const items = Object.entries(result.itemCoverage)
    .map(([item, coverage]) => `${item} ${coverage.toFixed(3)}`)
    .join(", ")
  return `    n ${String(cell.n).padStart(5)}  true JSD ${cell.distance.toFixed(2)}  coverage ${result.coverage.toFixed(3)}  (${result.above} above, ${result.below} below)  mean estimate ${result.meanEstimate.toFixed(4)}  mean width ${result.meanWidth.toFixed(4)}${items ? `  items: ${items}` : ""}  ${meetsTarget(result) ? "PASS" : "MISS"}`
}

console.log(
  `(c) interval coverage of the divergence headline (bias-corrected JS distance), ${replications} replications per cell, ${resamples} bootstrap resamples each; target 0.93–0.97 (true 0: includes 0 at ≥ 0.93)`,
)
const start = process.hrtime.bigint()
let misses = 0
let seed = 1
const divergenceResults: Array<CoverageResult> = []
for (const n of [200, 1000]) {
  for (const distance of [0, 0.04, 0.12]) {
    const result = await coverageCell(divergence, { n, distance, replications, resamples, seed: seed++ })
    if (!meetsTarget(result)) misses++
    divergenceResults.push(result)
    console.log(format(result))
  }
}
console.log(
  `    ${misses === 0 ? "every cell meets the target" : `${misses} of 6 cells miss the target`} (${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(1)} s)`,
)

console.log(
  "(c′) the same replications: coverage of each item's total variation and W1/(k − 1) interval (Poisson bootstrap, bias-corrected) at that measure's true value (the cell's distributions; the binary item's W1 equals its TV); same target",
)
let measureMisses = 0
let measureChecks = 0
for (const result of divergenceResults) {
  const truths = trueDistances(result.cell.distance)
  const parts: Array<string> = []
  for (const measure of ["total-variation", "wasserstein"] as const) {
    for (const [item, coverage] of Object.entries(result.measureCoverage[measure])) {
      const pass = coverageMeetsTarget(result.cell.distance, coverage)
      measureChecks++
      if (!pass) measureMisses++
      parts.push(
        `${measure === "total-variation" ? "TV" : "W1"} ${item} (true ${truths[item]![measure].toFixed(3)}) ${coverage.toFixed(3)} ${pass ? "PASS" : "MISS"}`,
      )
    }
  }
  console.log(
    `    n ${String(result.cell.n).padStart(5)}  true JSD ${result.cell.distance.toFixed(2)}  ${parts.join("  ")}`,
  )
}
console.log(
  `    ${measureMisses === 0 ? "every check meets the target" : `${measureMisses} of ${measureChecks} checks miss the target`}`,
)

console.log(
  `(d) interval coverage of the subgroup headline (RMS over the ranked levels of the four persona attributes of their corrected level JS distances, each level weighted equally; every level at the true distance, levels of the simulated Berke-shaped personas, at least 30 humans to be ranked), ${subgroupReplications} replications per cell, ${subgroupResamples} bootstrap resamples each; same target`,
)
const subgroupStart = process.hrtime.bigint()
let subgroupMisses = 0
for (const n of subgroupReplications > 0 ? [200, 1000] : []) {
  for (const distance of [0, 0.04, 0.12]) {
    const result = await coverageCell(subgroup, {
      n,
      distance,
      replications: subgroupReplications,
      resamples: subgroupResamples,
      seed: seed++,
    })
    if (!meetsTarget(result)) subgroupMisses++
    console.log(format(result))
  }
}
if (subgroupReplications > 0)
  console.log(
    `    ${subgroupMisses === 0 ? "every cell meets the target" : `${subgroupMisses} of 6 cells miss the target`} (${(Number(process.hrtime.bigint() - subgroupStart) / 1e9).toFixed(1)} s)`,
  )
