import { derivedCode, derivedMeasures, type MetricInput, type VariableRow } from "@standin/core"
import type { CodedItem, Panel } from "./panel.js"

/**
 * The panel with the study's scored derived variables appended as pseudo-items (see derivedMeasures in
 * @standin/core): each computed by the same expression from a human's answers and from each of its twin's rows,
 * with the twin's arm and persona (its human's). A row's answer that failed or stayed invalid is missing, so a
 * derived value that needs it is missing too and the measure's valid counts say so. Derived items carry no
 * elicited distribution: a twin's value comes from its sampled answers. The panel is returned unchanged when the
 * study scores no derived variable.
 */
export const withDerivedItems = (panel: Panel, input: MetricInput): Panel => {
  const { study } = input
  const measures = derivedMeasures(study)
  if (measures.length === 0) return panel
  const items: Array<CodedItem> = measures.map((measure) =>
    measure._tag === "Levels"
      ? {
          id: measure.id,
          label: measure.label,
          role: "outcome",
          options: measure.levels,
          k: measure.levels.length,
          ordered: measure.ordered,
          scorable: true,
          derived: true,
        }
      : {
          id: measure.id,
          label: measure.label,
          role: "outcome",
          options: [],
          k: 0,
          ordered: true,
          scorable: false,
          derived: true,
          unscored: measure.reason,
        },
  )
  const human = measures.map((measure) =>
    Int32Array.from(input.human, (respondent) => derivedCode(study, measure, respondent)),
  )
  // The synthetic rows in the panel's order: grouped by twin, replicates in input order (as preparePanel does).
  const position = new Map<string, number>()
  panel.twinIds.forEach((id, index) => {
    position.set(id, index)
  })
  const cursor = panel.rowStart.slice(0, panel.twins)
  const rowsInOrder: Array<VariableRow | null> = new Array(panel.rows).fill(null)
  for (const respondent of input.synthetic) {
    const twin = position.get(respondent.twinId)
    if (twin === undefined) continue
    const row = cursor[twin]!
    cursor[twin] = row + 1
    if (respondent.failure) continue
    const answers =
      respondent.invalidItems.length === 0
        ? respondent.answers
        : {
            ...respondent.answers,
            ...Object.fromEntries(respondent.invalidItems.map((id) => [id, null])),
          }
    rowsInOrder[row] = { arm: respondent.arm, persona: respondent.persona, answers }
  }
  const synthetic = measures.map((measure) =>
    Int32Array.from(rowsInOrder, (row) => (row === null ? -1 : derivedCode(study, measure, row))),
  )
  return {
    ...panel,
    items: [...panel.items, ...items],
    human: [...panel.human, ...human],
    synthetic: [...panel.synthetic, ...synthetic],
    distributions: [...panel.distributions, ...measures.map(() => null)],
    hasDistribution: [...panel.hasDistribution, ...measures.map(() => new Uint8Array(panel.rows))],
  }
}
