import { readdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterEach, describe, expect, it } from "@effect/vitest"
import { type FakeServer, startVendorFake } from "@standin/testkit/fakes"
import { parse } from "csv-parse/sync"
import { hasData, standin, standinAsync, tempDir } from "./helpers.js"

const PLANTED = "sk-test-PLANTED"
// The fakes take any rate: lift the vendors' default rate limits (Anthropic's is 50 requests a minute).
const quick = [
  // no pilot, so no pilot twins: every paid call is one of the 60 holdout twins
  "--pilot",
  "0",
  "--holdout",
  "60",
  "--bootstrap",
  "20",
  "--quiet",
  "--concurrency",
  "4",
  "--rpm",
  "1000000",
  "--tpm",
  "1000000000",
]

const servers: Array<FakeServer> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})
const fake = async (
  vendor: "openai" | "anthropic" | "google",
  options: Parameters<typeof startVendorFake>[1] = {},
) => {
  const server = await startVendorFake(vendor, { seed: 7, ...options })
  servers.push(server)
  return server
}

const everything = (out: string): string =>
  readdirSync(out, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), "utf8"))
    .join("\n")

const vendors = [
  {
    provider: "openai:gpt-4o-mini",
    vendor: "openai",
    env: (url: string) => ({ OPENAI_API_KEY: PLANTED, OPENAI_BASE_URL: url }),
  },
  {
    provider: "anthropic:claude-haiku-4-5",
    vendor: "anthropic",
    env: (url: string) => ({ ANTHROPIC_API_KEY: PLANTED, ANTHROPIC_BASE_URL: url }),
  },
  {
    provider: "google:gemini-2.5-flash",
    vendor: "google",
    env: (url: string) => ({ GEMINI_API_KEY: PLANTED, GOOGLE_GEMINI_BASE_URL: url }),
  },
  {
    provider: "openai-compatible:llama3.1:8b",
    vendor: "openai",
    env: (url: string) => ({ OPENAI_COMPATIBLE_BASE_URL: url }),
  },
] as const

