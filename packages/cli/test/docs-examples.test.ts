import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { humanSplitHalf, uniform } from "@standin/baselines"
import { type AnswerValue, type ExperimentShape, Finetuner, scaleOptions } from "@standin/core"
import { type ProviderSelection, type RunOutcome, runStudy } from "@standin/engine"
import { checkStudyFolder, loadStudyFolder } from "@standin/study"
import { ConfigProvider, Effect } from "effect"
import {
  exampleStudyFolder,
  finetune,
  toyFinetuner,
  toyProvider,
  trainingExamples,
  twinAgreement,
} from "../../../docs/examples/src/index.js"

/**
 * Keeps the guides in docs/ honest: their worked examples (docs/examples) are type-checked by the build and
 * run here against the real engine, exactly as the guides describe them.
 */
const folder = fileURLToPath(exampleStudyFolder)
const offline = Effect.provide(
  ConfigProvider.layer(
    ConfigProvider.fromEnv({ env: { STANDIN_OFFLINE: "1", STANDIN_CACHE_DIR: "/nonexistent" } }),
  ),
)

const run = (experiment: ExperimentShape, providers: ReadonlyArray<ProviderSelection>) =>
  runStudy({
    experiment,
    providers,
    metrics: [twinAgreement],
    pilot: { size: { _tag: "Count", count: 16 }, arms: "all", sampling: { _tag: "Random" } },
    seed: 3,
    replicates: 1,
    elicitation: "sample",
    settings: { temperature: 0.7 },
    includeDemographics: true,
    maxReasks: 1,
    bootstrap: 200,
    minCellSize: 5,
    concurrency: 4,
  }).pipe(offline)

const toy = (model: string, options?: Record<string, unknown>): ProviderSelection => ({
  plugin: toyProvider,
  spec: { provider: "toy", model, ...(options === undefined ? {} : { options }) },
})
const floorAndCeiling: ReadonlyArray<ProviderSelection> = [
  { plugin: uniform, spec: { provider: "uniform", model: "v1" } },
  { plugin: humanSplitHalf, spec: { provider: "human-split-half", model: "v1" } },
]

const entry = (outcome: RunOutcome, id: string) => {
  const found = outcome.results.entries.find((candidate) => candidate.id === id)
  if (found === undefined) throw new Error(`no entry ${id}`)
  return found
}

describe("docs/adding-a-study.md: the example study folder", () => {
  it.effect("passes study check as committed", () =>
    Effect.gen(function* () {
      const report = yield* checkStudyFolder(folder).pipe(offline)
      expect(report.problems).toEqual([])
      expect([report.rows, report.respondents]).toEqual([48, 48])
    }),
  )

  it.effect("loads as a study and runs on the baselines", () =>
    Effect.gen(function* () {
      const { plugin } = yield* loadStudyFolder(folder)
      const outcome = yield* run(plugin.experiment, floorAndCeiling)
      expect(outcome.results.study.id).toBe("commute-nudge")
      expect(outcome.results.manifest.holdoutSize).toBe(32)
      expect(outcome.results.manifest.data).toEqual({
        file: "commute.csv",
        sha256: "3db84066b8562db44aa8f89bfc86a2c6c0facdbca33acb418de0deb04dc3e7d8",
        rows: 48,
      })
      // The persona reads in prompts through the study's templates.
      const prompt = plugin.experiment.renderPrompt(
        { id: "t1", arm: "norm", persona: { age: "35-54", owns: ["car", "bike"] } },
        { elicitation: "sample", includeDemographics: true },
      )
      expect(prompt.messages[1]!.content).toContain("Has a car and bike")
      expect(prompt.messages[1]!.content).toContain("Most of your colleagues have already signed up")
    }),
  )
})

describe("docs/adding-a-provider.md and adding-a-metric.md: the toy provider, scored by the toy metric", () => {
  it.effect("answers through the engine like any model, and the metric scores it against the holdout", () =>
    Effect.gen(function* () {
      const { plugin } = yield* loadStudyFolder(folder)
      const study = plugin.definition
      const outcome = yield* run(plugin.experiment, [...floorAndCeiling, toy("first"), toy("last")])
      const first = entry(outcome, "toy-first")
      expect(first.status).toBe("ok")
      expect(first.counts).toMatchObject({ twins: 32, valid: 32, failed: 0 })
      // The engine passes the run's seed, and the toy honours neither it nor the temperature: both are recorded.
      expect(first.warnings).toEqual([
        { message: "seed was ignored: toy has no seed", count: 32 },
        { message: "temperature was ignored: toy does not accept it", count: 32 },
      ])
      expect(first.usage.inputTokens).toBeGreaterThan(0)
      // toy:first always answers the first option: its agreement on an item is the share of humans who did.
      const holdout = outcome.holdout
      const firstOption = (itemId: string): AnswerValue => {
        const scale = study.items.find((item) => item.id === itemId)!.scale
        return scale._tag === "Numeric" ? scale.min : scaleOptions(scale)[0]!
      }
      const score = first.scores.find((s) => s.metric === "toy-agreement")!
      for (const itemId of ["safe", "joined", "minutes"]) {
        const answered = holdout.filter((human) => human.answers[itemId] !== null)
        const agreeing = answered.filter((human) => human.answers[itemId] === firstOption(itemId)).length
        const measure = score.measures.find((m) => m.key === `agreement|item=${itemId}`)!
        expect(measure.value).toBeCloseTo(agreeing / answered.length, 12)
        expect(measure.n).toBe(answered.length)
      }
      expect(score.headline.ci).not.toBeNull()
      expect(score.headline.ci!.lower).toBeLessThanOrEqual(score.headline.value!)
      expect(score.headline.ci!.upper).toBeGreaterThanOrEqual(score.headline.value!)
      // Normalised between the uniform floor (0) and the human split-half ceiling (1).
      expect(entry(outcome, "uniform").fidelity.perMetric["toy-agreement"]!.value).toBeCloseTo(0, 12)
      expect(entry(outcome, "human-split-half").fidelity.perMetric["toy-agreement"]!.value).toBeCloseTo(1, 12)
      expect(first.fidelity.perMetric["toy-agreement"]!.value).not.toBeNull()
    }),
  )

  it.effect(
    "turns a bad model name into a skipped entry with the reason, and a refusal into a recorded failure",
    () =>
      Effect.gen(function* () {
        const { plugin } = yield* loadStudyFolder(folder)
        const outcome = yield* run(plugin.experiment, [
          ...floorAndCeiling,
          toy("gpt-9"),
          toy("middle", { refuseArms: ["norm"] }),
          toy("first", { temperature: 1 }),
        ])
        expect(entry(outcome, "toy-gpt-9")).toMatchObject({
          status: "skipped",
          statusReason: 'unknown model "gpt-9": use toy:first, toy:middle, toy:last or toy:canned',
        })
        const refused = entry(outcome, "toy-middle")
        const normTwins = outcome.holdout.filter((human) => human.arm === "norm").length
        expect(refused.counts.failed).toBe(normTwins)
        expect(refused.failures["content-filtered"]).toBe(normTwins)
        expect(entry(outcome, "toy-first")).toMatchObject({ status: "skipped" })
        expect(entry(outcome, "toy-first").statusReason).toContain("invalid providerOptions.toy")
      }),
  )
})

