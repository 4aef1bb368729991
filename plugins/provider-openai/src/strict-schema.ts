import type { JsonSchema } from "@standin/core"
import { toStrictJsonSchema } from "openai/lib/transform"

/**
 * The keywords strict Structured Outputs rejects, as the openai SDK's own strict-schema conversion
 * (`openai/lib/transform`, `toStrictJsonSchema`) lists them.
 */
export const unsupportedStrictKeywords: ReadonlyArray<string> = [
  "$anchor",
  "$dynamicAnchor",
  "$dynamicRef",
  "$recursiveAnchor",
  "$recursiveRef",
  "contains",
  "contentEncoding",
  "contentMediaType",
  "contentSchema",
  "dependentRequired",
  "dependentSchemas",
  "dependencies",
  "else",
  "if",
  "maxContains",
  "maxProperties",
  "minContains",
  "minProperties",
  "not",
  "patternProperties",
  "prefixItems",
  "propertyNames",
  "then",
  "unevaluatedItems",
  "unevaluatedProperties",
  "uniqueItems",
]

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Moves the keywords a vendor's structured output rejects into the node's description (`{uniqueItems: true}`),
 * as Anthropic's SDK does for its own dialect: the model still reads the constraint, and the answer is validated
 * against the full schema locally. Walks `properties`, `items`, `anyOf`, `$defs`.
 */
export const moveToDescription = (schema: JsonSchema, keywords: ReadonlyArray<string>): JsonSchema => {
  const node: Record<string, unknown> = {}
  const moved: Array<string> = []
  for (const [key, value] of Object.entries(schema)) {
    if (keywords.includes(key)) moved.push(`${key}: ${JSON.stringify(value)}`)
    else if ((key === "properties" || key === "$defs") && isRecord(value))
      node[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [
          name,
          isRecord(child) ? moveToDescription(child, keywords) : child,
        ]),
      )
    else if (key === "items" && isRecord(value)) node[key] = moveToDescription(value, keywords)
    else if (key === "anyOf" && Array.isArray(value))
      node[key] = value.map((child) => (isRecord(child) ? moveToDescription(child, keywords) : child))
    else node[key] = value
  }
  if (moved.length > 0) {
    const note = `{${moved.join(", ")}}`
    node.description = typeof schema.description === "string" ? `${schema.description}\n\n${note}` : note
  }
  return node
}

/**
 * The answer schema in strict Structured Outputs' dialect: unsupported keywords moved into descriptions, then
 * the SDK's own `toStrictJsonSchema` (every property required, objects closed). It throws, with the SDK's reason,
 * for a schema strict mode cannot represent.
 */
export const toOpenAiStrictSchema = (schema: JsonSchema): JsonSchema =>
  toStrictJsonSchema(moveToDescription(schema, unsupportedStrictKeywords) as never) as JsonSchema
