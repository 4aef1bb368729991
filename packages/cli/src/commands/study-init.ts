import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs"
import { basename, join, relative, resolve } from "node:path"
import { InputError } from "@standin/core"
import {
  dataDelimiter,
  decodeCsvBytes,
  findStudyFile,
  inferStudy,
  parseCsvText,
  sha256,
} from "@standin/study"
import { Effect, Option } from "effect"
import { Command, Flag } from "effect/cli"
import { checkOutputFolder } from "../paths.js"

export interface StudyInitInput {
  readonly from: string
  readonly out: string
  readonly id: Option.Option<string>
  readonly idColumn: Option.Option<string>
  readonly armColumn: Option.Option<string>
  readonly copy: boolean
  readonly force: boolean
}

const STUDY_ID = /^[a-z0-9][a-z0-9._-]*$/

/** A study id from a folder name: `My Study/` → `my-study`. */
const idFromFolder = (out: string): string =>
  basename(resolve(out))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-._]+|-+$/g, "") || "my-study"

/** Writes a file through a temporary sibling and a rename, so a crash never leaves half a file. */
const writeAtomically = (path: string, write: (temporary: string) => void) => {
  const temporary = `${path}.${process.pid}.partial`
  try {
    write(temporary)
    renameSync(temporary, path)
  } finally {
    rmSync(temporary, { force: true })
  }
}

export const studyInitHandler = (input: StudyInitInput) =>
  Effect.gen(function* () {
    const from = resolve(input.from)
    if (!existsSync(from) || !statSync(from).isFile()) {
      return yield* new InputError({ flag: "--from", message: `--from ${input.from}: no such file.` })
    }
    const out = yield* checkOutputFolder("--out", input.out)
    const existing = existsSync(out) ? findStudyFile(out) : undefined
    if (existing !== undefined && !input.force) {
      return yield* new InputError({
        flag: "--out",
        message: `${input.out} already holds a study (${basename(existing)}); pass --force to replace it.`,
      })
    }
    const id = Option.getOrElse(input.id, () => idFromFolder(input.out))
    if (!STUDY_ID.test(id)) {
      return yield* new InputError({
        flag: "--id",
        message: `--id "${id}" is not a study id: use lowercase letters, digits, ".", "_" and "-".`,
      })
    }
    const bytes = yield* Effect.try({
      try: () => readFileSync(from),
      catch: (cause) =>
        new InputError({ flag: "--from", message: `cannot read ${input.from}: ${String(cause)}` }),
    })
    const decoded = decodeCsvBytes(bytes)
    if ("error" in decoded)
      return yield* new InputError({ flag: "--from", message: `--from ${input.from}: ${decoded.error}.` })
    const parsed = parseCsvText(decoded.text, dataDelimiter({ file: from }))
    if ("error" in parsed) {
      return yield* new InputError({
        flag: "--from",
        message: `${input.from} is not valid CSV: ${parsed.error}.`,
      })
    }
    const dataFile = basename(from)
    const target = join(out, dataFile)
    if (input.copy && existsSync(target) && target !== from && !input.force) {
      const same = sha256(readFileSync(target)) === sha256(bytes)
      if (!same) {
        return yield* new InputError({
          flag: "--out",
          message: `${relative(process.cwd(), target)} exists and differs from ${input.from}; pass --force to replace it.`,
        })
      }
    }
    const inferred = inferStudy(parsed.table, {
      id,
      dataFile,
      sha256: sha256(bytes),
      bytes: bytes.length,
      copied: input.copy,
      source: dataFile,
      ...(Option.isSome(input.idColumn) ? { idColumn: input.idColumn.value } : {}),
      ...(Option.isSome(input.armColumn) ? { armColumn: input.armColumn.value } : {}),
    })
    if ("error" in inferred) {
      return yield* new InputError({
        flag: "--from",
        message: `cannot draft a study from ${input.from}: ${inferred.error}.`,
      })
    }
    yield* Effect.try({
      try: () => {
        mkdirSync(out, { recursive: true })
        if (input.copy && target !== from)
          writeAtomically(target, (temporary) => copyFileSync(from, temporary))
        // A replaced study's other definition files would shadow or contradict the new study.yaml.
        for (const name of ["study.yml", "study.json"]) rmSync(join(out, name), { force: true })
        writeAtomically(join(out, "study.yaml"), (temporary) => writeFileSync(temporary, inferred.yaml))
      },
      catch: (cause) =>
        new InputError({ flag: "--out", message: `cannot write to ${input.out}: ${String(cause)}` }),
    })
    const shown = relative(process.cwd(), out) || "."
    process.stdout.write(
      [
        `drafted ${join(shown, "study.yaml")} from ${input.from}:`,
        ...inferred.summary.map((line) => `  ${line}`),
        input.copy
          ? `copied the data to ${join(shown, dataFile)}`
          : `the data was not copied: put it at $STANDIN_DATA_DIR/${id}/${dataFile}`,
        `next: check every "guessed" comment, replace every TODO, then run \`standin study check ${shown}\``,
        "",
      ].join("\n"),
    )
  })

export const studyInitCommand = (handle: (effect: Effect.Effect<void, unknown>) => Effect.Effect<void>) =>
  Command.make(
    "init",
    {
      from: Flag.String("from").pipe(
        Flag.withDescription("The CSV of your human respondents, one row each."),
      ),
      out: Flag.String("out").pipe(
        Flag.withDescription("The study folder to create (study.yaml and the data)."),
      ),
      id: Flag.String("id").pipe(
        Flag.withDescription("Study id (default: from the folder name)."),
        Flag.optional,
      ),
      idColumn: Flag.String("id-column").pipe(
        Flag.withDescription("The respondent id column, if the guess is wrong."),
        Flag.optional,
      ),
      armColumn: Flag.String("arm-column").pipe(
        Flag.withDescription("The column that assigns respondents to treatment arms, if the guess is wrong."),
        Flag.optional,
      ),
      copy: Flag.Boolean("copy").pipe(
        Flag.withDescription(
          "Copy the CSV into the study folder (--no-copy: leave it out, to be found under STANDIN_DATA_DIR).",
        ),
        Flag.withDefault(true),
      ),
      force: Flag.Boolean("force").pipe(
        Flag.withDescription("Replace a study that is already in --out."),
        Flag.withDefault(false),
      ),
    },
    (input) => handle(studyInitHandler(input)),
  ).pipe(
    Command.withDescription(
      "Draft a study folder from a CSV: guesses the respondent id, the arm, persona attributes and each item's scale and role, and writes a commented study.yaml with TODOs for what only you know.",
    ),
  )
