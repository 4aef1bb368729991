import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { hasData, standin, tempDir } from "./helpers.js"

/** The flag lines of a command's help (between FLAGS and GLOBAL FLAGS), one per flag. */
const flagLines = (help: string): Array<string> =>
  help
    .split("\n\nGLOBAL FLAGS")[0]!
    .split("FLAGS\n")[1]!
    .split("\n")
    .filter((line) => line.trimStart().startsWith("--"))

describe("standin run --config, --print-config, --json and defaults in --help", () => {
  it("--help states every flag's default (run, providers, studies)", () => {
    for (const command of [["run"], ["providers"], ["studies"]]) {
      const help = standin([...command, "--help"])
      expect(help.status, command.join(" ")).toBe(0)
      const lines = flagLines(help.stdout)
      expect(lines.length, command.join(" ")).toBeGreaterThan(command[0] === "run" ? 30 : 0)
      for (const line of lines) expect(line, `${command.join(" ")}: ${line}`).toMatch(/Default: /)
    }
    const run = flagLines(standin(["run", "--help"]).stdout)
    expect(run.find((line) => line.startsWith("  --seed "))).toMatch(/Default: 1\.$/)
    expect(run.find((line) => line.startsWith("  --demographics "))).toMatch(/Default: on\.$/)
    expect(run.find((line) => line.startsWith("  --max-invalid "))).toMatch(/Default: 0\.2\.$/)
  })

  it("--print-config writes the effective configuration, which reads back identically; flags override the file", () => {
    const dir = tempDir("config")
    const file = join(dir, "standin.yaml")
    writeFileSync(
      file,
      "# a study run\nseed: 3\nprovider: [uniform, pilot-marginal]\ndemographics: false\nmax-reasks: 1\nelicitation: verbalized\n",
    )
    const printed = standin(["run", "--config", file, "--seed", "9", "--print-config"])
    expect(printed.stderr).toBe("")
    expect(printed.status).toBe(0)
    const text = printed.stdout
    expect(text).toContain("\nseed: 9\n")
    expect(text).toContain("\nprovider:\n  - uniform\n  - pilot-marginal\n")
    expect(text).toContain("\ndemographics: false\n")
    expect(text).toContain("\nmax-reasks: 1\n")
    expect(text).toContain("\nelicitation: verbalized\n")
    // Defaults are written too; optional flags left unset are not.
    expect(text).toContain("\nbootstrap: 500\n")
    expect(text).not.toMatch(/\ntemperature:/)
    expect(text).not.toMatch(/\nconfig:|\nprint-config:/)
    const saved = join(dir, "effective.yaml")
    writeFileSync(saved, text)
    const again = standin(["run", "--config", saved, "--print-config"])
    expect(again.status).toBe(0)
    expect(again.stdout).toBe(text)
    // A repeatable flag on the command line replaces the file's whole list.
    const replaced = standin(["run", "--config", saved, "--provider", "uniform", "--print-config"])
    expect(replaced.stdout).toMatch(/\nprovider:\n {2}- uniform\n[a-z]/)
    // With no config the defaults themselves.
    const plain = standin(["run", "--print-config"])
    expect(plain.stdout).toContain("\nseed: 1\n")
    expect(plain.stdout).toContain("\ndemographics: true\n")
  })

  it("refuses a config file that is missing, not a mapping, names an unknown flag or gives a wrong value", () => {
    const dir = tempDir("config-bad")
    const cases: Array<[string, string | null, RegExp]> = [
      ["missing.yaml", null, /cannot read the config file .*missing\.yaml: no such file/],
      ["list.yaml", "- seed\n- 3\n", /list\.yaml must be a mapping of flag names to values/],
      ["typo.yaml", "sede: 3\n", /typo\.yaml: "sede" is not a flag of standin run .*\(study, provider, /],
      ["config.yaml", "config: other.yaml\n", /config\.yaml: "config" is not a flag/],
      ["word.yaml", "seed: three\n", /word\.yaml: "seed" must be a number, got "three"/],
      ["flag.yaml", "quiet: yes please\n", /flag\.yaml: "quiet" must be true or false/],
      ["many.yaml", "seed: [1, 2]\n", /many\.yaml: "seed" takes one value, not a list/],
      ["broken.yaml", "seed: [1, 2\n", /broken\.yaml is not valid YAML/],
    ]
    for (const [name, content, message] of cases) {
      const file = join(dir, name)
      if (content !== null) writeFileSync(file, content)
      const result = standin(["run", "--config", file, "--print-config"])
      expect(result.status, name).toBe(2)
      expect(result.stderr, name).toMatch(message)
      expect(result.stdout, name).toBe("")
    }
  })

  it("providers --json and studies --json print data, never a key's value", () => {
    const providers = standin(["providers", "--json"], { OPENAI_API_KEY: "sk-test-PLANTED" })
    expect(providers.status).toBe(0)
    expect(providers.stdout).not.toContain("sk-test-PLANTED")
    const list = JSON.parse(providers.stdout) as Array<{
      id: string
      role: string
      apiKey: { status: string; set: Array<string> }
    }>
    expect(list.find((p) => p.id === "openai")?.apiKey).toEqual({
      status: "set",
      variables: ["OPENAI_API_KEY"],
      set: ["OPENAI_API_KEY"],
    })
    expect(list.find((p) => p.id === "anthropic")?.apiKey.status).toBe("missing")
    expect(list.find((p) => p.id === "uniform")?.role).toBe("floor")
    const models = JSON.parse(standin(["providers", "--models", "--json"]).stdout) as Array<{
      provider: string
      match: string
    }>
    expect(models.some((row) => row.provider === "openai" && row.match === "*")).toBe(true)
    const studies = JSON.parse(standin(["studies", "--json"]).stdout) as Array<{
      id: string
      items: Array<string>
      private: boolean
    }>
    expect(studies.find((study) => study.id === "fingerprint-consent")).toMatchObject({
      items: ["share", "understand", "concern"],
      private: false,
    })
  })

  it.runIf(hasData)(
    "a config file runs the same study as the same flags, and --json prints the summary as data",
    () => {
      const dir = tempDir("config-run")
      const viaFile = join(dir, "via-file")
      const viaFlags = join(dir, "via-flags")
      const file = join(dir, "standin.yaml")
      writeFileSync(
        file,
        `provider: [uniform, pilot-marginal]\nholdout: 60\nbootstrap: 20\nseed: 5\nsite: false\nquiet: true\nout: ${viaFile}\n`,
      )
      const configured = standin(["run", "--config", file, "--json"])
      expect(configured.stderr).toBe("")
      expect(configured.status).toBe(0)
      const summary = JSON.parse(configured.stdout) as {
        study: string
        results: string
        site: string | null
        entries: Array<{ entry: string; valid: number; fidelity: { value: number | null } }>
      }
      expect(summary.study).toBe("fingerprint-consent")
      expect(summary.results).toBe(join(viaFile, "results.json"))
      expect(summary.site).toBeNull()
      expect(summary.entries.map((entry) => entry.entry)).toEqual(["uniform", "pilot-marginal"])
      expect(summary.entries[0]!.valid).toBe(60)
      const flags = standin([
        "run",
        "--provider",
        "uniform",
        "--provider",
        "pilot-marginal",
        "--holdout",
        "60",
        "--bootstrap",
        "20",
        "--seed",
        "5",
        "--no-site",
        "--quiet",
        "--out",
        viaFlags,
      ])
      expect(flags.status).toBe(0)
      expect(readFileSync(join(viaFile, "results.json"), "utf8")).toBe(
        readFileSync(join(viaFlags, "results.json"), "utf8"),
      )
      const results = JSON.parse(readFileSync(join(viaFile, "results.json"), "utf8"))
      expect(results.manifest.seed).toBe(5)
      expect(results.manifest.holdoutCap).toBe(60)
      // --dry-run --json: the plan as data, nothing run.
      const planned = standin(["run", "--config", file, "--dry-run", "--json", "--out", join(dir, "never")])
      expect(planned.status).toBe(0)
      const plan = JSON.parse(planned.stdout) as {
        dryRun: boolean
        holdout: number
        providers: Array<{ provider: string; baseline: boolean; calls: number }>
      }
      expect(plan.dryRun).toBe(true)
      expect(plan.holdout).toBe(60)
      expect(plan.providers.map((p) => [p.provider, p.baseline])).toEqual([
        ["uniform", true],
        ["pilot-marginal", true],
      ])
      // `results show --format json` reads the same records back from the file.
      const shown = JSON.parse(standin(["results", "show", viaFile, "--format", "json"]).stdout)
      expect(shown.entries).toEqual(summary.entries)
    },
  )
})
