/**
 * The leaderboard model: what `aggregate` computes and the site renders. Plain data and types only
 * (no Node APIs), so the browser app imports it as is.
 */
import type {
  AnswerDistributions,
  LearningCurvePoint,
  MetricScore,
  PpiSummary,
  ResultsFile,
  TwinConversation,
} from "@standin/core"
import type { Weights } from "./weights.js"

/** Bumped when the shape of the site's data changes. */
export const SiteDataVersion = 2

export interface Interval {
  readonly lower: number
  readonly upper: number
  /** Confidence level, e.g. 0.95. */
  readonly level: number
}

/** Model rows are ranked; reference rows (baselines and the human ceiling) are shown, never ranked. */
export type RowKind = "model" | "finetuned" | "floor" | "pilot" | "ceiling"

export const referenceKinds: ReadonlySet<RowKind> = new Set<RowKind>(["floor", "pilot", "ceiling"])

/** Where a cell's figure came from: one entry of one run. */
export interface EntryRef {
  readonly study: string
  readonly run: string
  readonly entry: string
}

export interface Cell {
  /** Normalised fidelity: 0 is the uniform floor, 1 is another sample of real people. */
  readonly value: number | null
  readonly ci: Interval | null
  /** 1 + the number of ranked rows whose interval lies wholly above this one; null when unranked. */
  readonly rank: number | null
  /** Another ranked row has the same rank. */
  readonly tied: boolean
  readonly status: "ok" | "skipped" | "failed"
  /** Why the cell has no value, or how it was combined. */
  readonly note?: string
  /** The entry shown (absent for the across-study column). */
  readonly source?: EntryRef
  /** How many runs of this configuration the study has (the cell shows one of them). */
  readonly runs: number
  /** Study cells: how many twins the entry simulated and how many gave a valid answer. */
  readonly answers?: { readonly valid: number; readonly twins: number }
  /** Cross-study cells: the studies averaged, out of how many the site can average over. */
  readonly coverage?: { readonly studies: ReadonlyArray<string>; readonly of: number }
  /** Study cells left out of the cross-study means, and why. */
  readonly excluded?: string
  /** Study cells: the entry's worth-k-humans figures (its `ppi` block), when the run computed them. */
  readonly worth?: PpiSummary
}

export interface Column {
  /** `overall`, `<study>` (the study's overall fidelity) or `<study>|<family>`. */
  readonly key: string
  readonly study: string | null
  readonly family: string | null
  readonly label: string
  /** Metric ids whose fidelity the cell combines. */
  readonly metrics: ReadonlyArray<string>
}

export interface FinetuneSummary {
  readonly finetuner: string
  readonly baseModel: string
  /** "n=30" or "25%". */
  readonly size: string
  /** "all" or the arm id the pilot was drawn from. */
  readonly arms: string
  /** "random" or "balanced:<attribute>". */
  readonly sampling: string
}

export interface Row {
  /** Stable, URL-safe id of the model configuration. */
  readonly key: string
  readonly label: string
  readonly kind: RowKind
  readonly provider: string
  /** The model (for finetuned rows: the base model). */
  readonly model: string
  readonly elicitation: string
  readonly includeDemographics: boolean
  readonly finetune?: FinetuneSummary
  /** Whether the model's weights are published, where the site can tell (see `weightsOf`). */
  readonly weights: Weights
  /** Keyed by `Column.key`; a missing key means the configuration was not run on that study. */
  readonly cells: Readonly<Record<string, Cell>>
}

export interface RunSummary {
  /** Unique within the site, e.g. `berke-fingerprint-consent-1`. */
  readonly id: string
  /** For people: what was run and how, e.g. "openai gpt-4o-mini +3 · pilot n=100 random · holdout 600 · seed 1". */
  readonly label: string
  /** The run's design alone, e.g. "pilot n=100 random · holdout 600 · seed 1". */
  readonly design: string
  /** When the run happened (ISO 8601, from its run-meta.json), and the date as labels show it; absent when not recorded. */
  readonly startedAt?: string
  readonly finishedAt?: string
  readonly date?: string
  /** Metrics whose floor and ceiling this run cannot tell apart (see the methods page). */
  readonly indistinguishable: ReadonlyArray<string>
  readonly study: string
  /** The results file as given (for people), and its download path inside the site. */
  readonly source: string
  readonly download: string
  readonly fromVersion: number
  readonly generator: string
  readonly seed: number
  readonly holdoutSize: number
  readonly pilotSize: number
  readonly replicates: number
  readonly elicitation: string
  readonly bootstrapResamples: number
  readonly entries: number
}

export interface StudySummary {
  /** The study's key on the site: its id, or `id@version` when several versions are loaded. */
  readonly key: string
  readonly id: string
  readonly version: string
  readonly title: string
  readonly citation: string
  readonly families: ReadonlyArray<string>
  readonly runs: ReadonlyArray<RunSummary>
  /** Why the study is left out of cross-study means (floor and ceiling indistinguishable), or null. */
  readonly flag: string | null
  /** A private study: the site publishes its aggregates only (no twin browser, no synthetic CSV). */
  readonly private?: true
}

