import { Context, type Effect, type Layer } from "effect"
import type { StudyDataError } from "./errors.js"
import type { RenderedPrompt, RenderOptions } from "./prompt.js"
import type { Respondent, Twin } from "./respondent.js"
import type { StudyDefinition } from "./study.js"

export const ExperimentSpecVersion = "1.0"

/** The human data of a study, validated, with where it came from. */
export interface HumanData {
  readonly respondents: ReadonlyArray<Respondent>
  /** Absolute path of the file that was read. */
  readonly path: string
  readonly sha256: string
  /** How the file was found: the data directory, the user cache, or a fresh download. */
  readonly origin: "data-dir" | "cache" | "download" | "study-dir"
}

export interface ExperimentDescriptor {
  readonly kind: "experiment"
  readonly id: string
  readonly version: string
  readonly specVersion: string
  readonly title: string
  readonly citation: string
}

/** The narrow interface a study plugin implements. */
export interface ExperimentShape {
  readonly descriptor: ExperimentDescriptor
  readonly definition: StudyDefinition
  readonly loadHumanData: Effect.Effect<HumanData, StudyDataError>
  /** The one prompt renderer of the study: inference and finetuning files both use it. */
  readonly renderPrompt: (twin: Twin, options: RenderOptions) => RenderedPrompt
}

export class Experiment extends Context.Service<Experiment, ExperimentShape>()("@standin/core/Experiment") {}

export interface ExperimentPlugin {
  readonly descriptor: ExperimentDescriptor
  readonly layer: Layer.Layer<Experiment>
}
