import type { Measure } from "@standin/core"
import type { ChartedEntry, MetricDescriptorData, StudyData } from "../../model.js"
import { figure } from "../dom.js"
import { directionText, formatNumber, qualifierLabel } from "../format.js"
import {
  chartWidth,
  fidelityDomain,
  gridCellWidth,
  humanColor,
  labelMargin,
  Plot,
  palette,
  truncate,
} from "./common.js"

/** A model chosen for the study page's charts, with the entry that stands for it on this study. */
export interface Shown {
  readonly label: string
  readonly entry: ChartedEntry
  readonly color: string
}

export const HUMAN = "Human"

/** Human first in near-black, then each model in its picker colour. */
const sourceScale = (shown: ReadonlyArray<Shown>) => ({
  domain: [HUMAN, ...shown.map((s) => s.label)],
  range: [humanColor, ...shown.map((s) => s.color)],
})

const shareOf = (counts: Readonly<Record<string, number>> | undefined, options: ReadonlyArray<string>) => {
  const total = options.reduce((sum, option) => sum + (counts?.[option] ?? 0), 0)
  return options.map((option) => (total === 0 ? null : (counts?.[option] ?? 0) / total))
}

/** Human vs synthetic answer distributions of every item in one arm ("all" pools arms). */
export const distributionCharts = (
  container: HTMLElement,
  data: StudyData,
  shown: ReadonlyArray<Shown>,
  arm: string,
): ReadonlyArray<Element> => {
  const human =
    (shown[0] ? data.runs.find((run) => run.summary.id === shown[0]!.entry.ref.run) : undefined) ??
    data.runs[0]
  const colors = sourceScale(shown)
  const sources = colors.domain
  return data.study.items.map((item) => {
    const rows: Array<{ option: string; source: string; share: number }> = []
    const humanShares = shareOf(human?.human.distributions[item.id]?.[arm], item.options)
    item.options.forEach((option, i) => {
      const value = humanShares[i]
      if (value !== null && value !== undefined) rows.push({ option, source: HUMAN, share: value })
    })
    for (const s of shown) {
      const shares = shareOf(s.entry.distributions[item.id]?.[arm], item.options)
      item.options.forEach((option, i) => {
        const value = shares[i]
        if (value !== null && value !== undefined) rows.push({ option, source: s.label, share: value })
      })
    }
    const caption = `${item.label} (${item.role}): share of answers, ${arm === "all" ? "all arms" : `arm ${arm}`}`
    if (rows.length === 0) return figure(caption, "Not available: no answer counts for this item and arm.")
    const chart = Plot.plot({
      width: gridCellWidth(container),
      height: 250,
      marginBottom: 56,
      ariaLabel: caption,
      fx: { domain: [...item.options], label: null, padding: 0.15 },
      x: { domain: sources, axis: null, paddingInner: 0.08 },
      y: { percent: true, grid: true, label: "↑ share of answers (%)" },
      color: { ...colors, legend: true },
      marks: [
        Plot.axisFx({ lineWidth: 9, label: null, anchor: "bottom" }),
        Plot.barY(rows, {
          fx: "option",
          x: "source",
          y: "share",
          fill: "source",
          title: (d: (typeof rows)[number]) => `${d.source}, ${d.option}: ${(d.share * 100).toFixed(1)}%`,
        }),
        Plot.ruleY([0]),
      ],
    })
    return figure(caption, chart)
  })
}

const measuresOf = (entry: ChartedEntry, metric: string): ReadonlyArray<Measure> =>
  entry.scores.find((score) => score.metric === metric)?.measures ?? []

