import { Schema } from "effect"
import { ProtectedDesign } from "./protect.js"
import { Scale } from "./scale.js"

/** What an item measures. Beliefs and actions are paired for coherence metrics. */
export const ItemRole = Schema.Literals(["belief", "action", "outcome", "covariate"])
export type ItemRole = typeof ItemRole.Type

export const Item = Schema.Struct({
  id: Schema.String,
  /** Column in the human data file. */
  column: Schema.String,
  /** The wording shown to respondents (and to models). */
  wording: Schema.String,
  /** A short label for tables and charts. */
  label: Schema.String,
  scale: Scale,
  role: ItemRole,
  /** The option preselected when the respondent saw the item (e.g. a consent box checked by default), if any. */
  default: Schema.optionalKey(Schema.String),
  /**
   * The options in the order the respondents saw them, when it differs from the scale's order (which is the
   * analysis order: a Binary scale's second option is the positive level). A permutation of the options.
   */
  optionOrder: Schema.optionalKey(Schema.Array(Schema.String)),
  /**
   * Value labels: a data code → the option it stands for (`"1": Strongly disagree`), for columns stored as
   * codes. A Likert or Binary option's score in analyses is its numeric code (else its 1-based position).
   */
  labels: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  /** Cells read as a missing answer for this item, besides the study's `missingCodes`. Never an option. */
  missing: Schema.optionalKey(Schema.Array(Schema.String)),
  /**
   * Skip logic: the item is asked only when this expression holds for the respondent (`arm == "shown"`,
   * `q3 == "Yes"`, `age >= 18`), read from their arm, factors, persona and answers to earlier items. A twin is
   * asked exactly what its human was asked; a human's cell for an item not asked is ignored (missing).
   */
  askedIf: Schema.optionalKey(Schema.String),
  /**
   * Options that differed by arm: arm id → the options that arm was offered, in the order shown (a subset of
   * the scale's options). Arms not listed were offered the scale's options.
   */
  optionsByArm: Schema.optionalKey(Schema.Record(Schema.String, Schema.Array(Schema.String))),
  /**
   * The text is a reconstruction, not the original (the original wording or stimulus was not available):
   * `reconstructedFrom` names the description it was written from. Shown by `standin study show`.
   */
  reconstructed: Schema.optionalKey(Schema.Boolean),
  reconstructedFrom: Schema.optionalKey(Schema.String),
  /** A design that protects respondents (randomised response, crosswise, list experiment): see `protect.ts`. */
  protect: Schema.optionalKey(ProtectedDesign),
})
export type Item = typeof Item.Type

/**
 * One row of a stimulus table. Its value is fixed (`value`, e.g. an example the instrument published) or
 * read from the twin's persona (`persona`: an attribute id), so each twin can see its own value.
 */
export const StimulusRow = Schema.Struct({
  label: Schema.String,
  value: Schema.optionalKey(Schema.String),
  persona: Schema.optionalKey(Schema.String),
})
export type StimulusRow = typeof StimulusRow.Type

export const StimulusTable = Schema.Struct({
  /** Column headings, e.g. `[Attribute, Value]`. */
  header: Schema.optionalKey(Schema.Tuple([Schema.String, Schema.String])),
  rows: Schema.Array(StimulusRow),
  /** A line under the table (e.g. how the original displayed it). */
  note: Schema.optionalKey(Schema.String),
})
export type StimulusTable = typeof StimulusTable.Type

/** An image the respondents saw; text-only models read its alt text. */
export const StimulusImage = Schema.Struct({
  src: Schema.String,
  alt: Schema.String,
})
export type StimulusImage = typeof StimulusImage.Type

/** What a page shows besides its questions: text, then a table, then an image (each optional). */
export const StimulusContent = Schema.Struct({
  text: Schema.optionalKey(Schema.String),
  table: Schema.optionalKey(StimulusTable),
  image: Schema.optionalKey(StimulusImage),
})
export type StimulusContent = typeof StimulusContent.Type

/**
 * A page's stimulus: the content every arm sees, unless `arms` holds a variant for the twin's arm (arm id →
 * content), which replaces it. A control arm that saw nothing has no variant and no common content.
 */
export const Stimulus = Schema.Struct({
  text: Schema.optionalKey(Schema.String),
  table: Schema.optionalKey(StimulusTable),
  image: Schema.optionalKey(StimulusImage),
  arms: Schema.optionalKey(Schema.Record(Schema.String, StimulusContent)),
})
export type Stimulus = typeof Stimulus.Type

