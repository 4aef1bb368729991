import type { Effect } from "effect"
import { Command } from "effect/cli"
import type { Catalog } from "../catalog.js"
import { studyCheckCommand } from "./study-check.js"
import { studyInitCommand } from "./study-init.js"

/** `standin study init|check`: bring your own study as a folder, no code and no rebuild. */
export const studyCommand = (
  catalog: Catalog,
  handle: (effect: Effect.Effect<void, unknown>) => Effect.Effect<void>,
) =>
  Command.make("study").pipe(
    Command.withDescription(
      "Bring your own study: draft a study folder from a CSV (init) and check it against its data (check). Run it with `standin run --study <folder>`.",
    ),
    Command.withSubcommands([studyInitCommand(handle), studyCheckCommand(catalog)]),
  )
