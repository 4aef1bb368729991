import { Schema } from "effect"
import { ConfidenceInterval, MetricScore } from "./metric.js"
import { GenerationSettings } from "./provider.js"
import { Elicitation, FailureReason } from "./respondent.js"
import { AnswerValue } from "./scale.js"

/**
 * Version of results.json. Bump on breaking change and add a migration in the leaderboard.
 * 2: the ceiling, valid-rate, paired comparisons and splits of the fidelity work, and entries' optional `ppi`
 * block (prediction-powered inference: what a model is worth in participants).
 */
export const ResultsSchemaVersion = 2

/** How the pilot (what a finetune or a pilot baseline may see) is drawn from the human data. */
export const PilotDesign = Schema.Struct({
  /** A count of respondents, or a fraction of the (arm-scoped) data, at most `max` respondents when set. */
  size: Schema.Union([
    Schema.TaggedStruct("Count", { count: Schema.Number }),
    Schema.TaggedStruct("Fraction", { fraction: Schema.Number, max: Schema.optionalKey(Schema.Number) }),
  ]),
  /** "all" draws from every arm; otherwise the id of the one arm the pilot comes from. */
  arms: Schema.String,
  /** Random, or balanced over the levels of a persona attribute. */
  sampling: Schema.Union([
    Schema.TaggedStruct("Random", {}),
    Schema.TaggedStruct("Balanced", { attribute: Schema.String }),
  ]),
})
export type PilotDesign = typeof PilotDesign.Type

export const PluginInstance = Schema.Struct({
  kind: Schema.Literals(["provider", "finetuner", "experiment", "metric"]),
  id: Schema.String,
  version: Schema.String,
  params: Schema.Record(Schema.String, Schema.Unknown),
})
export type PluginInstance = typeof PluginInstance.Type

/** Everything needed to rebuild a run. Holds no secret and no timestamp (results are byte-reproducible). */
export const RunManifest = Schema.Struct({
  seed: Schema.Number,
  pilot: PilotDesign,
  pilotSize: Schema.Number,
  holdoutSize: Schema.Number,
  /** The cap given with --holdout, if any. */
  holdoutCap: Schema.NullOr(Schema.Number),
  /** sha256 over the sorted pilot and holdout ids: identifies the split without publishing ids. */
  splitSha256: Schema.String,
  replicates: Schema.Number,
  elicitation: Elicitation,
  settings: GenerationSettings,
  includeDemographics: Schema.Boolean,
  maxReasks: Schema.Number,
  /** How options were ordered in prompts, when not as the humans saw them (absent: as shown). */
  optionOrder: Schema.optionalKey(Schema.Literals(["reversed", "shuffled"])),
  bootstrapResamples: Schema.Number,
  /**
   * How the human ceiling was made: the holdout split once into halves A and B (seeded, within arms); each half's
   * twins are answered by donors from the other half and scored against their own half's humans only.
   */
  ceiling: Schema.optionalKey(
    Schema.Struct({ halfA: Schema.Number, halfB: Schema.Number, description: Schema.String }),
  ),
  plugins: Schema.Array(PluginInstance),
  packages: Schema.Record(Schema.String, Schema.String),
  data: Schema.Struct({ file: Schema.String, sha256: Schema.String, rows: Schema.Number }),
})
export type RunManifest = typeof RunManifest.Type

export const OptionCounts = Schema.Record(Schema.String, Schema.Number)

/** Answer counts per item and arm (arm "all" pools arms), for distribution charts. */
export const AnswerDistributions = Schema.Record(Schema.String, Schema.Record(Schema.String, OptionCounts))
export type AnswerDistributions = typeof AnswerDistributions.Type

export const Fidelity = Schema.Struct({
  value: Schema.NullOr(Schema.Number),
  ci: Schema.NullOr(ConfidenceInterval),
  /** Bootstrap standard error: the standard deviation of the per-resample fidelities. */
  se: Schema.optionalKey(Schema.Number),
  /** The fidelity before the valid-answer adjustment (set when the adjustment changed it). */
  unadjusted: Schema.optionalKey(Schema.Number),
  /**
   * Set when the figure needs a word: it lies outside [0, 1] (what that means), or (overall) some metric could not
   * be normalised and is left out of the mean (which).
   */
  flag: Schema.optionalKey(Schema.String),
})
export type Fidelity = typeof Fidelity.Type

