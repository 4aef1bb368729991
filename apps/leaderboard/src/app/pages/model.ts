import type { SiteData, StudyData } from "../../model.js"
import { fidelityChart } from "../charts/fidelity.js"
import { loadStudy } from "../data.js"
import { element, figure, html, setHtml } from "../dom.js"
import { formatCount, formatInterval, formatNumber, formatUsd } from "../format.js"
import { href } from "../router.js"
import { cellMarkup, emptyCellText, kindLabel } from "./overview.js"
import { worthSection } from "./worth.js"

/** An entry's status as it is: "ok" only when it ran and gave valid answers. */
export const statusText = (entry: {
  readonly status: string
  readonly statusReason?: string
  readonly counts: { readonly twins: number; readonly valid: number; readonly invalid: number }
}): { text: string; bad: boolean } => {
  if (entry.status !== "ok")
    return {
      text: `${entry.status}${entry.statusReason === undefined ? "" : `: ${entry.statusReason}`}`,
      bad: true,
    }
  if (entry.counts.valid === 0)
    return { text: `ran, 0 valid answers of ${formatCount(entry.counts.twins)}: nothing to score`, bad: true }
  if (entry.counts.valid < entry.counts.twins)
    return {
      text: `ok: ${formatCount(entry.counts.valid)} of ${formatCount(entry.counts.twins)} answers valid`,
      bad: false,
    }
  return { text: "ok: every answer valid", bad: false }
}

