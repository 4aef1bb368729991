/**
 * How the pieces of docs/adding-a-finetuner.md fit: pilot respondents become training examples through
 * the study's own renderer (the same prompt inference uses), a finetuner prepares, submits and is polled
 * until the job ends, and the provider spec it returns is run like any other model.
 */
import {
  type ExperimentShape,
  type FinetuneError,
  type FinetunerShape,
  isTerminal,
  type ProviderSpec,
  type Respondent,
  type TrainingExample,
} from "@standin/core"
import { renderTarget } from "@standin/study"
import { Effect } from "effect"

/** One example per pilot respondent: their persona and arm as the prompt, their real answers as the target. */
export const trainingExamples = (
  experiment: ExperimentShape,
  pilot: ReadonlyArray<Respondent>,
): Array<TrainingExample> =>
  pilot.map((respondent, index) => ({
    respondentKey: `pilot-${index}`,
    messages: [
      ...experiment.renderPrompt(
        { id: `pilot-${index}`, arm: respondent.arm, persona: respondent.persona },
        { elicitation: "sample", includeDemographics: true },
      ).messages,
      renderTarget(experiment.definition, respondent.answers),
    ],
  }))

/** prepare → submit → poll until terminal → the provider spec of the finetuned model. */
export const finetune = (
  finetuner: FinetunerShape,
  experiment: ExperimentShape,
  pilot: ReadonlyArray<Respondent>,
  baseModel: string,
  maxPolls = 20,
): Effect.Effect<ProviderSpec, FinetuneError> =>
  Effect.gen(function* () {
    const prepared = yield* finetuner.prepare({
      study: experiment.descriptor.id,
      baseModel,
      train: trainingExamples(experiment, pilot),
      validation: [],
      hyperparameters: { epochs: 1 },
    })
    const job = yield* finetuner.submit(prepared)
    let status = yield* finetuner.status(job)
    // A real loop waits between polls (Effect.sleep, tested with TestClock); the toy moves on every poll.
    for (let poll = 1; !isTerminal(status.state) && poll < maxPolls; poll++)
      status = yield* finetuner.status(job)
    return yield* finetuner.providerSpec(job, status)
  })
