import type { SplitFigure } from "@standin/core"
import type { ChartedEntry, Row, SiteData, StudyData, StudyEntry, StudyRun } from "../../model.js"
import { modelColor } from "../charts/common.js"
import { neffCurveChart } from "../charts/neff-curve.js"
import {
  analysesOf,
  distributionCharts,
  forestPlot,
  learningCurveChart,
  measureCharts,
  type Shown,
  subgroupHeatmap,
} from "../charts/study-charts.js"
import { loadEntries, loadStudy } from "../data.js"
import { element, figure, html, select, setHtml } from "../dom.js"
import { directionText, formatCount, formatInterval, formatNumber } from "../format.js"
import { href } from "../router.js"
import { kindLabel, rankText } from "./overview.js"
import { twinBrowser } from "./twins.js"

const defaultShown = 4

/**
 * Which models a person chose per study, each with its colour slot (kept while they browse, so a
 * model keeps its colour as others come and go).
 */
const chosen = new Map<string, Map<string, number>>()

/**
 * The best configuration, the best base model, the weakest, then the next best: a contrast to start from.
 * Without any model row, the reference rows (pilot baselines, ceiling, floor).
 */
const defaultSelection = (rows: ReadonlyArray<Row>): Map<string, number> => {
  const models = rows.filter((row) => row.kind === "model" || row.kind === "finetuned")
  const picks: Array<Row> = []
  const add = (row: Row | undefined) => {
    if (row !== undefined && !picks.includes(row) && picks.length < defaultShown) picks.push(row)
  }
  add(models[0])
  add(models.find((row) => row.kind === "model"))
  add(models[models.length - 1])
  for (const row of models) add(row)
  // A study run on the baselines only (the main job) still deserves charts: show the references then.
  if (picks.length === 0) {
    for (const kind of ["pilot", "ceiling", "floor"] as const)
      for (const row of rows) if (row.kind === kind) add(row)
  }
  return new Map(picks.map((row, slot) => [row.key, slot]))
}

const freeSlot = (selection: ReadonlyMap<string, number>): number => {
  const used = new Set(selection.values())
  let slot = 0
  while (used.has(slot)) slot++
  return slot
}

const section = (id: string, title: string, intro?: string): HTMLElement => {
  const node = element("section", { class: "study-section", "aria-labelledby": `${id}-title` })
  node.append(element("h2", { id: `${id}-title` }, html`${title}`))
  if (intro !== undefined) node.append(element("p", { class: "section-intro" }, html`${intro}`))
  return node
}

const entryFor = (data: StudyData, row: Row, studyKey: string): StudyEntry | undefined => {
  const source = row.cells[studyKey]?.source
  return source === undefined
    ? undefined
    : data.entries.find((entry) => entry.ref.run === source.run && entry.ref.entry === source.entry)
}

/**
 * A run repeated on K pilot/holdout splits (`--splits K`): each entry's overall and per-metric fidelity as the
 * mean over the splits, its between-split SD and the interval that includes the between-split variance.
 */
const splitsTable = (
  data: StudyData,
  run: StudyRun,
  listed: ReadonlyArray<{ readonly row: Row; readonly entry: StudyEntry }>,
  metrics: StudyData["metrics"],
): HTMLElement => {
  const splits = run.splits!
  const figureOf = (entry: string, figure: string) =>
    splits.figures.find((candidate) => candidate.entry === entry && candidate.figure === figure)
  const cell = (figure: SplitFigure | undefined) =>
    figure === undefined || figure.mean === null
      ? html`<td class="num missing">—</td>`
      : html`<td class="num"><strong>${formatNumber(figure.mean)}</strong><span class="ci">${formatInterval(figure.ci)}</span><span class="sd">SD ${formatNumber(figure.sd, 3)}</span></td>`
  const rows = listed.filter(
    ({ entry }) => entry.ref.run === run.summary.id && figureOf(entry.ref.entry, "overall"),
  )
  const block = element("div", { class: "splits" })
  block.append(
    element(
      "p",
      { class: "section-intro" },
      html`Run <code>${run.summary.id}</code> was repeated on ${splits.count} pilot/holdout splits (seeds ${splits.seeds.join(", ")}): each fidelity's mean over the splits, its 95% interval including the between-split variance, and the between-split SD. ${splits.description}`,
    ),
  )
  const table = element(
    "table",
    { class: "splits-table" },
    html`<caption>Fidelity over ${splits.count} splits, ${data.study.title}</caption>
    <thead><tr><th scope="col">Model configuration</th><th scope="col">Overall fidelity</th>${metrics.map((metric) => html`<th scope="col">${metric.label}</th>`)}</tr></thead>
    <tbody>${rows.map(
      ({ row, entry }) =>
        html`<tr class="${row.kind}"><th scope="row">${row.label}</th>${cell(figureOf(entry.ref.entry, "overall"))}${metrics.map((metric) => cell(figureOf(entry.ref.entry, metric.id)))}</tr>`,
    )}</tbody>`,
  )
  const wrap = element("div", { class: "table-wrap" })
  wrap.append(table)
  block.append(wrap)
  return block
}

