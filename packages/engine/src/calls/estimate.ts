import type { JsonSchema, ProviderRequest, Usage } from "@standin/core"

/** Tokens for a text: ceil(chars / 4), the rule the testkit fakes meter with. */
export const tokensForChars = (chars: number): number => Math.ceil(chars / 4)

const messageChars = (messages: ReadonlyArray<{ readonly content: string }>): number => {
  let chars = 0
  for (const message of messages) chars += message.content.length
  return chars
}

const average = (values: ReadonlyArray<number>): number =>
  values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length

const numberChars = (schema: JsonSchema): number => {
  const bounds = [schema.minimum, schema.maximum].filter(
    (value): value is number => typeof value === "number",
  )
  if (bounds.length === 0) return 3
  const decimals = schema.type === "integer" ? 0 : 2
  return average(bounds.map((value) => String(Math.round(value)).length + (decimals > 0 ? decimals + 1 : 0)))
}

/**
 * The expected length in characters of a compact JSON value that satisfies `schema`: the mean option
 * for enums, the bounds' width for numbers, every property of an object (required or not: models fill
 * them in). A rough but unbiased guide for the answer objects studies ask for.
 */
export const expectedJsonChars = (schema: unknown, depth = 0): number => {
  if (schema === null || typeof schema !== "object" || depth > 16) return 8
  const node = schema as JsonSchema
  if (Array.isArray(node.enum)) return average(node.enum.map((option) => JSON.stringify(option).length))
  if ("const" in node) return JSON.stringify(node.const).length
  const alternatives = (node.anyOf ?? node.oneOf) as ReadonlyArray<unknown> | undefined
  if (Array.isArray(alternatives))
    return average(alternatives.map((entry) => expectedJsonChars(entry, depth + 1)))
  const type = Array.isArray(node.type) ? node.type.find((entry) => entry !== "null") : node.type
  switch (type) {
    case "object": {
      const properties = (node.properties ?? {}) as Record<string, unknown>
      const names = Object.keys(properties)
      let chars = 2 + Math.max(0, names.length - 1)
      for (const name of names)
        chars += JSON.stringify(name).length + 1 + expectedJsonChars(properties[name], depth + 1)
      return chars
    }
    case "array": {
      const count = typeof node.minItems === "number" ? Math.max(1, node.minItems) : 1
      return 2 + count * expectedJsonChars(node.items, depth + 1) + (count - 1)
    }
    case "integer":
    case "number":
      return numberChars(node)
    case "boolean":
      return 5
    case "null":
      return 4
    case "string":
      return typeof node.maxLength === "number" ? Math.min(node.maxLength, 40) + 2 : 22
    default:
      return 8
  }
}

/**
 * Tokens one request is expected to use, before it is sent: input from the rendered messages (every
 * per-item prompt for logprob elicitation), output from the answer schema (one token per item for
 * logprobs). Used by the rate limiter's token bucket and for cost estimates and `--dry-run`.
 */
export const estimateCall = (request: ProviderRequest): Usage => {
  const prompt = request.prompt
  if (request.elicitation === "logprobs" && prompt.perItem.length > 0) {
    let inputTokens = 0
    for (const item of prompt.perItem) inputTokens += tokensForChars(messageChars(item.messages))
    return { inputTokens, outputTokens: prompt.perItem.length }
  }
  const inputTokens = tokensForChars(messageChars(prompt.messages))
  let outputTokens = tokensForChars(expectedJsonChars(prompt.responseSchema))
  const cap = request.settings.maxTokens
  if (cap !== undefined && cap > 0) outputTokens = Math.min(outputTokens, cap)
  return { inputTokens, outputTokens }
}
