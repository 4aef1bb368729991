import type { ExperimentShape, OptionOrderMode, Respondent, StudyDefinition, Twin } from "@standin/core"
import { InputError, instrumentPages, reconstructedTexts } from "@standin/core"
import {
  examplePersona,
  instrumentConversation,
  optionOrdersFor,
  randomisersFor,
  randomiserTexts,
  splitRespondents,
  twinIdFor,
} from "@standin/engine"
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { type Catalog, findStudy } from "../catalog.js"
import { parsePilotSize, wholeFlag } from "../options.js"

export interface ShowOptions {
  readonly elicitation: "sample" | "verbalized"
  readonly includeDemographics: boolean
  readonly optionOrder: OptionOrderMode
  readonly seed: number
  /** The human's own answers, shown as the assistant turns (as in a finetuning file); placeholders without. */
  readonly answers?: Respondent["answers"]
}

/**
 * A twin's whole conversation as text, turn by turn, exactly as a provider would receive it (no model is
 * called): the system message, each page as a user turn and, between pages, the assistant turn that holds
 * the answers to the page before.
 */
export const conversationText = (experiment: ExperimentShape, twin: Twin, options: ShowOptions): string => {
  const pages = instrumentPages(experiment.definition)
  const optionOrders = optionOrdersFor(experiment.definition, options.optionOrder, options.seed, twin.id)
  const randomisers = randomiserTexts(randomisersFor(experiment.definition, options.seed, twin.id))
  const turns = instrumentConversation(experiment, twin, {
    elicitation: options.elicitation,
    includeDemographics: options.includeDemographics,
    ...(optionOrders === undefined ? {} : { optionOrders }),
    ...(randomisers === undefined ? {} : { randomisers }),
    ...(options.answers === undefined ? {} : { answers: options.answers }),
  })
  const title = (turn: (typeof turns)[number]): string => {
    if (turn.role === "system") return "system"
    if (turn.role === "assistant")
      return options.answers === undefined ? "assistant" : "assistant · the human's own answers"
    const index = pages.findIndex((page) => page.id === turn.page)
    return `user · page ${index + 1} of ${pages.length} (${turn.page})`
  }
  return `${turns.map((turn) => `── ${title(turn)} ──\n${turn.content}`).join("\n\n")}\n`
}

interface ShowInput {
  readonly study: string
  readonly persona: Option.Option<number>
  readonly twin: Option.Option<string>
  readonly arm: Option.Option<string>
  readonly seed: number
  readonly pilot: string
  readonly holdout: Option.Option<number>
  readonly elicitation: "sample" | "verbalized"
  readonly optionOrder: OptionOrderMode
  readonly demographics: boolean
}

export const showHandler = (catalog: Catalog, input: ShowInput) =>
  Effect.gen(function* () {
    const experiment = yield* findStudy(catalog, input.study)
    const study = experiment.definition
    const seed = yield* wholeFlag("--seed", input.seed, 0, 2 ** 31 - 1)
    if (Option.isSome(input.persona) && Option.isSome(input.twin))
      return yield* new InputError({ flag: "--persona", message: "give --persona or --twin, not both." })
    const arm = Option.getOrUndefined(input.arm)
    if (arm !== undefined && !study.arms.some((candidate) => candidate.id === arm))
      return yield* new InputError({
        flag: "--arm",
        message: `--arm "${arm}" is not an arm of ${study.id} (${study.arms.map((arm) => arm.id).join(", ")}).`,
      })
    let twin: Twin
    let heading: string
    let answers: Respondent["answers"] | undefined
    if (Option.isSome(input.persona)) {
      const respondents = (yield* experiment.loadHumanData).respondents
      const n = yield* wholeFlag("--persona", input.persona.value, 1, Math.max(1, respondents.length))
      const respondent = respondents[n - 1]!
      twin = { id: `persona-${n}`, arm: respondent.arm, persona: respondent.persona }
      answers = respondent.answers
      heading = `respondent ${n} of ${respondents.length} (data row ${respondent.row})`
    } else if (Option.isSome(input.twin)) {
      // The same split `standin run` makes with the same --pilot and --seed: twin tNNNNN is that holdout row.
      const respondents = (yield* experiment.loadHumanData).respondents
      const size = yield* parsePilotSize(input.pilot)
      const cap = Option.isSome(input.holdout)
        ? yield* wholeFlag("--holdout", input.holdout.value, 2)
        : undefined
      const split = yield* splitRespondents(
        study,
        respondents,
        { size, arms: "all", sampling: { _tag: "Random" } },
        seed,
        cap,
      )
      const wanted = input.twin.value
      const index = split.holdout.findIndex((_, i) => twinIdFor(i) === wanted)
      if (index === -1)
        return yield* new InputError({
          flag: "--twin",
          message: `--twin "${wanted}" is not a twin of this split (t00001 … ${twinIdFor(split.holdout.length - 1)} with --pilot ${input.pilot} --seed ${seed}).`,
        })
      const respondent = split.holdout[index]!
      twin = { id: input.twin.value, arm: respondent.arm, persona: respondent.persona }
      heading = `twin ${input.twin.value} (--pilot ${input.pilot}${cap === undefined ? "" : ` --holdout ${cap}`} --seed ${seed})`
    } else {
      twin = { id: "example", arm: study.arms[0]!.id, persona: examplePersona(experiment) }
      heading = "an example persona (each attribute's first level)"
    }
    if (arm !== undefined) twin = { ...twin, arm }
    process.stdout.write(
      `${study.id} ${study.version} · ${heading} · arm ${twin.arm} · ${input.elicitation} · options ${input.optionOrder}\n\n`,
    )
    process.stdout.write(
      conversationText(experiment, twin, {
        elicitation: input.elicitation,
        includeDemographics: input.demographics,
        optionOrder: input.optionOrder,
        seed,
        ...(answers === undefined ? {} : { answers }),
      }),
    )
    const about = studyAbout(study)
    if (about !== "") process.stdout.write(`\n${about}`)
  })

