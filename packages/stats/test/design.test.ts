import { describe, expect, it } from "@effect/vitest"
import { buildDesign, fitLogit } from "../src/index.js"

describe("buildDesign", () => {
  const frame = {
    g: ["a", "b", "c", "b", null, "a"],
    z: [1, 2, 3, 4, 5, "6"],
    flag: ["yes", "no", "yes", "", "no", "no"],
    y: [0, 1, 1, 0, 1, 0],
  }

  it("names columns, codes dummies in level order, builds interactions and drops incomplete rows", () => {
    const design = buildDesign(
      frame,
      {
        variables: [
          { id: "g", type: "categorical", levels: ["c", "a", "b"], reference: "a" },
          { id: "z", type: "numeric" },
          { id: "flag", type: "indicator", levels: ["yes"] },
        ],
        interactions: [["g", "z"]],
      },
      "y",
    )
    if (!design.ok) throw new Error(design.error.message)
    const { columns, x, n, p, dropped, rows, y } = design.value
    expect(columns).toEqual(["(Intercept)", "g[c]", "g[b]", "z", "flag", "g[c]:z", "g[b]:z"])
    expect(n).toBe(4)
    expect(dropped).toBe(2)
    expect(Array.from(rows)).toEqual([0, 1, 2, 5])
    expect(Array.from(x.subarray(2 * p, 3 * p))).toEqual([1, 1, 0, 3, 1, 3, 0])
    expect(Array.from(x.subarray(3 * p, 4 * p))).toEqual([1, 0, 0, 6, 0, 0, 0])
    expect(Array.from(y!)).toEqual([0, 1, 1, 0])
  })

  it("returns typed errors for an unknown level, a bad reference, a missing column or variable", () => {
    const unknown = buildDesign(frame, {
      variables: [{ id: "g", type: "categorical", levels: ["a", "b"], reference: "a" }],
    })
    expect(!unknown.ok && unknown.error._tag).toBe("UnknownLevel")
    const reference = buildDesign(frame, {
      variables: [{ id: "g", type: "categorical", levels: ["a", "b", "c"], reference: "d" }],
    })
    expect(!reference.ok && reference.error._tag).toBe("InvalidReference")
    expect(buildDesign(frame, { variables: [{ id: "nope", type: "numeric" }] })).toMatchObject({
      ok: false,
      error: { _tag: "UnknownColumn", column: "nope" },
    })
    expect(
      buildDesign(frame, { variables: [{ id: "z", type: "numeric" }], interactions: [["z", "w"]] }),
    ).toMatchObject({
      ok: false,
      error: { _tag: "UnknownVariable", variable: "w" },
    })
  })

  it("can leave out dummies of unobserved levels, and otherwise reports them as rank deficiency", () => {
    const spec = {
      variables: [{ id: "g", type: "categorical" as const, levels: ["a", "b", "c", "d"], reference: "a" }],
    }
    const dropped = buildDesign(frame, { ...spec, dropUnobservedLevels: true }, "y")
    if (!dropped.ok) throw new Error(dropped.error.message)
    expect(dropped.value.columns).toEqual(["(Intercept)", "g[b]", "g[c]"])
    expect(dropped.value.droppedLevels).toEqual(["g[d]"])
    const kept = buildDesign(frame, spec, "y")
    if (!kept.ok) throw new Error(kept.error.message)
    expect(fitLogit(kept.value)).toMatchObject({
      ok: false,
      error: { _tag: "RankDeficient", columns: ["g[d]"] },
    })
  })

  it("a constant outcome is a typed error", () => {
    const design = buildDesign(
      { z: [1, 2, 3, 4], y: [1, 1, 1, 1] },
      { variables: [{ id: "z", type: "numeric" }] },
      "y",
    )
    if (!design.ok) throw new Error(design.error.message)
    expect(fitLogit(design.value)).toMatchObject({ ok: false, error: { _tag: "ConstantOutcome", value: 1 } })
  })
})