/** Subgroup alignment heat map: levels × models, flagged (small) cells faded and marked ⚑. */
export const subgroupHeatmap = (
  container: HTMLElement,
  metric: MetricDescriptorData,
  measureId: string,
  item: string,
  shown: ReadonlyArray<Shown>,
): Element => {
  const descriptor = metric.measures.find((m) => m.id === measureId)
  const caption = `${metric.label}: ${descriptor?.label ?? measureId} by subgroup (${directionText(descriptor?.direction ?? metric.direction)})`
  const cells: Array<{ model: string; group: string; value: number; flagged: string | null; n: number }> = []
  for (const s of shown) {
    const byGroup = new Map<string, { values: number[]; flagged: string | null; n: number }>()
    for (const m of measuresOf(s.entry, metric.id)) {
      if (m.measure !== measureId || m.attribute === undefined || m.level === undefined || m.value === null)
        continue
      if (item !== "*" && m.item !== item) continue
      const group = `${m.attribute}: ${m.level}`
      const current = byGroup.get(group) ?? { values: [], flagged: null, n: m.n }
      current.values.push(m.value)
      current.flagged = current.flagged ?? m.flagged ?? null
      current.n = Math.min(current.n, m.n)
      byGroup.set(group, current)
    }
    for (const [group, { values, flagged, n }] of byGroup) {
      cells.push({
        model: s.label,
        group,
        value: values.reduce((a, b) => a + b, 0) / values.length,
        flagged,
        n,
      })
    }
  }
  if (cells.length === 0) return figure(caption, "Not available: no subgroup cells for this measure.")
  const groups = [...new Set(cells.map((c) => c.group))]
  const models = shown.map((s) => s.label).filter((label) => cells.some((c) => c.model === label))
  const lowerIsBetter = (descriptor?.direction ?? metric.direction) === "lower"
  const high = Math.max(...cells.map((c) => c.value))
  const low = Math.min(...cells.map((c) => c.value))
  const dark = (c: (typeof cells)[number]) => c.flagged === null && c.value > low + 0.6 * (high - low)
  const available = chartWidth(container, 1500)
  // Wide screens: a row per model, a column per group. Narrow ones: a row per group, a column per model,
  // so the many group labels read down the page instead of running off it.
  const transposed = available < 700
  type HeatCell = (typeof cells)[number]
  const groupChars = Math.max(...groups.map((group) => group.length))
  const cellMarks = (x: "group" | "model", y: "group" | "model") => [
    Plot.cell(cells, {
      x,
      y,
      fill: "value",
      fillOpacity: (c: HeatCell) => (c.flagged === null ? 1 : 0.3),
      inset: 1.5,
      title: (c: HeatCell) =>
        `${c.model}, ${c.group}: ${formatNumber(c.value, 3)} (n = ${c.n})${c.flagged === null ? "" : ` — flagged: ${c.flagged}, not ranked`}`,
    }),
    Plot.cell(
      cells.filter((c) => c.flagged !== null),
      { x, y, fill: "none", stroke: "#8a6d3b", strokeDasharray: "3 2", inset: 1.5 },
    ),
    Plot.text(cells, {
      x,
      y,
      text: (c: HeatCell) => `${c.flagged === null ? "" : "⚑"}${formatNumber(c.value)}`,
      fill: (c: HeatCell) => (dark(c) ? "#fff" : "#111"),
    }),
  ]
  const color = {
    type: "linear" as const,
    scheme: lowerIsBetter ? ("oranges" as const) : ("blues" as const),
    legend: true,
    label: `${descriptor?.label ?? measureId} (${directionText(descriptor?.direction ?? metric.direction)})`,
  }
  let chart: Element
  if (transposed) {
    const marginLeft = Math.min(Math.floor(available * 0.4), 16 + groupChars * 6)
    const columnWidth = Math.max(44, Math.floor((available - marginLeft - 10) / Math.max(1, models.length)))
    const modelChars = Math.max(4, Math.floor(columnWidth / 6))
    chart = Plot.plot({
      width: Math.min(available, marginLeft + 10 + models.length * columnWidth),
      height: 90 + groups.length * 26,
      marginLeft,
      marginTop: 40,
      ariaLabel: caption,
      x: {
        domain: models,
        label: null,
        axis: "top",
        tickFormat: (label: string) => truncate(label, modelChars),
      },
      y: { domain: groups, label: null },
      color,
      marks: cellMarks("model", "group"),
    })
  } else {
    const marginLeft = labelMargin(models)
    chart = Plot.plot({
      width: Math.min(available, marginLeft + 20 + groups.length * 64),
      height: 60 + models.length * 30 + Math.ceil(groupChars * 6 * 0.5),
      marginLeft,
      // Rotated group labels need room below (sin 30° of their length), so they never reach the next section.
      marginBottom: 20 + Math.ceil(groupChars * 6 * 0.5),
      ariaLabel: caption,
      x: { domain: groups, label: null, tickRotate: -30 },
      y: { domain: models, label: null },
      color,
      marks: cellMarks("group", "model"),
    })
  }
  return figure(caption, chart, "Faded cells marked ⚑ are under the minimum size: shown, never ranked.")
}