/**
 * One page of the instrument as respondents saw it: optional context (a lead-in), an optional stimulus,
 * and its items (ids, in the order shown). A twin answers page by page in one conversation.
 */
export const Page = Schema.Struct({
  id: Schema.String,
  context: Schema.optionalKey(Schema.String),
  stimulus: Schema.optionalKey(Stimulus),
  items: Schema.Array(Schema.String),
})
export type Page = typeof Page.Type

/** A treatment arm: how respondents in it are recognised in the data and what they saw. */
export const Arm = Schema.Struct({
  id: Schema.String,
  label: Schema.String,
  /** The value of the study's arm column that marks this arm. */
  value: Schema.String,
  /** What the arm showed before the items, in words a model can read. Empty for a control arm. */
  stimulus: Schema.String,
  /** For a cell of a factorial design: factor id → level id (the arm is that combination). */
  factors: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  /**
   * The text is a reconstruction, not the original (the original stimulus was not available):
   * `reconstructedFrom` names the description it was written from. Shown by `standin study show`.
   */
  reconstructed: Schema.optionalKey(Schema.Boolean),
  reconstructedFrom: Schema.optionalKey(Schema.String),
})
export type Arm = typeof Arm.Type

/** One level of an experimental factor: its cell value in the factor's column and what it showed. */
export const FactorLevel = Schema.Struct({
  id: Schema.String,
  label: Schema.String,
  /** The value of the factor's column that marks this level. */
  value: Schema.String,
  /** What this level showed, in words a model can read; the levels' stimuli are joined per arm. */
  stimulus: Schema.String,
})
export type FactorLevel = typeof FactorLevel.Type

/**
 * An experimental factor with its own data column (a 2×3 design has two). The study's arms are every
 * combination of the factors' levels (arm id `<level>.<level>`), each arm recording its levels in `factors`.
 */
export const Factor = Schema.Struct({
  id: Schema.String,
  column: Schema.String,
  label: Schema.String,
  levels: Schema.Array(FactorLevel),
})
export type Factor = typeof Factor.Type

/**
 * A variable computed from the answers, persona and arm by an expression (`mean(q1, q2, reverse(q3))`,
 * `age >= 65`, `recode(party, {"Dem": 1, "Rep": 0})`): the same way for humans and twins, never shown to a
 * model. Numeric unless it yields text, whose possible values are then its levels.
 */
export const DerivedVariable = Schema.Struct({
  id: Schema.String,
  label: Schema.String,
  expression: Schema.String,
  /**
   * Whether the item-level metrics score it as a pseudo-item (see derived-measure.ts): default, when it reads an
   * answer and is the outcome of an analysis; `false` opts out, `true` opts in. One that reads no answer is never
   * scored (a twin shares its human's persona and arm).
   */
  score: Schema.optionalKey(Schema.Boolean),
})
export type DerivedVariable = typeof DerivedVariable.Type

export const PersonaAttribute = Schema.Struct({
  id: Schema.String,
  column: Schema.String,
  label: Schema.String,
  /** Multi-select attributes hold several levels per respondent, joined by `separator` in the data. */
  multiple: Schema.Boolean,
  separator: Schema.optionalKey(Schema.String),
  levels: Schema.Array(Schema.String),
  /** How the attribute reads in a prompt; `{value}` is replaced by the level(s). */
  template: Schema.String,
  /** A numeric attribute (age in years): any number, no levels; `unit` follows the value in prompts. */
  numeric: Schema.optionalKey(Schema.Struct({ unit: Schema.optionalKey(Schema.String) })),
  /** Value labels: a data code → the level it stands for (`"0": Male`); prompts show the level. */
  labels: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
  /** Cells read as missing for this attribute (besides `missingCodes`): the persona then leaves it out. */
  missing: Schema.optionalKey(Schema.Array(Schema.String)),
  /** Levels are ordered (education, income band): a numeric coding scores them 1, 2, … (or by numeric code). */
  ordered: Schema.optionalKey(Schema.Boolean),
})
export type PersonaAttribute = typeof PersonaAttribute.Type

/** A persona: attribute id → level (or levels for multi-select attributes). */
export const Persona = Schema.Record(
  Schema.String,
  Schema.Union([Schema.String, Schema.Array(Schema.String)]),
)
export type Persona = typeof Persona.Type

/**
 * A belief–action pair: "believers" hold the belief (e.g. are concerned about tracking);
 * acting against it means choosing one of `contraryLevels` of the action (e.g. consenting to share).
 */
