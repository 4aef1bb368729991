import { join, relative, resolve } from "node:path"
import { Effect } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { checkOutputFolder } from "../paths.js"

/** Where to tell the user to look: a relative path when it is below the current folder. */
export const shownPath = (path: string): string => {
  const shown = relative(process.cwd(), path)
  return shown === "" || shown.startsWith("..") ? path : shown
}

/** Loads results files (or folders of them) and writes the static leaderboard site. */
export const buildLeaderboard = (results: ReadonlyArray<string>, out: string) =>
  Effect.gen(function* () {
    yield* checkOutputFolder("--out", out)
    // the site builder is loaded only by the commands that build a site (start-up time)
    const { buildSite, loadResults } = yield* Effect.promise(() => import("@standin/leaderboard"))
    const loaded = yield* loadResults(results.map((path) => resolve(path)))
    const site = yield* buildSite({ results: loaded, out: resolve(out) })
    return { site, runs: loaded.length }
  })

/** The end of run and sweep: where the results are and, unless --no-site, the site built for them. */
export const reportResults = (out: string, resultsPath: string, site: boolean) =>
  Effect.gen(function* () {
    process.stdout.write(`results: ${shownPath(resultsPath)}\n`)
    if (!site) return
    const built = yield* buildLeaderboard([resultsPath], join(out, "site"))
    process.stdout.write(`leaderboard: open ${shownPath(built.site.index)}\n`)
  })

export const leaderboardCommand = (handle: (effect: Effect.Effect<void, unknown>) => Effect.Effect<void>) =>
  Command.make("leaderboard").pipe(
    Command.withDescription(
      "Build the replication leaderboard: a static site (no server) from one or more results files.",
    ),
    Command.withSubcommands([
      Command.make(
        "build",
        {
          results: Flag.String("results").pipe(
            Flag.withDescription(
              "A results.json file or a folder searched for them; repeatable (--results a --results b), or a list (--results a b).",
            ),
            Flag.atLeast(1),
          ),
          // `--results a b`: the paths after the first are positional
          more: Argument.String("more-results").pipe(
            Argument.withDescription("More results files or folders, after --results."),
            Argument.variadic(),
          ),
          out: Flag.String("out").pipe(
            Flag.withDescription("Folder to write the site into (updated in place)."),
            Flag.withDefault("site"),
          ),
        },
        (input) =>
          handle(
            Effect.gen(function* () {
              const { site, runs } = yield* buildLeaderboard([...input.results, ...input.more], input.out)
              for (const warning of site.warnings) process.stderr.write(`warning: ${warning}\n`)
              process.stdout.write(
                `leaderboard of ${runs} run${runs === 1 ? "" : "s"}: open ${shownPath(site.index)}\n`,
              )
            }),
          ),
      ).pipe(
        Command.withDescription(
          "Merge results files (validating and migrating older schema versions), rank model configurations with CIs, and write the static site with every download.",
        ),
      ),
    ]),
  )
