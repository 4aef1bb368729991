import { derivedMeasures, type ResultsFile, type StudyDefinition } from "@standin/core"

/**
 * The results file's `study.derived`: the derived variables the item-level metrics score as pseudo-items, so the
 * site can mark their measures as derived. Nothing (the key is left out) when the study scores none.
 */
export const derivedOf = (study: StudyDefinition): Pick<ResultsFile["study"], "derived"> => {
  const measures = derivedMeasures(study)
  if (measures.length === 0) return {}
  return {
    derived: measures.map((measure) =>
      measure._tag === "Levels"
        ? { id: measure.id, label: measure.label, options: [...measure.levels] }
        : { id: measure.id, label: measure.label, options: [], note: measure.reason },
    ),
  }
}
