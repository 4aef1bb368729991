import type { Fidelity, ResultsEntry, ResultsFile, RunMeta } from "@standin/core"
import { checkFloorCeiling } from "./floor-ceiling.js"
import type { LoadedResults } from "./load.js"
import {
  type Cell,
  type Column,
  type CrossStudy,
  type EntryRef,
  type FinetuneSummary,
  type Interval,
  type LeaderboardModel,
  type Methods,
  type MetricDescriptorData,
  type Row,
  type RowKind,
  type RunSummary,
  referenceKinds,
  SiteDataVersion,
  type StudySummary,
} from "./model.js"
import { weightsOf } from "./weights.js"

/** Families in the order the site shows them; families no descriptor here names follow, by name. */
export const familyOrder: ReadonlyArray<string> = [
  "divergence",
  "subgroup",
  "heterogeneity",
  "coherence",
  "regression",
]

export const methods: Methods = {
  normalisation:
    "Each metric's headline is normalised within its own run as fidelity = (floor − model) / (floor − ceiling), where the floor is the uniform baseline's score and the ceiling the human split-half's score. 0 is as good as answering uniformly at random; 1 is as good as another sample of different real people of this size — not test–retest agreement: the holdout is split (seeded, stratified on arm and persona cell) into halves, and the ceiling is each half's people scored against answers copied from distinct donors of the same arm and persona cell in the other half (backing off to a coarser cell only where the cell has no donor), so the people scored are never donors and no donor is counted twice; the ceiling's figure is the mean over five such halvings; for fidelity the floor and every model are scored the same way, half by half with their own twins, and the halves averaged, so every figure is compared at one sample size. The formula is the same for lower- and higher-is-better measures; a value below 0 (worse than uniform) or above 1 (closer to the holdout than another sample of people) is shown as it is and flagged. Invalid or refused answers count at the floor: a fidelity f ≥ 0 becomes (valid-answer rate) × f. From results version 2 on, the interval is the percentile interval of the fidelity recomputed on every bootstrap resample (floor, ceiling and model on the same resample), and the overall interval is that of the per-resample mean over metrics; version 1 runs held floor and ceiling fixed.",
  tieRule:
    "Within a column, a ranked row's rank is 1 + the number of ranked rows whose whole interval lies above its own (their lower bound is greater than its upper bound). Rows whose intervals overlap cannot be told apart and share ranks; a row without an interval counts as the interval [value, value]. Rows without a value, rows whose run failed or was skipped, and reference rows (floor, pilot baselines, human ceiling) are not ranked.",
  aggregation: [
    "A row is a model configuration: a base model (with its elicitation method and whether the prompt holds demographics), or a finetuned model identified by its finetuner, base model, pilot design (size, arms, sampling) and demographics flag. Seeds are not part of the configuration.",
    "A study's overall column is the entry's overall fidelity as its run computed it. A family column shows the metric of that family; where a study has several metrics of one family, it shows the mean of their fidelities with the mean of their interval bounds (conservative: the metrics are computed on the same respondents).",
    'All studies is the mean of a row\'s study overall scores over the studies it was scored on, with its coverage ("2 of 3 studies"). Its interval combines the studies as independent samples: the mean ± the root sum of squared half-widths divided by the number of studies, computed separately below and above.',
    "The cross-study headline ranks only on common studies: the studies at least half of the model configurations were scored on. A configuration scored on all of them is ranked on its mean over exactly those studies; one that lacks any of them is shown with its mean and coverage but not ranked. When the common studies are not all the studies, the headline is a separate column (Common studies) so that every ranked figure averages the same studies.",
    "A study whose floor and ceiling cannot be told apart is flagged and left out of every cross-study mean: for each metric the run normalised, the gap between the uniform floor's headline and the human split-half's headline must exceed the root sum of squares of the half-widths of their 95% intervals that face each other (a two-sided test at the 5% level for independent estimates). When any metric fails it, that metric's fidelity divides by noise and the study's overall fidelity cannot rank models (a 32-respondent study once gave a fidelity of 8.99). Flagged studies keep their own columns and pages.",
    'A cell says "not run" when the configuration has no entry on that study, "0 valid" when it ran and none of its answers was valid, and the run\'s status (failed, skipped) when it did not finish.',
    "When a configuration was run more than once on a study, the cell shows the run whose entry succeeded with the largest holdout (ties: the file that sorts last by path), and the model page lists every run.",
    "Finetunes flagged fake (test doubles) never appear. Subgroup cells under the minimum size are shown and flagged, never ranked.",
  ],
}

