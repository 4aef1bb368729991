import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import type { Catalog } from "../catalog.js"
import { defaultTo } from "../options.js"
import { table, toJson } from "../output.js"

/** The installed studies as data (`standin studies --json`). */
export const studiesRecords = (catalog: Catalog) =>
  catalog.studies.map((study) => ({
    id: study.descriptor.id,
    version: study.definition.version,
    title: study.definition.title,
    citation: study.definition.citation,
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
      }),
  ).pipe(Command.withDescription("List installed studies."))
