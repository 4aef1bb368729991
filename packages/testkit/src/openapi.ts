import { existsSync, readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js"
import { parse } from "yaml"
import type { RequestLogEntry } from "./request-log.js"

/**
 * Validation of a fake's traffic against a vendor's published OpenAPI document (OpenAI's, pinned in
 * `../shared/vendor-specs/` beside the repository: read from there, never copied into it). Every request body the
 * client sent and every answer the fake gave is checked against the operation's schema, so neither the plugins'
 * requests nor the fakes' answers can drift from what the vendor documents.
 */

/** Where the pinned vendor specs live: `STANDIN_VENDOR_SPECS`, else `../shared/vendor-specs` beside the repo root. */
export const vendorSpecsDirectory = (repositoryRoot: string): string =>
  process.env.STANDIN_VENDOR_SPECS ?? resolve(repositoryRoot, "..", "shared", "vendor-specs")

/**
 * The path of a pinned spec, or undefined when it is missing. In CI (env `CI` set) a missing spec is an error:
 * the check must not silently turn itself off there.
 */
export const pinnedSpec = (repositoryRoot: string, file: string): string | undefined => {
  const path = join(vendorSpecsDirectory(repositoryRoot), file)
  if (existsSync(path)) return path
  if (process.env.CI !== undefined && process.env.CI !== "")
    throw new Error(
      `the pinned vendor spec ${path} is missing (CI is set, so the schema checks cannot be skipped)`,
    )
  return undefined
}

interface Operation {
  readonly requestBody?: { readonly content?: Record<string, { readonly schema?: unknown }> }
  readonly responses?: Record<string, { readonly content?: Record<string, { readonly schema?: unknown }> }>
}

/** One problem found in the traffic: which call, which side, and what the schema says. */
export interface TrafficProblem {
  readonly call: string
  readonly side: "request" | "response" | "line"
  readonly errors: string
}

export interface OpenApiValidator {
  /** Problems in the requests and answers of a log (calls the spec has no operation for are listed in `unknown`). */
  readonly check: (entries: ReadonlyArray<RequestLogEntry>) => {
    readonly problems: ReadonlyArray<TrafficProblem>
    readonly checked: number
    readonly unknown: ReadonlyArray<string>
  }
  /** Validates a value against a named component schema (`#/components/schemas/<name>`). */
  readonly component: (name: string, value: unknown) => string | undefined
  readonly hasComponent: (name: string) => boolean
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Rewrites what OpenAPI 3.0 left in the 3.1 document into JSON Schema 2020-12, which Ajv reads: `nullable`
 * without a `type` is dropped (an `anyOf` with a null branch carries it), and boolean `exclusiveMinimum` /
 * `exclusiveMaximum` become the numeric bounds they qualify.
 */
const normalise = (value: unknown): void => {
  if (Array.isArray(value)) {
    for (const child of value) normalise(child)
    return
  }
  if (!isRecord(value)) return
  if (typeof value.nullable === "boolean" && value.type === undefined) delete value.nullable
  for (const [exclusive, bound] of [
    ["exclusiveMinimum", "minimum"],
    ["exclusiveMaximum", "maximum"],
  ] as const) {
    if (typeof value[exclusive] !== "boolean") continue
    if (value[exclusive] === true && typeof value[bound] === "number") {
      value[exclusive] = value[bound]
      delete value[bound]
    } else delete value[exclusive]
  }
  for (const child of Object.values(value)) normalise(child)
}

const validators = new Map<string, OpenApiValidator>()

/** `openApiValidator`, made once per spec file (parsing a 3 MB document takes seconds). */
export const cachedOpenApiValidator = (specPath: string): OpenApiValidator => {
  let validator = validators.get(specPath)
  if (validator === undefined) {
    validator = openApiValidator(specPath)
    validators.set(specPath, validator)
  }
  return validator
}

/** Loads an OpenAPI 3.1 document and makes a validator for traffic against it. */
export const openApiValidator = (specPath: string, serverPrefix = "/v1"): OpenApiValidator => {
  const document = parse(readFileSync(specPath, "utf8"), { maxAliasCount: -1 }) as Record<string, unknown>
  normalise(document)
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false })
  ajv.addSchema(document, "spec")
  const compiled = new Map<string, ValidateFunction>()
  const validatorFor = (pointer: string): ValidateFunction => {
    let validate = compiled.get(pointer)
    if (validate === undefined) {
      validate = ajv.compile({ $ref: `spec#${pointer}` })
      compiled.set(pointer, validate)
    }
    return validate
  }
  const pointerPart = (part: string) => part.replace(/~/g, "~0").replace(/\//g, "~1")
  const paths = isRecord(document.paths) ? document.paths : {}
  const templates = Object.keys(paths).map((template) => ({
    template,
    pattern: new RegExp(`^${serverPrefix}${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
    // literal segments first: `/batches/{id}/cancel` before `/batches/{id}`
    literal: template.replace(/\{[^}]+\}/g, "").length,
  }))
  templates.sort((a, b) => b.literal - a.literal)

  const describe = (validate: ValidateFunction): string =>
    (validate.errors ?? [])
      .slice(0, 8)
      .map((error) => `${error.instancePath || "/"} ${error.message ?? ""} ${JSON.stringify(error.params)}`)
      .join("; ")

  const check = (entries: ReadonlyArray<RequestLogEntry>) => {
    const problems: Array<TrafficProblem> = []
    const unknown: Array<string> = []
    let checked = 0
    for (const entry of entries) {
      const path = entry.path.split("?")[0] ?? ""
      const call = `${entry.method} ${path} → ${entry.status}`
      const match = templates.find((candidate) => candidate.pattern.test(path))
      const method = entry.method.toLowerCase()
      const operation =
        match === undefined ? undefined : (paths[match.template] as Record<string, Operation>)[method]
      if (match === undefined || operation === undefined) {
        unknown.push(call)
        continue
      }
      const base = `/paths/${pointerPart(match.template)}/${method}`
      const json = operation.requestBody?.content?.["application/json"]
      if (json?.schema !== undefined && isRecord(entry.body)) {
        const validate = validatorFor(`${base}/requestBody/content/application~1json/schema`)
        checked++
        if (!validate(entry.body)) problems.push({ call, side: "request", errors: describe(validate) })
      }
      if (entry.status !== 200 || entry.response === undefined || entry.fault !== undefined) continue
      const answer = operation.responses?.["200"]?.content?.["application/json"]
      if (answer?.schema !== undefined && isRecord(entry.response)) {
        const validate = validatorFor(`${base}/responses/200/content/application~1json/schema`)
        checked++
        if (!validate(entry.response)) problems.push({ call, side: "response", errors: describe(validate) })
      }
    }
    return { problems, checked, unknown }
  }

  const components = isRecord(document.components) && isRecord(document.components.schemas)
  const schemas = components ? (document.components as { schemas: Record<string, unknown> }).schemas : {}
  return {
    check,
    hasComponent: (name) => name in schemas,
    component: (name, value) => {
      const validate = validatorFor(`/components/schemas/${pointerPart(name)}`)
      return validate(value) ? undefined : describe(validate)
    },
  }
}
