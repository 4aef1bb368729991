import { PluginConfigError } from "@standin/core"
import { Effect, Logger, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { decodeProviderOptions, flatOptionsWarning, providerOptionsFor } from "../src/index.js"

const Options = Schema.Struct({ effort: Schema.optionalKey(Schema.String) })

/** Runs an effect, collecting what it logs. */
const logged = async <A, E>(effect: Effect.Effect<A, E>) => {
  const lines: Array<string> = []
  const logger = Logger.make(({ message }) => {
    lines.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
  })
  const exit = await Effect.runPromiseExit(effect.pipe(Effect.provide(Logger.layer([logger]))))
  return { exit, lines }
}

describe("vendor options: one shape, providerOptions[providerId]", () => {
  it("reads a provider's own options under its id, and ignores other providers' options", () => {
    expect(providerOptionsFor("openai", { openai: { effort: "low" }, anthropic: { x: 1 } })).toEqual({
      options: { effort: "low" },
      deprecated: false,
    })
    expect(providerOptionsFor("openai", undefined)).toEqual({ options: {}, deprecated: false })
    expect(providerOptionsFor("openai", {})).toEqual({ options: {}, deprecated: false })
  })

  it("still reads the flat shape of before, and says it is deprecated", () => {
    expect(providerOptionsFor("openai", { effort: "low" })).toEqual({
      options: { effort: "low" },
      deprecated: true,
    })
  })

  it("decodes strictly, naming providerOptions[id] in the error, and warns once per provider for the flat shape", async () => {
    const keyed = await logged(
      decodeProviderOptions("acme-keyed", Options, { "acme-keyed": { effort: "low" } }),
    )
    expect(keyed.exit._tag).toBe("Success")
    expect(keyed.lines).toEqual([])

    const flat = await logged(decodeProviderOptions("acme-flat", Options, { effort: "high" }))
    expect(flat.exit).toMatchObject({ _tag: "Success", value: { effort: "high" } })
    expect(flat.lines).toEqual([flatOptionsWarning("acme-flat")])
    expect(flat.lines[0]).toContain('providerOptions["acme-flat"]')
    const again = await logged(decodeProviderOptions("acme-flat", Options, { effort: "high" }))
    expect(again.lines).toEqual([])

    const bad = await logged(decodeProviderOptions("acme-keyed", Options, { "acme-keyed": { efort: "low" } }))
    expect(bad.exit._tag).toBe("Failure")
    const error = await Effect.runPromise(
      Effect.flip(decodeProviderOptions("acme-keyed", Options, { "acme-keyed": { efort: "low" } })),
    )
    expect(error).toBeInstanceOf(PluginConfigError)
    expect(error.message).toContain('invalid providerOptions["acme-keyed"]')
  })
})
