/**
 * The n_eff curve of a sweep: for each pilot size, how many pilot participants the pilot plus the model's twins
 * are worth (PPI++ on the headline target), beside the diagonal n_eff = n of the pilot alone. The base model's
 * points are out-of-sample; a finetune's are on the very pilot it was trained on (in-sample, hollow).
 */
import type { StudyData } from "../../model.js"
import { figure } from "../dom.js"
import { formatNumber } from "../format.js"
import { chartWidth, Plot, palette } from "./common.js"

export const neffCurveChart = (container: HTMLElement, data: StudyData): Element | null => {
  const points = data.runs.flatMap((run) =>
    run.learningCurves.flatMap((point) => {
      const worth = point.worth
      if (worth === undefined) return []
      const series = `${point.baseModel} · ${point.sampling.replace(":", " by ")}`
      return [
        ...(worth.base === null
          ? []
          : [{ series: `${series} · base model`, n: worth.n, neff: worth.base, inSample: false }]),
        ...(worth.finetuned === null
          ? []
          : [{ series: `${series} · finetuned*`, n: worth.n, neff: worth.finetuned, inSample: true }]),
      ]
    }),
  )
  if (points.length === 0) return null
  const target = data.runs.flatMap((run) => run.learningCurves).find((p) => p.worth !== undefined)
    ?.worth?.target
  const caption = `Effective sample size (PPI++ on ${target ?? "the headline target"}) against pilot size`
  // one point per series and pilot size: the mean over replicate seeds
  const grouped = new Map<
    string,
    { series: string; n: number; inSample: boolean; sum: number; count: number }
  >()
  for (const p of points) {
    const key = `${p.series}|${p.n}`
    const entry = grouped.get(key)
    if (entry === undefined)
      grouped.set(key, { series: p.series, n: p.n, inSample: p.inSample, sum: p.neff, count: 1 })
    else {
      entry.sum += p.neff
      entry.count++
    }
  }
  const means = [...grouped.values()]
    .map((g) => ({ series: g.series, n: g.n, inSample: g.inSample, neff: g.sum / g.count, seeds: g.count }))
    .sort((a, b) => a.n - b.n)
  const series = [...new Set(means.map((p) => p.series))]
  const sizes = [...new Set(means.map((p) => p.n))].sort((a, b) => a - b)
  const width = chartWidth(container, 900)
  const chart = Plot.plot({
    width,
    height: 320,
    ariaLabel: caption,
    x: { type: "log", label: "pilot size (log scale) →", grid: true },
    y: { type: "log", label: "↑ n_eff (log scale)", grid: true },
    color: { domain: series, range: palette.slice(0, Math.max(series.length, 1)), legend: true },
    marks: [
      Plot.line(
        sizes.map((n) => ({ n, neff: n })),
        { x: "n", y: "neff", stroke: "#777", strokeDasharray: "4 3" },
      ),
      Plot.line(means, { x: "n", y: "neff", stroke: "series", z: "series", strokeWidth: 2 }),
      ...[false, true].map((inSample) =>
        Plot.dot(
          means.filter((p) => p.inSample === inSample),
          {
            x: "n",
            y: "neff",
            stroke: "series",
            ...(inSample ? { fill: "white" } : { fill: "series" }),
            r: 4,
            title: (p: (typeof means)[number]) =>
              `${p.series}: n_eff ${formatNumber(p.neff, 0)} from a pilot of ${p.n}${p.seeds > 1 ? ` (mean of ${p.seeds} seeds)` : ""}${p.inSample ? " (in-sample: optimistic)" : ""}`,
          },
        ),
      ),
    ],
  })
  return figure(
    caption,
    chart,
    "The dashed diagonal is the pilot alone (n_eff = n); above it, the model's twins add participants. Hollow points (finetuned*) are in-sample: the finetune answers for the people it learnt from.",
  )
}
