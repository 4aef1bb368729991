/**
 * A base URL may carry a credential as user-info (`http://user:password@host/v1`). It identifies an endpoint
 * without it, so the user-info is removed wherever a URL is written: results, labels, the site and its
 * downloads, logs and error messages.
 */

/** A URL's scheme and user-info: `scheme://` then anything up to an `@` before the host. */
const userInfo = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi

/** The text with the user-info of every URL in it removed (`http://u:p@host/v1` → `http://host/v1`). */
export const scrubUrlCredentials = (text: string): string => text.replace(userInfo, "$1")

/** Whether a text holds a URL with user-info. */
export const hasUrlCredentials = (text: string): boolean => {
  userInfo.lastIndex = 0
  const found = userInfo.test(text)
  userInfo.lastIndex = 0
  return found
}

/** A value (JSON-like) with the user-info removed from every URL in its strings. */
export const withoutUrlCredentials = <A>(value: A): A => {
  if (typeof value === "string") return scrubUrlCredentials(value) as A
  if (Array.isArray(value)) return value.map(withoutUrlCredentials) as A
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, member]) => [key, withoutUrlCredentials(member)]),
    ) as A
  return value
}

/** The JSON path of the first string in a value that holds a URL with user-info, if any (`entries[0].label`). */
export const findUrlCredentials = (value: unknown, path = ""): string | undefined => {
  if (typeof value === "string") return hasUrlCredentials(value) ? path || "(top level)" : undefined
  if (Array.isArray(value)) {
    for (const [index, member] of value.entries()) {
      const found = findUrlCredentials(member, `${path}[${index}]`)
      if (found !== undefined) return found
    }
    return undefined
  }
  if (typeof value === "object" && value !== null)
    for (const [key, member] of Object.entries(value)) {
      const found = findUrlCredentials(member, path === "" ? key : `${path}.${key}`)
      if (found !== undefined) return found
    }
  return undefined
}

/**
 * Replaces every occurrence of a secret in a text, so vendor messages that echo a key cannot leak it, and removes
 * the user-info of any URL in it (a password in a base URL, quoted back by a connection error).
 */
export const scrubSecret = (text: string, secret: string | undefined): string =>
  scrubUrlCredentials(
    secret === undefined || secret.length < 4 ? text : text.split(secret).join("[REDACTED]"),
  )
