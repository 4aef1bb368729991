import { Effect } from "effect"
import { Command, Flag } from "effect/cli"
import type { Catalog } from "../catalog.js"
import { defaultTo } from "../options.js"
import { table, toJson } from "../output.js"

/** The providers as data (`standin providers --json`): capabilities and whether a key is set, never its value. */
export const providersRecords = (catalog: Catalog, env: Readonly<Record<string, string | undefined>>) =>
  catalog.providers.map((plugin) => {
    const d = plugin.descriptor
    const set = d.keyEnv.filter((name) => (env[name] ?? "") !== "")
    return {
      id: d.id,
      version: d.version,
      label: d.label,
      role: d.baseline ?? "model",
      elicitation: [...d.capabilities.elicitation],
      capabilities: {
        structuredOutput: d.capabilities.structuredOutput,
        logprobs: d.capabilities.logprobs,
        seed: d.capabilities.seed,
        batch: d.capabilities.batch,
        finetune: d.capabilities.finetune,
      },
      apiKey: {
        status:
          d.keyEnv.length === 0
            ? "not-needed"
            : set.length > 0
              ? "set"
              : d.keyOptional === true
                ? "optional"
                : "missing",
        variables: [...d.keyEnv],
        set,
      },
    }
  })

/** Every provider's per-model capability rows as data (`standin providers --models --json`). */
export const modelsRecords = (catalog: Catalog) =>
  catalog.providers.flatMap((plugin) =>
    (plugin.descriptor.models ?? []).map((row) => ({ provider: plugin.descriptor.id, ...row })),
  )

/** Lists installed providers, their capabilities, and which key variables are set (never their values). */
export const providersReport = (
  catalog: Catalog,
  env: Readonly<Record<string, string | undefined>>,
): string => {
  const rows = catalog.providers.map((plugin) => {
    const d = plugin.descriptor
    const caps = d.capabilities
    const flags = [
      caps.structuredOutput && "structured",
      caps.logprobs && "logprobs",
      caps.seed && "seed",
      caps.batch && "batch",
      caps.finetune && "finetune",
    ]
      .filter(Boolean)
      .join(", ")
    const key =
      d.keyEnv.length === 0
        ? "not needed"
        : (() => {
            const set = d.keyEnv.filter((name) => (env[name] ?? "") !== "")
            if (set.length > 0) return `set (${set.join(", ")})`
            return d.keyOptional === true
              ? `optional (${d.keyEnv.join(" or ")})`
              : `missing: set ${d.keyEnv.join(" or ")}`
          })()
    return [d.id, d.baseline ?? "model", caps.elicitation.join(", "), flags, key]
  })
  return table(["provider", "role", "elicitation", "capabilities", "API key"], rows)
}

/**
 * Every provider's per-model capability table, as the plugin carries it: one row per model-name pattern, first
 * match first, `*` the default for models the table does not know.
 */
export const modelsReport = (catalog: Catalog): string => {
  const rows = catalog.providers.flatMap((plugin) =>
    (plugin.descriptor.models ?? []).map((row) => [
      plugin.descriptor.id,
      row.match,
      row.temperature ? "yes" : "no",
      row.topLogprobs > 0 ? `top ${row.topLogprobs}` : "no",
      row.thinking === "always" && row.minThinkingBudget !== undefined
        ? `always (≥ ${row.minThinkingBudget} tokens)`
        : row.thinking,
      row.maxTokensField,
      row.structuredOutput,
      row.batch ? "yes" : "no",
      row.contextTokens > 0 ? row.contextTokens.toLocaleString("en-US") : "unknown",
    ]),
  )
  return table(
    [
      "provider",
      "model",
      "temperature",
      "logprobs",
      "thinking",
      "token limit",
      "structured output",
      "batch",
      "context",
    ],
    rows,
  )
}

export const providersCommand = (catalog: Catalog) =>
  Command.make(
    "providers",
    {
      models: Flag.Boolean("models").pipe(
        defaultTo(
          "Show each provider's per-model capability table (model-name pattern, temperature, logprobs, thinking, token-limit field, structured output, batch, context).",
          false,
        ),
      ),
      json: Flag.Boolean("json").pipe(
        defaultTo("Print the list as JSON (key variables named, their values never shown).", false),
      ),
    },
    ({ models, json }) =>
      Effect.sync(() =>
        process.stdout.write(
          json
            ? toJson(models ? modelsRecords(catalog) : providersRecords(catalog, process.env))
            : `${models ? modelsReport(catalog) : providersReport(catalog, process.env)}\n`,
        ),
      ),
  ).pipe(
    Command.withDescription(
      "List installed providers with their capabilities and whether their API key is set (values are never shown); --models shows what each model family accepts.",
    ),
  )