interface Identity {
  readonly key: string
  readonly kind: RowKind
  readonly label: string
  readonly provider: string
  readonly model: string
  readonly elicitation: string
  readonly includeDemographics: boolean
  readonly finetune?: FinetuneSummary
}

const sizeText = (size: ResultsFile["manifest"]["pilot"]["size"]): string =>
  size._tag === "Count" ? `n=${size.count}` : `${Math.round(size.fraction * 1000) / 10}%`

const samplingText = (sampling: ResultsFile["manifest"]["pilot"]["sampling"]): string =>
  sampling._tag === "Random" ? "random" : `balanced:${sampling.attribute}`

/** Which model configuration an entry belongs to (its row). */
export const identify = (entry: ResultsEntry, manifest: ResultsFile["manifest"]): Identity => {
  const elicitation = manifest.elicitation
  if (entry.baseline !== undefined) {
    return {
      key: `ref:${entry.baseline}:${entry.provider}:${entry.model}`,
      kind: entry.baseline,
      label: entry.label,
      provider: entry.provider,
      model: entry.model,
      elicitation,
      includeDemographics: manifest.includeDemographics,
    }
  }
  const qualifiers = (demographics: boolean) =>
    (elicitation === "sample" ? "" : ` · ${elicitation}`) + (demographics ? "" : " · no demographics")
  if (entry.finetune !== undefined) {
    const finetune: FinetuneSummary = {
      finetuner: entry.finetune.finetuner,
      baseModel: entry.finetune.baseModel,
      size: sizeText(entry.finetune.pilot.size),
      arms: entry.finetune.pilot.arms,
      sampling: samplingText(entry.finetune.pilot.sampling),
    }
    const demographics = entry.finetune.includeDemographics
    return {
      key: `ft:${finetune.finetuner}:${finetune.baseModel}:${finetune.size}:${finetune.arms}:${finetune.sampling}:${demographics ? "demo" : "nodemo"}:${elicitation}`,
      kind: "finetuned",
      label:
        `${finetune.baseModel} finetuned · ${finetune.size} · ${finetune.arms === "all" ? "all arms" : `arm ${finetune.arms}`} · ${finetune.sampling.replace(":", " by ")}` +
        qualifiers(demographics),
      provider: entry.provider,
      model: finetune.baseModel,
      elicitation,
      includeDemographics: demographics,
      finetune,
    }
  }
  return {
    key: `model:${entry.provider}:${entry.model}:${elicitation}:${manifest.includeDemographics ? "demo" : "nodemo"}`,
    kind: "model",
    label: entry.label + qualifiers(manifest.includeDemographics),
    provider: entry.provider,
    model: entry.model,
    elicitation,
    includeDemographics: manifest.includeDemographics,
  }
}

const pilotText = (pilot: ResultsFile["manifest"]["pilot"]): string =>
  `pilot ${sizeText(pilot.size)} ${samplingText(pilot.sampling).replace(":", " by ")}${pilot.arms === "all" ? "" : ` from arm ${pilot.arms}`}`

/** A run's design for people: pilot, holdout, elicitation, demographics and seed. */
export const runDesign = (results: ResultsFile): string => {
  const { manifest } = results
  return [
    pilotText(manifest.pilot),
    `holdout ${manifest.holdoutSize}`,
    ...(manifest.elicitation === "sample" ? [] : [manifest.elicitation]),
    ...(manifest.includeDemographics ? [] : ["no demographics"]),
    `seed ${manifest.seed}`,
  ].join(" · ")
}

/** A run's date for labels, e.g. "2026-12-07 21:40 UTC" (from its run-meta; results files hold no date, by design). */
export const runDate = (meta: RunMeta | undefined): string | undefined => {
  const at = meta?.finishedAt ?? meta?.startedAt
  const time = at === undefined ? Number.NaN : Date.parse(at)
  return Number.isNaN(time) ? undefined : `${new Date(time).toISOString().slice(0, 16).replace("T", " ")} UTC`
}