describe.runIf(hasData)("standin run with model providers against loopback fakes", () => {
  for (const { provider, vendor, env } of vendors) {
    it(`runs the bundled study end to end through ${provider.split(":")[0]}`, async () => {
      const server = await fake(vendor)
      const out = tempDir("provider")
      const result = await standinAsync(
        [
          "run",
          "--provider",
          provider,
          "--provider",
          "uniform",
          "--provider",
          "human-split-half",
          "--out",
          out,
          ...quick,
        ],
        env(server.baseUrl),
      )
      expect(result.stderr).toBe("")
      expect(result.status).toBe(0)
      const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
      const entry = results.entries[0]
      expect(entry.status).toBe("ok")
      expect(entry.counts.twins).toBe(60)
      expect(entry.counts.valid + entry.counts.invalid).toBe(60)
      expect(entry.modelVersions.length).toBeGreaterThan(0)
      expect(entry.usage.inputTokens).toBeGreaterThan(0)
      expect(entry.usage.outputTokens).toBeGreaterThan(0)
      const [header, row] = parse(readFileSync(join(out, entry.syntheticFile), "utf8")) as Array<
        Array<string>
      >
      if (header === undefined || row === undefined) throw new Error("empty synthetic CSV")
      expect(row[header.indexOf("elicitation")]).toBe("sample")
      expect(row[header.indexOf("model_version")]).not.toBe("")
      expect(Number(row[header.indexOf("input_tokens")])).toBeGreaterThan(0)
      // Every twin was one paid call per page of the instrument (consent, then perceptions), plus re-asks.
      const posts = server.log.entries.filter((e) => e.method === "POST")
      expect(posts.length).toBe(2 * 60 + entry.counts.reasks)
      // The perception page is asked in the same conversation, after the twin's consent answer.
      const perception = posts
        .map((e) => JSON.stringify(e.body))
        .filter((body) => body.includes("To what extent do you agree with the following statements?"))
      expect(perception.length).toBeGreaterThanOrEqual(60)
      for (const body of perception) expect(body).toMatch(/\{\\"share\\":\\"(Consent to share|Decline)\\"\}/)
      expect(everything(out)).not.toContain(PLANTED)
      expect(JSON.stringify(server.log.entries.map((e) => e.headers))).not.toContain(PLANTED)
    })
  }

  it("records settings a provider cannot honour as warnings on every answer", async () => {
    const server = await fake("anthropic")
    const out = tempDir("warn")
    const result = await standinAsync(
      [
        "run",
        "--provider",
        "anthropic:claude-haiku-4-5",
        "--temperature",
        "0.7",
        "--top-p",
        "0.9",
        "--out",
        out,
        ...quick,
      ],
      {
        ANTHROPIC_API_KEY: PLANTED,
        ANTHROPIC_BASE_URL: server.baseUrl,
      },
    )
    expect(result.status).toBe(0)
    const entry = JSON.parse(readFileSync(join(out, "results.json"), "utf8")).entries[0]
    expect(entry.warnings.map((w: { message: string }) => w.message).join(" ")).toMatch(/seed was ignored/)
    expect(entry.warnings.every((w: { count: number }) => w.count === 60)).toBe(true)
  })

  it("elicits first-token distributions through logprobs and stated distributions through verbalized", async () => {
    const server = await fake("openai")
    for (const elicitation of ["logprobs", "verbalized"]) {
      const out = tempDir(elicitation)
      const result = await standinAsync(
        ["run", "--provider", "openai:gpt-4o-mini", "--elicitation", elicitation, "--out", out, ...quick],
        {
          OPENAI_API_KEY: PLANTED,
          OPENAI_BASE_URL: server.baseUrl,
        },
      )
      expect(result.status).toBe(0)
      const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
      expect(results.manifest.elicitation).toBe(elicitation)
      expect(results.entries[0].counts.valid).toBeGreaterThan(50)
      const csv = readFileSync(join(out, results.entries[0].syntheticFile), "utf8")
      expect(csv.split("\n")[1]).toContain(`,${elicitation},`)
    }
    const logprobCalls = server.log.entries.filter(
      (e) => (e.body as { logprobs?: boolean } | null)?.logprobs === true,
    )
    expect(logprobCalls.length).toBe(60 * 3)
  })

  it("refuses an elicitation a provider cannot do before spending anything", async () => {
    const server = await fake("anthropic")
    const out = tempDir("refuse")
    const result = await standinAsync(
      [
        "run",
        "--provider",
        "anthropic:claude-haiku-4-5",
        "--elicitation",
        "logprobs",
        "--out",
        out,
        ...quick,
      ],
      {
        ANTHROPIC_API_KEY: PLANTED,
        ANTHROPIC_BASE_URL: server.baseUrl,
      },
    )
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(/anthropic:claude-haiku-4-5 cannot do "logprobs" elicitation/)
    expect(server.log.entries).toHaveLength(0)
  })

  it("refuses logprobs on a model whose capability row has none (a reasoning model) before spending anything", async () => {
    const server = await fake("openai")
    const out = tempDir("refuse-model")
    const result = await standinAsync(
      ["run", "--provider", "openai:gpt-5-mini", "--elicitation", "logprobs", "--out", out, ...quick],
      { OPENAI_API_KEY: PLANTED, OPENAI_BASE_URL: server.baseUrl },
    )
    expect(result.status).toBe(2)
    expect(result.stderr).toMatch(
      /openai:gpt-5-mini cannot do "logprobs" elicitation \(it supports: sample, verbalized\)/,
    )
    expect(server.log.entries).toHaveLength(0)
  })

  it("writes no password from a base URL anywhere (results, labels, site, downloads), and the leaderboard refuses one", async () => {
    const server = await fake("openai")
    const out = tempDir("userinfo")
    const withPassword = server.baseUrl.replace("http://", "http://researcher:s3cretPW@")
    const result = await standinAsync(
      [
        "run",
        "--provider",
        `openai-compatible:llama3.1:8b@${withPassword}`,
        "--provider",
        "uniform",
        "--out",
        out,
        ...quick,
      ],
      {},
    )
    const written = everything(out)
    expect(written).toContain("127.0.0.1")
    expect(written).toContain("site")
    expect(written).not.toContain("s3cretPW")
    expect(written).not.toContain("researcher:")
    expect(result.stdout + result.stderr).not.toContain("s3cretPW")
    // a results file that does hold one (written by hand, or by an older standin) is not published
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
    results.entries[0].label = `Local: llama3.1:8b @ ${withPassword}`
    const tampered = tempDir("userinfo-results")
    writeFileSync(join(tampered, "results.json"), JSON.stringify(results))
    const site = tempDir("userinfo-site")
    const refused = standin(["leaderboard", "build", "--results", tampered, "--out", site])
    expect(refused.status).not.toBe(0)
    expect(refused.stderr).toMatch(/entries\[0\]\.label holds a URL with a user name or password/)
    expect(refused.stderr).not.toContain("s3cretPW")
    expect(readdirSync(site)).toEqual([])
  })

  it("never shows a planted key, even when the vendor answers 401", async () => {
    const server = await fake("openai", { apiKey: "sk-test-the-right-one", echoKeyInErrors: true })
    const out = tempDir("401")
    const result = await standinAsync(
      ["run", "--provider", "openai:gpt-4o-mini", "--provider", "uniform", "--out", out, ...quick],
      {
        OPENAI_API_KEY: PLANTED,
        OPENAI_BASE_URL: server.baseUrl,
      },
    )
    // every call was refused: the model failed, loudly, and has no place on a site
    expect(result.status).toBe(4)
    expect(result.stderr).toMatch(/failed openai-gpt-4o-mini: no valid answer: 60 of 60 twins failed/)
    expect(result.stderr).toMatch(/60× auth: 401 Incorrect API key provided/)
    expect(readdirSync(out)).not.toContain("site")
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
    expect(results.entries[0].status).toBe("failed")
    expect(results.entries[0].counts.failed).toBe(60)
    expect(results.entries[0].failures.auth).toBe(60)
    // The key was rejected once; standin did not keep sending it.
    expect(server.log.entries.length).toBeLessThanOrEqual(4)
    for (const text of [result.stdout, result.stderr, everything(out)]) expect(text).not.toContain(PLANTED)
  })

  it("stops a provider at once on a 429 for insufficient_quota, with OpenAI's message, and does not retry it", async () => {
    const server = await fake("openai", { faults: "quota:1" })
    const out = tempDir("quota")
    const result = await standinAsync(
      ["run", "--provider", "openai:gpt-4o-mini", "--provider", "uniform", "--out", out, ...quick],
      { OPENAI_API_KEY: PLANTED, OPENAI_BASE_URL: server.baseUrl },
    )
    expect(result.status).toBe(4)
    expect(result.stderr).toMatch(
      /60× auth: no quota left \(insufficient_quota\): 429 You exceeded your current quota/,
    )
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
    expect(results.entries[0].failures.auth).toBe(60)
    // no retries and no further calls once the account is known to have no credit (one per concurrent slot)
    expect(server.log.entries.length).toBeLessThanOrEqual(4)
  })

  it("without any key runs the baselines and says which providers were skipped and why", () => {
    const out = tempDir("nokey")
    const result = standin([
      "run",
      "--provider",
      "openai:gpt-4o-mini",
      "--provider",
      "google:gemini-2.5-flash",
      "--provider",
      "uniform",
      "--provider",
      "human-split-half",
      "--out",
      out,
      ...quick,
    ])
    expect(result.status).toBe(4)
    expect(readdirSync(out)).not.toContain("site")
    expect(result.stdout).toMatch(/skipped openai-gpt-4o-mini: .*OPENAI_API_KEY/)
    expect(result.stdout).toMatch(/skipped google-gemini-2.5-flash: .*GEMINI_API_KEY/)
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"))
    expect(results.entries.map((e: { status: string }) => e.status)).toEqual([
      "skipped",
      "skipped",
      "ok",
      "ok",
    ])
  })

  it("fails a model whose answers are mostly invalid (--max-invalid), prints why, and builds its site only with --keep-failed", async () => {
    const server = await fake("openai", { faults: "offscale:0.5" })
    const env = { OPENAI_API_KEY: PLANTED, OPENAI_BASE_URL: server.baseUrl }
    const args = (out: string, ...extra: Array<string>) => [
      "run",
      "--provider",
      "openai:gpt-4o-mini",
      "--provider",
      "uniform",
      "--max-reasks",
      "0",
      "--out",
      out,
      ...quick,
      ...extra,
    ]
    const strict = tempDir("invalid-strict")
    const failed = await standinAsync(args(strict), env)
    expect(failed.status).toBe(4)
    expect(failed.stderr).toMatch(
      /failed openai-gpt-4o-mini: \d+ of 60 twins \(\d+%\) failed or gave invalid answers, more than --max-invalid 20%/,
    )
    expect(failed.stderr).toMatch(/\d+× invalid \w+: /)
    expect(readdirSync(strict)).not.toContain("site")
    const entry = JSON.parse(readFileSync(join(strict, "results.json"), "utf8")).entries[0]
    expect(entry.status).toBe("failed")
    expect(entry.statusReason).toMatch(/more than --max-invalid 20%/)

    const kept = tempDir("invalid-kept")
    const keptRun = await standinAsync(args(kept, "--keep-failed"), env)
    expect(keptRun.status).toBe(4)
    expect(readdirSync(kept)).toContain("site")

    const lenient = tempDir("invalid-lenient")
    const lenientRun = await standinAsync(args(lenient, "--max-invalid", "0.95"), env)
    expect(lenientRun.status).toBe(0)
    expect(JSON.parse(readFileSync(join(lenient, "results.json"), "utf8")).entries[0].status).toBe("ok")
  })

  it("lists providers with their capabilities and which keys are set, never their values", () => {
    const result = standin(["providers"], { OPENAI_API_KEY: PLANTED })
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/openai\s+model\s+sample, logprobs, verbalized.*set \(OPENAI_API_KEY\)/)
    expect(result.stdout).toMatch(/anthropic .*missing: set ANTHROPIC_API_KEY/)
    expect(result.stdout).not.toContain(PLANTED)
  })

  it("shows each provider's per-model capability table with --models", () => {
    const result = standin(["providers", "--models"])
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/openai\s+gpt-5\*\s+no\s+no\s+reasoning\s+max_completion_tokens/)
    expect(result.stdout).toMatch(/openai\s+gpt-4o\*\s+yes\s+top 20\s+none/)
    expect(result.stdout).toMatch(
      /google\s+gemini-2\.5-pro\*\s+yes\s+no\s+always \(≥ 128 tokens\)\s+maxOutputTokens/,
    )
    expect(result.stdout).toMatch(/anthropic\s+claude-3\*\s+yes\s+no\s+none\s+max_tokens\s+tool/)
    expect(result.stdout).toMatch(/openai-compatible\s+\*\s+yes\s+top 20\s+none\s+max_tokens/)
  })
})