/** One entry's overall fidelity against another's, paired on the same bootstrap resamples. */
export const PairedComparison = Schema.Struct({
  entry: Schema.String,
  /** This entry's overall fidelity minus the other's. */
  difference: Schema.Number,
  /** Percentile interval of the per-resample differences. */
  ci: Schema.NullOr(ConfidenceInterval),
  /** False when the difference's interval includes 0: the two cannot be told apart. */
  distinguishable: Schema.Boolean,
})
export type PairedComparison = typeof PairedComparison.Type

export const FinetuneInfo = Schema.Struct({
  finetuner: Schema.String,
  baseModel: Schema.String,
  pilot: PilotDesign,
  pilotSize: Schema.Number,
  includeDemographics: Schema.Boolean,
  seed: Schema.Number,
  jobId: Schema.optionalKey(Schema.String),
  /** Set for test doubles: such rows never appear on a leaderboard. */
  fake: Schema.optionalKey(Schema.Boolean),
})
export type FinetuneInfo = typeof FinetuneInfo.Type

export const EntryStatus = Schema.Literals(["ok", "skipped", "failed"])

/** An estimate with its normal 95% interval (and standard error). */
export const PpiInterval = Schema.Struct({
  estimate: Schema.Number,
  se: Schema.Number,
  lower: Schema.Number,
  upper: Schema.Number,
})
export type PpiInterval = typeof PpiInterval.Type

/**
 * One quantity estimated three ways: from the pilot humans alone (classical), from the pilot humans with
 * their own twins plus the twins of the holdout (PPI++), and from the whole human holdout (the truth check).
 */
export const PpiTarget = Schema.Struct({
  /** e.g. `share:mean:hidden`, `share:effect:shown-hidden`, `share:coefficient:showdata`. */
  id: Schema.String,
  label: Schema.String,
  /** An arm's mean, a difference between arms, or a declared logistic analysis's treatment coefficient. */
  kind: Schema.Literals(["mean", "effect", "coefficient"]),
  /** The item (for a coefficient: the analysis's outcome item). */
  item: Schema.String,
  /** The arm (a mean), `treatment-control` (an effect) or the design column (a coefficient). */
  arm: Schema.String,
  /** How answers became numbers: `proportion "<option>"`, `score 1–k`, `value` or `log-odds of "<level>"`. */
  coding: Schema.String,
  /** Labelled pairs (pilot humans with a valid twin answer) and unlabelled twins used. */
  n: Schema.Number,
  N: Schema.Number,
  /** The PPI++ λ (the mean of the arms' λ for an effect): 0 means the twins were ignored. */
  lambda: Schema.Number,
  /** Pearson correlation of human and twin answers on the labelled pairs (null when one side is constant). */
  correlation: Schema.NullOr(Schema.Number),
  classical: PpiInterval,
  ppi: PpiInterval,
  /** n · Var(classical) / Var(PPI++): how many pilot participants the mixed design is worth; null if undefined. */
  nEffective: Schema.NullOr(Schema.Number),
  /** nEffective − n: "this model adds the precision of k participants". */
  gain: Schema.NullOr(Schema.Number),
  /** The same quantity on the whole human holdout, and whether the PPI++ interval covers it. */
  holdout: Schema.Struct({ estimate: Schema.Number, n: Schema.Number }),
  covered: Schema.Boolean,
})
export type PpiTarget = typeof PpiTarget.Type

/** What the mixed design (pilot humans + twins) costs next to humans alone for the same precision. */
export const PpiCost = Schema.Struct({
  humanCostUsd: Schema.Number,
  /** The model's recorded cost per twin, replicates and re-asks included (0 for baselines; null when a price was unknown). */
  twinCostUsd: Schema.NullOr(Schema.Number),
  /** For the headline target: n humans + (n + N) twins, against nEffective humans. */
  mixedDesignUsd: Schema.NullOr(Schema.Number),
  humansAloneUsd: Schema.NullOr(Schema.Number),
  /** humansAlone − mixedDesign: positive saves money, negative costs more than it saves. */
  savingUsd: Schema.NullOr(Schema.Number),
  costPerEffectiveParticipantUsd: Schema.NullOr(Schema.Number),
  /** The run's cost over the overall normalised fidelity (null when fidelity ≤ 0 or unknown). */
  costPerFidelityUsd: Schema.NullOr(Schema.Number),
})
export type PpiCost = typeof PpiCost.Type

