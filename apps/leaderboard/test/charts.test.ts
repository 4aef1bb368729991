import { describe, expect, it } from "vitest"
import { barDomain, plainDescription } from "../src/app/charts/study-charts.js"

describe("study chart helpers", () => {
  it("turns metric descriptions that cite JSON fields into words", () => {
    // The descriptions the heterogeneity and coherence plugins ship.
    expect(
      plainDescription(
        "|H(synthetic) − H(human)| / log2(k) for one item, entropies in bits; `human` and `synthetic` hold the entropies (their ratio H(synthetic)/H(human) is in details.entropy).",
      ),
    ).toBe(
      "|H(synthetic) − H(human)| / log2(k) for one item, entropies in bits; the human and synthetic figures are the entropies.",
    )
    expect(
      plainDescription(
        "|log OR_synthetic − log OR_human| of believer against contrary action; standard errors are in details.pairs.",
      ),
    ).toBe("|log OR_synthetic − log OR_human| of believer against contrary action.")
    expect(plainDescription("Share of items where one option takes over 90%.")).toBe(
      "Share of items where one option takes over 90%.",
    )
  })

  it("never gives bars a degenerate scale: all-zero bars stay flat on a 0–1 axis", () => {
    expect(barDomain([0, 0, 0])).toEqual([0, 1])
    expect(barDomain([0.2, 0.5])).toEqual([0, 0.5])
    expect(barDomain([-0.2, 0.1])).toEqual([-0.2, 0.1])
    expect(barDomain([-0.3, -0.1])).toEqual([-0.3, 0])
  })
})