/**
 * A measure description in words: metric descriptors may point at their JSON fields (`details.pairs`,
 * `human`), which mean nothing to a reader of the chart.
 */
export const plainDescription = (text: string): string =>
  text
    // A parenthesis (one level of nesting inside it) that points at a field.
    .replace(/\s*\((?:[^()]|\([^()]*\))*details\.(?:[^()]|\([^()]*\))*\)/g, "")
    .split(/(?<=\.)\s+/)
    .map((sentence) => {
      // A clause that points at a field goes; the sentence keeps its full stop.
      const cut = sentence.replace(/[;,][^;,.]*details\.[\w[\].]+[^;.]*/g, "")
      return cut !== sentence && !/[.!?]$/.test(cut) ? `${cut}.` : cut
    })
    .filter((sentence) => !/details\./.test(sentence))
    .join(" ")
    .replace(/`human` and `synthetic` hold/g, "the human and synthetic figures are")
    .replace(/`([^`]+)`/g, "$1")
    .replace(/\s+([.;,])/g, "$1")
    .trim()

/** A y domain for bars that start at 0: never degenerate, so all-zero bars stay flat. */
export const barDomain = (values: ReadonlyArray<number>): [number, number] => {
  const low = Math.min(0, ...values)
  const high = Math.max(0, ...values)
  return high > low ? [low, high] : [0, 1]
}

/**
 * Every measure of a family's metrics as charts. Each measure's own value (the gap, difference or ratio its
 * label names) as a dot with its 95% interval per model; where the measure compares a human and a
 * synthetic figure, a second chart shows those two figures side by side (human in black).
 */
export const measureCharts = (
  container: HTMLElement,
  metrics: ReadonlyArray<MetricDescriptorData>,
  shown: ReadonlyArray<Shown>,
): ReadonlyArray<Element> => {
  const out: Array<Element> = []
  for (const metric of metrics) {
    for (const descriptor of metric.measures) {
      const rows = shown.flatMap((s) =>
        measuresOf(s.entry, metric.id)
          .filter((m) => m.measure === descriptor.id)
          .map((m) => ({ model: s.label, qualifier: qualifierLabel(m.key), measure: m })),
      )
      const caption = `${metric.label}: ${descriptor.label} (${directionText(descriptor.direction)})`
      const description = plainDescription(descriptor.description)
      if (rows.length === 0) continue
      const qualifiers = [...new Set(rows.map((r) => r.qualifier))].slice(0, 12)
      const kept = rows.filter((r) => qualifiers.includes(r.qualifier))
      const paired = kept.some((r) => typeof r.measure.human === "number")
      const width = gridCellWidth(container)
      const narrow = width < 600
      const points = kept.filter((r) => r.measure.value !== null)
      if (points.length === 0) {
        out.push(figure(caption, "Not scored for the models shown."))
      } else {
        const faceted = qualifiers.length > 1
        const extent = points.flatMap((p) => [
          p.measure.value!,
          p.measure.ci?.lower ?? p.measure.value!,
          p.measure.ci?.upper ?? p.measure.value!,
        ])
        const lowest = Math.min(0, ...extent)
        const highest = Math.max(...extent)
        const colorOf = new Map(shown.map((s) => [s.label, s.color]))
        const labels = shown.map((s) => s.label).filter((label) => points.some((p) => p.model === label))
        const facetMargin = faceted ? Math.min(110, Math.floor(width * 0.25)) : 24
        const maxChars = Math.floor((width * 0.4) / 6)
        out.push(
          figure(
            caption,
            Plot.plot({
              width,
              height: 60 + points.length * 22 + (faceted ? qualifiers.length * 12 : 0),
              marginLeft: labelMargin(
                labels.map((label) => truncate(label, maxChars)),
                Math.floor(width * 0.45),
              ),
              marginRight: facetMargin,
              ariaLabel: caption,
              x: {
                grid: true,
                label: `${descriptor.label} →`,
                domain: [lowest, highest > lowest ? highest : lowest + 1],
                nice: true,
              },
              y: { label: null, domain: labels, tickFormat: (label: string) => truncate(label, maxChars) },
              color: {
                domain: labels,
                range: labels.map((label) => colorOf.get(label) ?? palette[0]!),
                legend: true,
              },
              ...(faceted
                ? {
                    fy: {
                      domain: qualifiers,
                      label: null,
                      tickFormat: (q: string) => truncate(q, Math.floor(facetMargin / 6)),
                    },
                  }
                : {}),
              marks: [
                Plot.ruleX([0], { stroke: "#999" }),
                Plot.ruleY(
                  points.filter((p) => p.measure.ci !== null),
                  {
                    y: "model",
                    x1: (p: (typeof points)[number]) => p.measure.ci!.lower,
                    x2: (p: (typeof points)[number]) => p.measure.ci!.upper,
                    stroke: "model",
                    strokeWidth: 2,
                    ...(faceted ? { fy: "qualifier" } : {}),
                  },
                ),
                Plot.dot(points, {
                  y: "model",
                  x: (p: (typeof points)[number]) => p.measure.value,
                  fill: "model",
                  r: 4,
                  ...(faceted ? { fy: "qualifier" } : {}),
                  title: (p: (typeof points)[number]) =>
                    `${p.model}, ${p.qualifier}: ${formatNumber(p.measure.value, 3)}${p.measure.ci === null ? "" : ` [${formatNumber(p.measure.ci.lower, 3)}, ${formatNumber(p.measure.ci.upper, 3)}]`} (n = ${p.measure.n})${p.measure.flagged ? ` — ${p.measure.flagged}` : ""}`,
                }),
              ],
            }),
            `${description} Dots are each model's value with its 95% interval.`,
          ),
        )
      }
      if (!paired) continue
      const bars: Array<{ qualifier: string; source: string; figure: number }> = []
      for (const qualifier of qualifiers) {
        const first = kept.find((r) => r.qualifier === qualifier && typeof r.measure.human === "number")
        if (first !== undefined)
          bars.push({ qualifier, source: HUMAN, figure: first.measure.human as number })
        for (const r of kept.filter((r) => r.qualifier === qualifier)) {
          if (typeof r.measure.synthetic === "number")
            bars.push({ qualifier, source: r.model, figure: r.measure.synthetic })
        }
      }
      const colors = sourceScale(shown.filter((s) => bars.some((bar) => bar.source === s.label)))
      const allZero = bars.every((bar) => bar.figure === 0)
      const figuresCaption = `${metric.label}: the human and synthetic figures behind ${descriptor.label.toLowerCase()}`
      out.push(
        figure(
          figuresCaption,
          Plot.plot({
            width,
            height: 250,
            marginBottom: 40,
            ariaLabel: figuresCaption,
            fx: {
              domain: qualifiers,
              label: null,
              tickFormat: (q: string) =>
                truncate(q, Math.max(6, Math.floor(width / qualifiers.length / 6.5))),
            },
            x: { domain: colors.domain, axis: null, paddingInner: 0.08 },
            y: { grid: true, label: "↑ figure", domain: barDomain(bars.map((bar) => bar.figure)) },
            color: { ...colors, legend: true },
            marks: [
              Plot.axisFx({ lineWidth: narrow ? 8 : 14, label: null, anchor: "bottom" }),
              Plot.barY(bars, {
                fx: "qualifier",
                x: "source",
                y: "figure",
                fill: "source",
                title: (d: (typeof bars)[number]) =>
                  `${d.source}, ${d.qualifier}: ${formatNumber(d.figure, 3)}`,
              }),
              Plot.ruleY([0]),
              ...(allZero
                ? [
                    Plot.text(["every figure is 0"], {
                      frameAnchor: "middle",
                      fill: "#5a6472",
                    }),
                  ]
                : []),
            ],
          }),
          "Human in black, each model in its colour: the two figures the measure compares, per item or group.",
        ),
      )
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Regression recovery: the agreed `details` shape