/** What a run was, for people: its models, its date when recorded, and its design. */
export const runLabel = (results: ResultsFile, meta?: RunMeta): string => {
  const models = results.entries.filter((entry) => entry.baseline === undefined && !isFake(entry))
  const first = models[0]
  const who =
    first === undefined
      ? "baselines only"
      : `${first.provider} ${first.model}${models.length > 1 ? ` +${models.length - 1} more` : ""}`
  const date = runDate(meta)
  return `${who}${date === undefined ? "" : ` · ${date}`} · ${runDesign(results)}`
}

/** A URL- and file-safe slug. */
export const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "") || "x"

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

const orderFamilies = (families: Iterable<string>): ReadonlyArray<string> => {
  const known = new Set(families)
  const first = familyOrder.filter((family) => known.has(family))
  const rest = [...known].filter((family) => !familyOrder.includes(family)).sort(compareText)
  return [...first, ...rest]
}

const intervalOf = (fidelity: Fidelity): Interval | null =>
  fidelity.ci === null
    ? null
    : { lower: fidelity.ci.lower, upper: fidelity.ci.upper, level: fidelity.ci.level }

/** Mean of values; interval = mean of bounds (only when every part has one). */
const meanOfBounds = (parts: ReadonlyArray<Fidelity>): { value: number | null; ci: Interval | null } => {
  const scored = parts.filter((part): part is Fidelity & { value: number } => part.value !== null)
  if (scored.length === 0) return { value: null, ci: null }
  const mean = (values: ReadonlyArray<number>) =>
    values.reduce((sum, value) => sum + value, 0) / values.length
  const intervals = scored.map(intervalOf)
  const complete = intervals.every((interval): interval is Interval => interval !== null)
  return {
    value: mean(scored.map((part) => part.value)),
    ci: complete
      ? {
          lower: mean(intervals.map((interval) => interval.lower)),
          upper: mean(intervals.map((interval) => interval.upper)),
          level: Math.min(...intervals.map((interval) => interval.level)),
        }
      : null,
  }
}

/** Mean of independent estimates; each side's half-width is the root sum of squares over k. */
export const combineIndependent = (
  parts: ReadonlyArray<{ readonly value: number; readonly ci: Interval | null }>,
): { value: number; ci: Interval | null } => {
  const k = parts.length
  const value = parts.reduce((sum, part) => sum + part.value, 0) / k
  if (parts.some((part) => part.ci === null)) return { value, ci: null }
  const below = Math.sqrt(parts.reduce((sum, part) => sum + (part.value - part.ci!.lower) ** 2, 0)) / k
  const above = Math.sqrt(parts.reduce((sum, part) => sum + (part.ci!.upper - part.value) ** 2, 0)) / k
  return {
    value,
    ci: {
      lower: value - below,
      upper: value + above,
      level: Math.min(...parts.map((part) => part.ci!.level)),
    },
  }
}

/** Applies the tie rule to the ranked cells of one column, in place of their rank/tied fields. */
export const rankCells = (
  cells: ReadonlyArray<{
    readonly value: number | null
    readonly ci: Interval | null
    readonly status: string
  }>,
): ReadonlyArray<{ rank: number | null; tied: boolean }> => {
  const intervals = cells.map((cell) =>
    cell.status !== "ok" || cell.value === null
      ? null
      : (cell.ci ?? { lower: cell.value, upper: cell.value, level: 1 }),
  )
  const ranks = intervals.map((interval) =>
    interval === null
      ? null
      : 1 + intervals.filter((other) => other !== null && other.lower > interval.upper).length,
  )
  const counts = new Map<number, number>()
  for (const rank of ranks) if (rank !== null) counts.set(rank, (counts.get(rank) ?? 0) + 1)
  return ranks.map((rank) => ({ rank, tied: rank !== null && (counts.get(rank) ?? 0) > 1 }))
}

interface Candidate {
  readonly entry: ResultsEntry
  readonly run: RunSummary
  readonly order: number
}

/** The detailed aggregation the site builder also needs: which row and run each entry belongs to. */
export interface Aggregation {
  readonly model: LeaderboardModel
  /** Run id per loaded file, in the order given. */
  readonly runIds: ReadonlyArray<string>
  /** `run/entry` → row key; fake entries are absent. */
  readonly entryRows: ReadonlyMap<string, string>
  /** Study key per loaded file, in the order given. */
  readonly studyKeys: ReadonlyArray<string>
}