export const BeliefActionPair = Schema.Struct({
  id: Schema.String,
  label: Schema.String,
  belief: Schema.String,
  believerLevels: Schema.Array(Schema.String),
  action: Schema.String,
  contraryLevels: Schema.Array(Schema.String),
})
export type BeliefActionPair = typeof BeliefActionPair.Type

/** Where an analysis variable comes from. */
export const VariableSource = Schema.Union([
  Schema.TaggedStruct("Arm", {}),
  Schema.TaggedStruct("Persona", { attribute: Schema.String }),
  Schema.TaggedStruct("Item", { item: Schema.String }),
  /** A derived variable (study `derived`), computed the same way for humans and twins. */
  Schema.TaggedStruct("Derived", { variable: Schema.String }),
  /** One factor of a factorial design (its level id). */
  Schema.TaggedStruct("Factor", { factor: Schema.String }),
])
export type VariableSource = typeof VariableSource.Type

/**
 * How a source value becomes a model variable.
 * - Indicator: 1 when the value is one of `levels`, else 0.
 * - Categorical: dummy-coded against `reference`; `recode` maps raw levels to pooled levels, and
 *   `multiple` names the level used when a multi-select answer holds more than one level.
 * - Numeric: the value itself (numeric items only).
 */
export const VariableCoding = Schema.Union([
  Schema.TaggedStruct("Indicator", { levels: Schema.Array(Schema.String) }),
  Schema.TaggedStruct("Categorical", {
    reference: Schema.String,
    recode: Schema.optionalKey(Schema.Record(Schema.String, Schema.String)),
    multiple: Schema.optionalKey(Schema.String),
  }),
  Schema.TaggedStruct("Numeric", {}),
])
export type VariableCoding = typeof VariableCoding.Type

export const AnalysisVariable = Schema.Struct({
  id: Schema.String,
  label: Schema.optionalKey(Schema.String),
  source: VariableSource,
  coding: VariableCoding,
})
export type AnalysisVariable = typeof AnalysisVariable.Type

/**
 * The model a declared analysis fits.
 * - gaussian: OLS (numeric or indicator outcome).
 * - binomial: logistic regression (indicator outcome).
 * - probit: binary probit regression (indicator outcome).
 * - multinomial: baseline-category multinomial logit (categorical outcome; its `reference` is the baseline).
 *   Coefficients are keyed `<outcome level>::<column>`, e.g. `Dem::income` or `Dem::(Intercept)`.
 * - ordinal: proportional-odds (ordered) logit (categorical outcome whose declared levels run from lowest to
 *   highest, its `reference` the lowest; or a numeric outcome, ordered by value). The intercept gives way to
 *   thresholds keyed `<level>|<next level>`.
 */
export const AnalysisFamily = Schema.Literals(["binomial", "gaussian", "probit", "multinomial", "ordinal"])
export type AnalysisFamily = typeof AnalysisFamily.Type

/** Keep only the respondents whose source value is one of `levels` (a multi-select value: any of them). */
export const AnalysisSubset = Schema.Struct({
  source: VariableSource,
  levels: Schema.Array(Schema.String),
})
export type AnalysisSubset = typeof AnalysisSubset.Type

/**
 * Standard errors: classical (the default) or heteroskedasticity-consistent HC0–HC3 (White; MacKinnon & White).
 * Multinomial and ordinal analyses take HC0 or HC1 only (leverage corrections have no standard definition there).
 */
export const StandardErrors = Schema.Literals(["classical", "HC0", "HC1", "HC2", "HC3"])
export type StandardErrors = typeof StandardErrors.Type

/** A declared regression: `outcome ~ predictors + interactions`, fitted as `family` says. */
export const AnalysisSpec = Schema.Struct({
  id: Schema.String,
  label: Schema.String,
  family: AnalysisFamily,
  outcome: AnalysisVariable,
  predictors: Schema.Array(AnalysisVariable),
  interactions: Schema.Array(Schema.Tuple([Schema.String, Schema.String])),
  /** The predictor whose coefficient is the treatment effect, for treatment-effect recovery. */
  treatment: Schema.optionalKey(Schema.String),
  /** Fit on the respondents meeting every condition (e.g. one arm, or one arm and one level of an item). */
  subset: Schema.optionalKey(Schema.Array(AnalysisSubset)),
  /** Standard errors (default "classical"). */
  se: Schema.optionalKey(StandardErrors),
})
export type AnalysisSpec = typeof AnalysisSpec.Type

