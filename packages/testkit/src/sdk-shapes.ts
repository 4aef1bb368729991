import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

/**
 * Wire shapes read out of a vendor's official SDK package, for vendors that publish no OpenAPI document
 * (Google's `@google/genai`, Together's `together-ai`, Anthropic's `@anthropic-ai/sdk`): their TypeScript
 * declarations name every field of every type, and `@google/genai`'s request and response converters name every
 * field the Gemini API is sent or read. `SdkShapes.check(value, type)` walks a captured JSON body against a
 * declared type: an unknown field, a wrong primitive or a value outside an enum is a problem. Types the
 * declarations do not define (imported from elsewhere) are not checked, and are counted.
 */

/** The folder of an installed package (found from its main entry, so `exports` need not list package.json). */
export const packageDir = (name: string): string => {
  const require = createRequire(import.meta.url)
  let dir = dirname(require.resolve(name))
  for (;;) {
    const manifest = join(dir, "package.json")
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === name
    )
      return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`cannot find the folder of package ${name}`)
    dir = parent
  }
}

export type Declared =
  | {
      readonly kind: "object"
      readonly fields: Map<string, string>
      /** Members declared without `?`. */
      readonly required: ReadonlySet<string>
      /** An index signature (`[k: string]: unknown`): other fields are allowed. */
      readonly open: boolean
      readonly extends: ReadonlyArray<string>
    }
  | { readonly kind: "enum"; readonly values: ReadonlySet<string> }
  | { readonly kind: "alias"; readonly type: string }

/**
 * The interfaces, classes, enums and simple type aliases of declaration files (`.d.ts`): each member of
 * an interface or class on its own line (`name?: Type;`), methods and getters skipped; enum members with
 * string values. Members whose type spans several lines are kept with the type `unknown` (not checked).
 */
export const parseDeclarations = (sources: ReadonlyArray<string>): Map<string, Declared> => {
  const declared = new Map<string, Declared>()
  for (const source of sources) {
    const lines = source.split(/\r?\n/)
    // open namespaces (`export declare namespace ChatCompletion {`): their types are named `ChatCompletion.Choice`
    const namespaces: Array<{ readonly name: string; readonly indent: number }> = []
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index]!
      const lineIndent = /^(\s*)/.exec(line)![1]!.length
      const innermost = namespaces[namespaces.length - 1]
      if (innermost !== undefined && line.trimEnd() === `${" ".repeat(innermost.indent)}}`) {
        namespaces.pop()
        continue
      }
      const space = /^\s*(?:export )?(?:declare )?namespace ([\w.]+) \{$/.exec(line)
      if (space !== null) {
        namespaces.push({ name: space[1]!, indent: lineIndent })
        continue
      }
      const prefix = namespaces.map((entry) => `${entry.name}.`).join("")
      const alias = /^\s*(?:export )?(?:declare )?type (\w+)(?:<[^>]*>)? = ([^;{]+);$/.exec(line)
      if (alias !== null) {
        declared.set(`${prefix}${alias[1]!}`, { kind: "alias", type: alias[2]!.trim() })
        continue
      }
      const head =
        /^\s*(?:export )?(?:declare )?(?:abstract )?(interface|class|enum) (\w+)(?:<[^>]*>)?(?: extends ([\w., <>]+?))?(?: implements [\w., <>]+)? \{$/.exec(
          line,
        )
      if (head === null) continue
      const kind = head[1]!
      const name = `${prefix}${head[2]!}`
      const indent = /^(\s*)/.exec(line)![1]!.length
      const fields = new Map<string, string>()
      const required = new Set<string>()
      const values = new Set<string>()
      let open = false
      for (index++; index < lines.length; index++) {
        const member = lines[index]!
        if (member.trimEnd() === `${" ".repeat(indent)}}`) break
        if (kind === "enum") {
          const value = /^\s+\w+ = "([^"]*)",?$/.exec(member)
          if (value !== null) values.add(value[1]!)
          continue
        }
        // members one level in (those of an inline object type further in belong to that type)
        if (/^(\s*)/.exec(member)![1]!.length !== indent + 4) continue
        if (/^\s+\[\w+: string\]: /.test(member)) {
          open = true
          continue
        }
        const field = /^\s+(?:readonly )?(\w+)(\??): (.*)$/.exec(member)
        if (field === null || /^\s+(?:get|set|static|private|protected) /.test(member)) continue
        if (field[2] === "" && kind === "interface") required.add(field[1]!)
        const type = field[3]!.trim()
        fields.set(field[1]!, type.endsWith(";") ? type.slice(0, -1) : "unknown")
      }
      declared.set(
        name,
        kind === "enum"
          ? { kind: "enum", values }
          : {
              kind: "object",
              fields,
              required,
              open,
              extends: (head[3] ?? "")
                .split(",")
                .map((part) => part.trim().replace(/<.*$/, ""))
                .filter((part) => part !== ""),
            },
      )
    }
  }
  return declared
}