/** Prediction-powered inference for one entry: what its twins are worth in human participants. */
export const PpiSummary = Schema.Struct({
  method: Schema.Literal("ppi++"),
  alpha: Schema.Number,
  /** Pilot respondents whose own twins were simulated (the labelled set), and holdout twins (unlabelled). */
  pilotTwins: Schema.Number,
  holdoutTwins: Schema.Number,
  /**
   * True when the entry learnt from the pilot (pilot baselines, finetunes): its pilot twins are in-sample,
   * so the labelled correlation, λ and n_eff are optimistic.
   */
  inSample: Schema.Boolean,
  /** What this entry's n_eff means (baselines especially). */
  note: Schema.String,
  /** The target the headline figures and the cost use (the action item's treatment effect when there is one). */
  headline: Schema.NullOr(Schema.String),
  targets: Schema.Array(PpiTarget),
  cost: PpiCost,
})
export type PpiSummary = typeof PpiSummary.Type

/** One model configuration's run on the study: baselines, base models and finetuned models alike. */
export const ResultsEntry = Schema.Struct({
  /** Stable slug, also the synthetic CSV's name. */
  id: Schema.String,
  label: Schema.String,
  provider: Schema.String,
  providerVersion: Schema.String,
  model: Schema.String,
  baseline: Schema.optionalKey(Schema.Literals(["floor", "pilot", "ceiling"])),
  finetune: Schema.optionalKey(FinetuneInfo),
  status: EntryStatus,
  statusReason: Schema.optionalKey(Schema.String),
  modelVersions: Schema.Array(Schema.String),
  warnings: Schema.Array(Schema.Struct({ message: Schema.String, count: Schema.Number })),
  counts: Schema.Struct({
    twins: Schema.Number,
    valid: Schema.Number,
    invalid: Schema.Number,
    failed: Schema.Number,
    reasks: Schema.Number,
  }),
  failures: Schema.Record(FailureReason, Schema.Number),
  usage: Schema.Struct({
    calls: Schema.Number,
    inputTokens: Schema.Number,
    outputTokens: Schema.Number,
    costUsd: Schema.NullOr(Schema.Number),
  }),
  syntheticFile: Schema.NullOr(Schema.String),
  /**
   * Each twin's whole conversation (JSON lines, next to the synthetic CSV): the prompts page by page as the model
   * received them, its replies verbatim, the parsed answers, validity and why an answer was invalid. Model entries
   * only (baselines answer without a conversation); absent in older results.
   */
  conversationsFile: Schema.optionalKey(Schema.String),
  distributions: AnswerDistributions,
  scores: Schema.Array(MetricScore),
  fidelity: Schema.Struct({
    perMetric: Schema.Record(Schema.String, Fidelity),
    overall: Fidelity,
    /**
     * Share of twins whose every answer was valid. It enters fidelity: the invalid share counts at the
     * floor (fidelity 0), so a fidelity f ≥ 0 becomes validRate × f; a fidelity below 0 is left as is.
     */
    validRate: Schema.optionalKey(Schema.Number),
    /** The overall fidelity paired against every other scored entry on the same bootstrap resamples. */
    comparisons: Schema.optionalKey(Schema.Array(PairedComparison)),
    /**
     * Among entries that are not reference rows (baselines): 1 + the number of those whose overall fidelity
     * is distinguishably higher (paired interval above 0). Null for reference rows and unscored entries.
     */
    rank: Schema.optionalKey(Schema.NullOr(Schema.Number)),
  }),
  /** Prediction-powered inference (schema 2+; absent when the pilot had no twins, e.g. an empty pilot). */
  ppi: Schema.optionalKey(PpiSummary),
})
export type ResultsEntry = typeof ResultsEntry.Type

