import type { Respondent, StudyDataError, Twin } from "@standin/core"
import { InputError, twinOf } from "@standin/core"
import { Effect } from "effect"
import { ceilingHalvings } from "../ceiling.js"
import { refuseUnsupportedElicitation } from "../simulate.js"
import { splitRespondents } from "../split.js"
import type { PreparedRun, RunOptions } from "./types.js"

/** Pseudonymous twin ids: the human's id is private and never leaves the run. */
export const twinIdFor = (index: number): string => `t${String(index + 1).padStart(5, "0")}`

/**
 * The run's first phase: refuse an elicitation a provider cannot do, load the human data, split it (seeded) into
 * pilot and holdout (or take the split given), check that no provider's own pilot holds a holdout respondent, and
 * make the holdout's twins and the ceiling's halvings.
 */
export const prepareRun = <E>(
  options: RunOptions<E>,
): Effect.Effect<PreparedRun, StudyDataError | InputError> =>
  Effect.gen(function* () {
    const { experiment } = options
    const study = experiment.definition
    const emit = options.onEvent ?? (() => {})
    yield* refuseUnsupportedElicitation(options.providers, options.elicitation)
    const human = yield* experiment.loadHumanData
    emit({ _tag: "Loaded", respondents: human.respondents.length, origin: human.origin, path: human.path })
    const split =
      options.split === undefined
        ? yield* splitRespondents(study, human.respondents, options.pilot, options.seed, options.holdoutCap)
        : options.split
    const holdoutIds = new Set(split.holdout.map((respondent) => respondent.id))
    for (const selection of options.providers) {
      const leaked = selection.pilot?.find((respondent) => holdoutIds.has(respondent.id))
      if (leaked !== undefined) {
        return yield* new InputError({
          message: `a pilot given to ${selection.plugin.descriptor.id} holds a holdout respondent (data row ${leaked.row}); pilots and the holdout must never overlap.`,
        })
      }
    }
    emit({ _tag: "Split", pilot: split.pilot.length, holdout: split.holdout.length })
    const twins: ReadonlyArray<Twin> = split.holdout.map((respondent, index) =>
      twinOf(study, respondent, twinIdFor(index)),
    )
    const holdout: ReadonlyArray<Respondent> = split.holdout.map((respondent, index) => ({
      ...respondent,
      id: twinIdFor(index),
    }))
    // The ceiling: the holdout split into halves A and B. Half A's twins are answered by half-B donors and half B's
    // by half-A donors; each half is scored only against its own humans, so the people scored are never donors. The
    // ceiling's fidelity figure averages several such halvings (ceiling.ts); the first is the one models are scored on.
    const halvings = ceilingHalvings(study.id, holdout, options.seed, study.subgroups)
    const halves = halvings[0]!
    const inHalfA = halvings.map((halving) => new Set(halving.scored.map((respondent) => respondent.id)))
    const halfOf = (twinId: string, halving = 0): "a" | "b" => (inHalfA[halving]!.has(twinId) ? "a" : "b")
    const humansOf = (halving: number) => ({ a: halvings[halving]!.scored, b: halvings[halving]!.donors })
    return {
      study,
      human,
      split,
      twins,
      holdout,
      halvings,
      halves,
      halfOf,
      humansOf,
    }
  })