/** How the cross-study columns were made. */
export interface CrossStudy {
  /** The ranked headline column: `overall`, or `common` when it differs from the plain mean. */
  readonly headline: string
  /** Studies cross-study means average over (flagged studies left out). */
  readonly informative: ReadonlyArray<string>
  /** Studies the headline ranks on: those at least half the model configurations were scored on. */
  readonly common: ReadonlyArray<string>
  /** Studies left out of cross-study means. */
  readonly flagged: ReadonlyArray<string>
  /** Model configurations ranked on the headline, and those shown without a rank (fewer studies). */
  readonly ranked: number
  readonly unranked: number
}

export type MetricDescriptorData = ResultsFile["metrics"][number]

export interface Methods {
  readonly normalisation: string
  readonly tieRule: string
  readonly aggregation: ReadonlyArray<string>
}

export interface LeaderboardModel {
  readonly version: typeof SiteDataVersion
  readonly studies: ReadonlyArray<StudySummary>
  readonly columns: ReadonlyArray<Column>
  /** Ranked rows: base models and finetuned configurations. */
  readonly rows: ReadonlyArray<Row>
  /** Reference rows, never ranked: the floor, pilot baselines and the human ceiling. */
  readonly reference: ReadonlyArray<Row>
  /** Metric descriptors from the results files, one per metric id and version. */
  readonly metrics: ReadonlyArray<MetricDescriptorData>
  readonly crossStudy: CrossStudy
  readonly methods: Methods
  /** Entries left out: finetunes flagged `fake` (test doubles). */
  readonly excluded: { readonly fake: number }
}

/** One entry as the study page lists it (its scores and answers load on demand: `EntryDetail`). */
export interface StudyEntry {
  readonly ref: EntryRef
  readonly row: string
  readonly label: string
  readonly kind: RowKind
  readonly status: "ok" | "skipped" | "failed"
  readonly statusReason?: string
  /** Each metric's headline (the metric table), by metric id. */
  readonly headlines: Readonly<Record<string, MetricScore["headline"]>>
  readonly fidelity: ResultsFile["entries"][number]["fidelity"]
  readonly counts: ResultsFile["entries"][number]["counts"]
  readonly usage: ResultsFile["entries"][number]["usage"]
  readonly warnings: ResultsFile["entries"][number]["warnings"]
  readonly modelVersions: ReadonlyArray<string>
  /** Site path of the synthetic CSV, when there is one. */
  readonly download: string | null
  /** Site path of the script that registers this entry's `EntryDetail`. */
  readonly detail: string
  /**
   * The twin browser's pages (public studies, entries whose run recorded conversations): the first `shown` of
   * `total` twins by id, `pageSize` per script, each registering a `TwinConversation` array.
   */
  readonly twins?: TwinPages
}

export interface TwinPages {
  readonly total: number
  readonly shown: number
  readonly pageSize: number
  /** Site paths, page by page; page k registers `window.__STANDIN_TWINS__["<run>/<entry>/<k>"]`. */
  readonly pages: ReadonlyArray<string>
}

/** What the charts need of an entry: every measure and the answer counts (one script per entry). */
export interface EntryDetail {
  readonly distributions: AnswerDistributions
  readonly scores: ReadonlyArray<MetricScore>
}

/** One page of an entry's twin browser. */
export type TwinPage = ReadonlyArray<TwinConversation>

/** An entry with its detail loaded. */
export type ChartedEntry = StudyEntry & EntryDetail

export interface StudyRun {
  readonly summary: RunSummary
  readonly human: ResultsFile["human"]
  /** `standin run --splits K`: each entry's figures across K pilot/holdout splits (mean, between-split SD, interval). */
  readonly splits?: Omit<NonNullable<ResultsFile["splits"]>, "files">
  readonly learningCurves: ReadonlyArray<LearningCurvePoint & { readonly row: string }>
}

/** The study page's data (one lazily loaded script per study). */
export interface StudyData {
  readonly key: string
  readonly study: ResultsFile["study"]
  readonly metrics: ReadonlyArray<MetricDescriptorData>
  readonly runs: ReadonlyArray<StudyRun>
  readonly entries: ReadonlyArray<StudyEntry>
}

/** What `data.js` puts on `window.__STANDIN_DATA__`. */
export interface SiteData {
  readonly leaderboard: LeaderboardModel
  /** Study key → script path (relative to the site root) that registers its StudyData. */
  readonly studyScripts: Readonly<Record<string, string>>
  readonly downloads: {
    readonly leaderboardCsv: string
    /** One row per entry × study × metric × measure, with intervals (R and pandas read it as is). */
    readonly longCsv: string
    readonly results: ReadonlyArray<{ readonly run: string; readonly study: string; readonly path: string }>
    readonly synthetic: ReadonlyArray<{
      readonly run: string
      readonly study: string
      readonly entry: string
      readonly row: string
      readonly label: string
      readonly path: string
    }>
  }
}
