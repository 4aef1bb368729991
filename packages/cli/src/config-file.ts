import { readFileSync } from "node:fs"
import { InputError } from "@standin/core"
import { Effect, Option } from "effect"
import { parseDocument, stringify } from "yaml"

/**
 * `standin run --config standin.yaml`: a YAML mapping of the run's flags (their names as on the command line,
 * e.g. `max-reasks: 3`, `provider: [uniform, openai:gpt-4o-mini]`, `demographics: false`). The file's values
 * become flags placed before the command line's own, and a flag given on the command line replaces the
 * file's value (a repeatable flag's whole list). `--print-config` writes the effective configuration in the
 * same form, so it reads back to the same run.
 */

/** What the config file may set for one flag, read off the flag itself. */
export interface FlagShape {
  readonly name: string
  readonly type: "boolean" | "number" | "string"
  readonly repeatable: boolean
}

interface ParamNode {
  readonly _tag?: string
  readonly name?: string
  readonly param?: ParamNode
  readonly primitiveType?: { readonly _tag?: string }
}

/** Walks an effect/cli flag down to its single named parameter (through defaults, optionals and repeats). */
export const flagShape = (flag: unknown): FlagShape => {
  let node = flag as ParamNode
  let repeatable = false
  while (node._tag !== "Single" && node.param !== undefined) {
    if (node._tag === "Variadic") repeatable = true
    node = node.param
  }
  const primitive = node.primitiveType?._tag
  return {
    name: node.name ?? "",
    type:
      primitive === "Boolean"
        ? "boolean"
        : primitive === "Int" || primitive === "Finite"
          ? "number"
          : "string",
    repeatable,
  }
}

/** Flags the config file cannot set: the config itself and what only makes sense on a command line. */
const commandLineOnly = new Set(["config", "print-config"])

const given = (args: ReadonlyArray<string>, name: string): boolean =>
  args.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`) || arg === `--no-${name}`)

/**
 * The command line with the config file's flags put in front of it: `args` are the arguments after the
 * subcommand (`run`). Refuses, naming the file, a key that is not a flag, a value of the wrong kind, or a
 * file that is not a YAML mapping.
 */
export const withConfigFile = (
  args: ReadonlyArray<string>,
  shapes: ReadonlyArray<FlagShape>,
): Effect.Effect<ReadonlyArray<string>, InputError> =>
  Effect.gen(function* () {
    const at = args.findIndex((arg) => arg === "--config" || arg.startsWith("--config="))
    if (at === -1) return args
    const file = args[at]!.startsWith("--config=") ? args[at]!.slice("--config=".length) : args[at + 1]
    const fail = (message: string) => Effect.fail(new InputError({ flag: "--config", message }))
    if (file === undefined || file === "" || file.startsWith("--"))
      return yield* fail("--config needs a file: --config standin.yaml")
    let text: string
    try {
      text = readFileSync(file, "utf8")
    } catch (error) {
      return yield* fail(
        `cannot read the config file ${file}: ${(error as { code?: string }).code === "ENOENT" ? "no such file" : String(error)}`,
      )
    }
    const document = parseDocument(text)
    if (document.errors.length > 0)
      return yield* fail(`${file} is not valid YAML: ${document.errors[0]!.message.split("\n")[0]}`)
    const content: unknown = document.toJS()
    if (content === null || content === undefined) return args
    if (typeof content !== "object" || Array.isArray(content))
      return yield* fail(
        `${file} must be a mapping of flag names to values (e.g. "seed: 3"), not a list or a value`,
      )
    const byName = new Map(shapes.map((shape) => [shape.name, shape]))
    const settable = shapes.filter((shape) => !commandLineOnly.has(shape.name)).map((shape) => shape.name)
    const front: Array<string> = []
    for (const [key, value] of Object.entries(content)) {
      const shape = byName.get(key)
      if (shape === undefined || commandLineOnly.has(key))
        return yield* fail(
          `${file}: "${key}" is not a flag of standin run that a config file can set (${settable.join(", ")})`,
        )
      if (given(args, key)) continue
      const values = Array.isArray(value) ? value : [value]
      if (Array.isArray(value) && !shape.repeatable)
        return yield* fail(`${file}: "${key}" takes one value, not a list`)
      for (const one of values) {
        const wrong = (kind: string) => fail(`${file}: "${key}" must be ${kind}, got ${JSON.stringify(one)}`)
        if (shape.type === "boolean") {
          if (typeof one !== "boolean") return yield* wrong("true or false")
          front.push(one ? `--${key}` : `--no-${key}`)
        } else if (shape.type === "number") {
          if (typeof one !== "number") return yield* wrong("a number")
          front.push(`--${key}`, String(one))
        } else {
          if (typeof one !== "string" && typeof one !== "number") return yield* wrong("a text")
          front.push(`--${key}`, String(one))
        }
      }
    }
    return [...front, ...args]
  })

/** The effective configuration of a run as YAML: every settable flag's value (unset optional flags left out). */
export const configYaml = (
  shapes: ReadonlyArray<FlagShape & { readonly key: string }>,
  input: Readonly<Record<string, unknown>>,
): string => {
  const config: Record<string, unknown> = {}
  for (const shape of shapes) {
    if (commandLineOnly.has(shape.name)) continue
    const value = input[shape.key]
    if (Option.isOption(value)) {
      if (Option.isSome(value)) config[shape.name] = value.value
    } else if (value !== undefined) config[shape.name] = Array.isArray(value) ? [...value] : value
  }
  return `# standin run configuration: \`standin run --config <this file>\`; flags on the command line override it.\n${stringify(config)}`
}
