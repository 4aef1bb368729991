import { realClock } from "./clock.js"
import { startVendorFake } from "./fakes.js"
import { type FaultSpec, parseFaultSpec } from "./faults.js"
import type { FakeOptions, FakeServer } from "./server.js"
import type { Vendor } from "./survey.js"

export const fakeUsage = `usage: standin-fake --vendor openai|anthropic|google|together [--port P] [--latency-ms L|MIN-MAX]
                    [--faults SPEC] [--log requests.jsonl] [--seed N] [--retry-after-ms MS]
                    [--batches on|off]

Starts a loopback fake of the vendor's API on 127.0.0.1 (port 0 picks a free one).
--batches off plays a server with no batch API: its batch endpoints answer 404.

SPEC is a comma-separated list of faults, by rate or as a script for the next requests:
  429:0.1,500:0.05,timeout:0.02,malformed:0.02   each generation request draws a fault at these rates
  429,ok,reset*2                                  the next requests fail in this order, then all succeed
Faults: 429 500 503 529 400 401 reset timeout truncated malformed refusal offscale lowmass.`

export interface FakeArguments {
  readonly vendor: Vendor
  readonly options: FakeOptions
}

/** Parses the bin's arguments; returns an error message instead of throwing. */
export const parseFakeArguments = (
  argv: ReadonlyArray<string>,
): FakeArguments | { readonly error: string } => {
  const values = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? ""
    if (flag === "--help" || flag === "-h") return { error: "" }
    if (!flag.startsWith("--")) return { error: `unexpected argument "${flag}"` }
    const [name, inline] = flag.slice(2).split("=", 2) as [string, string | undefined]
    const value = inline ?? argv[++i]
    if (value === undefined) return { error: `--${name} needs a value` }
    values.set(name, value)
  }
  const known = new Set([
    "vendor",
    "port",
    "latency-ms",
    "faults",
    "log",
    "seed",
    "retry-after-ms",
    "batches",
  ])
  for (const name of values.keys()) if (!known.has(name)) return { error: `unknown flag --${name}` }
  const vendor = values.get("vendor")
  if (vendor !== "openai" && vendor !== "anthropic" && vendor !== "google" && vendor !== "together")
    return { error: "--vendor must be openai, anthropic, google or together" }
  const integer = (name: string, min: number, max: number): number | undefined | { error: string } => {
    const text = values.get(name)
    if (text === undefined) return undefined
    const value = Number(text)
    return Number.isInteger(value) && value >= min && value <= max
      ? value
      : { error: `--${name} must be an integer from ${min} to ${max}` }
  }
  const port = integer("port", 0, 65535)
  const seed = integer("seed", 0, 2 ** 31)
  const retryAfterMs = integer("retry-after-ms", 0, 3_600_000)
  for (const value of [port, seed, retryAfterMs]) if (typeof value === "object") return value
  let latencyMs: FakeOptions["latencyMs"]
  const latency = values.get("latency-ms")
  if (latency !== undefined) {
    const range = /^(\d+)-(\d+)$/.exec(latency)
    if (range !== null) latencyMs = { min: Number(range[1]), max: Number(range[2]) }
    else if (/^\d+$/.test(latency)) latencyMs = Number(latency)
    else return { error: "--latency-ms must be a number of milliseconds or a range MIN-MAX" }
  }
  let faults: FaultSpec | undefined
  const spec = values.get("faults")
  if (spec !== undefined) {
    const parsed = parseFaultSpec(spec)
    if ("error" in parsed) return { error: `--faults: ${parsed.error}` }
    faults = parsed
  }
  const batches = values.get("batches")
  if (batches !== undefined && batches !== "on" && batches !== "off")
    return { error: "--batches must be on or off" }
  const log = values.get("log")
  return {
    vendor,
    options: {
      clock: realClock(),
      ...(typeof port === "number" ? { port } : {}),
      ...(typeof seed === "number" ? { seed } : {}),
      ...(typeof retryAfterMs === "number" ? { retryAfterMs } : {}),
      ...(latencyMs === undefined ? {} : { latencyMs }),
      ...(faults === undefined ? {} : { faults }),
      ...(log === undefined ? {} : { logFile: log }),
      ...(batches === "off" ? { batches: false } : {}),
    },
  }
}

/** Starts the fake the arguments describe and reports where it listens. */
export const runFake = async (
  arguments_: FakeArguments,
  print: (line: string) => void,
): Promise<FakeServer> => {
  const fake = await startVendorFake(arguments_.vendor, arguments_.options)
  print(`standin-fake ${fake.vendor} listening on ${fake.url}`)
  print(`SDK base URL: ${fake.baseUrl}`)
  return fake
}
