import type { Cell, Column, LeaderboardModel, Row, SiteData } from "../../model.js"
import { fidelityChart } from "../charts/fidelity.js"
import { figure, type Html, html, setHtml } from "../dom.js"
import { fidelityColor, formatInterval, formatNumber } from "../format.js"
import { href } from "../router.js"

export const kindLabel: Record<Row["kind"], string> = {
  model: "base model",
  finetuned: "finetuned",
  floor: "floor",
  pilot: "pilot baseline",
  ceiling: "ceiling",
}

interface SortState {
  key: string
  descending: boolean
  families: boolean
}

/** Keeps the overview's sort and column choice while people visit other pages. */
const state: SortState = { key: "overall", descending: true, families: false }

export const compareRows = (key: string, descending: boolean) => (a: Row, b: Row) => {
  const va = a.cells[key]?.value ?? null
  const vb = b.cells[key]?.value ?? null
  if (va === null && vb === null) return a.label.localeCompare(b.label)
  if (va === null) return 1
  if (vb === null) return -1
  return (descending ? vb - va : va - vb) || a.label.localeCompare(b.label)
}

export const rankText = (cell: Cell | undefined): string =>
  cell?.rank === null || cell?.rank === undefined ? "" : `${cell.tied ? "=" : ""}${cell.rank}`

export const cellMarkup = (cell: Cell | undefined, tag: "td" | "th" = "td"): Html => {
  if (cell === undefined) return html`<td class="cell missing"><span class="v">not run</span></td>`
  if (cell.status !== "ok") {
    return html`<td class="cell failed" title="${cell.note ?? cell.status}"><span class="v">${cell.status}</span></td>`
  }
  if (cell.value === null) {
    return html`<td class="cell unscored" title="${cell.note ?? "not scored"}"><span class="v">—</span></td>`
  }
  const rank = rankText(cell)
  const title = [
    `fidelity ${formatNumber(cell.value)}`,
    cell.ci === null
      ? "no interval"
      : `${Math.round(cell.ci.level * 100)}% interval ${formatInterval(cell.ci)}`,
    rank === "" ? "" : `rank ${rank}`,
    cell.note ?? "",
    cell.runs > 1 ? `${cell.runs} runs; the one shown is explained on the methods page` : "",
  ]
    .filter((part) => part !== "")
    .join("; ")
  const content = html`<span class="v">${formatNumber(cell.value)}</span>${rank === "" ? "" : html`<span class="rank" aria-label="rank ${rank}">${rank}</span>`}${cell.ci === null ? "" : html`<span class="ci">${formatInterval(cell.ci)}</span>`}`
  return tag === "td"
    ? html`<td class="cell" style="background:${fidelityColor(cell.value)}" title="${title}">${content}</td>`
    : html`<th class="cell">${content}</th>`
}

const sortButton = (column: Column, label: string): Html => {
  const active = state.key === column.key
  const arrow = active ? (state.descending ? "▼" : "▲") : "↕"
  return html`<button type="button" class="sort" data-sort="${column.key}" aria-label="Sort by ${column.study === null ? "all studies" : `${label} (${column.study})`}">${label} <span aria-hidden="true">${arrow}</span></button>`
}

const ariaSort = (column: Column): Html =>
  html`${state.key === column.key ? html` aria-sort="${state.descending ? "descending" : "ascending"}"` : ""}`

const rowMarkup = (row: Row, columns: ReadonlyArray<Column>, reference: boolean): Html => {
  const rank = reference ? "ref" : rankText(row.cells[state.key])
  return html`<tr class="${reference ? `reference ${row.kind}` : row.kind}" data-row="${row.key}">
    <td class="rank-column">${rank}</td>
    <th scope="row" class="label"><a href="${href.model(row.key)}">${row.label}</a> <span class="kind kind-${row.kind}">${kindLabel[row.kind]}</span></th>
    ${columns.map((column) => cellMarkup(row.cells[column.key]))}
  </tr>`
}

const visibleColumns = (model: LeaderboardModel): ReadonlyArray<Column> =>
  model.columns.filter((column) => column.family === null || state.families)

const headerMarkup = (model: LeaderboardModel, columns: ReadonlyArray<Column>): Html => {
  const overall = columns.find((column) => column.key === "overall")
  const groups = model.studies.map((study) => ({
    study,
    columns: columns.filter((column) => column.study === study.key),
  }))
  return html`<thead>
    <tr>
      <th scope="col" rowspan="2" class="rank-column">Rank</th>
      <th scope="col" rowspan="2" class="label">Model configuration</th>
      ${overall === undefined ? "" : html`<th scope="col" rowspan="2"${ariaSort(overall)}>${sortButton(overall, "All studies")}</th>`}
      ${groups.map(
        (group) =>
          html`<th scope="colgroup" colspan="${group.columns.length}" class="study-group"><a href="${href.study(group.study.key)}">${group.study.title}</a></th>`,
      )}
    </tr>
    <tr>
      ${groups.map((group) =>
        group.columns.map(
          (column) =>
            html`<th scope="col"${ariaSort(column)}>${sortButton(column, column.family ?? "overall")}</th>`,
        ),
      )}
    </tr>
  </thead>`
}