export interface CoefficientFit {
  readonly estimate: number
  readonly se: number
  readonly lower: number
  readonly upper: number
  readonly p: number
}

export interface Coefficient {
  readonly human: CoefficientFit
  readonly synthetic: CoefficientFit | null
  readonly sign: { readonly human: string; readonly synthetic: string | null }
}

const isFit = (value: unknown): value is CoefficientFit => {
  if (typeof value !== "object" || value === null) return false
  const fit = value as Record<string, unknown>
  return ["estimate", "lower", "upper"].every((field) => typeof fit[field] === "number")
}

/** `details.analyses[analysisId].coefficients[term]`, keeping only well-formed coefficients. */
export const analysesOf = (
  entry: ChartedEntry,
  metric: string,
): Record<string, Record<string, Coefficient>> => {
  const details = entry.scores.find((score) => score.metric === metric)?.details
  const analyses = details?.analyses
  if (typeof analyses !== "object" || analyses === null) return {}
  if (Array.isArray(analyses)) return fromComparisons(analyses)
  const out: Record<string, Record<string, Coefficient>> = {}
  for (const [id, analysis] of Object.entries(analyses as Record<string, unknown>)) {
    const coefficients = (analysis as { coefficients?: unknown } | null)?.coefficients
    if (typeof coefficients !== "object" || coefficients === null) continue
    const terms: Record<string, Coefficient> = {}
    for (const [term, value] of Object.entries(coefficients as Record<string, unknown>)) {
      const c = value as {
        human?: unknown
        synthetic?: unknown
        sign?: { human?: unknown; synthetic?: unknown }
      }
      if (!isFit(c.human)) continue
      terms[term] = {
        human: c.human,
        synthetic: isFit(c.synthetic) ? c.synthetic : null,
        sign: {
          human: typeof c.sign?.human === "string" ? c.sign.human : "?",
          synthetic: typeof c.sign?.synthetic === "string" ? c.sign.synthetic : null,
        },
      }
    }
    if (Object.keys(terms).length > 0) out[id] = terms
  }
  return out
}

