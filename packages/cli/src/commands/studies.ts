import { Effect } from "effect"
import { Command } from "effect/cli"
import type { Catalog } from "../catalog.js"
import { table } from "../output.js"

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
    }),
  ).pipe(Command.withDescription("List installed studies."))
