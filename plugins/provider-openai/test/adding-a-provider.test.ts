import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Provider, type ProviderRequest, type ProviderShape, type ProviderSpec } from "@standin/core"
import {
  type FakeServer,
  fixtureStudy,
  fixtureTwins,
  renderFixturePrompt,
  startOpenAiFake,
} from "@standin/testkit"
import { ConfigProvider, Effect, Layer, Result } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

/**
 * docs/adding-a-provider.md, followed to the letter: "Step by step, copying a vendor plugin" copies this folder
 * (the doc's closest plugin for a chat-completions-like API), edits the places the doc names, and the copy runs
 * as a provider of its own — its own id, key variable and base-URL variable — against a loopback fake. The
 * code each step names must be where the doc says it is, so the doc cannot drift from the plugin it points at.
 */
const root = fileURLToPath(new URL("../../..", import.meta.url))
const doc = readFileSync(join(root, "docs/adding-a-provider.md"), "utf8")
const source = join(root, "plugins/provider-openai")
// beside the other plugins, so the copied node_modules links (relative) resolve as the original's do
const copy = join(root, "plugins", `.adding-a-provider-${process.pid}`)

/** What each step of the doc names, in the file it names. */
const named: ReadonlyArray<{ readonly file: string; readonly names: ReadonlyArray<string> }> = [
  { file: "src/descriptor.ts", names: ["id", "label", "capabilities", "keyEnv", "baseUrlEnv", "models"] },
  { file: "src/models.ts", names: ['match: "*"'] },
  { file: "src/options.ts", names: ["Schema.Struct"] },
  { file: "src/errors.ts", names: ["sdkProviderError"] },
  {
    file: "src/provider.ts",
    names: ["sdkFetch", "descriptorForModel", "capabilitiesFor", "generateFor", "firstTokenDistributions"],
  },
  {
    file: "src/layer.ts",
    names: ["vendorProviderLayer", "requiredApiKey", "baseUrlOf", "decodeProviderOptions"],
  },
]

let fake: FakeServer
beforeAll(async () => {
  fake = await startOpenAiFake({ seed: 9, apiKey: "acme-test-key" })
})
afterAll(async () => {
  rmSync(copy, { recursive: true, force: true })
  await fake.close()
})

const edit = (file: string, edits: ReadonlyArray<readonly [string | RegExp, string]>) => {
  const path = join(copy, file)
  let text = readFileSync(path, "utf8")
  for (const [from, to] of edits) {
    const next = text.replace(from, to)
    expect(next, `${file}: ${String(from)}`).not.toBe(text)
    text = next
  }
  writeFileSync(path, text)
}

describe("docs/adding-a-provider.md, step by step", () => {
  it("names the plugin it copies and the code each step edits, where the doc says", () => {
    expect(doc).toMatch(/Copy the folder to `plugins\/provider-<id>\/`/)
    expect(doc).toMatch(/`provider-openai` for chat-completions-like APIs/)
    for (const { file, names } of named) {
      expect(doc, file).toContain(`\`${file}\``)
      const text = readFileSync(join(source, file), "utf8")
      for (const name of names) expect(text, `${file} has ${name}`).toContain(name)
    }
    // step 7 of the checklist: the catalog's list of providers
    expect(doc).toContain("`providers` imports of `loadCatalog` in `packages/cli/src/catalog.ts`")
    const catalog = readFileSync(join(root, "packages/cli/src/catalog.ts"), "utf8")
    expect(catalog).toContain('wants.has("providers")')
    expect(catalog).toContain('import("@standin/provider-openai")')
  })

  it("copies the folder, edits the named places, and the copy runs as a provider of its own", async () => {
    // 1. copy the folder (its built output and its tests are the original's: step 8 writes the copy's own)
    cpSync(source, copy, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (path) => !/[\\/](dist|test)$/.test(path),
    })
    edit("package.json", [['"name": "@standin/provider-openai"', '"name": "@standin/provider-acme"']])
    // 2. the descriptor: id, label, the key and base-URL variables — the one place the layer reads them from
    edit("src/descriptor.ts", [
      ['id: "openai"', 'id: "acme"'],
      ['label: "OpenAI"', 'label: "Acme"'],
      ['keyEnv: ["OPENAI_API_KEY"]', 'keyEnv: ["ACME_API_KEY"]'],
      ['baseUrlEnv: "OPENAI_BASE_URL"', 'baseUrlEnv: "ACME_BASE_URL"'],
    ])
    // 6. the layer's example
    edit("src/layer.ts", [['example: "openai:gpt-4o-mini"', 'example: "acme:gpt-4o-mini"']])

    // the copy has the original's module shape
    const acme = (await import(join(copy, "src/index.ts"))) as typeof import("../src/index.js")
    expect(acme.plugin.descriptor.id).toBe("acme")
    expect(acme.plugin.descriptor.keyEnv).toEqual(["ACME_API_KEY"])

    const build = (env: Record<string, string>, spec: ProviderSpec) =>
      Effect.runPromise(
        Effect.result(
          Effect.provide(
            Effect.gen(function* () {
              return yield* Provider
            }),
            acme.layer(spec).pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord(env)))),
          ),
        ),
      )
    // the key is read from the copy's own variable, and named when it is missing
    const missing = await build(
      { OPENAI_API_KEY: "acme-test-key" },
      { provider: "acme", model: "gpt-4o-mini" },
    )
    expect(Result.isFailure(missing)).toBe(true)
    if (Result.isFailure(missing)) {
      expect(missing.failure._tag).toBe("PluginConfigError")
      expect(String((missing.failure as { message: string }).message)).toContain("ACME_API_KEY")
    }
    const built = await build(
      { ACME_API_KEY: "acme-test-key", ACME_BASE_URL: fake.baseUrl },
      { provider: "acme", model: "gpt-4o-mini" },
    )
    expect(Result.isSuccess(built)).toBe(true)
    if (!Result.isSuccess(built)) return
    const provider: ProviderShape = built.success
    expect(provider.descriptor.id).toBe("acme")

    const twin = fixtureTwins(1, 3)[0]!
    const request: ProviderRequest = {
      model: "gpt-4o-mini",
      twin,
      items: fixtureStudy.items,
      prompt: renderFixturePrompt(fixtureStudy, twin, { elicitation: "sample", includeDemographics: true }),
      settings: { temperature: 1 },
      elicitation: "sample",
      replicate: 0,
      attempt: 0,
    }
    const before = fake.log.entries.length
    const response = await Effect.runPromise(provider.generate(request))
    expect(JSON.parse(response.text)).toBeTypeOf("object")
    expect(response.usage.inputTokens).toBeGreaterThan(0)
    // it went to the base URL of the copy's variable, with the copy's key
    expect(fake.log.entries.slice(before).map((entry) => entry.status)).toEqual([200])
  })
})