const signOf = (value: unknown): string | null =>
  typeof value === "string" ? value : value === 1 ? "+" : value === -1 ? "-" : value === 0 ? "0" : null

/**
 * The regression metric's own shape: `details.analyses` is a list of `{ analysis, comparison: { terms } }`, each
 * term holding the human and synthetic fits with a numeric sign (+1, −1, 0 for not significant).
 */
const fromComparisons = (analyses: ReadonlyArray<unknown>): Record<string, Record<string, Coefficient>> => {
  const out: Record<string, Record<string, Coefficient>> = {}
  for (const analysis of analyses) {
    const a = analysis as { analysis?: unknown; comparison?: { terms?: unknown } } | null
    if (typeof a?.analysis !== "string" || !Array.isArray(a.comparison?.terms)) continue
    const terms: Record<string, Coefficient> = {}
    for (const value of a.comparison.terms as ReadonlyArray<unknown>) {
      const t = value as { term?: unknown; human?: unknown; synthetic?: unknown } | null
      if (typeof t?.term !== "string" || !isFit(t.human)) continue
      const synthetic = isFit(t.synthetic) ? t.synthetic : null
      terms[t.term] = {
        human: t.human,
        synthetic,
        sign: {
          human: signOf((t.human as { sign?: unknown }).sign) ?? "?",
          synthetic: synthetic === null ? null : signOf((synthetic as { sign?: unknown }).sign),
        },
      }
    }
    if (Object.keys(terms).length > 0) out[a.analysis] = terms
  }
  return out
}

const signText = (sign: string | null): string => (sign === null ? "–" : sign.replace("-", "−"))

