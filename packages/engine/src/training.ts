import type {
  AnswerValue,
  ExperimentShape,
  Respondent,
  StudyDefinition,
  TrainingExample,
} from "@standin/core"
import { answerTurn, FinetuneError, instrumentPages, twinOf, twinPages } from "@standin/core"
import { shuffled, streamFor } from "@standin/stats"
import { Effect } from "effect"

/** Pseudonymous keys for pilot respondents (the human's id is private and never written anywhere). */
export const pilotKeyFor = (index: number): string => `p${String(index + 1).padStart(5, "0")}`

export interface TrainingSet {
  readonly train: ReadonlyArray<TrainingExample>
  readonly validation: ReadonlyArray<TrainingExample>
}

/**
 * Turns the pilot into training examples: each pilot respondent becomes the very conversation the study
 * renders at inference (persona + arm + each page, or without the persona for the ablation) with their real
 * answers to each page as the assistant turns, so a multi-page instrument trains on every page's answer in
 * context. Only the pilot is passed in: the holdout cannot reach a training file by construction. A seeded
 * share of the pilot is held back for validation when asked.
 */
export const buildTrainingSet = (
  experiment: ExperimentShape,
  pilot: ReadonlyArray<Respondent>,
  options: {
    readonly includeDemographics: boolean
    readonly validationFraction: number
    readonly seed: number
  },
): TrainingSet => {
  const study = experiment.definition
  const examples = pilot.map((respondent, index): TrainingExample => {
    const history: ReadonlyArray<Record<string, AnswerValue>> = instrumentPages(study).map((page) =>
      Object.fromEntries(page.items.map((item) => [item.id, respondent.answers[item.id] ?? null])),
    )
    // Skip logic: the twin is trained on the pages and items its human was asked.
    const twin = twinOf(study, respondent, pilotKeyFor(index))
    const asked = twinPages(study, twin)
    const lastPage = asked[asked.length - 1] ?? { ...instrumentPages(study)[0]!, index: 0 }
    const last = lastPage.index
    // The last page's prompt holds the whole conversation before it, with the human's answers as history.
    const prompt = experiment.renderPrompt(twin, {
      elicitation: "sample",
      includeDemographics: options.includeDemographics,
      ...(last === 0 ? {} : { page: last, history: history.slice(0, last) }),
    })
    return {
      respondentKey: pilotKeyFor(index),
      messages: [
        ...prompt.messages,
        answerTurn(
          lastPage.items.map((item) => item.id),
          respondent.answers,
        ),
      ],
    }
  })
  const validationCount = Math.round(options.validationFraction * examples.length)
  if (validationCount === 0) return { train: examples, validation: [] }
  const order = shuffled(examples, streamFor(options.seed, "validation", study.id))
  const held = new Set(order.slice(0, validationCount).map((example) => example.respondentKey))
  return {
    train: examples.filter((example) => !held.has(example.respondentKey)),
    validation: examples.filter((example) => held.has(example.respondentKey)),
  }
}

/** Values of the study's private columns (ids, free text) that must never appear in an upload. */
export const privateValues = (
  study: StudyDefinition,
  respondents: ReadonlyArray<Respondent>,
): ReadonlySet<string> => {
  const values = new Set<string>()
  // The respondent id is always private; other private columns are not parsed into respondents, so their
  // values cannot reach a prompt. Ids are the risk: collect them all.
  // Without an id column respondents are numbered by row (r2, r3, …): nothing private to guard.
  if (study.respondentId !== undefined && study.privateColumns.includes(study.respondentId))
    for (const respondent of respondents) values.add(respondent.id)
  return values
}

const tokens = (text: string): Array<string> =>
  text.split(/[^A-Za-z0-9_\-.:@]+/).filter((token) => token.length >= 4)

/**
 * The last gate before anything is uploaded: every example must come from the pilot, and no private value
 * of any respondent (pilot or holdout) may appear anywhere in the bytes that would leave the machine.
 * A violation fails the whole finetune before upload.
 */
export const assertUploadSafe = (
  finetuner: string,
  examples: ReadonlyArray<TrainingExample>,
  pilotKeys: ReadonlySet<string>,
  forbidden: ReadonlySet<string>,
  files: ReadonlyArray<{ readonly filename: string; readonly content: string }>,
): Effect.Effect<void, FinetuneError> =>
  Effect.gen(function* () {
    const stranger = examples.find((example) => !pilotKeys.has(example.respondentKey))
    if (stranger !== undefined) {
      return yield* new FinetuneError({
        finetuner,
        reason: "leakage",
        message: `training example ${stranger.respondentKey} is not a pilot respondent: only the pilot may be used for finetuning. Nothing was uploaded.`,
      })
    }
    for (const file of files) {
      for (const token of tokens(file.content)) {
        if (forbidden.has(token)) {
          return yield* new FinetuneError({
            finetuner,
            reason: "leakage",
            message: `${file.filename} contains a respondent id from a private column; identifiers never leave the machine. Nothing was uploaded.`,
          })
        }
      }
    }
  })