export const MetricDescriptorData = Schema.Struct({
  id: Schema.String,
  version: Schema.String,
  label: Schema.String,
  family: Schema.String,
  description: Schema.String,
  headline: Schema.String,
  direction: Schema.Literals(["lower", "higher"]),
  measures: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      label: Schema.String,
      description: Schema.String,
      direction: Schema.Literals(["lower", "higher"]),
    }),
  ),
  citations: Schema.Array(Schema.Struct({ text: Schema.String, url: Schema.optionalKey(Schema.String) })),
})

/** One point of a learning curve: a finetuned configuration's fidelity at a pilot design. */
export const LearningCurvePoint = Schema.Struct({
  entry: Schema.String,
  baseModel: Schema.String,
  pilotSize: Schema.Number,
  sampling: Schema.String,
  arms: Schema.String,
  includeDemographics: Schema.Boolean,
  seed: Schema.Number,
  metrics: Schema.Record(Schema.String, Fidelity),
  overall: Fidelity,
  /**
   * The n_eff curve (PPI++ on the headline target, the sweep run with prediction-powered inference): what the
   * base model's twins are worth with this point's pilot as the labelled set (out-of-sample), and the point's
   * finetuned model on the very pilot it was trained on (in-sample: optimistic). `n` is the pilot size.
   */
  worth: Schema.optionalKey(
    Schema.Struct({
      target: Schema.String,
      n: Schema.Number,
      base: Schema.NullOr(Schema.Number),
      finetuned: Schema.NullOr(Schema.Number),
    }),
  ),
})
export type LearningCurvePoint = typeof LearningCurvePoint.Type

/** One figure (an entry's overall or per-metric fidelity) across repeated pilot/holdout splits. */
export const SplitFigure = Schema.Struct({
  entry: Schema.String,
  /** "overall" or a metric id (fidelity), or "headline:<metric id>" (the metric's headline itself). */
  figure: Schema.String,
  /** The figure in each split (null where it could not be scored), in split order. */
  values: Schema.Array(Schema.NullOr(Schema.Number)),
  mean: Schema.NullOr(Schema.Number),
  /** Between-split standard deviation. */
  sd: Schema.NullOr(Schema.Number),
  /** An interval including the between-split variance (method "splits"). */
  ci: Schema.NullOr(ConfidenceInterval),
})
export type SplitFigure = typeof SplitFigure.Type

/** `standin run --splits K`: K pilot/holdout draws from seeds derived from the run's seed. */
export const SplitsSummary = Schema.Struct({
  count: Schema.Number,
  /** The seed of each split (the first is the run's own seed: this file's entries are split 1). */
  seeds: Schema.Array(Schema.Number),
  splitSha256: Schema.Array(Schema.String),
  /** Each split's own results file, relative to this one. */
  files: Schema.Array(Schema.String),
  /** How the interval is made, in words. */
  description: Schema.String,
  figures: Schema.Array(SplitFigure),
})
export type SplitsSummary = typeof SplitsSummary.Type

