import type { FitError } from "./regression.js"

/** A categorical outcome coded 0..K−1 in level order. */
export interface CodedOutcome {
  readonly levels: ReadonlyArray<string>
  readonly codes: Int32Array
}

const label = (value: string | number): string => (typeof value === "number" ? String(value) : value)

/**
 * Code per-row outcome values against `levels` (default: the distinct values, numbers in numeric order, else
 * strings in code-point order, as R's factor()). Missing values and values outside `levels` are errors that
 * name the row: drop them before fitting.
 */
export const codeOutcome = (
  outcome: ReadonlyArray<string | number | null | undefined>,
  rows: number,
  levels: ReadonlyArray<string> | undefined,
  what: string,
): { readonly coded: CodedOutcome } | { readonly error: FitError } => {
  if (outcome.length !== rows) {
    return {
      error: {
        _tag: "InvalidOutcome",
        message: `The ${what} outcome has ${outcome.length} values for ${rows} design rows; give one per design row (frame rows: design.rows).`,
      },
    }
  }
  for (let i = 0; i < rows; i++) {
    const value = outcome[i]
    if (
      value === null ||
      value === undefined ||
      value === "" ||
      (typeof value === "number" && !Number.isFinite(value))
    ) {
      return {
        error: {
          _tag: "InvalidOutcome",
          message: `Design row ${i} has no ${what} outcome; drop it before fitting.`,
        },
      }
    }
  }
  const present = outcome as ReadonlyArray<string | number>
  let order: Array<string>
  if (levels) order = [...levels]
  else if (present.every((value) => typeof value === "number")) {
    order = [...new Set(present as ReadonlyArray<number>)].sort((a, b) => a - b).map(String)
  } else order = [...new Set(present.map(label))].sort()
  if (new Set(order).size !== order.length) {
    return {
      error: {
        _tag: "InvalidOutcome",
        message: `The ${what} outcome's levels repeat a value: ${order.join(", ")}.`,
      },
    }
  }
  const index = new Map(order.map((level, k) => [level, k]))
  const codes = new Int32Array(rows)
  for (let i = 0; i < rows; i++) {
    const code = index.get(label(present[i]!))
    if (code === undefined) {
      return {
        error: {
          _tag: "InvalidOutcome",
          message: `Design row ${i} has ${what} outcome "${label(present[i]!)}", not one of the levels ${order.map((l) => `"${l}"`).join(", ")}.`,
        },
      }
    }
    codes[i] = code
  }
  return { coded: { levels: order, codes } }
}