describe("docs/adding-a-finetuner.md: the toy finetuner", () => {
  it.effect(
    "prepares training files from the pilot, walks the job to success, and serves the model it learned",
    () =>
      Effect.gen(function* () {
        const { plugin } = yield* loadStudyFolder(folder)
        const experiment = plugin.experiment
        const human = yield* experiment.loadHumanData.pipe(offline)
        const pilot = human.respondents.slice(0, 16)
        const finetuner = yield* Effect.service(Finetuner).pipe(Effect.provide(toyFinetuner.layer({})))
        const examples = trainingExamples(experiment, pilot)
        const prepared = yield* finetuner.prepare({
          study: "commute-nudge",
          baseModel: "toy-base",
          train: examples,
          validation: [],
          hyperparameters: {},
        })
        const lines = prepared.files[0]!.content.trim().split("\n")
        expect(lines).toHaveLength(16)
        // Training files hold the rendered prompt and the real answers, never a respondent id.
        expect(prepared.files[0]!.content).not.toMatch(/E1\d\d/)
        expect(JSON.parse(lines[0]!).messages.at(-1)).toEqual({
          role: "assistant",
          content: JSON.stringify({
            safe: pilot[0]!.answers.safe,
            joined: pilot[0]!.answers.joined,
            minutes: pilot[0]!.answers.minutes,
          }),
        })

        const spec = yield* finetune(finetuner, experiment, pilot, "toy-base")
        const modal = (itemId: string) => {
          const counts = new Map<string, number>()
          for (const r of pilot)
            counts.set(
              JSON.stringify(r.answers[itemId]),
              (counts.get(JSON.stringify(r.answers[itemId])) ?? 0) + 1,
            )
          return JSON.parse([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0])
        }
        expect(spec).toEqual({
          provider: "toy",
          model: "canned",
          options: {
            toy: { answers: { safe: modal("safe"), joined: modal("joined"), minutes: modal("minutes") } },
          },
        })
        const outcome = yield* run(experiment, [...floorAndCeiling, { plugin: toyProvider, spec }])
        const tuned = entry(outcome, "toy-canned")
        expect(tuned.counts.valid).toBe(32)
        expect(tuned.distributions.joined!.all![modal("joined")]).toBe(32)
      }),
  )

  it.effect("refuses a respondent in both files, and a job cancelled before it finished", () =>
    Effect.gen(function* () {
      const { plugin } = yield* loadStudyFolder(folder)
      const human = yield* plugin.experiment.loadHumanData.pipe(offline)
      const examples = trainingExamples(plugin.experiment, human.respondents.slice(0, 4))
      const finetuner = yield* Effect.service(Finetuner).pipe(Effect.provide(toyFinetuner.layer({})))
      const leaked = yield* Effect.flip(
        finetuner.prepare({
          study: "x",
          baseModel: "b",
          train: examples,
          validation: examples.slice(0, 1),
          hyperparameters: {},
        }),
      )
      expect(leaked.reason).toBe("leakage")
      const prepared = yield* finetuner.prepare({
        study: "x",
        baseModel: "b",
        train: examples,
        validation: [],
        hyperparameters: {},
      })
      const job = yield* finetuner.submit(prepared)
      expect((yield* finetuner.cancel(job)).state).toBe("cancelled")
      const refused = yield* Effect.flip(finetuner.providerSpec(job, yield* finetuner.status(job)))
      expect([refused.reason, refused.message]).toEqual([
        "job-failed",
        "job toyjob-1 has not succeeded (cancelled)",
      ])
    }),
  )
})

describe("the guides name what exists", () => {
  it("every guide is there and links its worked example", () => {
    const guide = (name: string) =>
      readFileSync(fileURLToPath(new URL(`../../../docs/${name}`, import.meta.url)), "utf8")
    expect(guide("adding-a-study.md")).toContain("docs/examples/study/study.yaml")
    expect(guide("adding-a-provider.md")).toContain("docs/examples/src/toy-provider.ts")
    expect(guide("adding-a-metric.md")).toContain("docs/examples/src/toy-metric.ts")
    expect(guide("adding-a-finetuner.md")).toContain("docs/examples/src/toy-finetuner.ts")
  })
})
