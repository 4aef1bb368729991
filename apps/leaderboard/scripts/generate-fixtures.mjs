// Regenerates the committed fixtures under test/fixtures/ from the seeded generator
// (src/testing/fixtures.ts). Run after `pnpm build`: `pnpm --filter @standin/leaderboard fixtures`.
import { rm } from "node:fs/promises"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { fixtureSet, toVersion0, writeFixtureSet } from "../dist/testing/index.js"

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "fixtures")
const set = fixtureSet({ models: "standard" })
await rm(join(root, "set"), { recursive: true, force: true })
await writeFixtureSet(join(root, "set"), set)

// The version 0 (pre-release) copy of fixture-data-sharing, for the migration tests.
const first = set.find((file) => file.path === "fixture-data-sharing/results.json")
await rm(join(root, "legacy-v0"), { recursive: true, force: true })
await writeFixtureSet(join(root, "legacy-v0"), [
  { path: "results.json", content: `${JSON.stringify(toVersion0(JSON.parse(first.content)), null, 2)}\n` },
])
console.log(`wrote ${set.length + 1} fixture files under ${root}`)
