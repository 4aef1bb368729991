import type { TwinConversation } from "@standin/core"
import type { Row, StudyData, StudyEntry } from "../../model.js"
import { loadTwinPage } from "../data.js"
import { element, html, select } from "../dom.js"
import { formatCount } from "../format.js"

const answerText = (value: TwinConversation["answers"][string] | undefined): string =>
  value === null || value === undefined ? "—" : Array.isArray(value) ? value.join(", ") : String(value)

/** One twin, folded: its persona, arm, answers with validity, and the whole conversation. */
const twinCard = (data: StudyData, twin: TwinConversation): HTMLElement => {
  const arm = data.study.arms.find((candidate) => candidate.id === twin.arm)?.label ?? twin.arm
  const invalidItems = Object.keys(twin.invalid)
  const verdict = twin.failure
    ? `failed (${twin.failure.reason})`
    : twin.valid
      ? "valid"
      : `invalid: ${invalidItems.join(", ")}`
  const card = element("details", {
    class: `twin ${twin.valid ? "twin-valid" : "twin-invalid"}`,
  })
  card.append(
    element(
      "summary",
      {},
      html`<code>${twin.twinId}</code>${twin.replicate > 0 ? html` (replicate ${twin.replicate + 1})` : ""} · ${arm} · <span class="verdict">${verdict}</span>`,
    ),
    element(
      "p",
      { class: "persona" },
      html`<strong>Persona:</strong> ${Object.entries(twin.persona).map(
        ([attribute, level], i) =>
          html`${i > 0 ? "; " : ""}${attribute}: ${Array.isArray(level) ? level.join(", ") : level}`,
      )} · <strong>Arm:</strong> ${arm} <code>${twin.arm}</code> · elicitation ${twin.elicitation}`,
    ),
  )
  const answers = element(
    "table",
    { class: "twin-answers" },
    html`<caption>Answers of ${twin.twinId}</caption>
    <thead><tr><th scope="col">Item</th><th scope="col">Answer</th><th scope="col">Validity</th></tr></thead>
    <tbody>${data.study.items.map((item) => {
      const reason = twin.invalid[item.id]
      return html`<tr class="${reason === undefined ? "" : "invalid"}"><th scope="row">${item.label}</th><td>${answerText(twin.answers[item.id])}</td><td>${reason === undefined ? "valid" : html`invalid: ${reason}`}</td></tr>`
    })}</tbody>`,
  )
  const wrap = element("div", { class: "table-wrap" })
  wrap.append(answers)
  card.append(wrap)
  if (twin.failure !== undefined)
    card.append(
      element(
        "p",
        { class: "failed" },
        html`The call failed for good (${twin.failure.reason}): ${twin.failure.message}`,
      ),
    )
  card.append(
    element(
      "ol",
      { class: "turns" },
      html`${twin.turns.map(
        (turn) =>
          html`<li class="turn turn-${turn.role}"><span class="role">${turn.role === "assistant" ? "model reply" : turn.role}${turn.page === undefined ? "" : html` · page <code>${turn.page}</code>`}${turn.attempts !== undefined && turn.attempts > 1 ? ` · ${turn.attempts} calls (re-asked)` : ""}</span><pre>${turn.content}</pre>${turn.carried === undefined || turn.carried === turn.content ? "" : html`<span class="carried">restated to the model on later pages as <code>${turn.carried}</code></span>`}</li>`,
      )}`,
    ),
  )
  return card
}

/**
 * The twin browser: per model entry whose run recorded conversations, its first twins by id, a page at a time
 * (each page a script loaded on demand). Private studies show none.
 */
export const twinBrowser = (
  data: StudyData,
  listed: ReadonlyArray<{ readonly row: Row; readonly entry: StudyEntry }>,
  section: HTMLElement,
  isPrivate: boolean,
): void => {
  if (isPrivate) {
    section.append(
      element(
        "p",
        { class: "section-intro private-note", role: "note" },
        html`This study is private: the site shows aggregates only. No twin's persona, answers or conversation is published, and its synthetic datasets are not offered for download.`,
      ),
    )
    return
  }
  const browsable = listed.filter(({ entry }) => entry.twins !== undefined && entry.twins.pages.length > 0)
  if (browsable.length === 0) {
    section.append(
      element(
        "p",
        { class: "section-intro" },
        html`No run of this study recorded its twins' conversations (runs record them for model entries; baselines answer without one).`,
      ),
    )
    return
  }
  let chosen = browsable[0]!
  let page = 1
  const controls = element("div", { class: "controls twin-controls" })
  const status = element("p", { class: "twin-status", role: "status" })
  const list = element("div", { class: "twin-list" })
  const previous = element("button", { type: "button", class: "twin-previous" }, html`Previous twins`)
  const next = element("button", { type: "button", class: "twin-next" }, html`Next twins`)
  let request = 0
  const show = async () => {
    const twins = chosen.entry.twins!
    const mine = ++request
    previous.disabled = page <= 1
    next.disabled = page >= twins.pages.length
    const first = (page - 1) * twins.pageSize + 1
    status.textContent = `Loading twins of ${chosen.row.label}…`
    try {
      const loaded = await loadTwinPage(chosen.entry, page)
      if (mine !== request) return
      const last = first + loaded.length - 1
      status.textContent = `${chosen.row.label}: twins ${formatCount(first)}–${formatCount(last)} of ${
        twins.shown < twins.total
          ? `the first ${formatCount(twins.shown)} by id (the site shows at most ${formatCount(twins.shown)} of its ${formatCount(twins.total)}; all are in the run's conversations file)`
          : formatCount(twins.total)
      } · page ${page} of ${twins.pages.length}`
      list.replaceChildren(...loaded.map((twin) => twinCard(data, twin)))
    } catch (error) {
      if (mine !== request) return
      status.textContent = `Could not load these twins: ${String(error)}`
      list.replaceChildren()
    }
  }
  controls.append(
    select(
      "Model",
      browsable.map(({ row }) => ({ value: row.key, label: row.label })),
      chosen.row.key,
      (value) => {
        chosen = browsable.find(({ row }) => row.key === value) ?? chosen
        page = 1
        void show()
      },
      "twin-model",
    ),
    previous,
    next,
  )
  previous.addEventListener("click", () => {
    page = Math.max(1, page - 1)
    void show()
  })
  next.addEventListener("click", () => {
    page = Math.min(chosen.entry.twins!.pages.length, page + 1)
    void show()
  })
  section.append(controls, status, list)
  void show()
}