export const renderOverview = (container: HTMLElement, site: SiteData): string => {
  const model = site.leaderboard
  const columnCount = () => visibleColumns(model).length + 2
  setHtml(
    container,
    html`<h1 tabindex="-1">Replication leaderboard</h1>
    <p class="lead">How close each model configuration comes to real people, study by study. Scores are
      <strong>normalised fidelity</strong>: 0 is the uniform floor, 1 is another sample of real people (the human
      split-half ceiling). Bars and ranges are 95% intervals; rows whose intervals overlap share a rank
      (<a href="${href.methods()}">methods</a>).</p>
    <p class="summary">${model.rows.length} model configurations · ${model.studies.length} ${model.studies.length === 1 ? "study" : "studies"} · ${model.reference.length} reference rows · <a href="${site.downloads.leaderboardCsv}" download>leaderboard.csv</a></p>
    <div class="controls"><label class="control"><input type="checkbox" id="show-families"${state.families ? html` checked` : ""}> Show metric families</label></div>
    <div class="table-wrap"><table class="leaderboard" id="leaderboard">
      <caption>Normalised fidelity by model configuration and study</caption>
    </table></div>
    <div id="overview-chart"></div>`,
  )
  const table = container.querySelector<HTMLTableElement>("#leaderboard")!
  const chartHolder = container.querySelector<HTMLElement>("#overview-chart")!

  const renderTable = () => {
    const columns = visibleColumns(model)
    const rows = [...model.rows].sort(compareRows(state.key, state.descending))
    const sortedColumn = model.columns.find((column) => column.key === state.key)
    const caption = table.querySelector("caption")!.outerHTML
    table.innerHTML =
      caption +
      headerMarkup(model, columns).value +
      html`<tbody class="reference-rows">
        <tr class="section"><th scope="rowgroup" colspan="${columnCount()}">Reference rows (not ranked): the human ceiling, pilot baselines and the uniform floor</th></tr>
        ${model.reference.map((row) => rowMarkup(row, columns, true))}
      </tbody>
      <tbody class="ranked-rows">
        <tr class="section"><th scope="rowgroup" colspan="${columnCount()}">Model configurations, sorted by ${sortedColumn?.study === null ? "all studies" : `${sortedColumn?.label} (${sortedColumn?.study})`}</th></tr>
        ${rows.map((row) => rowMarkup(row, columns, false))}
      </tbody>`.value
    // The chart follows the table in the next task, so a sort click is answered at once.
    window.clearTimeout(pendingChart)
    pendingChart = window.setTimeout(() => renderChart(rows, sortedColumn), 0)
  }

  let pendingChart = 0
  const renderChart = (rows: ReadonlyArray<Row>, sortedColumn: Column | undefined) => {
    if (!chartHolder.isConnected) return
    const points = rows.flatMap((row) => {
      const cell = row.cells[state.key]
      return cell === undefined || cell.value === null || cell.status !== "ok"
        ? []
        : [
            {
              label: row.label,
              value: cell.value,
              lower: cell.ci?.lower ?? null,
              upper: cell.ci?.upper ?? null,
            },
          ]
    })
    const caption = `Fidelity on ${sortedColumn?.study === null ? "all studies" : `${sortedColumn?.label} (${sortedColumn?.study})`}, with 95% intervals; dashed lines mark the floor (0) and the ceiling (1).`
    chartHolder.replaceChildren(
      figure(
        caption,
        points.length === 0
          ? "Not available: no model configuration has a score in this column."
          : fidelityChart(chartHolder, points, caption),
      ),
    )
  }

  table.addEventListener("click", (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>("button[data-sort]")
    if (button === null) return
    const key = button.dataset.sort!
    state.descending = state.key === key ? !state.descending : true
    state.key = key
    renderTable()
    table.querySelector<HTMLButtonElement>(`button[data-sort="${CSS.escape(key)}"]`)?.focus()
    document.body.dataset.sortedBy = `${key}:${state.descending ? "desc" : "asc"}`
    performance.mark("standin:sorted")
  })
  container.querySelector<HTMLInputElement>("#show-families")!.addEventListener("change", (event) => {
    state.families = (event.target as HTMLInputElement).checked
    if (!state.families && model.columns.find((column) => column.key === state.key)?.family !== null) {
      state.key = "overall"
      state.descending = true
    }
    renderTable()
  })
  renderTable()
  return "Leaderboard"
}
