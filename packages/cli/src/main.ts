import { createRequire } from "node:module"
import { Effect } from "effect"
import { Command } from "effect/cli"
import { type Catalog, catalog as defaultCatalog } from "./catalog.js"
import { analyzeCommand } from "./commands/analyze.js"
import { finetuneCommand } from "./commands/finetune.js"
import { leaderboardCommand } from "./commands/leaderboard.js"
import { openCommand } from "./commands/open.js"
import { providersCommand } from "./commands/providers.js"
import { resultsCommand } from "./commands/results.js"
import { runCommand, runFlagShapes } from "./commands/run.js"
import { studiesCommand } from "./commands/studies.js"
import { studyCommand } from "./commands/study.js"
import { sweepCommand } from "./commands/sweep.js"
import { withConfigFile } from "./config-file.js"
import { describeFailure, describeFileError } from "./errors.js"

export const CLI_VERSION = (createRequire(import.meta.url)("../package.json") as { version: string }).version

/**
 * Runs a command's work, turning any failure into one paragraph on stderr and a non-zero exit code.
 * Commands never print stack traces for expected failures.
 */
const handle = (effect: Effect.Effect<void, unknown>): Effect.Effect<void> =>
  effect.pipe(
    Effect.catch((error) =>
      Effect.sync(() => {
        const failure = describeFailure(error)
        process.stderr.write(`${failure.message}\n`)
        process.exitCode = failure.exitCode
      }),
    ),
    // A file the command could not read or write is the user's to fix: one line naming it, no stack.
    Effect.catchDefect((defect) => {
      const failure = describeFileError(defect)
      if (failure === undefined) return Effect.die(defect)
      return Effect.sync(() => {
        process.stderr.write(`${failure.message}\n`)
        process.exitCode = failure.exitCode
      })
    }),
  )

export const makeCli = (catalog: Catalog = defaultCatalog) =>
  Command.make("standin").pipe(
    Command.withDescription(
      "standin tells you whether a language model — as is, or finetuned on a small pilot sample of your participants — can stand in for the human participants of a survey or behavioural experiment.",
    ),
    Command.withSubcommands([
      runCommand(catalog, handle),
      analyzeCommand(catalog, handle),
      providersCommand(catalog),
      studiesCommand(catalog),
      leaderboardCommand(handle),
      studyCommand(catalog, handle),
      finetuneCommand(catalog, handle),
      sweepCommand(catalog, handle),
      resultsCommand(handle),
      openCommand(handle),
    ]),
  )

export const runCli = (args: ReadonlyArray<string>, catalog: Catalog = defaultCatalog) => {
  const run = (argv: ReadonlyArray<string>) =>
    Command.runWith(makeCli(catalog), { version: CLI_VERSION })(argv)
  // `standin run --config <file>`: the file's flags go in front of the command line's own (config-file.ts).
  const command = args.findIndex((arg) => !arg.startsWith("-"))
  if (command === -1 || args[command] !== "run") return run(args)
  return withConfigFile(args.slice(command + 1), runFlagShapes).pipe(
    Effect.matchEffect({
      onFailure: (error) =>
        Effect.sync(() => {
          const failure = describeFailure(error)
          process.stderr.write(`${failure.message}\n`)
          process.exitCode = failure.exitCode
        }),
      onSuccess: (rest) => run([...args.slice(0, command + 1), ...rest]),
    }),
  )
}
