/**
 * The coverage simulation of the regression metric's headline (issue 12), through the real plugin: n ∈ {200, 1000}
 * humans and as many twins, the headline's true coefficient distance ∈ {0, 0.05, 0.15} (two logistic analyses of the
 * simulated Berke-shaped study, every effect coefficient shifted along a fixed direction),
 * STANDIN_BENCH_COVERAGE_REGRESSION_REPLICATIONS replications per cell (default 1,000: a fit is cheap, and at 1,000 the Monte Carlo SE of a 95% coverage is 0.007, so a nominal interval is not called a MISS by chance) with
 * STANDIN_BENCH_COVERAGE_REGRESSION_RESAMPLES bootstrap resamples each (default 10: the interval inverts the Wald
 * statistic's non-central chi-square and does not use them). Prints the coverage of the headline's 95% interval per
 * cell (and each analysis's own) and PASS or MISS against the target; exits 0 either way.
 */
import { metric as regression } from "@standin/metric-regression"
import {
  type RegressionCoverageResult,
  regressionCoverageCell,
  regressionMeetsTarget,
  truthPopulation,
} from "./coverage-regression.js"

const replications = Number(process.env.STANDIN_BENCH_COVERAGE_REGRESSION_REPLICATIONS ?? 1000)
const resamples = Number(process.env.STANDIN_BENCH_COVERAGE_REGRESSION_RESAMPLES ?? 10)

const format = (result: RegressionCoverageResult): string => {
  const { cell } = result
  const analyses = Object.entries(result.analysisCoverage)
    .map(([id, coverage]) => `${id} ${coverage.toFixed(3)}`)
    .join(", ")
  return `    n ${String(cell.n).padStart(5)}  true distance ${cell.distance.toFixed(2)} (shift ${result.shift.toFixed(3)})  coverage ${result.coverage.toFixed(3)}  (${result.above} above, ${result.below} below${result.unscored > 0 ? `, ${result.unscored} unscored` : ""})  mean estimate ${result.meanEstimate.toFixed(4)}  mean width ${result.meanWidth.toFixed(4)}  analyses: ${analyses}  ${regressionMeetsTarget(result) ? "PASS" : "MISS"}`
}

console.log(
  `(e) interval coverage of the regression headline (bias-corrected coefficient distance, root mean square over two logistic analyses; interval by inverting the Wald statistic's non-central chi-square), ${replications} replications per cell, ${resamples} bootstrap resamples each; target 0.93–0.97 (true 0: includes 0 at ≥ 0.93)`,
)
const start = process.hrtime.bigint()
const population = truthPopulation()
let misses = 0
let seed = 101
for (const n of [200, 1000]) {
  for (const distance of [0, 0.05, 0.15]) {
    const result = await regressionCoverageCell(
      regression,
      { n, distance, replications, resamples, seed: seed++ },
      population,
    )
    if (!regressionMeetsTarget(result)) misses++
    console.log(format(result))
  }
}
console.log(
  `    ${misses === 0 ? "every cell meets the target" : `${misses} of 6 cells miss the target`} (${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(1)} s)`,
)
