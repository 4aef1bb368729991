import type { Cell, Interval, Row, SiteData } from "../../model.js"
import { chartWidth, labelMargin, Plot, truncate } from "../charts/common.js"
import { figure, html, setHtml } from "../dom.js"
import { formatInterval, formatNumber } from "../format.js"
import { href } from "../router.js"
import { cellMarkup, emptyCellText } from "./overview.js"

/**
 * The difference of two cells' fidelity, with an interval that treats them as independent: each side is
 * the root sum of squares of the facing half-widths (conservative when both ran on the same holdout, where
 * their errors are positively correlated).
 */
export const difference = (
  a: Cell | undefined,
  b: Cell | undefined,
): { value: number; ci: Interval | null } | null => {
  if (a?.value == null || b?.value == null || a.status !== "ok" || b.status !== "ok") return null
  const value = a.value - b.value
  if (a.ci === null || b.ci === null) return { value, ci: null }
  const below = Math.sqrt((a.value - a.ci.lower) ** 2 + (b.ci.upper - b.value) ** 2)
  const above = Math.sqrt((a.ci.upper - a.value) ** 2 + (b.value - b.ci.lower) ** 2)
  return {
    value,
    ci: { lower: value - below, upper: value + above, level: Math.min(a.ci.level, b.ci.level) },
  }
}

export const renderCompare = (
  container: HTMLElement,
  site: SiteData,
  key: string,
  other: string,
): string | null => {
  const model = site.leaderboard
  const all = [...model.rows, ...model.reference]
  const a = all.find((row) => row.key === key)
  const b = all.find((row) => row.key === other)
  if (a === undefined || b === undefined) return null
  const columns = model.columns.filter((column) => column.family === null || column.study !== null)
  const label = (column: (typeof columns)[number]) =>
    column.study === null
      ? column.label
      : `${model.studies.find((study) => study.key === column.study)?.title ?? column.study}${column.family === null ? "" : ` · ${column.family}`}`
  const rows = columns.map((column) => ({
    column,
    label: label(column),
    a: a.cells[column.key],
    b: b.cells[column.key],
    difference: difference(a.cells[column.key], b.cells[column.key]),
  }))
  const side = (row: Row) =>
    html`<a href="${href.model(row.key)}">${row.label}</a> <span class="sub">${row.provider} · ${row.model}</span>`
  setHtml(
    container,
    html`<h1 tabindex="-1">Compare two configurations</h1>
    <dl class="facts compare-facts"><div><dt>A</dt><dd>${side(a)}</dd></div><div><dt>B</dt><dd>${side(b)}</dd></div></dl>
    <div id="compare-chart"></div>
    <div class="table-wrap"><table class="compare-table">
      <caption>Normalised fidelity of A and B and their difference A − B, with 95% intervals</caption>
      <thead><tr><th scope="col">Score</th><th scope="col">A</th><th scope="col">B</th><th scope="col">A − B</th></tr></thead>
      <tbody>${rows.map(
        (
          row,
        ) => html`<tr${row.column.study === null || row.column.family === null ? html` class="strong"` : ""}>
          <th scope="row">${row.label}</th>
          ${cellMarkup(row.a)}${cellMarkup(row.b)}
          <td class="num">${
            row.difference === null
              ? html`<span class="muted">${row.a?.value == null ? `A: ${emptyCellText(row.a).short}` : `B: ${emptyCellText(row.b).short}`}</span>`
              : html`<strong>${formatNumber(row.difference.value)}</strong><span class="ci">${formatInterval(row.difference.ci)}</span>`
          }</td>
        </tr>`,
      )}</tbody>
    </table></div>`,
  )
  const holder = container.querySelector<HTMLElement>("#compare-chart")!
  const points = rows.flatMap((row) =>
    row.difference === null ? [] : [{ label: row.label, ...row.difference }],
  )
  const caption = `Difference in normalised fidelity, A − B: right of 0 favours A (${a.label}), left favours B (${b.label})`
  if (points.length === 0) {
    holder.append(figure(caption, "Not available: A and B share no scored study."))
    return `${a.label} vs ${b.label}`
  }
  const width = chartWidth(holder)
  const maxChars = Math.floor((width * 0.4) / 6)
  const extent = points.flatMap((p) => [p.value, p.ci?.lower ?? p.value, p.ci?.upper ?? p.value])
  const chart = Plot.plot({
    width,
    height: 60 + points.length * 22,
    marginLeft: labelMargin(
      points.map((p) => truncate(p.label, maxChars)),
      Math.floor(width * 0.45),
    ),
    ariaLabel: caption,
    x: { grid: true, label: "A − B →", domain: [Math.min(0, ...extent), Math.max(0, ...extent)], nice: true },
    y: {
      domain: points.map((p) => p.label),
      label: null,
      tickFormat: (text: string) => truncate(text, maxChars),
    },
    marks: [
      Plot.ruleX([0], { stroke: "#555" }),
      Plot.ruleY(
        points.filter((p) => p.ci !== null),
        {
          y: "label",
          x1: (p: (typeof points)[number]) => p.ci!.lower,
          x2: (p: (typeof points)[number]) => p.ci!.upper,
          stroke: "#4269d0",
          strokeWidth: 2,
        },
      ),
      Plot.dot(points, {
        y: "label",
        x: "value",
        fill: (p: (typeof points)[number]) =>
          p.ci !== null && (p.ci.lower > 0 || p.ci.upper < 0) ? "#4269d0" : "white",
        stroke: "#4269d0",
        r: 4,
        title: (p: (typeof points)[number]) =>
          `${p.label}: ${formatNumber(p.value)} [${formatInterval(p.ci)}]`,
      }),
    ],
  })
  holder.append(
    figure(
      caption,
      chart,
      "Filled dots: the 95% interval excludes 0. Intervals treat A and B as independent, which is conservative when both ran on the same holdout.",
    ),
  )
  return `${a.label} vs ${b.label}`
}