/**
 * A causal mediation analysis (Imai, Keele & Tingley 2010; the R package `mediation`'s quasi-Bayesian
 * `mediate`): two declared analyses, the mediator model (gaussian: OLS, its outcome the mediator) and the outcome
 * model (gaussian, binomial or probit, holding the mediator as a numeric predictor), and the treatment predictor
 * both hold. Estimates the ACME (control, treated, average), the ADE, the total effect and the proportion mediated.
 */
export const MediationSpec = Schema.Struct({
  id: Schema.String,
  label: Schema.String,
  /** The id of the mediator model's analysis (family gaussian; its outcome is the mediator). */
  mediatorModel: Schema.String,
  /** The id of the outcome model's analysis (gaussian, binomial or probit; the mediator is one of its predictors). */
  outcomeModel: Schema.String,
  /** The treatment: a predictor id both analyses hold (indicator or numeric coding). */
  treatment: Schema.String,
  /** The treatment's control and treated values (defaults 0 and 1). */
  control: Schema.optionalKey(Schema.Number),
  treated: Schema.optionalKey(Schema.Number),
  /** Monte Carlo draws (default 1000). */
  sims: Schema.optionalKey(Schema.Number),
  /** The simulation's seed (default: derived from the study id and the mediation id, so runs are repeatable). */
  seed: Schema.optionalKey(Schema.Number),
  /** Covariance the coefficients are drawn from (default "classical"; `HC3` is mediate(robustSE = TRUE)). */
  se: Schema.optionalKey(StandardErrors),
})
export type MediationSpec = typeof MediationSpec.Type

/** A published mediation figure: its estimate, and optionally its interval. */
export const ReferenceMediationEstimate = Schema.Struct({
  estimate: Schema.Number,
  lower: Schema.optionalKey(Schema.Number),
  upper: Schema.optionalKey(Schema.Number),
  /** An absolute tolerance replacing the simulation-error one. */
  tolerance: Schema.optionalKey(Schema.Number),
})

/**
 * Published mediation estimates, and how many Monte Carlo draws produced them (their simulation error enters the
 * tolerance). Figures: acmeControl, acmeTreated, acmeAverage, adeControl, adeTreated, adeAverage, total,
 * proportionControl, proportionTreated, proportionAverage.
 */
export const ReferenceMediation = Schema.Struct({
  sims: Schema.Number,
  n: Schema.optionalKey(Schema.Number),
  estimates: Schema.Record(Schema.String, ReferenceMediationEstimate),
})
export type ReferenceMediation = typeof ReferenceMediation.Type

/**
 * A published coefficient, keyed by the design column name (e.g. `gender[Female]`, `s1:s2`); in a multinomial
 * analysis by `<outcome level>::<column>` (`Dem::income`), and an ordinal analysis's thresholds by `low|high`.
 */
export const ReferenceCoefficient = Schema.Struct({
  estimate: Schema.Number,
  se: Schema.optionalKey(Schema.Number),
  p: Schema.optionalKey(Schema.Number),
  /** Absolute tolerance for this figure when it was published with fewer decimals than the study's default. */
  tolerance: Schema.optionalKey(Schema.Number),
})

export const ReferenceAnalysis = Schema.Struct({
  n: Schema.Number,
  pseudoR2: Schema.optionalKey(Schema.Number),
  /**
   * The residual deviance (−2 × log-likelihood) of a binomial, probit, multinomial or ordinal fit, as printed:
   * it reproduces when it rounds to the same figure at its printed decimals (1985.42: within ±0.005).
   */
  deviance: Schema.optionalKey(Schema.Number),
  coefficients: Schema.Record(Schema.String, ReferenceCoefficient),
})

/** A descriptive figure: the share of respondents answering one of `levels` on `item`, optionally within a condition. */
export const FigureSpec = Schema.Struct({
  id: Schema.String,
  label: Schema.String,
  item: Schema.String,
  levels: Schema.Array(Schema.String),
  arm: Schema.optionalKey(Schema.String),
  given: Schema.optionalKey(Schema.Struct({ item: Schema.String, levels: Schema.Array(Schema.String) })),
  /** The published value (a proportion in [0, 1]), if any. */
  published: Schema.optionalKey(Schema.Number),
})
export type FigureSpec = typeof FigureSpec.Type

