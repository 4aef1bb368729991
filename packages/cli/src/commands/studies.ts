import type { StudyDefinition } from "@standin/core"
import { Effect } from "effect"
import { Command } from "effect/cli"
import type { Catalog } from "../catalog.js"
import { table } from "../output.js"

/** The licence of a study's data as declared, or a plain "not declared". */
export const studyLicence = (study: StudyDefinition): string => study.data.license ?? "not declared"

/** Where a study's data comes from: its pinned download address, else the study's page, else its data folder. */
export const studySource = (study: StudyDefinition): string =>
  study.data.url ?? study.url ?? `$STANDIN_DATA_DIR/${study.data.directory}/${study.data.file}`

export const studiesCommand = (catalog: Catalog) =>
  Command.make("studies", {}, () =>
    Effect.sync(() => {
      const rows = catalog.studies.map((study) => [
        study.descriptor.id,
        study.definition.title,
        String(study.definition.items.length),
        study.definition.arms.map((arm) => arm.id).join(", "),
      ])
      process.stdout.write(`${table(["study", "title", "items", "arms"], rows)}\n`)
      // Licence and source are long: one block per study under the table.
      for (const study of catalog.studies) {
        const definition = study.definition
        process.stdout.write(
          `\n${definition.id}\n  licence: ${studyLicence(definition)}\n  source:  ${studySource(definition)}\n  cite:    ${definition.citation}\n`,
        )
      }
    }),
  ).pipe(Command.withDescription("List installed studies, with each one's data licence and source."))