/** Coefficient forest plots, one per model: human vs synthetic estimates with intervals and sign agreement. */
export const forestPlot = (
  container: HTMLElement,
  metric: MetricDescriptorData,
  analysis: string,
  shown: ReadonlyArray<Shown>,
): Element => {
  const caption = `${metric.label}: coefficients of ${analysis}, human vs each model, with 95% intervals`
  const perModel = shown.flatMap((s) => {
    const coefficients = analysesOf(s.entry, metric.id)[analysis]
    return coefficients === undefined ? [] : [{ shown: s, coefficients }]
  })
  if (perModel.length === 0) return figure(caption, "Not available: no coefficient table for this analysis.")
  const terms = [...new Set(perModel.flatMap((m) => Object.keys(m.coefficients)))]
  const values = perModel.flatMap((m) =>
    Object.values(m.coefficients).flatMap((c) => [
      c.human.lower,
      c.human.upper,
      ...(c.synthetic === null ? [] : [c.synthetic.lower, c.synthetic.upper]),
    ]),
  )
  const domain = [Math.min(0, ...values), Math.max(0, ...values)]
  const holder = document.createElement("div")
  holder.className = "chart-grid forest"
  for (const { shown: s, coefficients } of perModel) {
    type Row = { term: string; source: string; fit: CoefficientFit }
    const rows: Array<Row> = Object.entries(coefficients).flatMap(([term, c]) => [
      { term, source: HUMAN, fit: c.human },
      ...(c.synthetic === null ? [] : [{ term, source: s.label, fit: c.synthetic }]),
    ])
    const signs = Object.entries(coefficients).map(([term, c]) => {
      const agree = c.sign.synthetic === c.sign.human
      return {
        term,
        agree,
        text: `${agree ? "✓" : "✗"} ${signText(c.sign.human)} / ${signText(c.sign.synthetic)}`,
      }
    })
    const agreeing = signs.filter((sign) => sign.agree).length
    const marks = [HUMAN, s.label].flatMap((source) => {
      const subset = rows.filter((r) => r.source === source)
      // Human above, synthetic below each term's line.
      const dy = source === HUMAN ? -4 : 4
      const color = source === HUMAN ? humanColor : s.color
      return [
        Plot.ruleY(subset, {
          y: "term",
          x1: (r: Row) => r.fit.lower,
          x2: (r: Row) => r.fit.upper,
          stroke: color,
          strokeWidth: 1.5,
          dy,
        }),
        Plot.dot(subset, {
          y: "term",
          x: (r: Row) => r.fit.estimate,
          fill: color,
          r: 3.5,
          dy,
          title: (r: Row) =>
            `${r.source}, ${r.term}: ${formatNumber(r.fit.estimate, 3)} [${formatNumber(r.fit.lower, 3)}, ${formatNumber(r.fit.upper, 3)}], p = ${formatNumber(r.fit.p, 3)}`,
        }),
      ]
    })
    const plot = Plot.plot({
      width: gridCellWidth(container),
      height: 50 + terms.length * 24,
      marginLeft: labelMargin(terms, 160),
      marginRight: 92,
      ariaLabel: `${caption}: ${s.label}`,
      x: { grid: true, label: "estimate →", domain, nice: true },
      y: { domain: terms, label: null },
      marks: [
        Plot.ruleX([0], { stroke: "#999" }),
        ...marks,
        Plot.text(signs, {
          y: "term",
          text: "text",
          frameAnchor: "right",
          textAnchor: "start",
          dx: 10,
          fill: (sign: (typeof signs)[number]) => (sign.agree ? "#1b7837" : "#b2182b"),
        }),
      ],
    })
    const block = document.createElement("div")
    const title = document.createElement("p")
    title.className = "facet-title"
    title.innerHTML = `<span class="swatch" style="background:${s.color}"></span>`
    title.append(`${s.label}: signs agree on ${agreeing} of ${signs.length}`)
    block.append(title, plot)
    holder.append(block)
  }
  return figure(
    caption,
    holder,
    "Black: human fit; colour: the model's fit. Right: signs human / synthetic at α = 0.05 (+ positive, − negative, 0 not significant); ✓ where they agree.",
  )
}