export const ResultsFile = Schema.Struct({
  schemaVersion: Schema.Literal(ResultsSchemaVersion),
  generator: Schema.Struct({ name: Schema.Literal("standin"), version: Schema.String }),
  study: Schema.Struct({
    id: Schema.String,
    version: Schema.String,
    title: Schema.String,
    citation: Schema.String,
    /** sha256 of the decoded study definition as canonical JSON; runs of one id and version should agree. */
    definitionSha256: Schema.optionalKey(Schema.String),
    items: Schema.Array(
      Schema.Struct({
        id: Schema.String,
        label: Schema.String,
        role: Schema.String,
        options: Schema.Array(Schema.String),
      }),
    ),
    /**
     * The derived variables the item-level metrics score as pseudo-items (their measures carry `item: <id>`):
     * computed from answers, never asked. `options` are their levels (numbers for an index), empty when a
     * numeric one cannot be scored (then `note` says why). Absent when the study scores none.
     */
    derived: Schema.optionalKey(
      Schema.Array(
        Schema.Struct({
          id: Schema.String,
          label: Schema.String,
          options: Schema.Array(Schema.String),
          note: Schema.optionalKey(Schema.String),
        }),
      ),
    ),
    arms: Schema.Array(Schema.Struct({ id: Schema.String, label: Schema.String })),
    /** Set (true) for a private study: publish aggregates only (see StudyDefinition.private). */
    private: Schema.optionalKey(Schema.Boolean),
    /** The study's notes on what it can and cannot measure (StudyDefinition.notes). */
    notes: Schema.optionalKey(Schema.Array(Schema.String)),
    /** Texts written from a published description because the original was not available, grouped by source. */
    reconstructed: Schema.optionalKey(
      Schema.Array(Schema.Struct({ texts: Schema.Array(Schema.String), source: Schema.String })),
    ),
    /** The instrument as each arm saw it: an example twin's conversation, turn by turn (no model answers). */
    instrument: Schema.optionalKey(
      Schema.Array(
        Schema.Struct({
          arm: Schema.String,
          turns: Schema.Array(
            Schema.Struct({
              role: Schema.Literals(["system", "user", "assistant"]),
              page: Schema.optionalKey(Schema.String),
              content: Schema.String,
            }),
          ),
        }),
      ),
    ),
  }),
  manifest: RunManifest,
  metrics: Schema.Array(MetricDescriptorData),
  human: Schema.Struct({ n: Schema.Number, distributions: AnswerDistributions }),
  entries: Schema.Array(ResultsEntry),
  learningCurves: Schema.optionalKey(Schema.Array(LearningCurvePoint)),
  splits: Schema.optionalKey(SplitsSummary),
})
export type ResultsFile = typeof ResultsFile.Type

/**
 * One line of an entry's conversations file (`conversationsFile`): one twin (× replicate) as the model met the
 * instrument. `turns` holds the system message, each page as the user turn the model received and, after each
 * page it answered, the reply verbatim (`carried`: how that page's answers were restated to the model on later
 * pages). A page whose call failed for good has its user turn and no reply.
 */
export const TwinConversation = Schema.Struct({
  twinId: Schema.String,
  replicate: Schema.Number,
  arm: Schema.String,
  persona: Schema.Record(Schema.String, Schema.Union([Schema.String, Schema.Array(Schema.String)])),
  elicitation: Schema.String,
  turns: Schema.Array(
    Schema.Struct({
      role: Schema.Literals(["system", "user", "assistant"]),
      page: Schema.optionalKey(Schema.String),
      content: Schema.String,
      /** Calls this reply took (re-asks included). */
      attempts: Schema.optionalKey(Schema.Number),
      carried: Schema.optionalKey(Schema.String),
    }),
  ),
  /** Parsed answers by item id (null: invalid or unanswered). */
  answers: Schema.Record(Schema.String, AnswerValue),
  valid: Schema.Boolean,
  /** Why each invalid item was invalid (item id → reason), as the answer parser said. */
  invalid: Schema.Record(Schema.String, Schema.String),
  failure: Schema.optionalKey(Schema.Struct({ reason: Schema.String, message: Schema.String })),
  optionOrders: Schema.optionalKey(Schema.Record(Schema.String, Schema.Array(Schema.String))),
})
export type TwinConversation = typeof TwinConversation.Type

/**
 * When a run happened, kept beside its results (`run-meta.json` next to results.json), never inside them:
 * results.json stays byte-identical for the same seed, and a date would break that.
 */
export const RunMeta = Schema.Struct({
  schemaVersion: Schema.Literal(1),
  /** ISO 8601, UTC: when `standin run` started, and when it wrote its results. */
  startedAt: Schema.String,
  finishedAt: Schema.String,
  /** Wall-clock seconds of the run's phases (summed over its splits), as the bench reads them. */
  phaseSeconds: Schema.optionalKey(
    Schema.Struct({
      prepare: Schema.Number,
      simulate: Schema.Number,
      score: Schema.Number,
      report: Schema.Number,
    }),
  ),
})
export type RunMeta = typeof RunMeta.Type

/** The run-meta file's name, in the results file's folder. */
export const runMetaFileName = "run-meta.json"
