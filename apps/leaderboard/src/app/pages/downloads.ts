import type { SiteData } from "../../model.js"
import { html, setHtml } from "../dom.js"
import { href } from "../router.js"

export const renderDownloads = (container: HTMLElement, site: SiteData): string => {
  const { downloads, leaderboard } = site
  setHtml(
    container,
    html`<h1 tabindex="-1">Downloads</h1>
    <p class="lead">The data behind every number on this site. Synthetic datasets hold the answers each model
      gave its synthetic twins; the human holdout answers are never published.</p>
    <ul class="downloads">
      <li><a href="${downloads.leaderboardCsv}" download>leaderboard.csv</a>: every row and column of the leaderboard, with intervals, ranks and status (wide: one line per model configuration).</li>
      <li><a href="${downloads.longCsv}" download>leaderboard-long.csv</a>: tidy and long, one line per entry × study × metric × measure with its 95% interval and normalised fidelity; empty fields are missing values. Reads as is with <code>read.csv("leaderboard-long.csv")</code> in R and <code>pandas.read_csv("leaderboard-long.csv")</code>.</li>
    </ul>
    ${leaderboard.studies.map((study) => {
      const results = downloads.results.filter((item) => item.study === study.key)
      const synthetic = downloads.synthetic.filter((item) => item.study === study.key)
      return html`<section aria-labelledby="downloads-${study.key}">
        <h2 id="downloads-${study.key}"><a href="${href.study(study.key)}">${study.title}</a></h2>
        <h3>Results files</h3>
        <ul class="downloads">${results.map(
          (item) => html`<li><a href="${item.path}" download>${item.run}/results.json</a></li>`,
        )}</ul>
        <h3>Synthetic datasets (CSV)</h3>
        ${
          synthetic.length === 0
            ? html`<p class="not-available">${study.private === true ? "None: this study is private, so the site publishes its aggregates only." : "None published for this study."}</p>`
            : html`<ul class="downloads columns">${synthetic.map(
                (item) =>
                  html`<li><a href="${item.path}" download>${item.label}</a> <span class="sub">${item.run}</span></li>`,
              )}</ul>`
        }
      </section>`
    })}`,
  )
  return "Downloads"
}
