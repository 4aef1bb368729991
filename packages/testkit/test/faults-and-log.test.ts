import { describe, expect, it } from "vitest"
import { FaultPlan, parseFaultSpec } from "../src/faults.js"
import { Rng } from "../src/random.js"
import { RequestLog, redactHeaders, redactPath } from "../src/request-log.js"

describe("fault SPEC", () => {
  it("parses rates and scripts", () => {
    expect(parseFaultSpec("429:0.1, 500:0.05,timeout:0.02,malformed:0.02")).toEqual({
      rates: [
        { kind: "429", rate: 0.1 },
        { kind: "500", rate: 0.05 },
        { kind: "timeout", rate: 0.02 },
        { kind: "malformed", rate: 0.02 },
      ],
      script: [],
    })
    expect(parseFaultSpec("429,ok,reset*2")).toEqual({
      rates: [],
      script: ["429", undefined, "reset", "reset"],
    })
  })

  it("rejects unknown faults, bad rates and rates above 1 in total", () => {
    expect(parseFaultSpec("418:0.1")).toHaveProperty("error")
    expect(parseFaultSpec("429:1.5")).toHaveProperty("error")
    expect(parseFaultSpec("429:0.6,500:0.6")).toHaveProperty("error")
    expect(parseFaultSpec("reset*0")).toHaveProperty("error")
  })

  it("plays the script first, then draws at the rates", () => {
    const spec = parseFaultSpec("500:0.25,429,ok")
    if ("error" in spec) throw new Error(spec.error)
    const plan = new FaultPlan(spec)
    const rng = new Rng(1)
    expect([plan.draw(rng), plan.draw(rng)]).toEqual(["429", undefined])
    const draws = Array.from({ length: 4000 }, () => plan.draw(rng))
    const share = draws.filter((kind) => kind === "500").length / draws.length
    expect(share).toBeGreaterThan(0.22)
    expect(share).toBeLessThan(0.28)
  })
})

describe("request log redaction", () => {
  it("redacts every secret header and key= in the query", () => {
    expect(
      redactHeaders({
        Authorization: "Bearer sk-test-PLANTED",
        "x-api-key": "sk-test-PLANTED",
        "X-Goog-Api-Key": "sk-test-PLANTED",
        "api-key": "sk-test-PLANTED",
        "content-type": "application/json",
      }),
    ).toEqual({
      authorization: "[REDACTED]",
      "x-api-key": "[REDACTED]",
      "x-goog-api-key": "[REDACTED]",
      "api-key": "[REDACTED]",
      "content-type": "application/json",
    })
    expect(redactPath("/v1beta/models/m:generateContent?alt=json&key=sk-test-PLANTED")).toBe(
      "/v1beta/models/m:generateContent?alt=json&key=[REDACTED]",
    )
  })

  it("finds entries by path", () => {
    const log = new RequestLog()
    log.add({
      vendor: "openai",
      at: 0,
      method: "POST",
      path: "/v1/chat/completions?x=1",
      headers: {},
      body: null,
      status: 200,
    })
    expect(log.find("/chat/completions").length).toBe(1)
    expect(log.find(/files/).length).toBe(0)
    log.clear()
    expect(log.entries.length).toBe(0)
  })
})
