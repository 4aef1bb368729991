import type { JsonSchema } from "@standin/core"

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Converts the renderer's JSON schema to Gemini's OpenAPI-subset `Schema` (for `responseSchema`):
 * upper-case types, `format: "enum"` for string enums, `propertyOrdering` to keep the item order,
 * and no `additionalProperties` (the subset has none).
 */
export const toGeminiSchema = (schema: JsonSchema): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  if (typeof schema.type === "string") out.type = schema.type.toUpperCase()
  if (typeof schema.description === "string") out.description = schema.description
  if (Array.isArray(schema.enum)) {
    out.enum = schema.enum
    out.format = "enum"
  }
  if (isRecord(schema.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [
        key,
        isRecord(value) ? toGeminiSchema(value) : value,
      ]),
    )
    out.propertyOrdering = Object.keys(schema.properties)
  }
  if (Array.isArray(schema.required)) out.required = schema.required
  if (isRecord(schema.items)) out.items = toGeminiSchema(schema.items)
  return out
}
