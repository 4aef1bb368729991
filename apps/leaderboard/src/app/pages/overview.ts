import type { Cell, Column, LeaderboardModel, Row, SiteData } from "../../model.js"
import { fidelityChart, type ReferenceLine } from "../charts/fidelity.js"
import { element, figure, type Html, html, setHtml } from "../dom.js"
import { fidelityColor, formatInterval, formatNumber } from "../format.js"
import { href } from "../router.js"
import { worthCells, worthHeaderCells } from "./worth.js"

export const kindLabel: Record<Row["kind"], string> = {
  model: "base model",
  finetuned: "finetuned",
  floor: "floor",
  pilot: "pilot baseline",
  ceiling: "ceiling",
}

/** Rows shown before "Show all": keeps the chart and the table's top within one screen. */
export const topRows = 15

interface OverviewState {
  key: string | null
  descending: boolean
  families: boolean
  search: string
  vendor: string
  kind: string
  weights: string
  elicitation: string
  all: boolean
}

/** Keeps the overview's sort, filters and column choice while people visit other pages. */
const state: OverviewState = {
  key: null,
  descending: true,
  families: false,
  search: "",
  vendor: "",
  kind: "",
  weights: "",
  elicitation: "",
  all: false,
}

/** The pilot baselines' line styles in the overview chart (the legend repeats them). */
export const pilotStyles = [
  { stroke: "#7b3294", dash: "6 3" },
  { stroke: "#008080", dash: "2 3" },
  { stroke: "#8c510a", dash: "8 2 2 2" },
]

/**
 * Sorts by a column's value (nulls last). On the ranked headline, ranked rows come first: a row without
 * a rank there averages fewer studies, so its mean is not comparable.
 */
export const compareRows = (key: string, descending: boolean, headline?: string) => (a: Row, b: Row) => {
  if (key === headline) {
    const ra = a.cells[key]?.rank ?? null
    const rb = b.cells[key]?.rank ?? null
    if ((ra === null) !== (rb === null)) return ra === null ? 1 : -1
  }
  const va = a.cells[key]?.value ?? null
  const vb = b.cells[key]?.value ?? null
  if (va === null && vb === null) return a.label.localeCompare(b.label)
  if (va === null) return 1
  if (vb === null) return -1
  return (descending ? vb - va : va - vb) || a.label.localeCompare(b.label)
}

export const rankText = (cell: Cell | undefined): string =>
  cell?.rank === null || cell?.rank === undefined ? "" : `${cell.tied ? "=" : ""}${cell.rank}`

const coverageText = (cell: Cell): string =>
  cell.coverage === undefined || cell.coverage.of === 0
    ? ""
    : `${cell.coverage.studies.length} of ${cell.coverage.of} ${cell.coverage.of === 1 ? "study" : "studies"}`

/** What a cell without a figure means, in words: never one "—" for several situations. */
export const emptyCellText = (cell: Cell | undefined): { short: string; long: string; kind: string } => {
  if (cell === undefined) return { short: "not run", long: "not run on this study", kind: "missing" }
  if (cell.status !== "ok")
    return { short: cell.status, long: cell.note ?? `the run ${cell.status}`, kind: "failed" }
  if (cell.answers !== undefined && cell.answers.valid === 0)
    return {
      short: "0 valid",
      long: `ran, but none of its ${cell.answers.twins} answers was valid`,
      kind: "no-valid",
    }
  return { short: "not scored", long: cell.note ?? "not scored", kind: "unscored" }
}