/** Splits `A | B<C | D> | E[]` at its top-level bars. */
const splitTop = (type: string, separator: string): Array<string> => {
  const parts: Array<string> = []
  let depth = 0
  let start = 0
  for (let index = 0; index < type.length; index++) {
    const char = type[index]!
    if (char === "<" || char === "(" || char === "{" || char === "[") depth++
    else if (char === ">" || char === ")" || char === "}" || char === "]") depth--
    else if (char === separator && depth === 0) {
      parts.push(type.slice(start, index).trim())
      start = index + 1
    }
  }
  parts.push(type.slice(start).trim())
  return parts.filter((part) => part !== "")
}

export interface ShapeReport {
  /** `path: what is wrong`, one per problem. */
  readonly problems: Array<string>
  /** Types met that the declarations do not define (not checked). */
  readonly unchecked: Set<string>
}

export interface SdkShapes {
  readonly declared: Map<string, Declared>
  /** Every field of a declared object type, its parents' included. */
  readonly fieldsOf: (type: string) => Map<string, string> | undefined
  /** Checks `value` against the declared `type`; problems are added to `report`. */
  readonly check: (value: unknown, type: string, path?: string, report?: ShapeReport) => ShapeReport
}

export const sdkShapes = (declared: Map<string, Declared>): SdkShapes => {
  /** A type by name; a qualified name (`CompletionsAPI.LogProbs`, an import alias) falls back to its tail. */
  const lookup = (type: string): Declared | undefined => {
    let name = type
    for (;;) {
      const found = declared.get(name)
      if (found !== undefined) return found
      // a name used inside its namespace (`Choice.Logprobs` in `ChatCompletion`): the one declared type ending so
      const nested = [...declared.keys()].filter((key) => key.endsWith(`.${name}`))
      if (nested.length === 1) return declared.get(nested[0]!)
      const dot = name.indexOf(".")
      if (dot === -1) return undefined
      name = name.slice(dot + 1)
    }
  }
  const requiredOf = (type: string, seen = new Set<string>()): Set<string> => {
    const found = lookup(type)
    if (found === undefined || seen.has(type)) return new Set()
    if (found.kind === "alias") return requiredOf(found.type, new Set([...seen, type]))
    if (found.kind !== "object") return new Set()
    const all = new Set(found.required)
    for (const parent of found.extends)
      for (const name of requiredOf(parent, new Set([...seen, type]))) all.add(name)
    return all
  }
  const isOpen = (type: string): boolean => {
    const found = lookup(type)
    if (found?.kind === "alias") return isOpen(found.type)
    return found?.kind === "object" && (found.open || found.extends.some(isOpen))
  }
  const fieldsOf = (type: string, seen = new Set<string>()): Map<string, string> | undefined => {
    const found = lookup(type)
    if (found === undefined || seen.has(type)) return undefined
    if (found.kind === "alias") return fieldsOf(found.type, new Set([...seen, type]))
    if (found.kind !== "object") return undefined
    const all = new Map<string, string>()
    for (const parent of found.extends)
      for (const [name, field] of fieldsOf(parent, new Set([...seen, type])) ?? []) all.set(name, field)
    for (const [name, field] of found.fields) all.set(name, field)
    return all
  }

  const check = (
    value: unknown,
    type: string,
    path = "$",
    report: ShapeReport = { problems: [], unchecked: new Set() },
  ): ShapeReport => {
    const problem = (text: string) => report.problems.push(`${path}: ${text}`)
    const union = splitTop(type.trim(), "|").filter((part) => part !== "undefined" && part !== "null")
    if (union.length > 1) {
      // the value must fit one member: try each on a scratch report; if none fits, say why the closest does not
      let closest: Array<string> | undefined
      for (const member of union) {
        const scratch: ShapeReport = { problems: [], unchecked: report.unchecked }
        check(value, member, path, scratch)
        if (scratch.problems.length === 0) return report
        if (closest === undefined || scratch.problems.length < closest.length) closest = scratch.problems
      }
      problem(
        `${JSON.stringify(value)?.slice(0, 60)} fits none of ${type.slice(0, 120)}${type.length > 120 ? "…" : ""} (closest: ${closest?.join("; ")})`,
      )
      return report
    }
    const t = union[0] ?? "unknown"
    if (value === null || value === undefined) return report
    if (t.endsWith("[]") || /^Array<.*>$/.test(t)) {
      const element = t.endsWith("[]") ? t.slice(0, -2).replace(/^\((.*)\)$/, "$1") : t.slice(6, -1)
      if (!Array.isArray(value)) problem(`expected an array (${t}), got ${typeof value}`)
      else
        value.forEach((item, index) => {
          check(item, element, `${path}[${index}]`, report)
        })
      return report
    }
    if (t === "string" || t === "number" || t === "boolean") {
      if (typeof value !== t) problem(`expected ${t}, got ${JSON.stringify(value)?.slice(0, 80)}`)
      return report
    }
    if (/^"[^"]*"$|^'[^']*'$/.test(t)) {
      if (value !== t.slice(1, -1)) problem(`expected ${t}, got ${JSON.stringify(value)}`)
      return report
    }
    if (/^-?\d+(\.\d+)?$|^true$|^false$/.test(t)) {
      if (String(value) !== t) problem(`expected ${t}, got ${JSON.stringify(value)}`)
      return report
    }
    if (/^(unknown|any|object|Record<.*>|\{.*\})$/.test(t)) return report
    const found = lookup(t)
    if (found === undefined) {
      report.unchecked.add(t)
      return report
    }
    if (found.kind === "alias") return check(value, found.type, path, report)
    if (found.kind === "enum") {
      if (typeof value !== "string" || !found.values.has(value))
        problem(`${JSON.stringify(value)} is not a ${t} (${[...found.values].slice(0, 8).join(", ")}, …)`)
      return report
    }
    if (typeof value !== "object" || Array.isArray(value)) {
      problem(`expected an object (${t}), got ${JSON.stringify(value)?.slice(0, 80)}`)
      return report
    }
    const fields = fieldsOf(t)!
    for (const name of requiredOf(t))
      if (!(name in (value as Record<string, unknown>))) problem(`missing required field "${name}" of ${t}`)
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const field = fields.get(key)
      if (field === undefined) {
        if (!isOpen(t)) problem(`unknown field "${key}" of ${t}`)
      } else check(item, field, `${path}.${key}`, report)
    }
    return report
  }

  return { declared, fieldsOf: (type) => fieldsOf(type), check }
}

