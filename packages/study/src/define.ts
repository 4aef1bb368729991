import {
  Experiment,
  type ExperimentDescriptor,
  type ExperimentShape,
  ExperimentSpecVersion,
  type HumanData,
  StudyDataError,
  StudyDefinition,
  StudyDefinitionError,
} from "@standin/core"
import { Effect, Layer, Schema } from "effect"
import { dataDelimiter, decodeCsvBytes, parseCsv, reshapeLong, respondentsFromTable } from "./load.js"
import { makeRenderer, type RendererOverrides } from "./render.js"
import { dataLocations, resolveDataFile } from "./resolve-data.js"
import { validateDefinition } from "./validate.js"

export interface DefineStudyOptions {
  readonly renderer?: RendererOverrides
  /**
   * A study folder that may hold the data file (declarative studies). When `<dataPath>/<data.file>` exists it
   * is read from there, still checksum-verified; otherwise STANDIN_DATA_DIR, the cache and the download
   * address are tried as for any study.
   */
  readonly dataPath?: string
}

export interface StudyPlugin {
  readonly descriptor: ExperimentDescriptor
  readonly definition: StudyDefinition
  readonly experiment: ExperimentShape
  readonly layer: Layer.Layer<Experiment>
}

/** Loads and validates a study's human data, wherever it lives. */
export const loadHumanData = (definition: StudyDefinition, options: DefineStudyOptions = {}) =>
  Effect.gen(function* () {
    const locations = yield* dataLocations
    const resolved = yield* resolveDataFile(
      definition.id,
      definition.data,
      options.dataPath === undefined ? locations : { ...locations, studyDir: options.dataPath },
    )
    const decoded = decodeCsvBytes(resolved.bytes, definition.data.encoding)
    if ("error" in decoded)
      return yield* new StudyDataError({
        study: definition.id,
        file: resolved.path,
        message: `${resolved.path}: ${decoded.error}.`,
      })
    const parsed = yield* parseCsv(definition.id, resolved.path, decoded.text, dataDelimiter(definition.data))
    const long = definition.data.long
    const reshaped = long === undefined ? { table: parsed } : reshapeLong(parsed, long)
    if ("error" in reshaped)
      return yield* new StudyDataError({
        study: definition.id,
        file: resolved.path,
        ...(reshaped.row === undefined ? {} : { row: reshaped.row }),
        ...(reshaped.column === undefined ? {} : { column: reshaped.column }),
        message: `${resolved.path}${reshaped.row === undefined ? "" : `, row ${reshaped.row}`}: cannot reshape the long-format file: ${reshaped.error}.`,
      })
    const table = reshaped.table
    const respondents = yield* respondentsFromTable(definition, resolved.path, table)
    const data: HumanData = {
      respondents,
      path: resolved.path,
      sha256: resolved.sha256,
      origin: resolved.origin,
    }
    return data
  })

/**
 * Turns a study definition (data) into an Experiment plugin. The definition is decoded with the core
 * schema and checked for internal consistency (ids, references, analyses) up front: a study that does
 * not make sense fails here, with the field named, not in the middle of a run. Declarative studies
 * (study.yaml) go through `loadStudyFolder`, which applies the same checks and returns an Effect.
 */
export const defineStudy = (input: StudyDefinition, options: DefineStudyOptions = {}): StudyPlugin => {
  const definition = Schema.decodeUnknownSync(StudyDefinition)(input)
  const problems = validateDefinition(definition)
  if (problems.length > 0) {
    // A study plugin that contradicts itself is a programming error of the plugin author.
    throw new StudyDefinitionError({
      study: definition.id,
      field: problems[0]!.field,
      message: problems.map((p) => `${p.field}: ${p.message}`).join("; "),
    })
  }
  return makeStudyPlugin(definition, options)
}

/** Builds the plugin around a definition that is already decoded and validated. */
export const makeStudyPlugin = (
  definition: StudyDefinition,
  options: DefineStudyOptions = {},
): StudyPlugin => {
  const descriptor: ExperimentDescriptor = {
    kind: "experiment",
    id: definition.id,
    version: definition.version,
    specVersion: ExperimentSpecVersion,
    title: definition.title,
    citation: definition.citation,
  }
  const experiment: ExperimentShape = {
    descriptor,
    definition,
    loadHumanData: loadHumanData(definition, options).pipe(
      Effect.mapError((error) =>
        error instanceof StudyDataError
          ? error
          : new StudyDataError({ study: definition.id, message: String(error) }),
      ),
    ),
    renderPrompt: makeRenderer(definition, options.renderer),
  }
  return { descriptor, definition, experiment, layer: Layer.succeed(Experiment, experiment) }
}