/**
 * What the conversation does not say about the study: which texts are reconstructions (with the description each
 * was written from) and the study's notes on what it can and cannot measure. Empty when it has neither.
 */
export const studyAbout = (study: StudyDefinition): string => {
  // Texts written from the same description are listed once: "arm a (stimulus), arm b (stimulus): …".
  const reconstructed = reconstructedTexts(study).map(({ texts, source }) => `${texts.join(", ")}: ${source}`)
  const sections = [
    reconstructed.length === 0
      ? ""
      : `── reconstructed texts (the originals were not available) ──\n${reconstructed.map((line) => `- ${line}`).join("\n")}\n`,
    study.notes === undefined || study.notes.length === 0
      ? ""
      : `── what this study can and cannot measure ──\n${study.notes.map((note) => `- ${note}`).join("\n")}\n`,
  ]
  return sections.filter((section) => section !== "").join("\n")
}

export const studyShowCommand = (
  catalog: Catalog,
  handle: (effect: Effect.Effect<void, unknown>) => Effect.Effect<void>,
) =>
  Command.make(
    "show",
    {
      study: Argument.String("study").pipe(
        Argument.withDescription("An installed study id or the path of a study folder."),
      ),
      persona: Flag.Int("persona").pipe(
        Flag.withDescription(
          "Play the Nth respondent of the human data (1-based); their own answers fill the assistant turns.",
        ),
        Flag.optional,
      ),
      twin: Flag.String("twin").pipe(
        Flag.withDescription("Play a run's twin (e.g. t00001) of the split made with --pilot and --seed."),
        Flag.optional,
      ),
      arm: Flag.String("arm").pipe(Flag.withDescription("Show the instrument of this arm."), Flag.optional),
      seed: Flag.Int("seed").pipe(
        Flag.withDescription("The run's seed (for --twin and shuffled option orders)."),
        Flag.withDefault(1),
      ),
      pilot: Flag.String("pilot").pipe(
        Flag.withDescription("The run's --pilot (for --twin)."),
        Flag.withDefault("100"),
      ),
      holdout: Flag.Int("holdout").pipe(
        Flag.withDescription("The run's --holdout (for --twin)."),
        Flag.optional,
      ),
      elicitation: Flag.Literals("elicitation", ["sample", "verbalized"]).pipe(
        Flag.withDescription("The answer instruction to show."),
        Flag.withDefault("sample" as const),
      ),
      optionOrder: Flag.Literals("option-order", ["as-shown", "reversed", "shuffled"]).pipe(
        Flag.withDescription("Option order, as with `standin run --option-order`."),
        Flag.withDefault("as-shown" as const),
      ),
      demographics: Flag.Boolean("demographics").pipe(
        Flag.withDescription("Include the persona; --no-demographics shows the ablation."),
        Flag.withDefault(true),
      ),
    },
    (input) => handle(showHandler(catalog, input)),
  ).pipe(
    Command.withDescription(
      "Print a twin's whole conversation with a study's instrument — system message, each page as a user turn, the answers between pages — exactly as a provider would receive it. No model is called.",
    ),
  )
