import { createHash } from "node:crypto"
import type { StudyDefinition } from "@standin/core"
import { canonicalJson } from "@standin/store"

/**
 * The sha256 of a study's decoded definition as canonical JSON (keys sorted, no whitespace): the same for
 * the same study whatever its YAML layout, comments or shorthands, different when anything it declares
 * differs. Two runs of one study id and version with different hashes did not run the same study.
 */
export const definitionSha256 = (study: StudyDefinition): string =>
  createHash("sha256").update(canonicalJson(study)).digest("hex")
