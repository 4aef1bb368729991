import { existsSync, readFileSync, statSync } from "node:fs"
import { basename, isAbsolute, join, normalize, resolve, sep } from "node:path"
import { StudyDefinition, StudyDefinitionError } from "@standin/core"
import { Effect, Result, Schema, SchemaIssue } from "effect"
import { type Document, LineCounter, parseDocument } from "yaml"
import { expandAuthoring } from "./authoring.js"
import { makeStudyPlugin, type StudyPlugin } from "./define.js"
import { formatProblem, type StudyProblem } from "./problems.js"
import { validateDefinition } from "./validate.js"

/** The names a study folder's definition may have, in the order they are looked for. */
export const STUDY_FILE_NAMES = ["study.yaml", "study.yml", "study.json"] as const

export interface StudyFileRead {
  /** The study folder, absolute. */
  readonly dir: string
  /** The definition file, absolute; undefined when the folder has none. */
  readonly path: string | undefined
  /** The decoded, expanded definition; undefined when it could not be decoded. */
  readonly definition: StudyDefinition | undefined
  /** Syntax, schema and consistency problems, each with the file, field and line. */
  readonly problems: ReadonlyArray<StudyProblem>
  /** The line of a field (`items[2].wording`) in the definition file, or of its nearest ancestor. */
  readonly lineOf: (field: string) => number | undefined
}

export interface StudyFolder {
  readonly dir: string
  readonly path: string
  readonly definition: StudyDefinition
  readonly plugin: StudyPlugin
}

/** Finds the definition file of a study folder, if any. */
export const findStudyFile = (dir: string): string | undefined => {
  for (const name of STUDY_FILE_NAMES) {
    const path = join(dir, name)
    if (existsSync(path) && statSync(path).isFile()) return path
  }
  return undefined
}

/** Whether `path` is a folder holding a study definition file. */
export const isStudyFolder = (path: string): boolean =>
  existsSync(path) && statSync(path).isDirectory() && findStudyFile(path) !== undefined

type PathSegment = string | number

/** `["items", 2, "scale"]` → `items[2].scale`; keys that are not plain words are quoted. */
export const formatFieldPath = (path: ReadonlyArray<PropertyKey>): string =>
  path
    .map((segment, index) => {
      if (typeof segment === "number") return `[${segment}]`
      const text = String(segment)
      if (/^[A-Za-z_$][\w$]*$/.test(text)) return index === 0 ? text : `.${text}`
      return `[${JSON.stringify(text)}]`
    })
    .join("")

/** The inverse of formatFieldPath for the paths validateDefinition produces. */
export const parseFieldPath = (field: string): Array<PathSegment> => {
  const out: Array<PathSegment> = []
  for (const match of field.matchAll(/([A-Za-z_$][\w$]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g)) {
    if (match[1] !== undefined) out.push(match[1])
    else if (match[2] !== undefined) out.push(Number(match[2]))
    else if (match[3] !== undefined) out.push(JSON.parse(`"${match[3]}"`) as string)
  }
  return out
}

/** The 1-based line of the node at `path`, or of its nearest ancestor present in the document. */
const lineIn = (
  document: Document,
  counter: LineCounter,
  path: ReadonlyArray<PathSegment>,
): number | undefined => {
  for (let length = path.length; length >= 0; length--) {
    const node = document.getIn(path.slice(0, length), true) as
      | { range?: [number, number, number] }
      | undefined
    if (node?.range !== undefined) return counter.linePos(node.range[0]).line
  }
  return undefined
}

const valueAt = (root: unknown, path: ReadonlyArray<PropertyKey>): unknown => {
  let value = root
  for (const segment of path) {
    if (typeof value !== "object" || value === null) return undefined
    value = (value as Record<PropertyKey, unknown>)[segment]
  }
  return value
}

const describeValue = (value: unknown): string => {
  if (value === undefined) return "nothing"
  if (value === null) return "null (an empty value)"
  if (typeof value === "string") return JSON.stringify(value)
  if (typeof value === "number" || typeof value === "boolean") return `the ${typeof value} ${value}`
  if (Array.isArray(value)) return `a list of ${value.length}`
  return "a map"
}

const editDistance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1))
      previous = current
    }
  }
  return row[b.length]!
}

