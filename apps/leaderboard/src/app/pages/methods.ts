import type { SiteData } from "../../model.js"
import { html, setHtml } from "../dom.js"
import { directionText } from "../format.js"
import { worthMethods } from "./worth.js"

// Only web links from results files become links (never javascript: or data: URLs).
export const renderMethods = (container: HTMLElement, site: SiteData): string => {
  const { metrics, methods, excluded } = site.leaderboard
  setHtml(
    container,
    html`<h1 tabindex="-1">Methods</h1>
    <p class="lead">Everything on this page comes from the results files the site was built from: the metric
      definitions are the descriptors each metric plugin wrote into them.</p>
    <section aria-labelledby="normalisation"><h2 id="normalisation">Normalised fidelity</h2>
      <p>${methods.normalisation}</p>
      <p class="formula" aria-label="fidelity equals floor minus model, divided by floor minus ceiling">fidelity = (floor − model) / (floor − ceiling)</p>
    </section>
    <section aria-labelledby="ties"><h2 id="ties">Ranks and ties</h2><p>${methods.tieRule}</p></section>
    <section aria-labelledby="aggregation"><h2 id="aggregation">Rows, columns and aggregation</h2>
      <ul>${methods.aggregation.map((text) => html`<li>${text}</li>`)}</ul>
      ${excluded.fake > 0 ? html`<p>${excluded.fake} fake finetune ${excluded.fake === 1 ? "entry was" : "entries were"} left out of this site.</p>` : ""}
    </section>
    <section aria-labelledby="cross-study"><h2 id="cross-study">This leaderboard's cross-study headline</h2>
      <p>${site.leaderboard.crossStudy.common.length === 0 ? "No study was scored for at least half of the model configurations: no cross-study rank." : `Ranked on ${site.leaderboard.crossStudy.common.map((key) => site.leaderboard.studies.find((study) => study.key === key)?.title ?? key).join(", ")}: ${site.leaderboard.crossStudy.ranked} configurations ranked, ${site.leaderboard.crossStudy.unranked} shown unranked.`}
      ${site.leaderboard.studies.filter((study) => study.flag !== null).map((study) => html` ${study.title}: ${study.flag}.`)}</p>
    </section>
    ${worthMethods()}
        <section aria-labelledby="metrics"><h2 id="metrics">Metrics</h2>
      ${metrics.length === 0 ? html`<p class="not-available">Not available: the results files hold no metric descriptors.</p>` : ""}
      ${metrics.map(
        (metric) => html`<article class="metric" aria-labelledby="metric-${metric.id}">
          <h3 id="metric-${metric.id}">${metric.label} <span class="sub"><code>${metric.id}</code> ${metric.version} · family ${metric.family}</span></h3>
          <p>${metric.description}</p>
          <p><strong>Headline:</strong> ${metric.measures.find((m) => m.id === metric.headline)?.label ?? metric.headline} (${directionText(metric.direction)}); its normalised fidelity is what the leaderboard ranks.</p>
          <div class="table-wrap"><table class="measures"><caption>Measures of ${metric.label}</caption>
            <thead><tr><th scope="col">Measure</th><th scope="col">Id</th><th scope="col">Direction</th><th scope="col">Definition</th></tr></thead>
            <tbody>${metric.measures.map(
              (measure) =>
                html`<tr><th scope="row">${measure.label}</th><td><code>${measure.id}</code></td><td>${directionText(measure.direction)}</td><td>${measure.description}</td></tr>`,
            )}</tbody>
          </table></div>
          ${
            metric.citations.length === 0
              ? ""
              : html`<p class="citations"><strong>References:</strong></p><ul class="citations">${metric.citations.map(
                  (citation) =>
                    html`<li>${citation.text}${citation.url === undefined || !/^https?:\/\//.test(citation.url) ? "" : html` <a href="${citation.url}" rel="noopener">${citation.url}</a>`}</li>`,
                )}</ul>`
          }
        </article>`,
      )}
    </section>`,
  )
  return "Methods"
}