export const renderStudy = async (
  container: HTMLElement,
  site: SiteData,
  key: string,
): Promise<string | null> => {
  const model = site.leaderboard
  const summary = model.studies.find((study) => study.key === key)
  if (summary === undefined) return null
  setHtml(
    container,
    html`<h1 tabindex="-1">${summary.title}</h1><p class="loading" role="status">Loading the study's data…</p>`,
  )
  let data: StudyData
  try {
    data = await loadStudy(site, key)
  } catch (error) {
    setHtml(
      container,
      html`<h1 tabindex="-1">${summary.title}</h1><p class="error" role="alert">Could not load this study's data: ${String(error)}</p>`,
    )
    return summary.title
  }

  // Rows on this study: reference rows first, then models by the study's overall fidelity.
  const byStudy = (a: Row, b: Row) => (b.cells[key]?.value ?? -Infinity) - (a.cells[key]?.value ?? -Infinity)
  const reference = model.reference.filter((row) => row.cells[key] !== undefined)
  const models = model.rows.filter((row) => row.cells[key] !== undefined).sort(byStudy)
  const listed = [...reference, ...models].flatMap((row) => {
    const entry = entryFor(data, row, key)
    return entry === undefined ? [] : [{ row, entry }]
  })
  // Entries without a valid answer have nothing to draw: the picker names them instead.
  const selectable = listed.filter(({ entry }) => entry.status === "ok" && entry.counts.valid > 0)
  const unchartable = listed.filter(({ entry }) => entry.status !== "ok" || entry.counts.valid === 0)
  const selection = chosen.get(key) ?? defaultSelection(selectable.map(({ row }) => row))
  chosen.set(key, selection)

  container.replaceChildren()
  container.append(
    element(
      "div",
      { class: "page-head" },
      html`<h1 tabindex="-1">${summary.title}</h1>
      <p class="citation">${data.study.citation}</p>
      <p class="summary">Study <code>${data.study.id}</code> version ${data.study.version} · ${data.study.items.length} items · arms: ${data.study.arms.map((arm) => arm.label).join(", ")} · ${summary.runs.length} ${summary.runs.length === 1 ? "run" : "runs"}:
      ${summary.runs.map(
        (run, i) =>
          html`${i > 0 ? "; " : ""}<a href="${run.download}" download>${run.id}</a> (${run.date === undefined ? "" : `${run.date}, `}holdout ${formatCount(run.holdoutSize)}, pilot ${formatCount(run.pilotSize)}, seed ${run.seed}${run.fromVersion < 1 ? html`, migrated from schema ${run.fromVersion}` : ""})`,
      )}</p>`,
    ),
  )

  if (summary.flag !== null) {
    container.append(
      element(
        "p",
        { class: "headline-note flag-note", role: "note" },
        html`⚑ This study's ${summary.flag}. Its fidelities divide by a floor-to-ceiling gap that is within noise, so they cannot rank models across studies (<a href="${href.methods()}">methods</a>).`,
      ),
    )
  }

  // 1. Metric table
  const metrics = data.metrics
  const scores = section(
    "scores",
    "Scores",
    "Each metric's headline with its 95% interval, and below it the normalised fidelity (f). Reference rows are not ranked.",
  )
  const table = element(
    "table",
    { class: "metric-table" },
    html`<caption>Metric headlines on ${summary.title}</caption>
    <thead><tr><th scope="col">Model configuration</th><th scope="col">Overall fidelity</th>
      ${metrics.map(
        (metric) =>
          html`<th scope="col"><abbr title="${metric.description}">${metric.label}</abbr><span class="sub">${metric.measures.find((m) => m.id === metric.headline)?.label ?? metric.headline}, ${directionText(metric.direction)}</span></th>`,
      )}</tr></thead>
    <tbody>${listed.map(({ row, entry }) => {
      const cell = row.cells[key]
      const rank = rankText(cell)
      return html`<tr class="${row.kind}">
        <th scope="row"><a href="${href.model(row.key)}">${row.label}</a> <span class="kind kind-${row.kind}">${kindLabel[row.kind]}</span></th>
        ${
          entry.status !== "ok"
            ? html`<td colspan="${metrics.length + 1}" class="failed">${entry.status}: ${entry.statusReason ?? "no reason recorded"}</td>`
            : entry.counts.valid === 0
              ? html`<td colspan="${metrics.length + 1}" class="no-valid">ran, but none of its ${formatCount(entry.counts.twins)} answers was valid (${formatCount(entry.counts.invalid)} invalid, ${formatCount(entry.counts.failed)} failed calls): nothing to score</td>`
              : html`<td class="num"><strong>${formatNumber(entry.fidelity.overall.value)}</strong>${rank === "" ? "" : html` <span class="rank">${rank}</span>`}<span class="ci">${formatInterval(entry.fidelity.overall.ci)}</span></td>
        ${metrics.map((metric) => {
          const headline = entry.headlines[metric.id]
          const fidelity = entry.fidelity.perMetric[metric.id]
          return headline === undefined
            ? html`<td class="num missing">not scored</td>`
            : html`<td class="num">${formatNumber(headline.value, 3)}<span class="ci">${formatInterval(headline.ci, 3)}</span><span class="f">f ${formatNumber(fidelity?.value ?? null)}</span></td>`
        })}`
        }
      </tr>`
    })}</tbody>`,
  )
  const wrap = element("div", { class: "table-wrap" })
  wrap.append(table)
  scores.append(wrap)
  for (const run of data.runs)
    if (run.splits !== undefined) scores.append(splitsTable(data, run, listed, metrics))
  container.append(scores)

  // The items as the results file records them: what every chart below is about.
  const derived = data.study.derived ?? []
  const instrument = section(
    "instrument",
    "Instrument",
    `The ${data.study.items.length} items scored, in order, with their options as offered${derived.length === 0 ? "" : `, the ${derived.length} derived ${derived.length === 1 ? "measure" : "measures"} scored like items (computed from the answers, never asked)`}, and the ${data.study.arms.length} arms.`,
  )
  const items = element(
    "table",
    { class: "instrument-table" },
    html`<caption>Items of ${summary.title}</caption>
    <thead><tr><th scope="col">Item</th><th scope="col">Role</th><th scope="col">Options, in order</th></tr></thead>
    <tbody>${data.study.items.map(
      (item) =>
        html`<tr><th scope="row">${item.label} <span class="sub"><code>${item.id}</code></span></th><td>${item.role}</td><td>${item.options.join(" · ")}</td></tr>`,
    )}${derived.map(
      (measure) =>
        html`<tr class="derived"><th scope="row">${measure.label} <span class="sub"><code>${measure.id}</code></span></th><td>derived</td><td>${derivedOptions(measure)}</td></tr>`,
    )}</tbody>`,
  )
  const itemsWrap = element("div", { class: "table-wrap" })
  itemsWrap.append(items)
  instrument.append(
    itemsWrap,
    element(
      "p",
      { class: "section-intro" },
      html`Arms: ${data.study.arms.map((arm, i) => html`${i > 0 ? "; " : ""}${arm.label} <code>${arm.id}</code>`)}.`,
    ),
  )
  // Texts the study could not take from the original (written from a published description), and what the study
  // can and cannot measure: said before any figure is read.
  const reconstructed = data.study.reconstructed ?? []
  if (reconstructed.length > 0)
    instrument.append(
      element(
        "div",
        { class: "study-reconstructed" },
        html`<h3>Reconstructed texts</h3><p class="section-intro">The originals were not available: these texts were written from the published description named after them, and twins saw the reconstruction.</p>
        <ul>${reconstructed.map((group) => html`<li>${group.texts.join(", ")}: ${group.source}</li>`)}</ul>`,
      ),
    )
  const notes = data.study.notes ?? []
  if (notes.length > 0)
    instrument.append(
      element(
        "div",
        { class: "study-notes" },
        html`<h3>What this study can and cannot measure</h3><ul>${notes.map((note) => html`<li>${note}</li>`)}</ul>`,
      ),
    )
  // The instrument as a twin of each arm faces it: one conversation, page by page (results from runs that
  // recorded it). The persona is an example; the assistant turns are where a model's answers go.
  for (const example of data.study.instrument ?? []) {
    const arm = data.study.arms.find((candidate) => candidate.id === example.arm)
    const details = element("details", { class: "conversation" })
    details.append(
      element(
        "summary",
        {},
        html`Example conversation, ${arm?.label ?? example.arm} <code>${example.arm}</code> (an example persona; a model answers each page in turn)`,
      ),
      element(
        "ol",
        { class: "turns" },
        html`${example.turns.map(
          (turn) =>
            html`<li class="turn turn-${turn.role}"><span class="role">${turn.role}${turn.page === undefined ? "" : html` · page <code>${turn.page}</code>`}</span><pre>${turn.content}</pre></li>`,
        )}`,
      ),
    )
    instrument.append(details)
  }
  container.append(instrument)

  // Each twin of the model runs, as it met the instrument (public studies only).
  const twins = section(
    "twins",
    "Twins",
    "Per twin: the persona, the arm, every answer with its validity (and why an answer was invalid), and the whole conversation: the prompts page by page as the model received them and its replies verbatim.",
  )
  twinBrowser(data, listed, twins, summary.private === true)
  container.append(twins)

  // Model picker for the charts; it doubles as their colour key.
  const picker = element("fieldset", { class: "picker" })
  const renderPicker = () => {
    picker.replaceChildren(
      element("legend", {}, html`Models in the charts below (colours as in the charts; human data in black)`),
    )
    for (const { row } of selectable) {
      const slot = selection.get(row.key)
      const label = element("label", { class: "pick" })
      const box = element("input", { type: "checkbox", value: row.key })
      box.checked = slot !== undefined
      const swatch = element("span", { class: "swatch", "aria-hidden": "true" })
      if (slot !== undefined) swatch.style.background = modelColor(slot)
      label.append(box, swatch, row.label)
      picker.append(label)
    }
    if (unchartable.length > 0) {
      picker.append(
        element(
          "p",
          { class: "picker-note" },
          html`Not in the charts: ${unchartable.map(
            ({ row, entry }, i) =>
              html`${i > 0 ? "; " : ""}${row.label} (${entry.status !== "ok" ? `${entry.status}: ${entry.statusReason ?? "no reason recorded"}` : `ran, but none of its ${entry.counts.twins} answers was valid`})`,
          )}.`,
        ),
      )
    }
  }
  renderPicker()
  const charts = element("div", { id: "study-charts" })
  container.append(picker, charts)

  let arm = "all"
  let analysis: string | undefined
  let curveMetric = "overall"
  const subgroupChoice = new Map<string, { measure: string; item: string }>()

  // Measures and answer counts load per entry, only for the entries charted.
  const charted = new Map<StudyEntry, ChartedEntry>()
  let loadFailure: string | null = null
  const loadSelected = async () => {
    const wanted = selectable
      .filter(({ row, entry }) => selection.has(row.key) && !charted.has(entry))
      .map(({ entry }) => entry)
    try {
      const loaded = await loadEntries(wanted)
      wanted.forEach((entry, i) => {
        charted.set(entry, loaded[i]!)
      })
      loadFailure = null
    } catch (error) {
      loadFailure = String(error)
    }
  }

  const renderCharts = () => {
    const focused = document.activeElement?.id
    const shown: Array<Shown> = selectable.flatMap(({ row, entry }) => {
      const full = charted.get(entry)
      return selection.has(row.key) && full !== undefined
        ? [{ label: row.label, entry: full, color: modelColor(selection.get(row.key)!) }]
        : []
    })
    charts.replaceChildren()
    if (loadFailure !== null)
      charts.append(
        element(
          "p",
          { class: "error", role: "alert" },
          html`Could not load the models' measures: ${loadFailure}`,
        ),
      )
    const empty = shown.length === 0 ? "Choose at least one model above." : null

    // 2. Distributions
    const distributions = section(
      "distributions",
      "Answer distributions",
      "Human vs synthetic answers per item, in one arm or pooled.",
    )
    distributions.append(
      select(
        "Arm",
        [
          { value: "all", label: "All arms (pooled)" },
          ...data.study.arms.map((a) => ({ value: a.id, label: a.label })),
        ],
        arm,
        (value) => {
          arm = value
          renderCharts()
        },
      ),
    )
    const grid = element("div", { class: "chart-grid" })
    grid.append(...distributionCharts(charts, data, shown, arm))
    distributions.append(grid)
    charts.append(distributions)

    // 3. Subgroups
    const subgroup = section(
      "subgroups",
      "Subgroup alignment",
      "Alignment within each level of each persona attribute.",
    )
    const subgroupMetrics = metrics.filter((m) => m.family === "subgroup")
    if (subgroupMetrics.length === 0)
      subgroup.append(figure("Subgroup alignment", "Not available: these results have no subgroup metric."))
    for (const metric of subgroupMetrics) {
      const measures = shown.flatMap(
        (s) => s.entry.scores.find((score) => score.metric === metric.id)?.measures ?? [],
      )
      const withLevels = measures.filter((m) => m.attribute !== undefined && m.level !== undefined)
      const ids = metric.measures.map((m) => m.id).filter((id) => withLevels.some((m) => m.measure === id))
      if (ids.length === 0) {
        subgroup.append(
          figure(metric.label, empty ?? "Not available: no per-level measures in these results."),
        )
        continue
      }
      const choice = subgroupChoice.get(metric.id) ?? {
        measure: ids.includes(metric.headline) ? metric.headline : ids[0]!,
        item: "*",
      }
      const items = [
        ...new Set(
          withLevels.filter((m) => m.measure === choice.measure && m.item !== undefined).map((m) => m.item!),
        ),
      ]
      const controls = element("div", { class: "controls" })
      if (ids.length > 1) {
        controls.append(
          select(
            "Measure",
            ids.map((id) => ({ value: id, label: metric.measures.find((m) => m.id === id)?.label ?? id })),
            choice.measure,
            (value) => {
              subgroupChoice.set(metric.id, { measure: value, item: "*" })
              renderCharts()
            },
            `subgroup-measure-${metric.id}`,
          ),
        )
      }
      if (items.length > 0) {
        controls.append(
          select(
            "Item",
            [
              { value: "*", label: "Mean over items" },
              ...items.map((item) => ({ value: item, label: item })),
            ],
            choice.item,
            (value) => {
              subgroupChoice.set(metric.id, { ...choice, item: value })
              renderCharts()
            },
            `subgroup-item-${metric.id}`,
          ),
        )
      }
      subgroup.append(controls, subgroupHeatmap(charts, metric, choice.measure, choice.item, shown))
    }
    charts.append(subgroup)

    // 4–5. Heterogeneity and coherence (and any family this site does not know by name).
    const known = new Set(["divergence", "subgroup", "regression"])
    const families = [...new Set(metrics.map((m) => m.family))].filter((family) => !known.has(family))
    for (const family of [
      "heterogeneity",
      "coherence",
      ...families.filter((f) => f !== "heterogeneity" && f !== "coherence"),
    ]) {
      const title =
        family === "heterogeneity"
          ? "Heterogeneity"
          : family === "coherence"
            ? "Belief–action coherence"
            : `${family[0]!.toUpperCase()}${family.slice(1)}`
      const intro =
        family === "heterogeneity"
          ? "Whether synthetic respondents vary as much as people: unique answer patterns and entropy ratios."
          : family === "coherence"
            ? "Whether believers act against their belief as often as people do."
            : undefined
      const node = section(family, title, intro)
      const familyMetrics = metrics.filter((m) => m.family === family)
      const produced = familyMetrics.length === 0 ? [] : measureCharts(charts, familyMetrics, shown)
      if (produced.length === 0) {
        node.append(figure(title, empty ?? `Not available: these results have no ${family} measures.`))
      } else {
        const grid = element("div", { class: "chart-grid" })
        grid.append(...produced)
        node.append(grid)
      }
      charts.append(node)
    }

    // 6. Regression
    const regression = section(
      "regression",
      "Regression recovery",
      "The study's declared model fitted on human and on synthetic answers.",
    )
    const regressionMetrics = metrics.filter((m) => m.family === "regression")
    if (regressionMetrics.length === 0)
      regression.append(figure("Coefficients", "Not available: these results have no regression metric."))
    for (const metric of regressionMetrics) {
      const analyses = [...new Set(shown.flatMap((s) => Object.keys(analysesOf(s.entry, metric.id))))]
      if (analyses.length === 0) {
        regression.append(
          figure(
            `${metric.label}: coefficients`,
            empty ?? "Not available: no coefficient tables in these results.",
          ),
        )
      } else {
        const current = analysis !== undefined && analyses.includes(analysis) ? analysis : analyses[0]!
        if (analyses.length > 1) {
          regression.append(
            select(
              "Analysis",
              analyses.map((a) => ({ value: a, label: a })),
              current,
              (value) => {
                analysis = value
                renderCharts()
              },
            ),
          )
        }
        regression.append(forestPlot(charts, metric, current, shown))
      }
      const grid = element("div", { class: "chart-grid" })
      grid.append(...measureCharts(charts, [metric], shown))
      regression.append(grid)
    }
    charts.append(regression)

    // 7. Learning curves
    const curves = section(
      "learning-curves",
      "Learning curves",
      "Finetuned configurations' fidelity against the size of the pilot they were trained on.",
    )
    curves.append(
      select(
        "Score",
        [
          { value: "overall", label: "Overall fidelity" },
          ...metrics.map((m) => ({ value: m.id, label: m.label })),
        ],
        curveMetric,
        (value) => {
          curveMetric = value
          renderCharts()
        },
      ),
    )
    const labels = new Map([...model.rows, ...model.reference].map((row) => [row.key, row.label]))
    const baseModels = new Set(data.runs.flatMap((run) => run.learningCurves.map((point) => point.baseModel)))
    const baselines = model.rows
      .filter((row) => row.kind === "model" && baseModels.has(row.model))
      .flatMap((row) => {
        const entry = entryFor(data, row, key)
        const fidelity =
          curveMetric === "overall" ? entry?.fidelity.overall : entry?.fidelity.perMetric[curveMetric]
        return fidelity?.value === null || fidelity?.value === undefined
          ? []
          : [{ label: row.label, value: fidelity.value }]
      })
    curves.append(learningCurveChart(charts, data, curveMetric, labels, baselines))
    const neff = neffCurveChart(charts, data)
    if (neff !== null) curves.append(neff)
    charts.append(curves)
    // Re-rendering replaced the control that had focus: give it back to its successor.
    if (focused) document.getElementById(focused)?.focus()
    document.body.dataset.charted = String(shown.length)
  }

  picker.addEventListener("change", (event) => {
    const box = event.target as HTMLInputElement
    if (box.checked) selection.set(box.value, freeSlot(selection))
    else selection.delete(box.value)
    renderPicker()
    picker.querySelector<HTMLInputElement>(`input[value="${CSS.escape(box.value)}"]`)?.focus()
    void loadSelected().then(() => {
      if (charts.isConnected) renderCharts()
    })
  })
  await loadSelected()
  renderCharts()
  return summary.title
}

/** A derived measure's levels for the instrument table: all of a few, else the range (an index has many). */
const derivedOptions = (measure: {
  readonly options: ReadonlyArray<string>
  readonly note?: string
}): string =>
  measure.options.length === 0
    ? `not scored: ${measure.note ?? "no levels"}`
    : measure.options.length <= 12
      ? measure.options.join(" · ")
      : `${measure.options[0]} … ${measure.options[measure.options.length - 1]} (${measure.options.length} values)`