/** One field a converter writes (`set`) or reads (`get`), at a path of the wire object. */
export interface ConverterField {
  readonly path: ReadonlyArray<string>
  /** `toObject` (the converter's own output) or `parentObject` (hoisted into the caller's output). */
  readonly target: "toObject" | "parentObject"
  /** The converter applied to the value, if any. */
  readonly via?: string
  /** For a converter called with the output (or a part of it) as its parent: where its hoisted fields go. */
  readonly parentAt?: ReadonlyArray<string>
}

const pathOf = (text: string): Array<string> =>
  [...text.matchAll(/'([^']*)'/g)].map((match) => match[1]!).filter((part) => part !== "")

/**
 * The fields a converter function of `@google/genai` (`xToMldev`, `xFromMldev`) writes and reads, read out of the
 * SDK's bundled source: each top-level statement pairs `const fromX = getValueByPath(fromObject, [path])` with the
 * `setValueByPath(toObject | parentObject, [path], …)` that uses it, and the converter it goes through.
 */
export const converterFields = (
  source: string,
  name: string,
): { readonly sets: Array<ConverterField>; readonly gets: Array<ConverterField> } => {
  const start = source.indexOf(`\nfunction ${name}(`)
  if (start === -1) throw new Error(`the SDK has no converter ${name}`)
  const end = source.indexOf("\nfunction ", start + 1)
  const body = source.slice(start, end === -1 ? undefined : end)
  const statements = body.split(/\n {4}(?=const |if |return |[\w$]+\()/)
  const reads = new Map<string, Array<string>>()
  const sets: Array<ConverterField> = []
  const gets: Array<ConverterField> = []
  const converterCall = /\b([\w$]+?(?:ToMldev|FromMldev)(?:\$\d+)?)\(/g
  for (const statement of statements) {
    const read = /^const (from\w+) = getValueByPath\(fromObject, (\[[^\]]*\])/.exec(statement)
    if (read !== null) {
      reads.set(read[1]!, pathOf(read[2]!))
      continue
    }
    if (!statement.startsWith("if ")) continue
    const variable = /^if \((?:parentObject !== undefined && )?(from\w+) != null\)/.exec(statement)?.[1]
    const calls = [...statement.matchAll(converterCall)].map((match) => match[1]!)
    const via = calls.find((call) => call !== name)
    const from = variable === undefined ? undefined : reads.get(variable)
    if (from !== undefined)
      gets.push({ path: from, target: "toObject", ...(via === undefined ? {} : { via }) })
    const write = /setValueByPath\((toObject|parentObject), (\[[^\]]*\])/.exec(statement)
    let parentAt: Array<string> | undefined
    if (via !== undefined) {
      const call = statement.slice(statement.indexOf(`${via}(`))
      const nested = /getValueByPath\(toObject, (\[[^\]]*\]), \{\}\)\)/.exec(call)
      if (nested !== null) parentAt = pathOf(nested[1]!)
      else if (/, toObject\)/.test(call)) parentAt = []
    }
    if (write !== null)
      sets.push({
        path: pathOf(write[2]!),
        target: write[1] as "toObject" | "parentObject",
        ...(via === undefined ? {} : { via }),
        ...(parentAt === undefined ? {} : { parentAt }),
      })
    else if (via !== undefined && parentAt !== undefined)
      sets.push({ path: [], target: "toObject", via, parentAt })
  }
  return { sets, gets }
}

