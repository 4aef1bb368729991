import { resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { loadStudyFolder, readStudyFolder } from "@standin/study"
import { Effect } from "effect"
import { definition } from "../src/definition.js"
import { study } from "../src/index.js"

const folder = resolve(__dirname, "..")

describe("study.yaml, the declarative twin of definition.ts", () => {
  it.effect("decodes without a problem to exactly the TypeScript definition", () =>
    Effect.gen(function* () {
      const read = yield* readStudyFolder(folder)
      expect(read.problems).toEqual([])
      expect(read.definition).toEqual(definition)
      // Same keys in the same order as the TypeScript plugin's (schema-decoded) definition too: results
      // files serialise parts of the definition, so key order is part of "byte-identical".
      expect(JSON.stringify(read.definition) === JSON.stringify(study.definition)).toBe(true)
    }),
  )

  it.effect("loads as a study plugin with the same descriptor", () =>
    Effect.gen(function* () {
      const loaded = yield* loadStudyFolder(folder)
      expect(loaded.plugin.descriptor).toEqual({
        kind: "experiment",
        id: "fingerprint-consent",
        version: "2.0.0",
        specVersion: "1.0",
        title: definition.title,
        citation: definition.citation,
      })
      expect(loaded.path).toBe(resolve(folder, "study.yaml"))
    }),
  )
})
