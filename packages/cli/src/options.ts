import type { PilotDesign } from "@standin/core"
import { InputError } from "@standin/core"
import { Effect } from "effect"
import { Flag } from "effect/cli"

const wholeNumber = /^\d+$/

/** `standin run`'s default pilot: 10% of the (arm-scoped) respondents, at most 100. */
export const defaultPilot: PilotDesign["size"] = { _tag: "Fraction", fraction: 0.1, max: 100 }

/**
 * `--pilot 30` (a count), `--pilot 0.25` or `--pilot 25%` (a fraction of the arm-scoped data), or
 * `auto` (10% of it, at most 100: `defaultPilot`).
 */
export const parsePilotSize = (text: string): Effect.Effect<PilotDesign["size"], InputError> => {
  const value = text.trim()
  if (value === "auto") return Effect.succeed(defaultPilot)
  const fail = (why: string) =>
    Effect.fail(
      new InputError({
        flag: "--pilot",
        message: `--pilot ${JSON.stringify(text)} ${why}: give a count (30) or a fraction (0.25 or 25%).`,
      }),
    )
  if (value.startsWith("-")) return fail("is negative")
  if (wholeNumber.test(value)) return Effect.succeed({ _tag: "Count", count: Number(value) })
  const percent = value.endsWith("%")
  const number = Number(percent ? value.slice(0, -1) : value)
  if (value === "" || !Number.isFinite(number)) return fail("is not a number")
  const fraction = percent ? number / 100 : number
  if (!(fraction > 0 && fraction < 1)) return fail(`is a fraction outside (0, 1)`)
  return Effect.succeed({ _tag: "Fraction", fraction })
}

/** `random` or `balanced:<persona attribute>`. */
export const parseSampling = (text: string): Effect.Effect<PilotDesign["sampling"], InputError> => {
  const value = text.trim()
  if (value === "random") return Effect.succeed({ _tag: "Random" })
  if (value.startsWith("balanced:") && value.length > "balanced:".length) {
    return Effect.succeed({ _tag: "Balanced", attribute: value.slice("balanced:".length) })
  }
  return Effect.fail(
    new InputError({
      flag: "--pilot-sampling",
      message: `--pilot-sampling ${JSON.stringify(text)} is not "random" or "balanced:<attribute>" (e.g. balanced:race).`,
    }),
  )
}

/** A whole number flag with bounds, e.g. --seed, --replicates. */
export const wholeFlag = (
  flag: string,
  value: number,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): Effect.Effect<number, InputError> =>
  Number.isInteger(value) && value >= min && value <= max
    ? Effect.succeed(value)
    : Effect.fail(
        new InputError({
          flag,
          message: `${flag} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? " up" : ` to ${max}`}, got ${value}.`,
        }),
      )

export const rangeFlag = (
  flag: string,
  value: number,
  min: number,
  max: number,
): Effect.Effect<number, InputError> =>
  Number.isFinite(value) && value >= min && value <= max
    ? Effect.succeed(value)
    : Effect.fail(
        new InputError({ flag, message: `${flag} must be between ${min} and ${max}, got ${value}.` }),
      )

const shownDefault = (value: string | number | boolean): string =>
  typeof value === "boolean" ? (value ? "on" : "off") : String(value)

/**
 * A flag's default, applied and stated at the end of its description: effect/cli's help does not print
 * defaults, and a default said only in prose drifts from the one applied.
 */
export const defaultTo =
  <const B extends string | number | boolean>(description: string, value: B) =>
  <A>(self: Flag.Flag<A>): Flag.Flag<A | B> =>
    self.pipe(
      Flag.withDescription(`${description} Default: ${shownDefault(value)}.`),
      Flag.withDefault(value),
    )