/** A published prevalence of a protected item (its design's estimator): estimate, and optionally SE and n. */
export const ReferencePrevalence = Schema.Struct({
  estimate: Schema.Number,
  se: Schema.optionalKey(Schema.Number),
  n: Schema.optionalKey(Schema.Number),
  /** An absolute tolerance replacing the study's, for a figure published with fewer decimals. */
  tolerance: Schema.optionalKey(Schema.Number),
})
export type ReferencePrevalence = typeof ReferencePrevalence.Type

export const ReferenceResults = Schema.Struct({
  citation: Schema.String,
  url: Schema.optionalKey(Schema.String),
  analyses: Schema.Record(Schema.String, ReferenceAnalysis),
  /** Published causal mediation estimates, by mediation id. */
  mediations: Schema.optionalKey(Schema.Record(Schema.String, ReferenceMediation)),
  /** Published prevalences of the items declaring a design that protects respondents, by item id. */
  prevalences: Schema.optionalKey(Schema.Record(Schema.String, ReferencePrevalence)),
  /** Tolerance for reproducing published coefficients (absolute). */
  tolerance: Schema.Number,
})
export type ReferenceResults = typeof ReferenceResults.Type

/** Where the human data comes from, with what checksum. */
export const DataSource = Schema.Struct({
  /** Folder name under STANDIN_DATA_DIR and the user cache. */
  directory: Schema.String,
  file: Schema.String,
  sha256: Schema.String,
  bytes: Schema.optionalKey(Schema.Number),
  /** Download address pinned to an immutable revision, if the data is public. */
  url: Schema.optionalKey(Schema.String),
  license: Schema.optionalKey(Schema.String),
  /** The cell separator: `,` (CSV) or a tab (TSV). Default: a tab for `.tsv`/`.tab` files, else a comma. */
  delimiter: Schema.optionalKey(Schema.Literals([",", "\t", ";"])),
  /** The file's text encoding when it is not UTF-8 (`windows-1252`, `latin1`, `utf-16le`). */
  encoding: Schema.optionalKey(Schema.Literals(["utf-8", "windows-1252", "latin1", "utf-16le"])),
  /**
   * A long-format file (one row per respondent × question): the columns holding the respondent, the question
   * and the answer. It is reshaped to one row per respondent, one column per question (named by the question
   * cells, which items name as their `column`); every other column must be constant per respondent.
   */
  long: Schema.optionalKey(
    Schema.Struct({ respondent: Schema.String, question: Schema.String, answer: Schema.String }),
  ),
})
export type DataSource = typeof DataSource.Type

/**
 * Everything a study declares, as data. A study plugin's Experiment service carries one; the
 * declarative study format (YAML/JSON) decodes into the same schema.
 */
export const StudyDefinition = Schema.Struct({
  /** The study format's version; files without it are version 1 (everything before derived variables). */
  formatVersion: Schema.optionalKey(Schema.Literals([1, 2])),
  id: Schema.String,
  version: Schema.String,
  title: Schema.String,
  description: Schema.String,
  citation: Schema.String,
  url: Schema.optionalKey(Schema.String),
  data: DataSource,
  /**
   * The id column. Absent: respondents are numbered by data row (`r<row>`, the header being row 1), so the
   * ids are stable as long as the file is.
   */
  respondentId: Schema.optionalKey(Schema.String),
  /** The column whose value marks the arm. Absent with `factors` (arms from factor columns) or one arm. */
  armColumn: Schema.optionalKey(Schema.String),
  arms: Schema.Array(Arm),
  /** Factor columns of a factorial design; the arms are then every combination of their levels. */
  factors: Schema.optionalKey(Schema.Array(Factor)),
  /** Cells read as missing in every persona and item column (`NA`, `-99`, `Prefer not to say`). */
  missingCodes: Schema.optionalKey(Schema.Array(Schema.String)),
  /** Variables computed from answers, persona and arm, for analyses; never shown to a model. */
  derived: Schema.optionalKey(Schema.Array(DerivedVariable)),
  persona: Schema.Array(PersonaAttribute),
  /** Persona attribute ids used for subgroup alignment. */
  subgroups: Schema.Array(Schema.String),
  /** Items in the order the original study asked them. */
  items: Schema.Array(Item),
  /** Text shown before the items (the study's framing), if any. */
  preamble: Schema.String,
  /**
   * The instrument as pages, in the order respondents saw them. Without pages, every item is on one page.
   * Every item is on exactly one page.
   */
  pages: Schema.optionalKey(Schema.Array(Page)),
  beliefActionPairs: Schema.Array(BeliefActionPair),
  analyses: Schema.Array(AnalysisSpec),
  /** Causal mediation analyses built on two of the declared analyses. */
  mediations: Schema.optionalKey(Schema.Array(MediationSpec)),
  figures: Schema.Array(FigureSpec),
  /** Columns that must never leave the machine (ids, free text). */
  privateColumns: Schema.Array(Schema.String),
  /**
   * A private study (default false): its results publish aggregates only. The leaderboard then shows no
   * per-twin data (no twin browser, no synthetic CSV download): personas and answers stay with the researcher.
   */
  private: Schema.optionalKey(Schema.Boolean),
  /** Cleaning applied to every cell before validation. */
  trimWhitespace: Schema.Boolean,
  reference: Schema.optionalKey(ReferenceResults),
  /**
   * What the study can and cannot measure (e.g. "two demographics: weak for subgroup alignment"), one note per
   * entry; shown by `standin study show` and `standin studies`.
   */
  notes: Schema.optionalKey(Schema.Array(Schema.String)),
})
export type StudyDefinition = typeof StudyDefinition.Type

