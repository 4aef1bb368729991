import type { StudyDefinition } from "@standin/core"
import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import type { Catalog } from "../catalog.js"
import { defaultTo } from "../options.js"
import { table, toJson } from "../output.js"

/** The licence of a study's data as declared, or a plain "not declared". */
export const studyLicence = (study: StudyDefinition): string => study.data.license ?? "not declared"

/** Where a study's data comes from: its pinned download address, else the study's page, else its data folder. */
export const studySource = (study: StudyDefinition): string =>
  study.data.url ?? study.url ?? `$STANDIN_DATA_DIR/${study.data.directory}/${study.data.file}`

/** The installed studies as data (`standin studies --json`). */
export const studiesRecords = (catalog: Catalog) =>
  catalog.studies.map((study) => ({
    id: study.descriptor.id,
    version: study.definition.version,
    title: study.definition.title,
    citation: study.definition.citation,
    licence: studyLicence(study.definition),
    source: studySource(study.definition),
    items: study.definition.items.map((item) => item.id),
    arms: study.definition.arms.map((arm) => arm.id),
    private: study.definition.private === true,
  }))

export const studiesCommand = (catalog: Catalog) =>
  Command.make(
    "studies",
    { json: Flag.Boolean("json").pipe(defaultTo("Print the list as JSON.", false)) },
    ({ json }) =>
      Effect.sync(() => {
        if (json) {
          process.stdout.write(toJson(studiesRecords(catalog)))
          return
        }
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