export const entryRefKey = (run: string, entry: string): string => `${run}/${entry}`

const isFake = (entry: ResultsEntry): boolean => entry.finetune?.fake === true

export const aggregateDetailed = (loaded: ReadonlyArray<LoadedResults>): Aggregation => {
  const order = loaded.map((_, index) => index).sort((a, b) => compareText(loaded[a]!.path, loaded[b]!.path))

  // Studies: keyed by id, or id@version when one id comes in several versions.
  const versions = new Map<string, Set<string>>()
  for (const file of loaded) {
    const set = versions.get(file.results.study.id) ?? new Set<string>()
    set.add(file.results.study.version)
    versions.set(file.results.study.id, set)
  }
  const studyKeyOf = (study: ResultsFile["study"]) =>
    (versions.get(study.id)?.size ?? 0) > 1 ? `${study.id}@${study.version}` : study.id
  const studyKeys = loaded.map((file) => studyKeyOf(file.results.study))

  const runIds: Array<string> = new Array(loaded.length)
  const runs: Array<RunSummary> = new Array(loaded.length)
  const runsPerStudy = new Map<string, Array<RunSummary>>()
  const studyFiles = new Map<string, Array<LoadedResults>>()
  for (const index of order) {
    const file = loaded[index]!
    const studyKey = studyKeys[index]!
    const studyRuns = runsPerStudy.get(studyKey) ?? []
    const id = `${slug(studyKey)}-${studyRuns.length + 1}`
    const { manifest } = file.results
    const verdict = checkFloorCeiling(file.results)
    const run: RunSummary = {
      id,
      label: runLabel(file.results, file.meta),
      design: runDesign(file.results),
      ...(file.meta === undefined
        ? {}
        : {
            startedAt: file.meta.startedAt,
            finishedAt: file.meta.finishedAt,
            ...(runDate(file.meta) === undefined ? {} : { date: runDate(file.meta)! }),
          }),
      indistinguishable: verdict?.indistinguishable ?? [],
      study: studyKey,
      // Only the file's own folder and name: a published site must not carry the builder's local paths
      // (and the same runs must build the same site wherever they sit).
      source: file.source.split(/[\\/]/).slice(-2).join("/"),
      download: `downloads/${id}/results.json`,
      fromVersion: file.fromVersion,
      generator: `${file.results.generator.name} ${file.results.generator.version}`,
      seed: manifest.seed,
      holdoutSize: manifest.holdoutSize,
      pilotSize: manifest.pilotSize,
      replicates: manifest.replicates,
      elicitation: manifest.elicitation,
      bootstrapResamples: manifest.bootstrapResamples,
      entries: file.results.entries.filter((entry) => !isFake(entry)).length,
    }
    runIds[index] = id
    runs[index] = run
    studyRuns.push(run)
    runsPerStudy.set(studyKey, studyRuns)
    studyFiles.set(studyKey, [...(studyFiles.get(studyKey) ?? []), file])
  }

  // Metric descriptors, one per id and version; families per study.
  const metrics = new Map<string, MetricDescriptorData>()
  const studies: Array<StudySummary> = []
  const familyMetrics = new Map<string, Map<string, Array<string>>>()
  for (const [studyKey, files] of [...studyFiles.entries()].sort((a, b) => compareText(a[0], b[0]))) {
    const byFamily = new Map<string, Array<string>>()
    for (const file of files) {
      for (const metric of file.results.metrics) {
        metrics.set(`${metric.id}@${metric.version}`, metric)
        const ids = byFamily.get(metric.family) ?? []
        if (!ids.includes(metric.id)) ids.push(metric.id)
        byFamily.set(metric.family, ids)
      }
    }
    familyMetrics.set(studyKey, byFamily)
    const latest = files[files.length - 1]!.results.study
    const studyRuns = runsPerStudy.get(studyKey) ?? []
    const flaggedRuns = studyRuns.filter((run) => run.indistinguishable.length > 0)
    studies.push({
      key: studyKey,
      id: latest.id,
      version: latest.version,
      title: latest.title,
      citation: latest.citation,
      families: orderFamilies(byFamily.keys()),
      runs: studyRuns,
      // one private run makes the study private on the site
      ...(files.some((file) => file.results.study.private === true) ? { private: true as const } : {}),
      flag:
        flaggedRuns.length === 0
          ? null
          : `floor and ceiling cannot be told apart on ${[...new Set(flaggedRuns.flatMap((run) => run.indistinguishable))].join(", ")}${studyRuns.length > 1 ? ` (${flaggedRuns.length} of ${studyRuns.length} runs)` : ""}: left out of cross-study means`,
    })
  }

  const columns: Array<Column> = [
    { key: "overall", study: null, family: null, label: "All studies", metrics: [] },
  ]
  for (const study of studies) {
    const byFamily = familyMetrics.get(study.key)!
    columns.push({
      key: study.key,
      study: study.key,
      family: null,
      label: study.title,
      metrics: [...byFamily.values()].flat(),
    })
    for (const family of study.families) {
      columns.push({
        key: `${study.key}|${family}`,
        study: study.key,
        family,
        label: family,
        metrics: byFamily.get(family) ?? [],
      })
    }
  }

  // Rows: group entries by configuration.
  let fake = 0
  const identities = new Map<string, Identity>()
  const candidates = new Map<string, Map<string, Array<Candidate>>>()
  const entryRows = new Map<string, string>()
  let position = 0
  for (const index of order) {
    const file = loaded[index]!
    const run = runs[index]!
    for (const entry of file.results.entries) {
      if (isFake(entry)) {
        fake += 1
        continue
      }
      const identity = identify(entry, file.results.manifest)
      if (!identities.has(identity.key)) identities.set(identity.key, identity)
      const perStudy = candidates.get(identity.key) ?? new Map<string, Array<Candidate>>()
      perStudy.set(run.study, [...(perStudy.get(run.study) ?? []), { entry, run, order: position++ }])
      candidates.set(identity.key, perStudy)
      entryRows.set(entryRefKey(run.id, entry.id), identity.key)
    }
  }

  // Stable, unique slugs for row keys.
  const slugs = new Map<string, string>()
  const taken = new Set<string>()
  for (const key of [...identities.keys()].sort(compareText)) {
    const base = slug(key)
    let candidate = base
    for (let suffix = 2; taken.has(candidate); suffix++) candidate = `${base}-${suffix}`
    taken.add(candidate)
    slugs.set(key, candidate)
  }
  for (const [ref, key] of entryRows) entryRows.set(ref, slugs.get(key)!)

  const choose = (list: ReadonlyArray<Candidate>): Candidate =>
    [...list].sort(
      (a, b) =>
        Number(b.entry.status === "ok") - Number(a.entry.status === "ok") ||
        b.run.holdoutSize - a.run.holdoutSize ||
        b.order - a.order,
    )[0]!

  const runFlags = new Map(
    studies.flatMap((study) => study.runs.map((run) => [run.id, run.indistinguishable] as const)),
  )
  const informative = studies
    .filter((study) => study.runs.some((run) => run.indistinguishable.length === 0))
    .map((study) => study.key)
  const flagged = studies.map((study) => study.key).filter((key) => !informative.includes(key))

  type DraftCell = Omit<Cell, "rank" | "tied">
  const draftRows: Array<{ identity: Identity; cells: Record<string, DraftCell> }> = []
  for (const [key, identity] of identities) {
    const perStudy = candidates.get(key)!
    const cells: Record<string, DraftCell> = {}
    for (const study of studies) {
      const list = perStudy.get(study.key)
      if (list === undefined) continue
      const chosen = choose(list)
      const source: EntryRef = { study: study.key, run: chosen.run.id, entry: chosen.entry.id }
      const runsCount = list.length
      const answers = { valid: chosen.entry.counts.valid, twins: chosen.entry.counts.twins }
      if (chosen.entry.status !== "ok") {
        const note =
          chosen.entry.statusReason ??
          `the run ${chosen.entry.status === "failed" ? "failed" : "was skipped"}`
        const blank = {
          value: null,
          ci: null,
          status: chosen.entry.status,
          note,
          source,
          runs: runsCount,
          answers,
        }
        cells[study.key] = blank
        for (const family of study.families) cells[`${study.key}|${family}`] = blank
        continue
      }
      const indistinguishable = runFlags.get(chosen.run.id) ?? []
      const excluded =
        indistinguishable.length === 0
          ? {}
          : {
              excluded: `left out of cross-study means: this run's floor and ceiling cannot be told apart on ${indistinguishable.join(", ")}`,
            }
      const noAnswers = answers.valid === 0 ? "ran, but no answer was valid" : "not scored"
      const overall = chosen.entry.fidelity.overall
      cells[study.key] = {
        value: overall.value,
        ci: intervalOf(overall),
        status: "ok",
        source,
        runs: runsCount,
        answers,
        ...excluded,
        ...(overall.value === null ? { note: noAnswers } : {}),
        ...(chosen.entry.ppi === undefined ? {} : { worth: chosen.entry.ppi }),
      }
      const byFamily = familyMetrics.get(study.key)!
      for (const family of study.families) {
        const ids = byFamily.get(family) ?? []
        const parts = ids.map((id) => chosen.entry.fidelity.perMetric[id] ?? { value: null, ci: null })
        const combined = meanOfBounds(parts)
        const unscored = ids.filter((_, i) => parts[i]!.value === null)
        const notes = [
          ...(ids.length > 1 && combined.value !== null
            ? [`mean of ${ids.length - unscored.length} metrics`]
            : []),
          ...(answers.valid === 0
            ? [noAnswers]
            : unscored.length > 0
              ? [`not scored: ${unscored.join(", ")}`]
              : []),
        ]
        cells[`${study.key}|${family}`] = {
          ...combined,
          status: "ok",
          source,
          runs: runsCount,
          answers,
          ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
        }
      }
    }
    draftRows.push({ identity, cells })
  }

  // Cross-study means: over the informative studies each row was scored on, with coverage; the headline
  // ranks on the common studies (those at least half the model rows were scored on).
  const scoredOn = (cells: Record<string, DraftCell>, study: string) => {
    const cell = cells[study]
    return cell !== undefined && cell.status === "ok" && cell.value !== null && cell.excluded === undefined
  }
  const modelDraftRows = draftRows.filter((draft) => !referenceKinds.has(draft.identity.kind))
  // With no model rows (a board of baselines only) every informative study is common: nothing is missing.
  const common = informative.filter(
    (study) =>
      modelDraftRows.length === 0 ||
      modelDraftRows.filter((draft) => scoredOn(draft.cells, study)).length * 2 >= modelDraftRows.length,
  )
  const commonSeparate = common.length !== informative.length
  const meanOver = (cells: Record<string, DraftCell>, keys: ReadonlyArray<string>) =>
    combineIndependent(keys.map((study) => ({ value: cells[study]!.value!, ci: cells[study]!.ci })))
  const studyTitle = new Map(studies.map((study) => [study.key, study.title]))
  const titles = (keys: ReadonlyArray<string>) =>
    keys.map((study) => studyTitle.get(study) ?? study).join(", ")
  let rankedCount = 0
  if (studies.length > 0) {
    for (const draft of draftRows) {
      const covered = informative.filter((study) => scoredOn(draft.cells, study))
      const coversCommon = common.length > 0 && common.every((study) => covered.includes(study))
      const reference = referenceKinds.has(draft.identity.kind)
      if (!reference && coversCommon) rankedCount += 1
      const coverage = { studies: covered, of: informative.length }
      const missing = common.filter((study) => !covered.includes(study))
      const unrankedNote =
        !reference && !coversCommon && common.length > 0
          ? `not ranked: not scored on ${titles(missing)}`
          : undefined
      const coverageNote = `scored on ${covered.length} of ${informative.length} ${informative.length === 1 ? "study" : "studies"}`
      draft.cells.overall =
        covered.length === 0
          ? { value: null, ci: null, status: "ok", runs: 0, coverage, note: coverageNote }
          : {
              ...meanOver(draft.cells, covered),
              status: "ok",
              runs: 1,
              coverage,
              note: [
                coverageNote,
                ...(commonSeparate || unrankedNote === undefined ? [] : [unrankedNote]),
              ].join("; "),
            }
      if (commonSeparate) {
        draft.cells.common = coversCommon
          ? {
              ...meanOver(draft.cells, common),
              status: "ok",
              runs: 1,
              coverage: { studies: common, of: common.length },
              note: `mean over the common studies: ${titles(common)}`,
            }
          : {
              value: null,
              ci: null,
              status: "ok",
              runs: 0,
              coverage: { studies: covered.filter((study) => common.includes(study)), of: common.length },
              note: unrankedNote ?? "not scored on the common studies",
            }
      }
    }
  }
  if (commonSeparate) {
    columns.splice(1, 0, {
      key: "common",
      study: null,
      family: null,
      label: "Common studies",
      metrics: [],
    })
  }
  const headline = commonSeparate ? "common" : "overall"
  const crossStudy: CrossStudy = {
    headline,
    informative,
    common,
    flagged,
    ranked: rankedCount,
    unranked: modelDraftRows.length - rankedCount,
  }

  // Ranks per column over the model rows. The plain all-studies mean is ranked only when it is the
  // headline, and then only over rows that cover the common studies.
  const modelDrafts = modelDraftRows
  const ranked = new Map<string, Map<string, { rank: number | null; tied: boolean }>>()
  for (const column of columns) {
    if (column.key === "overall" && commonSeparate) continue
    const present = modelDrafts.filter((draft) => {
      const cell = draft.cells[column.key]
      if (cell === undefined) return false
      if (column.key === "overall")
        return common.length > 0 && common.every((study) => scoredOn(draft.cells, study))
      return true
    })
    const ranks = rankCells(present.map((draft) => draft.cells[column.key]!))
    ranked.set(column.key, new Map(present.map((draft, i) => [draft.identity.key, ranks[i]!])))
  }

  const toRow = (draft: (typeof draftRows)[number]): Row => {
    const { identity } = draft
    const cells: Record<string, Cell> = {}
    for (const [columnKey, cell] of Object.entries(draft.cells)) {
      const rank = referenceKinds.has(identity.kind)
        ? { rank: null, tied: false }
        : (ranked.get(columnKey)?.get(identity.key) ?? { rank: null, tied: false })
      cells[columnKey] = { ...cell, ...rank }
    }
    return {
      key: slugs.get(identity.key)!,
      label: identity.label,
      kind: identity.kind,
      provider: identity.provider,
      model: identity.model,
      elicitation: identity.elicitation,
      includeDemographics: identity.includeDemographics,
      ...(identity.finetune === undefined ? {} : { finetune: identity.finetune }),
      weights: weightsOf(identity.provider, identity.model, identity.finetune?.finetuner),
      cells,
    }
  }

  // Ranked rows first (by the headline), then the rest by their all-studies mean.
  const byOverall = (a: Row, b: Row) => {
    const ra = a.cells[headline]?.rank ?? null
    const rb = b.cells[headline]?.rank ?? null
    if ((ra === null) !== (rb === null)) return ra === null ? 1 : -1
    const key = ra === null ? "overall" : headline
    const va = a.cells[key]?.value ?? Number.NEGATIVE_INFINITY
    const vb = b.cells[key]?.value ?? Number.NEGATIVE_INFINITY
    return vb - va || compareText(a.label, b.label)
  }
  const referenceOrder: Record<string, number> = { ceiling: 0, pilot: 1, floor: 2 }
  const rows = draftRows
    .filter((draft) => !referenceKinds.has(draft.identity.kind))
    .map(toRow)
    .sort(byOverall)
  const reference = draftRows
    .filter((draft) => referenceKinds.has(draft.identity.kind))
    .map(toRow)
    .sort(
      (a, b) =>
        (referenceOrder[a.kind] ?? 9) - (referenceOrder[b.kind] ?? 9) || compareText(a.label, b.label),
    )

  return {
    model: {
      version: SiteDataVersion,
      studies,
      columns,
      rows,
      reference,
      metrics: [...metrics.values()].sort(
        (a, b) => compareText(a.id, b.id) || compareText(a.version, b.version),
      ),
      crossStudy,
      methods,
      excluded: { fake },
    },
    runIds,
    entryRows,
    studyKeys,
  }
}

/**
 * The leaderboard model: rows are model configurations, columns are studies × metric families
 * (plus each study's overall and the across-study overall), cells hold normalised fidelity with its
 * interval and a rank under the tie rule. Baselines and the human ceiling are reference rows.
 */
export const aggregate = (loaded: ReadonlyArray<LoadedResults>): LeaderboardModel =>
  aggregateDetailed(loaded).model