/** A tree of the fields of a wire object: a node's children are the keys allowed at that level. */
export interface WireNode {
  readonly children: Map<string, WireNode>
  /** The converter the value at this node goes through (its own tree applies below). */
  via?: string
}

const node = (): WireNode => ({ children: new Map() })
const insert = (root: WireNode, path: ReadonlyArray<string>): WireNode => {
  let at = root
  for (const key of path) {
    let next = at.children.get(key)
    if (next === undefined) {
      next = node()
      at.children.set(key, next)
    }
    at = next
  }
  return at
}

/**
 * Checks captured Gemini wire bodies against the converters of `@google/genai`: a request body must hold only
 * fields a `…ToMldev` converter writes (hoisted fields included), a response only fields a `…FromMldev`
 * converter reads; where a converter copies a value as is, the SDK's declared type of that field checks it.
 */
export const converterChecker = (
  source: string,
  shapes: SdkShapes,
  /** The declared type each converter converts (`contentToMldev$1` → `Content`), for the fields it copies as is. */
  typeOf: (converter: string) => string | undefined,
) => {
  const trees = new Map<string, WireNode>()
  /** The wire tree a converter writes (`to`) or reads (`from`). */
  const tree = (name: string): WireNode => {
    const known = trees.get(name)
    if (known !== undefined) return known
    const root = node()
    trees.set(name, root)
    const { sets, gets } = converterFields(source, name)
    if (name.includes("ToMldev")) {
      for (const field of sets) {
        if (field.target !== "toObject") continue
        if (field.path.length > 0 && field.path[0] !== "_url") {
          const at = insert(root, field.path)
          if (field.via !== undefined) at.via = field.via
        }
        if (field.via !== undefined && field.parentAt !== undefined) {
          // the converter called with our output as its parent hoists fields into it
          const hoisted = converterFields(source, field.via).sets.filter(
            (set) => set.target === "parentObject",
          )
          for (const set of hoisted) {
            const at = insert(root, [...field.parentAt, ...set.path])
            if (set.via !== undefined) at.via = set.via
          }
        }
      }
    } else
      for (const field of gets) {
        const at = insert(root, field.path)
        if (field.via !== undefined) at.via = field.via
      }
    return root
  }

  const walk = (
    value: unknown,
    at: WireNode,
    converter: string,
    path: string,
    fieldType: string | undefined,
    report: ShapeReport,
  ): void => {
    if (value === null || value === undefined) return
    if (Array.isArray(value)) {
      const element = fieldType?.endsWith("[]") ? fieldType.slice(0, -2) : fieldType
      value.forEach((item, index) => {
        walk(item, at, converter, `${path}[${index}]`, element, report)
      })
      return
    }
    if (at.via !== undefined) {
      walk(value, tree(at.via), at.via, path, typeOf(at.via), report)
      return
    }
    if (at.children.size === 0) {
      // copied as is: the declared type of the field checks it
      if (fieldType !== undefined) shapes.check(value, fieldType, path, report)
      return
    }
    if (typeof value !== "object") {
      report.problems.push(`${path}: expected an object, got ${JSON.stringify(value)?.slice(0, 80)}`)
      return
    }
    const declared = fieldType === undefined ? undefined : shapes.fieldsOf(fieldType)
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const child = at.children.get(key)
      if (child === undefined) {
        report.problems.push(`${path}: field "${key}" is not one ${converter} knows`)
        continue
      }
      walk(item, child, converter, `${path}.${key}`, declared?.get(key), report)
    }
  }

  return {
    tree,
    /** Checks a wire body against the converter `name` (`…ToMldev` for requests, `…FromMldev` for responses). */
    check: (value: unknown, name: string, path = "$"): ShapeReport => {
      const report: ShapeReport = { problems: [], unchecked: new Set() }
      walk(value, tree(name), name, path, typeOf(name), report)
      return report
    },
  }
}