export const cellMarkup = (cell: Cell | undefined, tag: "td" | "th" = "td"): Html => {
  if (cell === undefined || cell.status !== "ok" || cell.value === null) {
    const empty = emptyCellText(cell)
    const coverage = cell === undefined ? "" : coverageText(cell)
    return html`<td class="cell ${empty.kind}" title="${empty.long}"><span class="v">${empty.short}</span>${coverage === "" ? "" : html`<span class="coverage">${coverage}</span>`}</td>`
  }
  const rank = rankText(cell)
  const coverage = coverageText(cell)
  const partial = cell.coverage !== undefined && cell.coverage.studies.length < cell.coverage.of
  const title = [
    `fidelity ${formatNumber(cell.value)}`,
    cell.ci === null
      ? "no interval"
      : `${Math.round(cell.ci.level * 100)}% interval ${formatInterval(cell.ci)}`,
    rank === "" ? "" : `rank ${rank}`,
    cell.note ?? "",
    cell.excluded ?? "",
    cell.answers !== undefined && cell.answers.valid < cell.answers.twins
      ? `${cell.answers.valid} of ${cell.answers.twins} answers valid`
      : "",
    cell.runs > 1 ? `${cell.runs} runs; the one shown is explained on the methods page` : "",
  ]
    .filter((part) => part !== "")
    .join("; ")
  const content = html`<span class="v">${formatNumber(cell.value)}</span>${rank === "" ? "" : html`<span class="rank" aria-label="rank ${rank}">${rank}</span>`}${cell.ci === null ? "" : html`<span class="ci">${formatInterval(cell.ci)}</span>`}${partial ? html`<span class="coverage">${coverage}</span>` : ""}${cell.excluded === undefined ? "" : html`<span class="coverage">⚑ not in cross-study means</span>`}`
  const classes = `cell${partial ? " partial" : ""}${cell.excluded === undefined ? "" : " excluded"}`
  return tag === "td"
    ? html`<td class="${classes}" style="background:${fidelityColor(cell.value)}" title="${title}">${content}</td>`
    : html`<th class="cell">${content}</th>`
}

const columnName = (model: LeaderboardModel, column: Column | undefined): string => {
  if (column === undefined) return ""
  if (column.key === "common") return `the common studies (${commonTitles(model)})`
  if (column.study === null)
    return model.crossStudy.flagged.length === 0
      ? "all studies (each configuration's mean over the studies it was scored on)"
      : `all studies but the flagged (each configuration's mean over the studies it was scored on)`
  const title = model.studies.find((study) => study.key === column.study)?.title ?? column.study
  return column.family === null ? `${title} (overall)` : `${title}, ${column.family}`
}

const commonTitles = (model: LeaderboardModel): string =>
  model.crossStudy.common
    .map((key) => model.studies.find((study) => study.key === key)?.title ?? key)
    .join(", ")

const sortButton = (model: LeaderboardModel, column: Column, label: string): Html => {
  const active = state.key === column.key
  const arrow = active ? (state.descending ? "▼" : "▲") : "↕"
  return html`<button type="button" class="sort" data-sort="${column.key}" aria-label="Sort by ${column.study === null ? column.label.toLowerCase() : `${column.family ?? "overall"} (${column.study})`}">${label} <span aria-hidden="true">${arrow}</span></button>`
}

const ariaSort = (column: Column): Html =>
  html`${state.key === column.key ? html` aria-sort="${state.descending ? "descending" : "ascending"}"` : ""}`

const rowMarkup = (
  model: LeaderboardModel,
  row: Row,
  columns: ReadonlyArray<Column>,
  reference: boolean,
): Html => {
  const rank = reference ? "ref" : rankText(row.cells[state.key!])
  const cross = columns.filter((column) => column.study === null)
  const perStudy = columns.filter((column) => column.study !== null)
  return html`<tr class="${reference ? `reference ${row.kind}` : row.kind}" data-row="${row.key}">
    <td class="rank-column">${rank}</td>
    <th scope="row" class="label"><a href="${href.model(row.key)}">${row.label}</a> <span class="kind kind-${row.kind}">${kindLabel[row.kind]}</span></th>
    ${cross.map((column) => cellMarkup(row.cells[column.key]))}
    ${worthCells(model, row)}
    ${perStudy.map((column) => cellMarkup(row.cells[column.key]))}
  </tr>`
}

const visibleColumns = (model: LeaderboardModel): ReadonlyArray<Column> =>
  model.columns.filter((column) => column.family === null || state.families)

const headerMarkup = (model: LeaderboardModel, columns: ReadonlyArray<Column>): Html => {
  const cross = columns.filter((column) => column.study === null)
  const groups = model.studies.map((study) => ({
    study,
    columns: columns.filter((column) => column.study === study.key),
  }))
  return html`<thead>
    <tr>
      <th scope="col" rowspan="2" class="rank-column">Rank</th>
      <th scope="col" rowspan="2" class="label">Model configuration</th>
      ${cross.map(
        (column) =>
          html`<th scope="col" rowspan="2"${ariaSort(column)}${column.key === model.crossStudy.headline ? html` class="headline"` : ""}>${sortButton(model, column, column.label)}</th>`,
      )}
      ${worthHeaderCells()}
      ${groups.map(
        (group) =>
          html`<th scope="colgroup" colspan="${group.columns.length}" class="study-group${group.study.flag === null ? "" : " flagged"}"${group.study.flag === null ? "" : html` title="${group.study.flag}"`}><a href="${href.study(group.study.key)}">${group.study.title}</a>${group.study.flag === null ? "" : html` <span class="flag" aria-label="flagged: ${group.study.flag}">⚑</span>`}</th>`,
      )}
    </tr>
    <tr>
      ${groups.map((group) =>
        group.columns.map(
          (column) =>
            html`<th scope="col"${ariaSort(column)}>${sortButton(model, column, column.family ?? "overall")}</th>`,
        ),
      )}
    </tr>
  </thead>`
}

