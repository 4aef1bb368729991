import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type FakeServer, startOpenAiFake } from "@standin/testkit/fakes"
import { standinAsync, tempDir } from "./helpers.js"

const fixture = join(import.meta.dirname, "../../study/test/fixtures/factorial-index")

let fake: FakeServer
beforeAll(async () => {
  fake = await startOpenAiFake({ seed: 3 })
})
afterAll(() => fake?.close())

interface Measure {
  readonly measure: string
  readonly item?: string
  readonly arm?: string
  readonly value: number | null
  readonly n: number
}

describe("a derived index in a run (the factorial fixture's trust index, an analysis outcome)", () => {
  it("is scored by the item metrics, listed as derived in results.json, and never sent to the model", async () => {
    const out = tempDir("derived-run")
    const result = await standinAsync(
      [
        "run",
        "--study",
        fixture,
        "--provider",
        "openai:gpt-4o-mini",
        "--holdout",
        "40",
        "--pilot",
        "0",
        "--seed",
        "2",
        "--bootstrap",
        "0",
        "--no-site",
        "--quiet",
        "--out",
        out,
      ],
      { OPENAI_API_KEY: "sk-test-PLANTED", OPENAI_BASE_URL: fake.baseUrl, STANDIN_OFFLINE: "1" },
    )
    expect(result.stderr).toBe("")
    expect(result.status).toBe(0)
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
    expect(results.study.derived).toHaveLength(1)
    expect(results.study.derived[0].id).toBe("trust")
    expect(results.study.derived[0].options).toHaveLength(43)
    expect(results.study.items.map((item: { id: string }) => item.id)).not.toContain("trust")
    const entry = results.entries.find((e: { id: string }) => e.id === "openai-gpt-4o-mini")
    const divergence = entry.scores.find((s: { metric: string }) => s.metric === "divergence")
    const trust = (divergence.measures as ReadonlyArray<Measure>).find(
      (m) => m.measure === "js-distance" && m.item === "trust" && m.arm === "all",
    )!
    expect(trust.value).not.toBeNull()
    const counts = divergence.details.counts.trust as {
      human: number
      synthetic: number
      syntheticRows: number
    }
    expect(counts.syntheticRows).toBe(40)
    expect(counts.synthetic).toBeGreaterThan(0)
    expect(counts.human).toBeLessThanOrEqual(40)
    const heterogeneity = entry.scores.find((s: { metric: string }) => s.metric === "heterogeneity")
    expect(
      (heterogeneity.measures as ReadonlyArray<Measure>).some(
        (m) => m.measure === "entropy-discrepancy" && m.item === "trust",
      ),
    ).toBe(true)
    // Nothing the model received names the index: not its label, its expression or an answer slot for it.
    const bodies = fake.log.entries.map((request) => JSON.stringify(request.body))
    expect(bodies.length).toBeGreaterThan(0)
    for (const body of bodies) {
      expect(body).toContain("The message is trustworthy.")
      expect(body).not.toContain("Trust index")
      expect(body).not.toContain("reverse(")
      expect(body).not.toMatch(/"trust"/)
    }
  })
})