/** Rewrites the schema's terse messages into ones a study author can act on. */
const explain = (
  issue: { readonly path: ReadonlyArray<PropertyKey>; readonly message: string },
  input: unknown,
  siblingsMissing: ReadonlyArray<string>,
): string => {
  const { message, path } = issue
  const actual = valueAt(input, path)
  if (message === "Missing key") return "this field is required"
  if (message.startsWith("Expected no excess property") || message.startsWith("Unexpected key")) {
    const key = String(path[path.length - 1])
    const close = siblingsMissing.find((candidate) => editDistance(candidate, key) <= 2)
    return `unknown field "${key}"${close === undefined ? "" : ` (did you mean "${close}"?)`}`
  }
  const tags = [...message.matchAll(/"_tag": "(\w+)"/g)].map((m) => m[1]!)
  if (tags.length > 0) {
    const tag =
      typeof actual === "object" && actual !== null && "_tag" in actual
        ? `, got "_tag": ${JSON.stringify((actual as { _tag: unknown })._tag)}`
        : `, got ${describeValue(actual)}`
    return `expected one of the kinds ${tags.join(", ")}${tag}`
  }
  const expected = message.replace(/^Expected /, "").replace(/, got .*$/s, "")
  const quoteHint =
    expected === "string" && (typeof actual === "boolean" || typeof actual === "number" || actual === null)
      ? ` (it was read as a ${actual === null ? "null" : typeof actual}: put it in quotes, e.g. "${String(actual)}")`
      : ""
  return `expected ${expected}, got ${describeValue(actual)}${quoteHint}`
}

/**
 * Decodes a study document (already parsed from YAML or JSON) into a StudyDefinition: authoring
 * shorthands are expanded, the core schema decodes strictly (unknown fields are errors), and
 * validateDefinition checks consistency. All problems are returned, each with its field path and,
 * given the parsed document, its line.
 */
export const decodeStudyDocument = (
  input: unknown,
  file: string,
  locate: (path: ReadonlyArray<PathSegment>) => number | undefined = () => undefined,
): { readonly definition: StudyDefinition | undefined; readonly problems: ReadonlyArray<StudyProblem> } => {
  const at = (problem: StudyProblem): StudyProblem => {
    const line = problem.field === undefined ? undefined : locate(parseFieldPath(problem.field))
    return { ...problem, file, ...(line === undefined ? {} : { line }) }
  }
  const expanded = expandAuthoring(input)
  if (expanded.problems.length > 0) return { definition: undefined, problems: expanded.problems.map(at) }
  const decoded = Schema.decodeUnknownResult(StudyDefinition)(expanded.value, {
    errors: "all",
    onExcessProperty: "error",
  })
  if (Result.isFailure(decoded)) {
    const issues = SchemaIssue.makeFormatterStandardSchemaV1()(decoded.failure.issue).issues
    const normalised = issues.map((issue) => ({
      path: (issue.path ?? []).map((segment) =>
        typeof segment === "object" && segment !== null && "key" in segment ? segment.key : segment,
      ) as ReadonlyArray<PropertyKey>,
      message: issue.message,
    }))
    const problems = normalised.map((issue) => {
      const parent = formatFieldPath(issue.path.slice(0, -1))
      const siblingsMissing = normalised
        .filter(
          (other) => other.message === "Missing key" && formatFieldPath(other.path.slice(0, -1)) === parent,
        )
        .map((other) => String(other.path[other.path.length - 1]))
      return at({
        kind: "schema",
        field: formatFieldPath(issue.path),
        message: explain(issue, expanded.value, siblingsMissing),
      })
    })
    return { definition: undefined, problems }
  }
  const definition = decoded.success
  const problems: Array<StudyProblem> = validateDefinition(definition).map((problem) =>
    at({ kind: "definition", field: problem.field, message: problem.message }),
  )
  const dataFile = definition.data.file
  if (dataFile === "" || isAbsolute(dataFile) || normalize(dataFile).split(sep).includes("..")) {
    problems.push(
      at({
        kind: "definition",
        field: "data.file",
        message: `"${dataFile}" must be a file name or a path inside the study folder (no absolute path, no "..")`,
      }),
    )
  }
  return { definition, problems }
}

