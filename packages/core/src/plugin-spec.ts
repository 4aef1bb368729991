import type { ProviderSpec } from "./provider.js"

/**
 * Parses a provider reference as typed on the command line:
 * `provider`, `provider:model` or `provider:model@baseURL`.
 * The model may itself contain colons (`ft:gpt-4o-mini:org::abc`, `llama3.1:8b`), so only the
 * first colon separates the provider; a trailing `@http(s)://…` is the base URL.
 * Returns an error message instead of throwing.
 */
export const parseProviderSpec = (text: string): ProviderSpec | { readonly error: string } => {
  const trimmed = text.trim()
  if (trimmed === "") return { error: "empty provider reference" }
  const colon = trimmed.indexOf(":")
  const provider = colon === -1 ? trimmed : trimmed.slice(0, colon)
  let rest = colon === -1 ? "" : trimmed.slice(colon + 1)
  if (!/^[a-z][a-z0-9-]*$/.test(provider)) {
    return { error: `"${provider}" is not a provider id (lowercase letters, digits and dashes)` }
  }
  let baseUrl: string | undefined
  const at = rest.search(/@https?:\/\//)
  if (at !== -1) {
    baseUrl = rest.slice(at + 1)
    rest = rest.slice(0, at)
    try {
      new URL(baseUrl)
    } catch {
      return { error: `"${baseUrl}" is not a valid base URL` }
    }
  }
  return baseUrl === undefined ? { provider, model: rest } : { provider, model: rest, baseUrl }
}

/** A filesystem- and URL-safe slug for an entry id, e.g. `openai-gpt-4o-mini`. */
export const slugify = (text: string): string =>
  text
    .toLowerCase()
    .replace(/https?:\/\//g, "")
    .replace(/[^a-z0-9.]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
