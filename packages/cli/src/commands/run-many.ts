import { join } from "node:path"
import { InputError } from "@standin/core"
import { Effect, Option } from "effect"
import type { Catalog } from "../catalog.js"
import { checkOutputFolder } from "../paths.js"
import { buildLeaderboard, shownPath } from "./leaderboard.js"

/**
 * `--study all` (every installed study) or a comma list (`--study anes1996-vote,./my-study`): the studies one
 * `standin run` runs in turn. Undefined for a single study (write `./all` for a folder named "all").
 */
export const studyList = (catalog: Catalog, text: string): ReadonlyArray<string> | undefined => {
  if (text === "all") return catalog.studies.map((study) => study.descriptor.id)
  if (!text.includes(",")) return undefined
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
}

/** The folder a study's results go to under `--out`: its id, or the folder name of a path. */
const folderFor = (catalog: Catalog, text: string): string =>
  catalog.studies.some((study) => study.descriptor.id === text)
    ? text
    : (text
        .replace(/[/\\]+$/, "")
        .split(/[/\\]/)
        .pop() ?? text)

/** The split's refusal of a `--holdout` cap larger than what a study has left after its pilot (nothing paid yet). */
const holdoutBeyondStudy = (error: unknown): boolean =>
  error instanceof InputError &&
  error.flag === "--holdout" &&
  /^--holdout \d+ is more than the /.test(error.message)

/**
 * Runs each study of the list with the same providers and design flags, each into `<out>/<study>/` (a run of
 * its own: resumable, its own results.json and synthetic CSVs), then builds one site over all of them in
 * `<out>/site/`. The studies run one after another; the first failure stops the list and names its study (run
 * the same command again to resume: finished studies' calls come from the store). `--holdout N` caps each study at
 * N: a study with fewer respondents left after its pilot than N is run with them all (said, recorded as no cap).
 */
export const runStudies = <
  I extends {
    readonly study: string
    readonly out: string
    readonly holdout: Option.Option<number>
    readonly site: boolean
    readonly pilotArms: string
    readonly quiet: boolean
    readonly dryRun: boolean
    readonly json: boolean
  },
  E,
  R,
>(
  catalog: Catalog,
  input: I,
  studies: ReadonlyArray<string>,
  runOne: (input: I) => Effect.Effect<void, E, R>,
) =>
  Effect.gen(function* () {
    if (studies.length === 0)
      return yield* new InputError({ flag: "--study", message: `--study "${input.study}" names no study.` })
    if (input.pilotArms !== "all")
      return yield* new InputError({
        flag: "--pilot-arms",
        message: `--pilot-arms "${input.pilotArms}" names an arm of one study; with several studies (--study ${input.study}) only "all" applies.`,
      })
    if (input.json)
      return yield* new InputError({
        flag: "--json",
        message: `--json prints one run's summary; with several studies (--study ${input.study}) each study's results.json under --out holds its own.`,
      })
    const folders = studies.map((text) => folderFor(catalog, text))
    const twice = folders.find((folder, i) => folders.indexOf(folder) !== i)
    if (twice !== undefined)
      return yield* new InputError({
        flag: "--study",
        message: `--study "${input.study}" names "${twice}" twice (each study's results go to --out/<study>).`,
      })
    if (!input.dryRun) yield* checkOutputFolder("--out", input.out)
    const resultsPaths: Array<string> = []
    for (const [index, text] of studies.entries()) {
      const out = join(input.out, folders[index]!)
      if (!input.quiet)
        process.stderr.write(`\n══ study ${index + 1} of ${studies.length}: ${text} → ${shownPath(out)} ══\n`)
      const one = { ...input, study: text, out, site: false }
      yield* runOne(one).pipe(
        Effect.catchIf(holdoutBeyondStudy, () =>
          Effect.flatMap(
            Effect.sync(() =>
              process.stderr.write(
                `standin: ${text} has fewer respondents left after its pilot than --holdout ${Option.getOrElse(input.holdout, () => 0)}: it is run with all of them (no cap).\n`,
              ),
            ),
            () => runOne({ ...one, holdout: Option.none() }),
          ),
        ),
        Effect.tapError(() =>
          Effect.sync(() =>
            process.stderr.write(
              `standin: study ${text} (${index + 1} of ${studies.length}) failed; the studies before it are in ${shownPath(input.out)}. Run the same command again to resume.\n`,
            ),
          ),
        ),
      )
      resultsPaths.push(join(out, "results.json"))
    }
    if (input.dryRun || !input.site) return
    const built = yield* buildLeaderboard(resultsPaths, join(input.out, "site"))
    process.stdout.write(
      `\nleaderboard of ${studies.length} ${studies.length === 1 ? "study" : "studies"}: open ${shownPath(built.site.index)}\n`,
    )
  })
