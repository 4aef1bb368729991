import * as Plot from "@observablehq/plot"

/** Chart width from the space available (charts render once per page view). */
export const chartWidth = (container: HTMLElement, max = 1040): number =>
  Math.max(320, Math.min(max, Math.floor(container.clientWidth || max)))

/** Width of one cell of a `.chart-grid` (two columns from 1072px, as the CSS grid lays them out). */
export const gridCellWidth = (container: HTMLElement): number => {
  const width = chartWidth(container, 1500)
  return width >= 1072 ? Math.floor((width - 32) / 2) : width
}

/** Human figures are drawn in near-black; models take the categorical scheme in order. */
export const humanColor = "#222"
export const palette = [
  "#4269d0",
  "#efb118",
  "#ff725c",
  "#6cc5b0",
  "#3ca951",
  "#ff8ab7",
  "#a463f2",
  "#97bbf5",
  "#9c6b4e",
]

/** The colour of the i-th model shown (the study page's picker doubles as the legend). */
export const modelColor = (index: number): string => palette[index % palette.length]!

/** A label cut to `max` characters with an ellipsis (charts keep the whole label in their tooltips). */
export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`

/** Left margin that fits the longest label (Plot's default font is 10px; about 6px a character). */
export const labelMargin = (labels: ReadonlyArray<string>, max = 380): number =>
  Math.min(max, 16 + Math.max(6, ...labels.map((label) => label.length)) * 5.9)

/** Fidelity axes show the floor (0) and ceiling (1); far-off values are clamped to the edge and labelled. */
export const fidelityDomain = (values: ReadonlyArray<number>): [number, number] => {
  const finite = values.filter(Number.isFinite)
  const low = Math.max(-1, Math.min(-0.1, ...finite))
  const high = Math.min(2, Math.max(1.1, ...finite))
  return [low, high]
}

export const floorCeilingRules = (): ReadonlyArray<Plot.Markish> => [
  Plot.ruleX([0], { stroke: "#b35806", strokeDasharray: "4 3" }),
  Plot.ruleX([1], { stroke: "#1b7837", strokeDasharray: "4 3" }),
]

export { Plot }