/** Reads and decodes a study folder's definition file, collecting every problem (never fails). */
export const readStudyFolder = (dir: string): Effect.Effect<StudyFileRead> =>
  Effect.sync((): StudyFileRead => {
    const lineOf = () => undefined
    const root = resolve(dir)
    if (!existsSync(root) || !statSync(root).isDirectory()) {
      return {
        dir: root,
        path: undefined,
        definition: undefined,
        problems: [{ kind: "study-file-missing", file: dir, message: "is not a folder" }],
        lineOf,
      }
    }
    const path = findStudyFile(root)
    if (path === undefined) {
      return {
        dir: root,
        path: undefined,
        definition: undefined,
        problems: [
          {
            kind: "study-file-missing",
            file: dir,
            message: `holds no study definition (looked for ${STUDY_FILE_NAMES.join(", ")}). Create one with \`standin study init --from <data.csv> --out ${dir}\`.`,
          },
        ],
        lineOf,
      }
    }
    const name = basename(path)
    let text: string
    try {
      text = readFileSync(path, "utf8")
    } catch (cause) {
      return {
        dir: root,
        path,
        definition: undefined,
        problems: [{ kind: "invalid-syntax", file: name, message: `cannot be read: ${String(cause)}` }],
        lineOf,
      }
    }
    const counter = new LineCounter()
    const document = parseDocument(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, {
      lineCounter: counter,
      uniqueKeys: true,
      // `<<: *item` merge keys, so seven items of one battery can share their scale, labels and role.
      merge: true,
    })
    if (document.errors.length > 0) {
      return {
        dir: root,
        path,
        definition: undefined,
        problems: document.errors.map((error) => ({
          kind: "invalid-syntax" as const,
          file: name,
          ...(error.linePos === undefined ? {} : { line: error.linePos[0].line }),
          message: `invalid ${name.endsWith(".json") ? "JSON" : "YAML"}: ${error.message
            .split("\n")[0]!
            .replace(/ at line \d+, column \d+:?$/, "")}`,
        })),
        lineOf,
      }
    }
    const locate = (fieldPath: ReadonlyArray<PathSegment>) => lineIn(document, counter, fieldPath)
    const decoded = decodeStudyDocument(document.toJS({ maxAliasCount: 100 }), name, locate)
    return { dir: root, path, ...decoded, lineOf: (field: string) => locate(parseFieldPath(field)) }
  })

/**
 * Loads a declarative study folder (study.yaml or study.json plus, optionally, its data file) as a
 * study plugin. The data is read from the folder when it is there, else from STANDIN_DATA_DIR, the
 * cache or its download address — always sha256-verified. Fails with every problem of the
 * definition, each naming the file, field and line.
 */
export const loadStudyFolder = (dir: string): Effect.Effect<StudyFolder, StudyDefinitionError> =>
  Effect.gen(function* () {
    const read = yield* readStudyFolder(dir)
    if (read.definition === undefined || read.path === undefined || read.problems.length > 0) {
      const first = read.problems[0]
      return yield* new StudyDefinitionError({
        study: read.definition?.id ?? dir,
        ...(read.path === undefined ? {} : { file: read.path }),
        ...(first?.field === undefined ? {} : { field: first.field }),
        message: read.problems.map(formatProblem).join("; "),
      })
    }
    const plugin = makeStudyPlugin(read.definition, { dataPath: read.dir })
    return { dir: read.dir, path: read.path, definition: read.definition, plugin }
  })

/**
 * A study package's own folder (study.yaml next to its package.json), loaded at import time: the plugin of a
 * bundled declarative study. Throws the definition's problems, as `defineStudy` does for a typed definition.
 */
export const loadBundledStudyFolder = (dir: string): StudyFolder => Effect.runSync(loadStudyFolder(dir))
