import type {
  Elicitation,
  ExperimentShape,
  GenerationSettings,
  HumanData,
  MetricScore,
  MetricShape,
  OptionOrderMode,
  PilotDesign,
  ProviderPlugin,
  ProviderShape,
  ProviderSpec,
  Respondent,
  ResultsEntry,
  ResultsFile,
  SyntheticRespondent,
  Twin,
} from "@standin/core"
import type { Effect } from "effect"
import type { CeilingHalves } from "../ceiling.js"
import type { CallExecutor, SimulationTotals } from "../simulate.js"
import type { Split } from "../split.js"
import type { PpiSettings } from "../worth.js"

/** A provider as the run will use it: the plugin, the parsed spec, and the entry label. */
export interface ProviderSelection {
  readonly plugin: ProviderPlugin
  readonly spec: ProviderSpec
  /** Extra result metadata for finetuned models. */
  readonly finetune?: ResultsEntry["finetune"]
  /**
   * The pilot this provider may learn from, when it is not the run's own (e.g. each point of a sweep
   * draws its own pilot from the pilot pool). Never overlaps the holdout: the engine checks it.
   */
  readonly pilot?: ReadonlyArray<Respondent>
  /**
   * The pilot people whose own twins this provider answers for prediction-powered inference, when they are not
   * its `pilot` (a sweep gives the base model every point's pilot at once). Never given to the provider.
   */
  readonly ppiPilot?: ReadonlyArray<Respondent>
  /** A label suffix telling entries of the same provider apart (e.g. the pilot design of a sweep point). */
  readonly tag?: string
}

export type RunEvent =
  | { readonly _tag: "Loaded"; readonly respondents: number; readonly origin: string; readonly path: string }
  | { readonly _tag: "Split"; readonly pilot: number; readonly holdout: number }
  | { readonly _tag: "ProviderSkipped"; readonly entry: string; readonly reason: string }
  | { readonly _tag: "ProviderStarted"; readonly entry: string; readonly total: number }
  | {
      readonly _tag: "TwinDone"
      readonly entry: string
      readonly done: number
      readonly total: number
      readonly failed: boolean
      readonly costUsd: number
    }
  | { readonly _tag: "ProviderFinished"; readonly entry: string; readonly totals: SimulationTotals }
  | { readonly _tag: "Scoring"; readonly entry: string; readonly metric: string }

export interface RunOptions<E> {
  readonly experiment: ExperimentShape
  readonly providers: ReadonlyArray<ProviderSelection>
  readonly metrics: ReadonlyArray<MetricShape>
  readonly pilot: PilotDesign
  readonly holdoutCap?: number
  /** A split made beforehand (e.g. a sweep's fixed holdout and pilot pool); `pilot` then only describes it. */
  readonly split?: Split
  readonly seed: number
  readonly replicates: number
  readonly elicitation: Elicitation
  readonly settings: GenerationSettings
  readonly includeDemographics: boolean
  readonly maxReasks: number
  /** How options are ordered in prompts (default "as-shown"); recorded in the manifest when not as shown. */
  readonly optionOrder?: OptionOrderMode
  readonly bootstrap: number
  readonly minCellSize: number
  readonly concurrency: number
  /** How calls are executed (cache, rate limits, retries, budget); defaults to calling the provider directly. */
  readonly executor?: (
    provider: ProviderShape,
    selection: ProviderSelection,
    /** First asks the provider will get (twins × replicates), before re-asks. */
    plan: { readonly calls: number },
  ) => Effect.Effect<CallExecutor<E>, E>
  readonly onEvent?: (event: RunEvent) => void
  /**
   * Threads scoring runs on (default 1: this thread). With more, the scoring tasks (each metric on each entry and
   * each ceiling half) run on worker threads, which load the metrics from `metricSources`; the results are the same
   * bytes whatever the count. Metrics without a source are scored in this thread.
   */
  readonly threads?: number
  /** Where a worker thread loads each metric from, by metric id (see MetricSource). */
  readonly metricSources?: ReadonlyMap<string, MetricSource>
  /** Simulate the pilot's own twins too (never scored) and add each entry's `ppi` block (worth.ts). */
  readonly ppi?: PpiSettings
}

/** A module that exports a metric: its resolved URL (e.g. `import.meta.resolve("@standin/metric-divergence")`) and the export's name. */
export interface MetricSource {
  readonly module: string
  readonly name: string
}

export interface EntryData {
  readonly entry: ResultsEntry
  readonly synthetic: ReadonlyArray<SyntheticRespondent>
  /** With PPI: the answers of the pilot people's own twins (ids `p00001…`, in `ppiPilot`/pilot order). */
  readonly pilotSynthetic?: ReadonlyArray<SyntheticRespondent>
}

export interface RunOutcome {
  readonly results: ResultsFile
  readonly entries: ReadonlyArray<EntryData>
  readonly split: Split
  readonly holdout: ReadonlyArray<Respondent>
  /** Wall-clock seconds of each phase (for run-meta.json and the bench; never in the results). */
  readonly phaseSeconds?: PhaseSeconds
}

/** Wall-clock seconds of a run's phases. */
export interface PhaseSeconds {
  readonly prepare: number
  readonly simulate: number
  readonly score: number
  readonly report: number
}

/** What the split phase hands on: the human data split, the twins to simulate and the ceiling's halves. */
export interface PreparedRun {
  readonly study: ExperimentShape["definition"]
  readonly human: HumanData
  readonly split: Split
  /** One twin per holdout respondent, in holdout order (pseudonymous ids, see twinIdFor). */
  readonly twins: ReadonlyArray<Twin>
  /** The holdout with each respondent's id replaced by its twin's. */
  readonly holdout: ReadonlyArray<Respondent>
  /** The ceiling's halvings of the holdout (ceiling.ts); the first is the one every entry is scored on. */
  readonly halvings: ReadonlyArray<CeilingHalves>
  /** The first halving. */
  readonly halves: CeilingHalves
  /** The half of a twin in a halving (default the first). */
  readonly halfOf: (twinId: string, halving?: number) => "a" | "b"
  readonly humansOf: (halving: number) => {
    readonly a: ReadonlyArray<Respondent>
    readonly b: ReadonlyArray<Respondent>
  }
}

/** One provider after the simulate phase: its holdout twins' answers, or why it was skipped. */
export type SimulatedEntry =
  | {
      readonly id: string
      readonly selection: ProviderSelection
      readonly synthetic: ReadonlyArray<SyntheticRespondent>
      /** The ceiling's answers for its further halvings (scored for fidelity only). */
      readonly furtherHalvings: ReadonlyArray<ReadonlyArray<SyntheticRespondent>>
      readonly totals: SimulationTotals
    }
  | { readonly id: string; readonly selection: ProviderSelection; readonly skipped: string }

/** One provider after the score phase. */
export type ScoredEntry =
  | (Extract<SimulatedEntry, { synthetic: unknown }> & {
      readonly scores: ReadonlyArray<MetricScore>
      /** The scores fidelity is computed from: the two halves' scores averaged (see score.ts). */
      readonly halfScores: ReadonlyArray<MetricScore>
    })
  | Extract<SimulatedEntry, { skipped: string }>
