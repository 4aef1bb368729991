export type Route =
  | { readonly page: "overview" }
  | { readonly page: "study"; readonly key: string }
  | { readonly page: "model"; readonly key: string }
  | { readonly page: "compare"; readonly key: string; readonly other: string }
  | { readonly page: "methods" }
  | { readonly page: "downloads" }
  | { readonly page: "not-found"; readonly path: string }

/** Hash routes keep the site a set of static files: `#/study/<key>`, `#/model/<key>`, … */
export const parseRoute = (hash: string): Route => {
  const path = hash.replace(/^#/, "")
  if (path === "" || path === "/") return { page: "overview" }
  const [first, second, ...rest] = path.replace(/^\//, "").split("/")
  const key = second === undefined ? undefined : decodeURIComponent(second)
  if (first === "compare" && key && rest.length === 1 && rest[0])
    return { page: "compare", key, other: decodeURIComponent(rest[0]) }
  if (rest.length === 0) {
    if (first === "methods" && key === undefined) return { page: "methods" }
    if (first === "downloads" && key === undefined) return { page: "downloads" }
    if (first === "study" && key) return { page: "study", key }
    if (first === "model" && key) return { page: "model", key }
  }
  return { page: "not-found", path }
}

export const href = {
  overview: () => "#/",
  study: (key: string) => `#/study/${encodeURIComponent(key)}`,
  model: (key: string) => `#/model/${encodeURIComponent(key)}`,
  compare: (key: string, other: string) =>
    `#/compare/${encodeURIComponent(key)}/${encodeURIComponent(other)}`,
  methods: () => "#/methods",
  downloads: () => "#/downloads",
}
