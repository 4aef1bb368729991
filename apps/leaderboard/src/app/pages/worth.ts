/**
 * "Worth k humans" on the site: the overview's worth and cost columns, the model page's per-target PPI table
 * and the methods page's account of the mixed-subjects design. Figures come from each study cell's `worth`
 * (the entry's `ppi` block in results.json); nothing is computed here but formatting.
 */
import type { PpiSummary, PpiTarget } from "@standin/core"
import type { LeaderboardModel, Row } from "../../model.js"
import { type Html, html } from "../dom.js"
import { formatNumber, formatUsd } from "../format.js"
import { href } from "../router.js"

const headlineOf = (ppi: PpiSummary): PpiTarget | undefined =>
  ppi.targets.find((target) => target.id === ppi.headline)

/** The studies of a row that carry PPI figures, with them. */
const worthByStudy = (model: LeaderboardModel, row: Row) =>
  model.studies.flatMap((study) => {
    const ppi = row.cells[study.key]?.worth
    return ppi === undefined ? [] : [{ study, ppi }]
  })

const gainText = (target: PpiTarget): string =>
  target.gain === null
    ? "unbounded"
    : `${target.gain >= 0.5 ? "+" : ""}${Math.round(target.gain) === 0 ? "0" : formatNumber(target.gain, 0)}`

/** The two overview header cells (each spans the two header rows). */
export const worthHeaderCells = (): Html =>
  html`<th scope="col" rowspan="2" class="worth-column" title="Prediction-powered inference (PPI++): how many extra pilot participants the model's twins are worth on the headline target (n_eff − n). See the methods page.">Worth k humans</th>
  <th scope="col" rowspan="2" class="cost-column" title="The mixed design (pilot humans + twins) against humans alone for the same precision, at the run's price of a participant">Cost</th>`

/** The overview's worth and cost cells of one row. */
export const worthCells = (model: LeaderboardModel, row: Row): Html => {
  const parts = worthByStudy(model, row)
  if (parts.length === 0)
    return html`<td class="worth missing" title="no PPI figures in the results">—</td><td class="cost missing">—</td>`
  const several = model.studies.length > 1
  const worth = parts.map(({ study, ppi }) => {
    const target = headlineOf(ppi)
    if (target === undefined)
      return html`<span class="worth-line" title="${ppi.note}">${several ? `${study.id}: ` : ""}no target</span>`
    const title = `${target.label}: n_eff ${formatNumber(target.nEffective, 0)} from ${target.n} pilot participants (λ ${formatNumber(target.lambda)}, r ${formatNumber(target.correlation)}). ${ppi.note}`
    return html`<span class="worth-line" title="${title}"><span class="v">${gainText(target)}</span>${ppi.inSample ? html`<span class="in-sample" aria-label="in-sample: optimistic">*</span>` : ""} <span class="sub">n_eff ${formatNumber(target.nEffective, 0)}/${target.n}</span>${several ? html` <span class="sub study-tag" title="${study.title}">${study.id}</span>` : ""}</span>`
  })
  const cost = parts.map(({ study, ppi }) => {
    const c = ppi.cost
    const per =
      c.costPerEffectiveParticipantUsd === null
        ? ""
        : `${formatUsd(c.costPerEffectiveParticipantUsd)} per effective participant`
    const gain = headlineOf(ppi)?.gain
    // as the terminal: a model that adds less than one participant saves nothing worth a figure
    const noGain = gain !== null && gain !== undefined && Math.round(gain) < 1
    const text =
      c.savingUsd === null
        ? c.twinCostUsd === null
          ? "price unknown"
          : "—"
        : Math.abs(c.savingUsd) < 0.005 || (noGain && c.savingUsd > 0)
          ? "no saving"
          : c.savingUsd > 0
            ? `saves ${formatUsd(c.savingUsd)}`
            : `costs ${formatUsd(-c.savingUsd)} more`
    const title = `At ${formatUsd(c.humanCostUsd)} a participant: mixed design ${formatUsd(c.mixedDesignUsd)}, humans alone for the same precision ${formatUsd(c.humansAloneUsd)}; ${formatUsd(c.twinCostUsd)} per twin${per === "" ? "" : `; ${per}`}`
    return html`<span class="cost-line" title="${title}">${text}${several ? html` <span class="sub study-tag" title="${study.title}">${study.id}</span>` : ""}</span>`
  })
  return html`<td class="worth">${worth}</td><td class="cost">${cost}</td>`
}

const interval = (i: { readonly lower: number; readonly upper: number }) =>
  `[${formatNumber(i.lower, 3)}, ${formatNumber(i.upper, 3)}]`

