import { fixtureStudy } from "@standin/testkit/fixture"
import { describe, expect, it } from "vitest"
import { definitionSha256 } from "../src/definition-hash.js"

describe("definitionSha256", () => {
  it("is the same for the same definition whatever its key order, and changes with anything declared", () => {
    const reordered = Object.fromEntries(Object.entries(fixtureStudy).reverse()) as typeof fixtureStudy
    expect(definitionSha256(reordered)).toBe(definitionSha256(fixtureStudy))
    expect(definitionSha256(fixtureStudy)).toMatch(/^[0-9a-f]{64}$/)
    const reworded = {
      ...fixtureStudy,
      items: fixtureStudy.items.map((item, index) =>
        index === 0 ? { ...item, wording: `${item.wording}?` } : item,
      ),
    }
    expect(definitionSha256(reworded)).not.toBe(definitionSha256(fixtureStudy))
  })
})
