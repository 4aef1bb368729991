import { formatNumber } from "../format.js"
import { chartWidth, fidelityDomain, floorCeilingRules, Plot, truncate } from "./common.js"

export interface FidelityPoint {
  readonly label: string
  readonly value: number
  readonly lower: number | null
  readonly upper: number | null
  /** Facet (e.g. the study on the model page). */
  readonly group?: string
  /** Drawn as an open circle: shown but not ranked (e.g. scored on fewer studies). */
  readonly hollow?: boolean
  /** Said after the value in the tooltip, e.g. "1 of 2 studies". */
  readonly note?: string
}

/** A vertical reference line across the chart, e.g. a pilot baseline's score. */
export interface ReferenceLine {
  readonly label: string
  readonly value: number
  readonly stroke: string
  readonly dash: string
}

const accent = "#4269d0"

/**
 * Dots with interval bars on the fidelity axis, the floor (0), the ceiling (1) and any reference lines
 * marked. Points keep the order given (the table's sort order). Long labels are shortened to fit narrow
 * screens (the tooltip keeps the whole label).
 */
export const fidelityChart = (
  container: HTMLElement,
  points: ReadonlyArray<FidelityPoint>,
  ariaLabel: string,
  references: ReadonlyArray<ReferenceLine> = [],
): Element => {
  const [low, high] = fidelityDomain([
    ...points.flatMap((p) => [p.value, p.lower ?? p.value, p.upper ?? p.value]),
    ...references.map((line) => line.value),
  ])
  const labels = [...new Set(points.map((p) => p.label))]
  const faceted = points.some((p) => p.group !== undefined)
  const clamped = points.filter((p) => p.value < low || p.value > high)
  const width = chartWidth(container)
  // At most 40% of the width for labels; about 6 px a character at Plot's 10 px font.
  const maxChars = Math.max(12, Math.floor((width * 0.4 - 12) / 6.2))
  const longest = Math.min(maxChars, Math.max(...labels.map((label) => label.length), 8))
  const facetCount = faceted ? new Set(points.map((p) => p.group)).size : 1
  const groups = [...new Set(points.flatMap((p) => (p.group === undefined ? [] : [p.group])))]
  // Narrow screens: each label sits above its interval, across the whole width, instead of in a margin.
  const narrowScreen = width < 600
  const facetMargin = 30
  const fy = faceted ? { fy: "group" } : {}
  const stacked = narrowScreen
  const rowHeight = stacked ? 34 : faceted ? 20 : 22
  return Plot.plot({
    width,
    height: Math.max(120, labels.length * rowHeight * facetCount + 60 + (faceted ? facetCount * 26 : 0)),
    marginLeft: stacked ? 8 : 12 + longest * 6.2,
    marginRight: facetMargin,
    ariaLabel,
    x: {
      domain: [low, high],
      clamp: true,
      grid: true,
      label:
        width < 500
          ? "fidelity (0 floor, 1 ceiling) →"
          : "normalised fidelity (0 = uniform floor, 1 = human ceiling) →",
    },
    y: stacked
      ? { domain: labels, label: null, axis: null }
      : { domain: labels, label: null, tickFormat: (label: string) => truncate(label, maxChars) },
    ...(faceted
      ? {
          // Facet titles go above each facet, in full (a side margin would cut them).
          fy: { label: null, domain: groups, axis: null, padding: 0.25 },
        }
      : {}),
    ...(faceted ? { marginTop: 34 } : {}),
    marks: [
      ...floorCeilingRules(),
      ...(faceted
        ? [
            Plot.text(groups, {
              fy: (group: string) => group,
              text: (group: string) => truncate(group, Math.floor((width - 20) / 6.5)),
              frameAnchor: "top-left",
              dx: stacked ? 0 : -(12 + longest * 6.2),
              dy: -22,
              fontWeight: "bold",
              fill: "#1d232b",
            }),
          ]
        : []),
      ...(stacked
        ? [
            Plot.text(labels, {
              y: (label: string) => label,
              text: (label: string) => truncate(label, Math.floor((width - facetMargin - 10) / 5.6)),
              frameAnchor: "left",
              textAnchor: "start",
              dy: -11,
              fill: "#1d232b",
            }),
          ]
        : []),
      ...references.map((line) =>
        Plot.ruleX([line.value], { stroke: line.stroke, strokeDasharray: line.dash, strokeWidth: 1.5 }),
      ),
      Plot.ruleY(
        points.filter((p) => p.lower !== null && p.upper !== null),
        { y: "label", x1: "lower", x2: "upper", stroke: accent, strokeWidth: 2, ...fy },
      ),
      Plot.dot(points, {
        x: "value",
        y: "label",
        fill: (p: FidelityPoint) => (p.hollow === true ? "white" : accent),
        stroke: accent,
        strokeWidth: 1.5,
        r: 4,
        ...fy,
        title: (p: FidelityPoint) =>
          `${p.label}${p.group ? ` (${p.group})` : ""}: ${formatNumber(p.value)}${p.lower !== null ? ` [${formatNumber(p.lower)}, ${formatNumber(p.upper)}]` : ""}${p.note === undefined ? "" : `, ${p.note}`}${p.hollow === true ? ", not ranked" : ""}`,
      }),
      Plot.text(
        clamped.filter((p) => p.value < low),
        {
          x: () => low,
          y: "label",
          text: (p: FidelityPoint) => `◀ ${formatNumber(p.value)}`,
          textAnchor: "start",
          dx: 8,
          dy: stacked ? 4 : -8,
          fill: "#6b3100",
          ...fy,
        },
      ),
      Plot.text(
        clamped.filter((p) => p.value > high),
        {
          x: () => high,
          y: "label",
          text: (p: FidelityPoint) => `${formatNumber(p.value)} ▶`,
          textAnchor: "end",
          dx: -8,
          dy: stacked ? 4 : -8,
          fill: "#6b3100",
          ...fy,
        },
      ),
    ],
  })
}
