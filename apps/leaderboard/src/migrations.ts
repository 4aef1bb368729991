import { FailureReason, ResultsEntry, ResultsFile, ResultsSchemaVersion, RunManifest } from "@standin/core"
import { Schema } from "effect"

/**
 * One step of the migration chain: a results file of version `from`, decoded with `schema` (that
 * version's own, strict shape), becomes a plain object of version `from + 1`. Steps are pure, so a
 * file migrates the same way every time, and each step is tested on its own.
 */
export interface Migration {
  readonly from: number
  readonly schema: Schema.ConstraintDecoder<unknown>
  /** Takes a value decoded by `schema` (typed per step through `makeMigration`). */
  readonly migrate: (previous: never) => unknown
  /** What changed, for the methods page and error messages. */
  readonly summary: string
}

/**
 * Version 0: the pre-release shape written by standin 0.0.x prototypes (documented in the README).
 * It differs from version 1 in five places:
 * - `generator` was one string, `"standin@0.0.4"`;
 * - `manifest` had no `holdoutCap` (prototypes never capped the holdout);
 * - an entry said what it was with `kind: "model" | "floor" | "pilot" | "ceiling"`, not an optional
 *   `baseline`;
 * - an entry's synthetic CSV was `syntheticCsv`, and entries had no `failures` tally (migrated as all zero);
 * - fidelity was flat, `{ overall, metrics: { [metricId]: { value, lower, upper } | null } }`, always a
 *   95% percentile bootstrap interval (null when the measure could not be scored);
 * and it had no `learningCurves`.
 */
const FlatFidelityV0 = Schema.NullOr(
  Schema.Struct({
    value: Schema.Number,
    lower: Schema.NullOr(Schema.Number),
    upper: Schema.NullOr(Schema.Number),
  }),
)
type FlatFidelityV0 = typeof FlatFidelityV0.Type

const {
  baseline: _baseline,
  syntheticFile: _syntheticFile,
  failures: _failures,
  fidelity: _fidelity,
  ...sharedEntryFields
} = ResultsEntry.fields

export const ResultsEntryV0 = Schema.Struct({
  ...sharedEntryFields,
  kind: Schema.Literals(["model", "floor", "pilot", "ceiling"]),
  syntheticCsv: Schema.NullOr(Schema.String),
  fidelity: Schema.Struct({
    overall: FlatFidelityV0,
    metrics: Schema.Record(Schema.String, FlatFidelityV0),
  }),
})

const { holdoutCap: _holdoutCap, ...sharedManifestFields } = RunManifest.fields

export const ResultsFileV0 = Schema.Struct({
  schemaVersion: Schema.Literal(0),
  generator: Schema.String,
  study: ResultsFile.fields.study,
  manifest: Schema.Struct(sharedManifestFields),
  metrics: ResultsFile.fields.metrics,
  human: ResultsFile.fields.human,
  entries: Schema.Array(ResultsEntryV0),
})
export type ResultsFileV0 = typeof ResultsFileV0.Type

const fidelityFromV0 = (flat: FlatFidelityV0) => ({
  value: flat === null ? null : flat.value,
  ci:
    flat === null || flat.lower === null || flat.upper === null
      ? null
      : { lower: flat.lower, upper: flat.upper, level: 0.95, method: "percentile" as const },
})

const generatorFromV0 = (generator: string) => {
  const at = generator.lastIndexOf("@")
  return { name: "standin" as const, version: at > 0 ? generator.slice(at + 1) : "0.0.0" }
}

export const migrateV0toV1 = (file: ResultsFileV0): unknown => ({
  schemaVersion: 1,
  generator: generatorFromV0(file.generator),
  study: file.study,
  manifest: { ...file.manifest, holdoutCap: null },
  metrics: file.metrics,
  human: file.human,
  entries: file.entries.map(({ kind, syntheticCsv, fidelity, ...entry }) => ({
    ...entry,
    ...(kind === "model" ? {} : { baseline: kind }),
    failures: Object.fromEntries(FailureReason.literals.map((reason) => [reason, 0])),
    syntheticFile: syntheticCsv,
    fidelity: {
      perMetric: Object.fromEntries(
        Object.entries(fidelity.metrics).map(([metric, flat]) => [metric, fidelityFromV0(flat)]),
      ),
      overall: fidelityFromV0(fidelity.overall),
    },
  })),
})

/**
 * Version 1: the shape before issue 12. It is version 2 without the optional fields version 2 added
 * (fidelity `se`, `unadjusted`, `flag`, `validRate`, paired `comparisons` and `rank`, `manifest.ceiling`,
 * `splits`, entries' `ppi` block). Version 1 ceilings drew donors from the whole holdout they were scored on (a leaking ceiling),
 * and its fidelity intervals held floor and ceiling fixed: the migration cannot repair either, it only
 * relabels the file.
 */
export const ResultsFileV1 = Schema.Struct({ ...ResultsFile.fields, schemaVersion: Schema.Literal(1) })
export type ResultsFileV1 = typeof ResultsFileV1.Type

export const migrateV1toV2 = (file: ResultsFileV1): unknown => ({ ...file, schemaVersion: 2 })

const makeMigration = <S extends Schema.ConstraintDecoder<unknown>>(step: {
  readonly from: number
  readonly schema: S
  readonly migrate: (previous: S["Type"]) => unknown
  readonly summary: string
}): Migration => step

/** The chain, oldest first: `migrations[i]` takes version `i` to `i + 1`. */
export const migrations: ReadonlyArray<Migration> = [
  makeMigration({
    from: 0,
    schema: ResultsFileV0,
    migrate: migrateV0toV1,
    summary:
      "version 0 → 1: generator string → {name, version}; entry kind → baseline; syntheticCsv → syntheticFile; flat fidelity → {perMetric, overall} with interval metadata; holdoutCap and failures added",
  }),
  makeMigration({
    from: 1,
    schema: ResultsFileV1,
    migrate: migrateV1toV2,
    summary:
      "version 1 → 2: optional fields added (fidelity SE, valid-rate adjustment and flags, paired comparisons and ranks, the ceiling's halves, repeated splits, entries' ppi block); version 1 files keep their leaking ceiling and fixed-floor intervals and have no ppi block",
  }),
]

/** The oldest version this leaderboard still reads. */
export const oldestSupportedVersion = migrations[0]?.from ?? ResultsSchemaVersion