export const renderModel = async (
  container: HTMLElement,
  site: SiteData,
  key: string,
): Promise<string | null> => {
  const model = site.leaderboard
  const row = [...model.rows, ...model.reference].find((candidate) => candidate.key === key)
  if (row === undefined) return null
  const studies = model.studies.filter((study) => row.cells[study.key] !== undefined)
  const overall = row.cells.overall
  const headline = row.cells[model.crossStudy.headline]
  setHtml(
    container,
    html`<h1 tabindex="-1">${row.label}</h1>
    <dl class="facts">
      <div><dt>Kind</dt><dd>${kindLabel[row.kind]}${row.kind === "floor" || row.kind === "pilot" || row.kind === "ceiling" ? " (reference row, not ranked)" : ""}</dd></div>
      <div><dt>Provider</dt><dd><code>${row.provider}</code></dd></div>
      <div><dt>${row.finetune === undefined ? "Model" : "Base model"}</dt><dd><code>${row.model}</code></dd></div>
      ${
        row.finetune === undefined
          ? ""
          : html`<div><dt>Finetune</dt><dd>${row.finetune.finetuner}: pilot ${row.finetune.size}, ${row.finetune.arms === "all" ? "all arms" : `arm ${row.finetune.arms}`}, ${row.finetune.sampling.replace(":", " by ")}</dd></div>`
      }
      <div><dt>Elicitation</dt><dd>${row.elicitation}</dd></div>
      <div><dt>Demographics in the prompt</dt><dd>${row.includeDemographics ? "yes" : "no"}</dd></div>
      <div><dt>Weights</dt><dd>${row.weights === "unknown" ? "not known to this site" : row.weights}</dd></div>
      ${
        overall === undefined || overall.value === null
          ? html`<div><dt>All studies</dt><dd>${overall?.note ?? "—"}</dd></div>`
          : html`<div><dt>All studies</dt><dd><strong>${formatNumber(overall.value)}</strong> (${formatInterval(overall.ci)})${overall.rank === null ? "" : `, rank ${overall.tied ? "=" : ""}${overall.rank}`}<span class="sub">${overall.note ?? ""}</span></dd></div>`
      }
      ${
        headline === undefined || headline === overall
          ? ""
          : html`<div><dt>Common studies (ranked)</dt><dd>${headline.value === null ? (headline.note ?? "—") : html`<strong>${formatNumber(headline.value)}</strong> (${formatInterval(headline.ci)})${headline.rank === null ? "" : `, rank ${headline.tied ? "=" : ""}${headline.rank}`}`}</dd></div>`
      }
    </dl>
    ${
      model.rows.length + model.reference.length < 2
        ? ""
        : html`<form class="compare-form" id="compare-form"><label class="control" for="compare-with">Compare with <select id="compare-with">${[
            ...model.rows,
            ...model.reference,
          ]
            .filter((other) => other.key !== row.key)
            .map(
              (other) => html`<option value="${other.key}">${other.label}</option>`,
            )}</select></label> <button type="submit">Compare</button></form>`
    }
    <div id="model-chart"></div>
    <h2>Scores by study</h2>
    <div class="table-wrap"><table class="model-table">
      <caption>Normalised fidelity of ${row.label}, per study and metric family</caption>
      <thead><tr><th scope="col">Study</th><th scope="col">Overall</th><th scope="col">Families</th></tr></thead>
      <tbody>${model.studies.map((study) => {
        const cell = row.cells[study.key]
        return html`<tr><th scope="row"><a href="${href.study(study.key)}">${study.title}</a></th>
          ${
            cell === undefined
              ? html`<td class="cell missing">not run</td><td></td>`
              : html`${cellMarkup(cell)}<td class="families">${study.families.map((family) => {
                  const familyCell = row.cells[`${study.key}|${family}`]
                  return html`<span class="family">${family}: ${familyCell?.value === null || familyCell?.value === undefined ? emptyCellText(familyCell).short : formatNumber(familyCell.value)}</span> `
                })}</td>`
          }
        </tr>`
      })}</tbody>
    </table></div>
    ${worthSection(model, row)}
    <h2>Runs</h2>
    <div id="model-runs"><p class="loading" role="status">Loading run details…</p></div>`,
  )

  const chartHolder = container.querySelector<HTMLElement>("#model-chart")!
  const points = studies.flatMap((study) =>
    [study.key, ...study.families.map((family) => `${study.key}|${family}`)].flatMap((columnKey) => {
      const cell = row.cells[columnKey]
      if (cell === undefined || cell.value === null || cell.status !== "ok") return []
      const family = columnKey.includes("|") ? columnKey.split("|")[1]! : "overall"
      return [
        {
          label: family,
          value: cell.value,
          lower: cell.ci?.lower ?? null,
          upper: cell.ci?.upper ?? null,
          group: study.title,
        },
      ]
    }),
  )
  const caption = `Fidelity of ${row.label} by study and metric family, with 95% intervals`
  chartHolder.append(
    figure(
      caption,
      points.length === 0
        ? "Not available: no scores for this configuration."
        : fidelityChart(chartHolder, points, caption),
    ),
  )

  container.querySelector<HTMLFormElement>("#compare-form")?.addEventListener("submit", (event) => {
    event.preventDefault()
    const other = container.querySelector<HTMLSelectElement>("#compare-with")!.value
    window.location.hash = href.compare(row.key, other)
  })

  const runsHolder = container.querySelector<HTMLElement>("#model-runs")!
  const loaded: Array<StudyData> = []
  try {
    for (const study of studies) loaded.push(await loadStudy(site, study.key))
  } catch (error) {
    setHtml(runsHolder, html`<p class="error" role="alert">Could not load run details: ${String(error)}</p>`)
    return row.label
  }
  const runText = (entry: (typeof loaded)[number]["entries"][number]) => {
    const run = model.studies
      .flatMap((study) => study.runs)
      .find((candidate) => candidate.id === entry.ref.run)
    return `${row.provider} ${entry.modelVersions[0] ?? row.model}${run?.date === undefined ? "" : ` · ${run.date}`} · ${run?.design ?? entry.ref.run}`
  }
  const entries = loaded.flatMap((data) =>
    data.entries.filter((entry) => entry.row === key).map((entry) => ({ data, entry })),
  )
  const table = element(
    "table",
    { class: "runs-table" },
    html`<caption>Every run of this configuration</caption>
    <thead><tr><th scope="col">Study</th><th scope="col">Run (provider, model, date, design)</th><th scope="col">Status</th><th scope="col">Twins (valid / invalid / failed)</th><th scope="col">Re-asks</th><th scope="col">Calls · tokens in/out</th><th scope="col">Cost</th><th scope="col">Model versions</th><th scope="col">Warnings</th><th scope="col">Synthetic data</th></tr></thead>
    <tbody>${entries.map(
      ({ data, entry }) => html`<tr>
        <td><a href="${href.study(data.key)}">${data.study.title}</a></td>
        <td>${runText(entry)}<span class="sub"><code>${entry.ref.run}</code></span></td>
        <td class="${statusText(entry).bad ? "failed" : ""}">${statusText(entry).text}</td>
        <td class="num">${formatCount(entry.counts.twins)} (${formatCount(entry.counts.valid)} / ${formatCount(entry.counts.invalid)} / ${formatCount(entry.counts.failed)})</td>
        <td class="num">${formatCount(entry.counts.reasks)}</td>
        <td class="num">${formatCount(entry.usage.calls)} · ${formatCount(entry.usage.inputTokens)} / ${formatCount(entry.usage.outputTokens)}</td>
        <td class="num">${formatUsd(entry.usage.costUsd)}</td>
        <td>${entry.modelVersions.length === 0 ? "—" : entry.modelVersions.map((version) => html`<code>${version}</code> `)}</td>
        <td>${entry.warnings.length === 0 ? "none" : entry.warnings.map((warning) => html`<span class="warning">${warning.message} (×${warning.count})</span> `)}</td>
        <td>${entry.download === null ? "—" : html`<a href="${entry.download}" download>CSV</a>`}</td>
      </tr>`,
    )}</tbody>`,
  )
  const wrap = element("div", { class: "table-wrap" })
  wrap.append(table)
  runsHolder.replaceChildren(wrap)
  return row.label
}