/** The model page's section: per study, every PPI target with its figures and its truth check. */
export const worthSection = (model: LeaderboardModel, row: Row): Html => {
  const parts = worthByStudy(model, row)
  if (parts.length === 0) return html``
  return html`<h2 id="worth">Worth k humans</h2>
  <p>Prediction-powered inference (PPI++) on the run's pilot: the pilot's real people with their own twins'
    answers, plus the twins of everyone else. n_eff is the number of pilot participants the mixed design is
    worth; the last columns check each interval against the whole human holdout (<a href="${href.methods()}">methods</a>).</p>
  ${parts.map(
    ({ study, ppi }) => html`<div class="table-wrap"><table class="worth-table" data-study="${study.key}">
      <caption>${study.title}: PPI++ per target (${ppi.pilotTwins} pilot twins, ${ppi.holdoutTwins} holdout twins, ${Math.round((1 - ppi.alpha) * 100)}% intervals)</caption>
      <thead><tr><th scope="col">Target</th><th scope="col">n</th><th scope="col">λ</th><th scope="col">r</th><th scope="col">Pilot alone</th><th scope="col">PPI++</th><th scope="col">n_eff</th><th scope="col">Gain k</th><th scope="col">Holdout</th><th scope="col">Covered</th></tr></thead>
      <tbody>${ppi.targets.map(
        (
          target,
        ) => html`<tr data-target="${target.id}"${target.id === ppi.headline ? html` class="headline"` : ""}>
          <th scope="row">${target.label}</th><td>${target.n}</td><td>${formatNumber(target.lambda)}</td><td>${formatNumber(target.correlation)}</td>
          <td>${formatNumber(target.classical.estimate, 3)} ${interval(target.classical)}</td>
          <td>${formatNumber(target.ppi.estimate, 3)} ${interval(target.ppi)}</td>
          <td>${formatNumber(target.nEffective, 0)}</td><td>${target.gain === null ? "∞" : formatNumber(target.gain, 0)}</td>
          <td>${formatNumber(target.holdout.estimate, 3)} <span class="sub">n ${target.holdout.n}</span></td>
          <td>${target.covered ? "yes" : html`<strong>no</strong>`}</td>
        </tr>`,
      )}</tbody>
    </table></div>
    <p class="note">${ppi.inSample ? html`<strong>In-sample, optimistic:</strong> ` : ""}${ppi.note} Cost at ${formatUsd(ppi.cost.humanCostUsd)} a participant: ${
      ppi.cost.savingUsd === null
        ? "not available"
        : Math.abs(ppi.cost.savingUsd) < 0.005
          ? "the mixed design costs the same as humans alone for the same precision"
          : ppi.cost.savingUsd > 0
            ? `the mixed design saves ${formatUsd(ppi.cost.savingUsd)} for the same precision`
            : `the mixed design costs ${formatUsd(-ppi.cost.savingUsd)} more than humans alone`
    }${ppi.cost.costPerFidelityUsd === null ? "" : `; ${formatUsd(ppi.cost.costPerFidelityUsd)} per unit of fidelity`}.</p>`,
  )}`
}

/** The methods page's section on the mixed-subjects design. */
export const worthMethods = (): Html =>
  html`<section aria-labelledby="worth-k-humans"><h2 id="worth-k-humans">Worth k humans: the mixed-subjects design</h2>
    <p>A research team can pay for more participants, or for fewer participants plus a model. The mixed-subjects
      design answers which: a small pilot of real people, each with a synthetic twin answering the same
      questions, and twins for everyone else. Prediction-powered inference (PPI) combines them into estimates
      that stay valid however wrong the model is: the twins' answers on the large unlabelled set, corrected by
      how far the twins miss their own humans in the pilot (the rectifier). PPI++ weights the twins by a tuned
      λ in [0, 1]; a useless model gets λ ≈ 0 and the design falls back to the pilot alone, never worse than it.</p>
    <p><strong>n_eff</strong> = n · Var(pilot alone) / Var(PPI++) is the number of pilot participants the mixed
      design is worth; the <strong>gain</strong> k = n_eff − n is "this model adds the precision of k
      participants". Targets are each arm's mean of each item, the action item's treatment effect, and the
      treatment coefficient of each declared logistic analysis (arm and persona predictors only: a twin's answer
      to an item is a prediction, not a covariate). Each PPI interval is checked against the same quantity on the
      whole human holdout. The <strong>cost</strong> column prices the mixed design (n humans and n + N twins at
      the recorded cost per twin) against n_eff humans at the run's price of a participant
      (<code>--human-cost</code>, default $2.50).</p>
    <p>Intervals use the finite-sample variant: λ is cross-fitted over ten folds of the pilot and the intervals
      use Student t quantiles, which keeps coverage at 0.94–0.95 for pilots of 50 (the reference formula covers
      0.91–0.92 there). Figures marked * come from entries that learnt from the pilot (pilot baselines,
      finetunes): their twins answer for people they saw, so λ and n_eff are optimistic.</p>
    <p class="citations"><strong>References:</strong></p>
    <ul class="citations">
      <li>Angelopoulos, A. N., Bates, S., Fannjiang, C., Jordan, M. I. &amp; Zrnic, T. (2023). Prediction-powered inference. <em>Science</em> 382(6671), 669–674. <a href="https://doi.org/10.1126/science.adi6000" rel="noopener">https://doi.org/10.1126/science.adi6000</a></li>
      <li>Angelopoulos, A. N., Duchi, J. C. &amp; Zrnic, T. (2023). PPI++: Efficient prediction-powered inference. arXiv:2311.01453. <a href="https://arxiv.org/abs/2311.01453" rel="noopener">https://arxiv.org/abs/2311.01453</a></li>
      <li>Broska, D., Howes, M. &amp; van Loon, A. (2025). The mixed subjects design: Treating large language models as (potentially) informative observations. <em>Sociological Methods &amp; Research</em>.</li>
      <li>Egami, N., Hinck, M., Stewart, B. M. &amp; Wei, H. (2023). Using imperfect surrogates for downstream inference: Design-based supervised learning for social science applications of large language models. <em>NeurIPS 36</em>. <a href="https://arxiv.org/abs/2306.04746" rel="noopener">https://arxiv.org/abs/2306.04746</a></li>
    </ul>
  </section>`
