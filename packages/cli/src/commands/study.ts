import type { Effect } from "effect"
import { Command } from "effect/cli"
import type { Catalog } from "../catalog.js"
import { studyCheckCommand } from "./study-check.js"
import { studyInitCommand } from "./study-init.js"
import { studyShowCommand } from "./study-show.js"

/** `standin study init|check|show`: bring your own study as a folder, no code and no rebuild. */
export const studyCommand = (
  catalog: Catalog,
  handle: (effect: Effect.Effect<void, unknown>) => Effect.Effect<void>,
) =>
  Command.make("study").pipe(
    Command.withDescription(
      "Bring your own study: draft a study folder from a CSV (init) check it against its data (check), and print a twin's conversation with its instrument (show). Run it with `standin run --study <folder>`.",
    ),
    Command.withSubcommands([
      studyInitCommand(handle),
      studyCheckCommand(catalog),
      studyShowCommand(catalog, handle),
    ]),
  )
