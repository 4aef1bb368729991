import { readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { bcaInterval, percentileInterval, quantileSorted } from "../src/index.js"

interface IntervalCase {
  readonly data: ReadonlyArray<number>
  readonly replicates: ReadonlyArray<number>
  readonly estimate: number
  readonly jackknife: ReadonlyArray<number>
  readonly levels: ReadonlyArray<{
    readonly alpha: number
    readonly percentile: [number, number]
    readonly bca: [number, number]
  }>
}

const here = dirname(fileURLToPath(import.meta.url))
// Made by golden/make_golden.py (numpy.quantile, numpy.percentile, scipy.stats' BCa levels).
const golden = (
  JSON.parse(readFileSync(join(here, "golden", "golden.json"), "utf8")) as {
    bootstrapIntervals: {
      quantiles: ReadonlyArray<{ sorted: Array<number>; q: Array<number>; quantile: Array<number> }>
      intervals: ReadonlyArray<IntervalCase>
    }
  }
).bootstrapIntervals

describe("bootstrap intervals against numpy and scipy", () => {
  it("quantileSorted is numpy's linear quantile (Hyndman–Fan type 7)", () => {
    for (const entry of golden.quantiles) {
      entry.q.forEach((q, index) => {
        expect(quantileSorted(entry.sorted, q), `n ${entry.sorted.length}, q ${q}`).toBeCloseTo(
          entry.quantile[index]!,
          12,
        )
      })
    }
  })

  it("percentileInterval cuts the replicates at α/2 and 1 − α/2 (numpy.percentile)", () => {
    for (const entry of golden.intervals) {
      for (const level of entry.levels) {
        const interval = percentileInterval(entry.replicates, level.alpha)!
        expect(interval.lower).toBeCloseTo(level.percentile[0], 12)
        expect(interval.upper).toBeCloseTo(level.percentile[1], 12)
        expect(interval.level).toBeCloseTo(1 - level.alpha, 12)
      }
    }
  })

  it("bcaInterval matches scipy.stats.bootstrap's BCa on the same replicates and jackknife", () => {
    for (const entry of golden.intervals) {
      // The jackknife of the mean, recomputed here from the data (and checked against the script's).
      const total = entry.data.reduce((sum, value) => sum + value, 0)
      const jackknife = entry.data.map((value) => (total - value) / (entry.data.length - 1))
      jackknife.forEach((value, index) => {
        expect(value).toBeCloseTo(entry.jackknife[index]!, 12)
      })
      for (const level of entry.levels) {
        const interval = bcaInterval(entry.replicates, entry.estimate, jackknife, level.alpha)!
        expect(interval.lower).toBeCloseTo(level.bca[0], 10)
        expect(interval.upper).toBeCloseTo(level.bca[1], 10)
        expect(interval.method).toBe("bca")
      }
    }
  })
})