const weightsLabel: Record<Row["weights"], string> = {
  open: "open weights",
  closed: "closed weights",
  unknown: "weights unknown",
}

const matches = (row: Row): boolean => {
  if (state.vendor !== "" && row.provider !== state.vendor) return false
  if (state.kind !== "" && row.kind !== state.kind) return false
  if (state.weights !== "" && row.weights !== state.weights) return false
  if (state.elicitation !== "" && row.elicitation !== state.elicitation) return false
  const words = state.search.trim().toLowerCase().split(/\s+/).filter(Boolean)
  const text = `${row.label} ${row.provider} ${row.model} ${row.finetune?.finetuner ?? ""}`.toLowerCase()
  return words.every((word) => text.includes(word))
}

const filterSelect = (
  id: string,
  label: string,
  value: string,
  options: ReadonlyArray<{ value: string; label: string }>,
): Html =>
  html`<label class="control" for="${id}">${label} <select id="${id}" data-filter="${id}">
    <option value="">all</option>
    ${options.map((option) => html`<option value="${option.value}"${option.value === value ? html` selected` : ""}>${option.label}</option>`)}
  </select></label>`

const headlineSummary = (model: LeaderboardModel): Html => {
  const { crossStudy } = model
  const title = (key: string) => model.studies.find((study) => study.key === key)?.title ?? key
  if (model.studies.length === 0) return html``
  const common =
    crossStudy.common.length === 0
      ? html`No study was scored for at least half of the model configurations, so no cross-study rank is given; ranks per study are in each study's column.`
      : html`Ranked on ${crossStudy.common.length === model.studies.length ? "all" : "the"} ${crossStudy.common.length} common ${crossStudy.common.length === 1 ? "study" : "studies"} (scored for at least half of the configurations): <strong>${crossStudy.common.map(title).join(", ")}</strong>. ${crossStudy.ranked} ${crossStudy.ranked === 1 ? "configuration is" : "configurations are"} ranked${crossStudy.unranked > 0 ? html`; ${crossStudy.unranked} scored on fewer studies ${crossStudy.unranked === 1 ? "is" : "are"} shown with their coverage, unranked` : ""}.`
  const flagged = model.studies.filter((study) => study.flag !== null)
  return html`<p class="headline-note" id="headline-note">${common}${flagged.map(
    (study) =>
      html` <span class="flag-note">⚑ <a href="${href.study(study.key)}">${study.title}</a>: ${study.flag}.</span>`,
  )}</p>`
}