export const itemById = (study: StudyDefinition, id: string): Item | undefined =>
  study.items.find((item) => item.id === id)

/** A page with its items resolved. */
export interface InstrumentPage {
  readonly id: string
  readonly context?: string
  readonly stimulus?: Stimulus
  readonly items: ReadonlyArray<Item>
}

/**
 * The pages a twin answers, in order: the study's declared pages, or one page holding every item (in the
 * study's item order) when it declares none. Unknown item ids are skipped (validation reports them).
 */
export const instrumentPages = (study: StudyDefinition): ReadonlyArray<InstrumentPage> => {
  if (study.pages === undefined || study.pages.length === 0) return [{ id: "page-1", items: study.items }]
  return study.pages.map((page) => ({
    id: page.id,
    ...(page.context === undefined ? {} : { context: page.context }),
    ...(page.stimulus === undefined ? {} : { stimulus: page.stimulus }),
    items: page.items.flatMap((id) => {
      const item = itemById(study, id)
      return item === undefined ? [] : [item]
    }),
  }))
}

/**
 * The pages as one twin answers them: only the items it is asked (its `skipped` items left out), and only
 * the pages that keep at least one item, each with its index among the study's pages.
 */
export const twinPages = (
  study: StudyDefinition,
  twin: { readonly skipped?: ReadonlyArray<string> | undefined },
): ReadonlyArray<InstrumentPage & { readonly index: number }> =>
  instrumentPages(study).flatMap((page, index) => {
    const items =
      twin.skipped === undefined || twin.skipped.length === 0
        ? page.items
        : page.items.filter((item) => !twin.skipped!.includes(item.id))
    return items.length === 0 ? [] : [{ ...page, items, index }]
  })

/**
 * The options of an item in the order respondents saw them (empty for numeric items); given an arm, the options
 * that arm was offered when they differed by arm (`optionsByArm`).
 */
export const optionsAsShown = (item: Item, arm?: string): ReadonlyArray<string> =>
  (arm === undefined ? undefined : item.optionsByArm?.[arm]) ??
  item.optionOrder ??
  (item.scale._tag === "Numeric" ? [] : (item.scale.options as ReadonlyArray<string>))

/** How options are ordered in prompts: as the respondents saw them, reversed, or shuffled per twin (seeded). */
export const OptionOrderMode = Schema.Literals(["as-shown", "reversed", "shuffled"])
export type OptionOrderMode = typeof OptionOrderMode.Type

/**
 * The study's reconstructed texts (stimuli and wordings written from a published description because the original
 * was not available), grouped by the description they were written from: `arm a (stimulus)`, `item b (wording)`.
 */
export const reconstructedTexts = (
  study: StudyDefinition,
): ReadonlyArray<{ readonly texts: ReadonlyArray<string>; readonly source: string }> => {
  const bySource = new Map<string, Array<string>>()
  const add = (what: string, source: string | undefined) => {
    const key = source ?? "source not stated"
    bySource.set(key, [...(bySource.get(key) ?? []), what])
  }
  for (const arm of study.arms)
    if (arm.reconstructed === true) add(`arm ${arm.id} (stimulus)`, arm.reconstructedFrom)
  for (const item of study.items)
    if (item.reconstructed === true) add(`item ${item.id} (wording)`, item.reconstructedFrom)
  return [...bySource].map(([source, texts]) => ({ texts, source }))
}
