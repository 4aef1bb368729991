import { Effect } from "effect"
import { Command } from "effect/cli"
import type { Catalog } from "../catalog.js"
import { table } from "../output.js"

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

export const providersCommand = (catalog: Catalog) =>
  Command.make("providers", {}, () =>
    Effect.sync(() => process.stdout.write(`${providersReport(catalog, process.env)}\n`)),
  ).pipe(
    Command.withDescription(
      "List installed providers with their capabilities and whether their API key is set (values are never shown).",
    ),
  )