// ---------------------------------------------------------------------------------------------
// Learning curves

export const learningCurveChart = (
  container: HTMLElement,
  data: StudyData,
  metric: string,
  labels: ReadonlyMap<string, string>,
  baselines: ReadonlyArray<{ readonly label: string; readonly value: number }>,
): Element => {
  const caption = `Learning curves: ${metric === "overall" ? "overall fidelity" : `${metric} fidelity`} against pilot size`
  const points = data.runs.flatMap((run) =>
    run.learningCurves.flatMap((point) => {
      const fidelity = metric === "overall" ? point.overall : point.metrics[metric]
      if (fidelity === undefined || fidelity.value === null) return []
      return [
        {
          series: `${point.baseModel} · ${point.sampling.replace(":", " by ")} · ${point.arms === "all" ? "all arms" : `arm ${point.arms}`}${point.includeDemographics ? "" : " · no demographics"}`,
          size: point.pilotSize,
          value: fidelity.value,
          lower: fidelity.ci?.lower ?? null,
          upper: fidelity.ci?.upper ?? null,
          label: labels.get(point.row) ?? point.entry,
        },
      ]
    }),
  )
  if (points.length === 0) return figure(caption, "Not available: these results hold no pilot-size sweep.")
  const series = [...new Set(points.map((p) => p.series))]
  const [low, high] = fidelityDomain([
    ...points.flatMap((p) => [p.value, p.lower ?? p.value, p.upper ?? p.value]),
    ...baselines.map((b) => b.value),
  ])
  const sorted = [...points].sort((a, b) => a.size - b.size)
  const width = chartWidth(container, 900)
  const narrow = width < 600
  const chart = Plot.plot({
    width,
    height: 340,
    marginRight: narrow ? 70 : 150,
    ariaLabel: caption,
    x: {
      type: "log",
      label: narrow ? "pilot size (log) →" : "pilot size (humans the finetune saw, log scale) →",
      grid: true,
    },
    y: { domain: [low, high], clamp: true, grid: true, label: "↑ normalised fidelity" },
    color: { domain: series, range: palette.slice(0, Math.max(series.length, 1)), legend: true },
    marks: [
      Plot.ruleY([0], { stroke: "#b35806", strokeDasharray: "4 3" }),
      Plot.ruleY([1], { stroke: "#1b7837", strokeDasharray: "4 3" }),
      Plot.text(
        [
          { y: 0, t: narrow ? "floor" : "floor (uniform)" },
          { y: 1, t: narrow ? "ceiling" : "ceiling (humans)" },
        ],
        {
          y: "y",
          text: "t",
          frameAnchor: "right",
          textAnchor: "start",
          dx: 6,
          fill: "#555",
        },
      ),
      Plot.ruleY(baselines, { y: "value", stroke: "#777", strokeDasharray: "1 3" }),
      Plot.text(baselines, {
        y: "value",
        text: (b: { label: string }) => truncate(`${b.label} (base)`, narrow ? 10 : 24),
        frameAnchor: "right",
        textAnchor: "start",
        dx: 6,
        dy: 10,
        fill: "#555",
      }),
      Plot.ruleX(
        sorted.filter((p) => p.lower !== null && p.upper !== null),
        { x: "size", y1: "lower", y2: "upper", stroke: "series", strokeOpacity: 0.6 },
      ),
      Plot.line(sorted, { x: "size", y: "value", stroke: "series", z: "series", strokeWidth: 2 }),
      Plot.dot(sorted, {
        x: "size",
        y: "value",
        fill: "series",
        r: 4,
        title: (p: (typeof sorted)[number]) =>
          `${p.label}: ${formatNumber(p.value)}${p.lower === null ? "" : ` [${formatNumber(p.lower)}, ${formatNumber(p.upper)}]`} at n = ${p.size}`,
      }),
    ],
  })
  return figure(
    caption,
    chart,
    "Vertical bars are 95% intervals; dotted lines are the base models without finetuning.",
  )
}
