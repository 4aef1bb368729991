import { defineConfig } from "vitest/config"

// vitest 5 prints failures with Map.groupBy, which Node 20 lacks: without this, a failing test
// crashes the reporter instead of being reported. The config module runs in the main process.
if (typeof (Map as { groupBy?: unknown }).groupBy !== "function") {
  Object.defineProperty(Map, "groupBy", {
    configurable: true,
    writable: true,
    value: <K, V>(items: Iterable<V>, key: (item: V, index: number) => K): Map<K, Array<V>> => {
      const groups = new Map<K, Array<V>>()
      let index = 0
      for (const item of items) {
        const k = key(item, index++)
        const group = groups.get(k)
        if (group) group.push(item)
        else groups.set(k, [item])
      }
      return groups
    },
  })
}

// One vitest run covers the whole tree. Workspace packages resolve to their TypeScript sources
// through the "@standin/source" export condition, so tests never depend on a stale dist/.
export default defineConfig({
  resolve: { conditions: ["@standin/source", "module", "node", "import", "default"] },
  ssr: { resolve: { conditions: ["@standin/source", "module", "node", "import", "default"] } },
  test: {
    include: ["{packages,plugins,benchmarks,apps}/*/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // In CI, missing study data fails the run instead of skipping the tests that need it.
    globalSetup: ["./vitest.global-setup.ts"],
    reporters: ["default", ["json", { outputFile: ".vitest/results.json" }]],
  },
})
