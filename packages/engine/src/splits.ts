import type { ConfidenceInterval, Fidelity, ResultsFile, SplitFigure, SplitsSummary } from "@standin/core"
import { InputError } from "@standin/core"
import { keyedSeed, normalQuantile, studentQuantile } from "@standin/stats"
import { Effect } from "effect"
import type { RunOutcome } from "./run.js"

/**
 * Repeated pilot/holdout splits (`standin run --splits K`). Split 1 uses the run's own seed; split k > 1 uses
 * a seed derived from it, so the first split is the plain run and the others are reproducible.
 */
export const splitSeeds = (seed: number, count: number): Array<number> =>
  Array.from({ length: count }, (_, k) => (k === 0 ? seed : keyedSeed(seed, "splits", k) & 0x7fffffff))

export const splitsDescription =
  "Mean over the splits, between-split SD, and an interval combining the within-split bootstrap variance W (mean of the squared bootstrap SEs) and the between-split variance B by Rubin's rules: T = W + (1 + 1/K)·B, mean ± t(df)·√T with df = (K − 1)·(1 + W / ((1 + 1/K)·B))² (Rubin 1987). The splits' holdouts overlap, so B understates what fully independent samples would show."

/**
 * One figure across K splits: the mean, the between-split SD and the Rubin's-rules interval. `ses` are the
 * within-split bootstrap SEs (undefined where a split had none: W is then the mean over those that did, or 0).
 */
export const combineSplits = (
  values: ReadonlyArray<number | null>,
  ses: ReadonlyArray<number | undefined>,
  level = 0.95,
): Pick<SplitFigure, "mean" | "sd" | "ci"> => {
  const kept = values.flatMap((value, k) =>
    value === null || !Number.isFinite(value) ? [] : [{ value, se: ses[k] }],
  )
  const count = kept.length
  if (count === 0) return { mean: null, sd: null, ci: null }
  const mean = kept.reduce((a, b) => a + b.value, 0) / count
  if (count < 2) return { mean, sd: null, ci: null }
  const between = kept.reduce((a, b) => a + (b.value - mean) ** 2, 0) / (count - 1)
  const withSe = kept.filter((k) => k.se !== undefined && Number.isFinite(k.se))
  const within = withSe.length === 0 ? 0 : withSe.reduce((a, b) => a + b.se! ** 2, 0) / withSe.length
  const inflated = (1 + 1 / count) * between
  const total = within + inflated
  const sd = Math.sqrt(between)
  if (!(total > 0)) return { mean, sd, ci: { lower: mean, upper: mean, level, method: "splits" } }
  const df = inflated > 0 ? (count - 1) * (1 + within / inflated) ** 2 : Number.POSITIVE_INFINITY
  const quantile = Number.isFinite(df)
    ? studentQuantile(1 - (1 - level) / 2, df)
    : normalQuantile(1 - (1 - level) / 2)
  const half = quantile * Math.sqrt(total)
  const ci: ConfidenceInterval = {
    lower: mean - half,
    upper: mean + half,
    level,
    method: "splits",
    description: `Rubin's rules over ${count} splits: W = ${within.toPrecision(3)}, B = ${between.toPrecision(3)}, df = ${Number.isFinite(df) ? df.toFixed(1) : "∞"}`,
  }
  return { mean, sd, ci }
}

/**
 * The splits summary of K runs of the same design on different splits: per entry (matched by id) its overall
 * fidelity and every metric's fidelity.
 */
export const summariseSplits = (
  outcomes: ReadonlyArray<RunOutcome>,
  seeds: ReadonlyArray<number>,
  files: ReadonlyArray<string>,
): Effect.Effect<SplitsSummary, InputError> =>
  Effect.gen(function* () {
    const first = outcomes[0]
    if (first === undefined) return yield* new InputError({ flag: "--splits", message: "no split was run." })
    const figures: Array<SplitFigure> = []
    for (const entry of first.results.entries) {
      const across = outcomes.map((outcome) => outcome.results.entries.find((e) => e.id === entry.id))
      const figure = (
        name: string,
        pick: (fidelity: ResultsFile["entries"][number]["fidelity"]) => Fidelity | undefined,
      ) => {
        const picked = across.map((e) =>
          e === undefined || e.status !== "ok" ? undefined : pick(e.fidelity),
        )
        const values = picked.map((f) => f?.value ?? null)
        const level = picked.find((f) => f?.ci != null)?.ci?.level ?? 0.95
        figures.push({
          entry: entry.id,
          figure: name,
          values,
          ...combineSplits(
            values,
            picked.map((f) => f?.se),
            level,
          ),
        })
      }
      figure("overall", (fidelity) => fidelity.overall)
      for (const metric of first.results.metrics)
        figure(metric.id, (fidelity) => fidelity.perMetric[metric.id])
      // Each metric's headline too; its within-split SE is read off its interval as if normal (width / 2z).
      for (const metric of first.results.metrics) {
        const headlines = across.map((e) =>
          e === undefined || e.status !== "ok"
            ? undefined
            : e.scores.find((score) => score.metric === metric.id)?.headline,
        )
        const values = headlines.map((h) => h?.value ?? null)
        const level = headlines.find((h) => h?.ci != null)?.ci?.level ?? 0.95
        const z = normalQuantile(1 - (1 - level) / 2)
        figures.push({
          entry: entry.id,
          figure: `headline:${metric.id}`,
          values,
          ...combineSplits(
            values,
            headlines.map((h) => (h?.ci == null ? undefined : (h.ci.upper - h.ci.lower) / (2 * z))),
            level,
          ),
        })
      }
    }
    return {
      count: outcomes.length,
      seeds: [...seeds],
      splitSha256: outcomes.map((outcome) => outcome.results.manifest.splitSha256),
      files: [...files],
      description: splitsDescription,
      figures,
    }
  })
