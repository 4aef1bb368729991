import { formatNumber } from "../format.js"
import { chartWidth, fidelityDomain, floorCeilingRules, Plot } from "./common.js"

export interface FidelityPoint {
  readonly label: string
  readonly value: number
  readonly lower: number | null
  readonly upper: number | null
  /** Facet (e.g. the study on the model page). */
  readonly group?: string
}

/**
 * Dots with interval bars on the fidelity axis, the floor (0) and ceiling (1) marked. Points keep
 * the order given (the table's sort order).
 */
export const fidelityChart = (
  container: HTMLElement,
  points: ReadonlyArray<FidelityPoint>,
  ariaLabel: string,
): Element => {
  const [low, high] = fidelityDomain(points.flatMap((p) => [p.value, p.lower ?? p.value, p.upper ?? p.value]))
  const labels = [...new Set(points.map((p) => p.label))]
  const faceted = points.some((p) => p.group !== undefined)
  const clamped = points.filter((p) => p.value < low || p.value > high)
  const longest = Math.max(...labels.map((label) => label.length), 8)
  return Plot.plot({
    width: chartWidth(container),
    height: Math.max(
      120,
      labels.length * (faceted ? 20 : 22) * (faceted ? new Set(points.map((p) => p.group)).size : 1) + 60,
    ),
    marginLeft: Math.min(360, 12 + longest * 6.2),
    marginRight: faceted ? 140 : 30,
    ariaLabel,
    x: {
      domain: [low, high],
      clamp: true,
      grid: true,
      label: "normalised fidelity (0 = uniform floor, 1 = human ceiling) →",
    },
    y: { domain: labels, label: null },
    ...(faceted ? { fy: { label: null, domain: [...new Set(points.map((p) => p.group))] } } : {}),
    marks: [
      ...floorCeilingRules(),
      Plot.ruleY(
        points.filter((p) => p.lower !== null && p.upper !== null),
        {
          y: "label",
          x1: "lower",
          x2: "upper",
          stroke: "#4269d0",
          strokeWidth: 2,
          ...(faceted ? { fy: "group" } : {}),
        },
      ),
      Plot.dot(points, {
        x: "value",
        y: "label",
        fill: "#4269d0",
        r: 4,
        ...(faceted ? { fy: "group" } : {}),
        title: (p: FidelityPoint) =>
          `${p.label}${p.group ? ` (${p.group})` : ""}: ${formatNumber(p.value)}${p.lower !== null ? ` [${formatNumber(p.lower)}, ${formatNumber(p.upper)}]` : ""}`,
      }),
      Plot.text(clamped, {
        x: (p: FidelityPoint) => (p.value < low ? low : high),
        y: "label",
        text: (p: FidelityPoint) =>
          p.value < low ? `◀ ${formatNumber(p.value)}` : `${formatNumber(p.value)} ▶`,
        textAnchor: "start",
        dx: 6,
        dy: -8,
        fill: "#6b3100",
        ...(faceted ? { fy: "group" } : {}),
      }),
    ],
  })
}
