import { spawn } from "node:child_process"
import { existsSync } from "node:fs"
import { join, resolve } from "node:path"
import { pathToFileURL } from "node:url"
import { InputError } from "@standin/core"
import { Effect } from "effect"
import { Argument, Command } from "effect/cli"
import { buildLeaderboard, shownPath } from "./leaderboard.js"
import { resultsPathOf } from "./results.js"

/** The site of a run folder (`<out>/site`), a site folder itself, or none. */
const siteIndexOf = (folder: string): string | null => {
  for (const candidate of [join(folder, "site", "index.html"), join(folder, "index.html")])
    if (existsSync(candidate)) return candidate
  return null
}

/** The platform's way to open a file in the default browser; `BROWSER` overrides it (as git and npm do). */
const opener = (): { command: string; args: ReadonlyArray<string> } => {
  const browser = process.env.BROWSER
  if (browser !== undefined && browser !== "") return { command: browser, args: [] }
  if (process.platform === "darwin") return { command: "open", args: [] }
  if (process.platform === "win32") return { command: "cmd", args: ["/c", "start", ""] }
  return { command: "xdg-open", args: [] }
}

const launch = (url: string) =>
  Effect.callback<void, InputError>((resume) => {
    const { command, args } = opener()
    const child = spawn(command, [...args, url], { stdio: "inherit" })
    child.on("error", (error) =>
      resume(
        Effect.fail(
          new InputError({
            message: `cannot start ${command} to open the site (${error.message}); open ${url} yourself, or set BROWSER.`,
          }),
        ),
      ),
    )
    child.on("exit", () => resume(Effect.void))
  })

export const openCommand = (handle: (effect: Effect.Effect<void, unknown>) => Effect.Effect<void>) =>
  Command.make(
    "open",
    {
      dir: Argument.String("dir").pipe(
        Argument.withDescription("A run's output folder (its --out), or a leaderboard site folder."),
      ),
    },
    (input) =>
      handle(
        Effect.gen(function* () {
          const folder = resolve(input.dir)
          let index = siteIndexOf(folder)
          if (index === null) {
            // A run made with --no-site: build its site now, where `standin run` would have.
            if (!existsSync(resultsPathOf(folder))) {
              return yield* new InputError({
                message: `no leaderboard site and no results.json in ${shownPath(folder)}: give a run's --out folder or a site folder.`,
              })
            }
            const built = yield* buildLeaderboard([resultsPathOf(folder)], join(folder, "site"))
            index = built.site.index
            process.stderr.write(`built the site in ${shownPath(join(folder, "site"))}\n`)
          }
          process.stderr.write(`opening ${shownPath(index)}\n`)
          yield* launch(pathToFileURL(index).toString())
        }),
      ),
  ).pipe(
    Command.withDescription("Open a run's leaderboard site in the default browser (building it if missing)."),
  )
