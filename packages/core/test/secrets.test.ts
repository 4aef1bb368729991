import { describe, expect, it } from "vitest"
import {
  findUrlCredentials,
  hasUrlCredentials,
  scrubSecret,
  scrubUrlCredentials,
  withoutUrlCredentials,
} from "../src/index.js"

describe("credentials in URLs", () => {
  it("removes user-info from every URL in a text, leaving the endpoint", () => {
    expect(scrubUrlCredentials("http://user:pw@host:8000/v1")).toBe("http://host:8000/v1")
    expect(scrubUrlCredentials("see https://token@api.example.com/v1 and http://a:b@c/d")).toBe(
      "see https://api.example.com/v1 and http://c/d",
    )
    expect(scrubUrlCredentials("mail me at a@b.org, http://host/v1?x=1")).toBe(
      "mail me at a@b.org, http://host/v1?x=1",
    )
    expect(hasUrlCredentials("http://user:pw@host/v1")).toBe(true)
    expect(hasUrlCredentials("http://host/v1")).toBe(false)
  })

  it("scrubs nested values and finds the path of the first one", () => {
    const results = {
      entries: [{ label: "local", params: { baseUrl: "http://u:s3cret@127.0.0.1:1/v1", model: "m" } }],
    }
    expect(findUrlCredentials(results)).toBe("entries[0].params.baseUrl")
    expect(JSON.stringify(withoutUrlCredentials(results))).not.toContain("s3cret")
    expect(findUrlCredentials(withoutUrlCredentials(results))).toBeUndefined()
  })

  it("vendor messages quoting a base URL lose its password with the key", () => {
    expect(
      scrubSecret(
        "connect ECONNREFUSED for http://user:s3cret@127.0.0.1:9/v1 with sk-PLANTED-KEY",
        "sk-PLANTED-KEY",
      ),
    ).toBe("connect ECONNREFUSED for http://127.0.0.1:9/v1 with [REDACTED]")
  })
})