export const renderOverview = (container: HTMLElement, site: SiteData): string => {
  const model = site.leaderboard
  const headline = model.crossStudy.headline
  if (state.key === null || !model.columns.some((column) => column.key === state.key)) {
    state.key = headline
    state.descending = true
  }
  const columnCount = () => visibleColumns(model).length + 4
  const distinct = (values: ReadonlyArray<string>) => [...new Set(values)].sort()
  const vendors = distinct(model.rows.map((row) => row.provider))
  const weights = distinct(model.rows.map((row) => row.weights)) as ReadonlyArray<Row["weights"]>
  const elicitations = distinct(model.rows.map((row) => row.elicitation))
  setHtml(
    container,
    html`<h1 tabindex="-1">Replication leaderboard</h1>
    <p class="lead">How close each model configuration comes to real people. Scores are <strong>normalised
      fidelity</strong>: 0 is the uniform floor, 1 is another sample of real people (the human split-half
      ceiling); ranges are 95% intervals and rows whose intervals overlap share a rank
      (<a href="${href.methods()}">methods</a>). ${model.rows.length} model configurations ·
      ${model.studies.length} ${model.studies.length === 1 ? "study" : "studies"} ·
      <a href="${site.downloads.leaderboardCsv}" download>leaderboard.csv</a> · <a href="${site.downloads.longCsv}" download>tidy long CSV</a></p>
    ${headlineSummary(model)}
    <form class="filters" id="filters" role="search" aria-label="Filter model configurations">
      <label class="control search" for="filter-search">Search <input type="search" id="filter-search" placeholder="model, vendor…" value="${state.search}" autocomplete="off"></label>
      ${filterSelect(
        "filter-vendor",
        "Vendor",
        state.vendor,
        vendors.map((vendor) => ({ value: vendor, label: vendor })),
      )}
      ${filterSelect("filter-kind", "Kind", state.kind, [
        { value: "model", label: "base models" },
        { value: "finetuned", label: "finetuned" },
      ])}
      ${filterSelect(
        "filter-weights",
        "Weights",
        state.weights,
        weights.map((value) => ({ value, label: weightsLabel[value] })),
      )}
      ${filterSelect(
        "filter-elicitation",
        "Elicitation",
        state.elicitation,
        elicitations.map((value) => ({ value, label: value })),
      )}
      <label class="control"><input type="checkbox" id="show-families"${state.families ? html` checked` : ""}> Metric families</label>
      <span class="filter-count" id="filter-count" role="status"></span>
    </form>
    <div id="overview-chart"></div>
    <div class="table-wrap"><table class="leaderboard" id="leaderboard">
      <caption>Normalised fidelity by model configuration and study</caption>
    </table></div>
    <p class="more"><button type="button" id="show-all" hidden></button></p>`,
  )
  const table = container.querySelector<HTMLTableElement>("#leaderboard")!
  const chartHolder = container.querySelector<HTMLElement>("#overview-chart")!
  const showAll = container.querySelector<HTMLButtonElement>("#show-all")!
  const count = container.querySelector<HTMLElement>("#filter-count")!

  const renderTable = () => {
    const columns = visibleColumns(model)
    const filtered = model.rows.filter(matches).sort(compareRows(state.key!, state.descending, headline))
    const rows = state.all ? filtered : filtered.slice(0, topRows)
    const sortedColumn = model.columns.find((column) => column.key === state.key)
    const caption = table.querySelector("caption")!.outerHTML
    table.innerHTML =
      caption +
      headerMarkup(model, columns).value +
      html`<tbody class="reference-rows">
        <tr class="section"><th scope="rowgroup" colspan="${columnCount()}">Reference rows (not ranked): the human ceiling, pilot baselines and the uniform floor</th></tr>
        ${model.reference.map((row) => rowMarkup(model, row, columns, true))}
      </tbody>
      <tbody class="ranked-rows">
        <tr class="section"><th scope="rowgroup" colspan="${columnCount()}">Model configurations, sorted by ${columnName(model, sortedColumn)}${rows.length < filtered.length ? ` (top ${rows.length} of ${filtered.length})` : ""}</th></tr>
        ${rows.length === 0 ? html`<tr><td colspan="${columnCount()}" class="not-available">${model.rows.length === 0 ? "No model configuration on this board yet: the runs hold baselines only (add a model with standin run --provider <provider:model>)." : "No model configuration matches the filters."}</td></tr>` : rows.map((row) => rowMarkup(model, row, columns, false))}
      </tbody>`.value
    count.textContent =
      filtered.length === model.rows.length
        ? `${model.rows.length} configurations`
        : `${filtered.length} of ${model.rows.length} configurations match`
    showAll.hidden = filtered.length <= topRows
    showAll.textContent = state.all ? `Show the top ${topRows}` : `Show all ${filtered.length} configurations`
    // The chart follows the table in the next task, so a sort click is answered at once.
    window.clearTimeout(pendingChart)
    pendingChart = window.setTimeout(() => renderChart(rows, sortedColumn), 0)
  }

  let pendingChart = 0
  const renderChart = (rows: ReadonlyArray<Row>, sortedOn: Column | undefined) => {
    if (!chartHolder.isConnected) return
    // A board of baselines only (the main job's): the reference rows themselves, so the chart still says
    // where the pilot baselines stand between the floor and the ceiling.
    const referencesOnly = model.rows.length === 0
    const charted = referencesOnly ? model.reference : rows
    const scoredOn = (column: Column | undefined) =>
      column !== undefined && charted.some((row) => (row.cells[column.key]?.value ?? null) !== null)
    // ...and when their cross-study mean is empty (a flagged study is left out of it), their first study.
    const sortedColumn =
      referencesOnly && !scoredOn(sortedOn)
        ? (model.columns.find(
            (column) => column.study !== null && column.family === null && scoredOn(column),
          ) ?? sortedOn)
        : sortedOn
    const key = sortedColumn?.key ?? state.key!
    const points = charted.flatMap((row) => {
      const cell = row.cells[key]
      if (cell === undefined || cell.value === null || cell.status !== "ok") return []
      const partial = cell.coverage !== undefined && cell.coverage.studies.length < cell.coverage.of
      const unranked = !referencesOnly && ((key === headline && cell.rank === null) || partial)
      return [
        {
          label: row.label,
          value: cell.value,
          lower: cell.ci?.lower ?? null,
          upper: cell.ci?.upper ?? null,
          hollow: unranked,
          ...(partial ? { note: coverageText(cell) } : {}),
        },
      ]
    })
    const pilots = model.reference.filter((row) => row.kind === "pilot")
    const references: Array<ReferenceLine> = pilots.flatMap((row, i) => {
      const value = row.cells[key]?.value
      if (value === null || value === undefined) return []
      const style = pilotStyles[i % pilotStyles.length]!
      return [{ label: row.label, value, stroke: style.stroke, dash: style.dash }]
    })
    const flaggedTitles = model.studies.filter((study) => study.flag !== null).map((study) => study.title)
    const what =
      sortedColumn?.key === "overall"
        ? `Mean normalised fidelity over the studies each configuration was scored on${flaggedTitles.length === 0 ? "" : ` (${flaggedTitles.join(", ")} left out: flagged)`}`
        : sortedColumn?.key === "common"
          ? `Mean normalised fidelity over the common studies (${commonTitles(model)})`
          : `Normalised fidelity on ${columnName(model, sortedColumn)}`
    const caption = referencesOnly
      ? `${what}: no model configuration on this board yet, so the reference rows (the human ceiling, the pilot baselines and the uniform floor), with 95% intervals; each pilot baseline is also drawn as a line a model would have to beat.`
      : `${what}, with 95% intervals, in the table's order${rows.length < model.rows.length ? ` (${rows.length} of ${model.rows.length} configurations shown)` : ""}.`
    const legend = element("ul", { class: "chart-legend", "aria-label": "Legend" })
    const item = (swatch: Html, text: string) => legend.append(element("li", {}, html`${swatch} ${text}`))
    item(
      html`<span class="key-dot"></span>`,
      referencesOnly ? "reference row (not ranked)" : "ranked configuration",
    )
    if (points.some((point) => point.hollow))
      item(html`<span class="key-dot hollow"></span>`, "not ranked (scored on fewer studies)")
    item(html`<span class="key-line" style="border-color:#b35806"></span>`, "floor: uniform answers (0)")
    item(
      html`<span class="key-line" style="border-color:#1b7837"></span>`,
      "ceiling: another sample of people (1)",
    )
    for (const line of references)
      item(
        html`<span class="key-line" style="border-color:${line.stroke};border-top-style:${line.dash.startsWith("2") ? "dotted" : "dashed"}"></span>`,
        `${line.label} (pilot baseline): ${formatNumber(line.value)}`,
      )
    const chart =
      points.length === 0
        ? referencesOnly
          ? "Not available: no reference row has a score in this column."
          : "Not available: no model configuration shown has a score in this column."
        : fidelityChart(chartHolder, points, caption, references)
    const node = figure(caption, chart)
    node.id = "overview-figure"
    node.append(legend)
    chartHolder.replaceChildren(node)
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
  const form = container.querySelector<HTMLFormElement>("#filters")!
  form.addEventListener("submit", (event) => event.preventDefault())
  form.addEventListener("input", (event) => {
    const target = event.target as HTMLInputElement | HTMLSelectElement
    switch (target.id) {
      case "filter-search":
        state.search = target.value
        break
      case "filter-vendor":
        state.vendor = target.value
        break
      case "filter-kind":
        state.kind = target.value
        break
      case "filter-weights":
        state.weights = target.value
        break
      case "filter-elicitation":
        state.elicitation = target.value
        break
      case "show-families":
        state.families = (target as HTMLInputElement).checked
        if (!state.families && model.columns.find((column) => column.key === state.key)?.family !== null) {
          state.key = headline
          state.descending = true
        }
        break
      default:
        return
    }
    renderTable()
    document.body.dataset.filtered = String(Date.now())
  })
  showAll.addEventListener("click", () => {
    state.all = !state.all
    renderTable()
  })
  renderTable()
  return "Leaderboard"
}
