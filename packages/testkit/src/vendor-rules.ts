import { optionalNumber, record } from "./respond.js"

/**
 * What each vendor's API rejects, as the vendors document it (and their SDKs' own schema helpers check), so the
 * fakes refuse what the real API would refuse instead of accepting anything. Written independently of the
 * provider plugins' capability tables: a plugin that builds an invalid request fails here as it would live.
 */

/** A rejected request: the message, and the parameter it names (OpenAI's `param`). */
export interface Rejection {
  readonly message: string
  readonly param?: string
  readonly code?: string
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Every schema node of a JSON schema, with its path (`properties`, `items`, `anyOf`, `$defs`). */
const schemaNodes = (
  schema: unknown,
  path: ReadonlyArray<string> = [],
): Array<{ node: Record<string, unknown>; path: ReadonlyArray<string> }> => {
  if (!isRecord(schema)) return []
  const nodes = [{ node: schema, path }]
  for (const key of ["properties", "$defs"]) {
    const children = schema[key]
    if (isRecord(children))
      for (const [name, child] of Object.entries(children))
        nodes.push(...schemaNodes(child, [...path, key, name]))
  }
  if (isRecord(schema.items)) nodes.push(...schemaNodes(schema.items, [...path, "items"]))
  if (Array.isArray(schema.anyOf))
    schema.anyOf.forEach((child, index) => {
      nodes.push(...schemaNodes(child, [...path, "anyOf", String(index)]))
    })
  return nodes
}

// --- OpenAI ---------------------------------------------------------------------------------------------------

/** OpenAI's reasoning models: GPT-5 (but not gpt-5-chat) and the o-series. */
export const isOpenAiReasoningModel = (model: string): boolean =>
  (/^gpt-5/.test(model) && !/^gpt-5[^-]*-chat/.test(model)) || /^o[134](-|$)/.test(model)

/** The keywords strict Structured Outputs rejects (OpenAI's documentation and its SDK's `toStrictJsonSchema`). */
const openAiStrictUnsupported = [
  "uniqueItems",
  "contains",
  "minContains",
  "maxContains",
  "prefixItems",
  "patternProperties",
  "propertyNames",
  "minProperties",
  "maxProperties",
  "unevaluatedProperties",
  "unevaluatedItems",
  "dependentRequired",
  "dependentSchemas",
  "if",
  "then",
  "else",
  "not",
  "allOf",
]

/** Checks a strict `json_schema` response format as OpenAI does. */
const openAiStrictSchemaProblem = (name: string, schema: unknown): Rejection | undefined => {
  for (const { node, path } of schemaNodes(schema)) {
    const context = path.length === 0 ? "()" : `(${path.map((part) => `'${part}'`).join(", ")})`
    const invalid = (detail: string): Rejection => ({
      message: `Invalid schema for response_format '${name}': In context=${context}, ${detail}`,
      param: "response_format",
      code: "invalid_json_schema",
    })
    for (const keyword of openAiStrictUnsupported)
      if (node[keyword] !== undefined) return invalid(`'${keyword}' is not permitted.`)
    if (node.type === "object" || isRecord(node.properties)) {
      if (node.additionalProperties !== false)
        return invalid("'additionalProperties' is required to be supplied and to be false.")
      const properties = isRecord(node.properties) ? Object.keys(node.properties) : []
      const required = Array.isArray(node.required) ? node.required : []
      const missing = properties.find((property) => !required.includes(property))
      if (missing !== undefined)
        return invalid(
          `'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`,
        )
    }
  }
  return undefined
}

/** Checks a chat-completions body as OpenAI's API does for the model it names. */
export const openAiChatProblem = (body: unknown): Rejection | undefined => {
  const b = record(body)
  const model = typeof b.model === "string" ? b.model : ""
  if (isOpenAiReasoningModel(model)) {
    for (const [param, value] of [
      ["temperature", b.temperature],
      ["top_p", b.top_p],
    ] as const)
      if (value !== undefined && value !== 1)
        return {
          message: `Unsupported value: '${param}' does not support ${String(value)} with this model. Only the default (1) value is supported.`,
          param,
          code: "unsupported_value",
        }
    if (b.max_tokens !== undefined)
      return {
        message:
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        param: "max_tokens",
        code: "unsupported_parameter",
      }
    if (b.logprobs === true || b.top_logprobs !== undefined)
      return {
        message: "Unsupported parameter: 'logprobs' is not supported with this model.",
        param: "logprobs",
        code: "unsupported_parameter",
      }
  }
  if (b.logprobs !== undefined && typeof b.logprobs !== "boolean")
    return {
      message: `Invalid type for 'logprobs': expected a boolean, but got ${typeof b.logprobs} instead.`,
      param: "logprobs",
      code: "invalid_type",
    }
  const top = optionalNumber(b.top_logprobs)
  if (top !== undefined && (top < 0 || top > 20 || !Number.isInteger(top)))
    return {
      message: `Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got ${top} instead.`,
      param: "top_logprobs",
      code: "integer_above_max_value",
    }
  if (top !== undefined && b.logprobs !== true)
    return {
      message:
        "Invalid value for 'top_logprobs': 'logprobs' must be set to true when 'top_logprobs' is used.",
      param: "top_logprobs",
    }
  const format = record(b.response_format)
  if (format.type === "json_schema") {
    const jsonSchema = record(format.json_schema)
    const name = typeof jsonSchema.name === "string" ? jsonSchema.name : ""
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(name))
      return {
        message: `Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        param: "response_format.json_schema.name",
        code: "invalid_value",
      }
    if (jsonSchema.strict === true) return openAiStrictSchemaProblem(name, jsonSchema.schema)
  }
  return undefined
}

// --- Together -------------------------------------------------------------------------------------------------

/** Checks a chat-completions body as Together's API does: `logprobs` is a count of top tokens, 0–20. */
export const togetherChatProblem = (body: unknown): Rejection | undefined => {
  const logprobs = record(body).logprobs
  if (logprobs === undefined) return undefined
  if (typeof logprobs !== "number" || !Number.isInteger(logprobs))
    return { message: "Input should be a valid integer", param: "logprobs" }
  if (logprobs < 0 || logprobs > 20)
    return { message: "logprobs must be an integer between 0 and 20", param: "logprobs" }
  return undefined
}

// --- Anthropic ------------------------------------------------------------------------------------------------

/** Keywords Anthropic's structured outputs reject (its SDK's `transformJSONSchema` moves them to descriptions). */
const anthropicUnsupported = [
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
]

/** Checks `output_config.format.schema` as Anthropic's API does. */
export const anthropicSchemaProblem = (schema: unknown): string | undefined => {
  for (const { node, path } of schemaNodes(schema)) {
    const at = path.length === 0 ? "" : ` at ${path.join(".")}`
    const type = typeof node.type === "string" ? node.type : "schema"
    const found = anthropicUnsupported.filter((keyword) => node[keyword] !== undefined)
    if (found.length > 0)
      return `output_config.format.schema: For '${type}' type, properties ${found.join(", ")} are not supported${at}`
    const minItems = optionalNumber(node.minItems)
    if (minItems !== undefined && minItems > 1)
      return `output_config.format.schema: For 'array' type, 'minItems' values other than 0 or 1 are not supported${at}`
    if ((node.type === "object" || isRecord(node.properties)) && node.additionalProperties !== false)
      return `output_config.format.schema: For 'object' type, 'additionalProperties' must be explicitly set to false${at}`
  }
  return undefined
}

/**
 * Claude models released after Opus 4.6 (Opus 4.7 and 4.8, the generation-5 families, Mythos) take no sampling
 * parameter: `temperature`, `top_p` or `top_k` is a 400 ("`temperature` is deprecated for this model."). The
 * SDK's request types (1.x) no longer declare them at all.
 */
export const anthropicWithoutSampling = (model: string): boolean =>
  /^claude-(opus-4-[7-9]|(opus|sonnet|haiku|fable|mythos)-[5-9]|mythos-)/.test(model)

/** Claude models from the 4.1 generation on take temperature or top_p, not both; the newest take neither. */
export const anthropicSamplingProblem = (body: Record<string, unknown>): string | undefined => {
  const model = typeof body.model === "string" ? body.model : ""
  if (anthropicWithoutSampling(model))
    for (const field of ["temperature", "top_p", "top_k"])
      if (body[field] !== undefined) return `\`${field}\` is deprecated for this model.`
  const newer = /^claude-(opus-4-[1-9]|sonnet-4-[5-9]|haiku-4-[5-9]|[a-z]+-[5-9])/.test(model)
  if (newer && body.temperature !== undefined && body.top_p !== undefined)
    return "`temperature` and `top_p` cannot both be specified for this model. Please use only one."
  if (body.logprobs !== undefined || body.top_logprobs !== undefined)
    return `${body.logprobs !== undefined ? "logprobs" : "top_logprobs"}: Extra inputs are not permitted`
  return undefined
}

// --- Gemini ---------------------------------------------------------------------------------------------------

/** Gemini API models with logprobs enabled (2.5 Pro and Gemini 3 answer "Logprobs is not enabled"). */
export const geminiHasLogprobs = (model: string): boolean => /^gemini-(2\.0-flash|2\.5-flash)/.test(model)

/** How a Gemini model thinks: not at all, optionally (budget 0 turns it off), or always (at least `min` tokens). */
export const geminiThinking = (
  model: string,
): { readonly kind: "none" | "optional" | "always"; readonly min?: number } => {
  if (/^gemini-2\.5-pro/.test(model)) return { kind: "always", min: 128 }
  if (/^gemini-2\.5-flash/.test(model)) return { kind: "optional" }
  if (/^gemini-3/.test(model)) return { kind: "always", min: 128 }
  return { kind: "none" }
}

/** The thinking tokens a dynamic (default) budget spends on a short survey question. */
export const GEMINI_DEFAULT_THINKING_TOKENS = 200

/** Checks a generateContent request's model-dependent settings as the Gemini API does. */
export const geminiModelProblem = (model: string, body: Record<string, unknown>): string | undefined => {
  const config = record(body.generationConfig)
  if (config.responseLogprobs === true && !geminiHasLogprobs(model))
    return `Logprobs is not enabled for models/${model}`
  const budget = optionalNumber(record(config.thinkingConfig).thinkingBudget)
  const thinking = geminiThinking(model)
  if (budget !== undefined && thinking.kind === "none")
    return "* GenerateContentRequest.generation_config.thinking_config: thinking is not supported by this model"
  if (budget === 0 && thinking.kind === "always")
    return "Budget 0 is invalid. This model only works in thinking mode."
  if (
    budget !== undefined &&
    budget > 0 &&
    thinking.kind === "always" &&
    thinking.min !== undefined &&
    budget < thinking.min
  )
    return `The thinking budget ${budget} is invalid. Please choose a value between ${thinking.min} and 32768.`
  return undefined
}

/**
 * The thinking tokens a Gemini request spends before its answer: none for models that do not think or with a
 * budget of 0, the budget when one is set, else a dynamic default. They count against `maxOutputTokens`.
 */
export const geminiThinkingTokens = (model: string, body: Record<string, unknown>): number => {
  if (geminiThinking(model).kind === "none") return 0
  const budget = optionalNumber(record(record(body.generationConfig).thinkingConfig).thinkingBudget)
  if (budget === undefined || budget < 0) return GEMINI_DEFAULT_THINKING_TOKENS
  return budget
}
