import { fail, type Outcome, succeed } from "./outcome.js"

/** A cell of a data frame. null, undefined and "" are missing. */
export type CellValue = string | number | boolean | null | undefined

/** Columns by name, all of the same length. */
export type DataFrame = Readonly<Record<string, ReadonlyArray<CellValue>>>

/**
 * How one variable of the frame enters the design.
 * - numeric: the value itself (numbers, numeric strings, booleans as 1/0); column named by `id`.
 * - indicator: 1 when the value is one of `levels`, else 0; column named by `id`.
 * - categorical: one dummy per level except `reference`, in `levels` order, named `id[level]`; a value outside
 *   `levels` is an error (recode before building).
 * `column` defaults to `id`.
 */
export type DesignVariable =
  | { readonly id: string; readonly type: "numeric"; readonly column?: string }
  | {
      readonly id: string
      readonly type: "indicator"
      readonly column?: string
      readonly levels: ReadonlyArray<string>
    }
  | {
      readonly id: string
      readonly type: "categorical"
      readonly column?: string
      readonly levels: ReadonlyArray<string>
      readonly reference: string
    }

export interface DesignSpec {
  readonly variables: ReadonlyArray<DesignVariable>
  /** Pairs of variable ids; each column of `a` times each column of `b`, named `a:b` (e.g. `g[x]:z`). */
  readonly interactions?: ReadonlyArray<readonly [string, string]>
  /** Include `(Intercept)` (default true). */
  readonly intercept?: boolean
  /** Leave out dummies of levels no kept row holds, and list them in `droppedLevels` (default false). */
  readonly dropUnobservedLevels?: boolean
}

/**
 * A design matrix, dense (row-major `x`) and as compressed sparse rows (`rowStart`, `columnIndex`, `values`:
 * dummy designs are mostly zeros, and the regression kernels walk only the non-zeros).
 */
export interface Design {
  readonly columns: ReadonlyArray<string>
  readonly n: number
  readonly p: number
  readonly x: Float64Array
  readonly rowStart: Int32Array
  readonly columnIndex: Int32Array
  readonly values: Float64Array
  /** The outcome, when one was named. */
  readonly y: Float64Array | null
  /** For each design row, its row in the frame. */
  readonly rows: Int32Array
  /** Frame rows left out because a used variable (or the outcome) was missing. */
  readonly dropped: number
  readonly droppedLevels: ReadonlyArray<string>
  readonly hasIntercept: boolean
}

export type DesignError =
  | { readonly _tag: "UnknownColumn"; readonly column: string; readonly message: string }
  | { readonly _tag: "UnknownVariable"; readonly variable: string; readonly message: string }
  | {
      readonly _tag: "UnknownLevel"
      readonly variable: string
      readonly level: string
      readonly row: number
      readonly message: string
    }
  | { readonly _tag: "InvalidReference"; readonly variable: string; readonly message: string }
  | {
      readonly _tag: "InvalidValue"
      readonly variable: string
      readonly row: number
      readonly value: string
      readonly message: string
    }
  | { readonly _tag: "NoRows"; readonly message: string }

const isMissing = (value: CellValue): boolean => value === null || value === undefined || value === ""

const toNumber = (value: CellValue): number => {
  if (typeof value === "number") return value
  if (typeof value === "boolean") return value ? 1 : 0
  if (typeof value === "string" && value.trim() !== "") return Number(value)
  return Number.NaN
}

interface Block {
  readonly names: Array<string>
  /** Column values for every frame row (NaN where missing). */
  readonly compute: (row: number) => ArrayLike<number>
}

/** Build the design matrix of `spec` over `frame`; `outcome` names a numeric outcome column (rows missing it are dropped). */
export const buildDesign = (
  frame: DataFrame,
  spec: DesignSpec,
  outcome?: string,
): Outcome<Design, DesignError> => {
  const lengths = Object.values(frame).map((column) => column.length)
  const rowCount = lengths.length === 0 ? 0 : Math.max(...lengths)
  const columnOf = (name: string): Outcome<ReadonlyArray<CellValue>, DesignError> => {
    const column = frame[name]
    return column
      ? succeed(column)
      : fail({ _tag: "UnknownColumn", column: name, message: `The data has no column "${name}".` })
  }

  // Pass 1: which rows are complete in every used variable (and the outcome).
  const keep = new Uint8Array(rowCount).fill(1)
  const sources = new Map<string, ReadonlyArray<CellValue>>()
  for (const variable of spec.variables) {
    const column = columnOf(variable.column ?? variable.id)
    if (!column.ok) return column
    sources.set(variable.id, column.value)
    if (variable.type === "categorical" && !variable.levels.includes(variable.reference)) {
      return fail({
        _tag: "InvalidReference",
        variable: variable.id,
        message: `Reference level "${variable.reference}" of "${variable.id}" is not one of its levels (${variable.levels.join(", ")}).`,
      })
    }
    for (let row = 0; row < rowCount; row++) {
      const value = column.value[row]
      if (isMissing(value)) {
        keep[row] = 0
        continue
      }
      if (variable.type === "numeric") {
        if (!Number.isFinite(toNumber(value))) {
          return fail({
            _tag: "InvalidValue",
            variable: variable.id,
            row,
            value: String(value),
            message: `"${variable.id}" is numeric but row ${row} holds "${String(value)}".`,
          })
        }
      } else if (variable.type === "categorical" && !variable.levels.includes(String(value))) {
        return fail({
          _tag: "UnknownLevel",
          variable: variable.id,
          level: String(value),
          row,
          message: `"${variable.id}" has no level "${String(value)}" (row ${row}); declared levels: ${variable.levels.join(", ")}.`,
        })
      }
    }
  }
  let outcomeColumn: ReadonlyArray<CellValue> | null = null
  if (outcome !== undefined) {
    const column = columnOf(outcome)
    if (!column.ok) return column
    outcomeColumn = column.value
    for (let row = 0; row < rowCount; row++) {
      const value = column.value[row]
      if (isMissing(value)) keep[row] = 0
      else if (!Number.isFinite(toNumber(value))) {
        return fail({
          _tag: "InvalidValue",
          variable: outcome,
          row,
          value: String(value),
          message: `The outcome "${outcome}" must be numeric but row ${row} holds "${String(value)}".`,
        })
      }
    }
  }

  // Pass 2: the column blocks of each variable.
  const droppedLevels: Array<string> = []
  const blocks = new Map<string, Block>()
  for (const variable of spec.variables) {
    const source = sources.get(variable.id)!
    if (variable.type === "numeric") {
      const out = new Float64Array(1)
      blocks.set(variable.id, {
        names: [variable.id],
        compute: (row) => {
          out[0] = toNumber(source[row])
          return out
        },
      })
    } else if (variable.type === "indicator") {
      const levels = new Set(variable.levels)
      const out = new Float64Array(1)
      blocks.set(variable.id, {
        names: [variable.id],
        compute: (row) => {
          out[0] = levels.has(String(source[row])) ? 1 : 0
          return out
        },
      })
    } else {
      let levels = variable.levels.filter((level) => level !== variable.reference)
      if (spec.dropUnobservedLevels) {
        const seen = new Set<string>()
        for (let row = 0; row < rowCount; row++) if (keep[row]) seen.add(String(source[row]))
        for (const level of levels) if (!seen.has(level)) droppedLevels.push(`${variable.id}[${level}]`)
        levels = levels.filter((level) => seen.has(level))
      }
      const position = new Map(levels.map((level, index) => [level, index]))
      const out = new Float64Array(levels.length)
      blocks.set(variable.id, {
        names: levels.map((level) => `${variable.id}[${level}]`),
        compute: (row) => {
          out.fill(0)
          const index = position.get(String(source[row]))
          if (index !== undefined) out[index] = 1
          return out
        },
      })
    }
  }
  const interactionBlocks: Array<Block> = []
  for (const [a, b] of spec.interactions ?? []) {
    const left = blocks.get(a)
    const right = blocks.get(b)
    if (!left || !right) {
      const variable = left ? b : a
      return fail({
        _tag: "UnknownVariable",
        variable,
        message: `The interaction ${a}:${b} names "${variable}", which is not a variable of the design.`,
      })
    }
    const names = left.names.flatMap((l) => right.names.map((r) => `${l}:${r}`))
    const out = new Float64Array(names.length)
    interactionBlocks.push({
      names,
      compute: (row) => {
        const lv = Float64Array.from(left.compute(row))
        const rv = right.compute(row)
        for (let i = 0; i < lv.length; i++)
          for (let j = 0; j < rv.length; j++) out[i * rv.length + j] = lv[i]! * rv[j]!
        return out
      },
    })
  }

  const hasIntercept = spec.intercept ?? true
  const allBlocks = [...spec.variables.map((variable) => blocks.get(variable.id)!), ...interactionBlocks]
  const columns = [...(hasIntercept ? ["(Intercept)"] : []), ...allBlocks.flatMap((block) => block.names)]
  const p = columns.length
  const rows: Array<number> = []
  for (let row = 0; row < rowCount; row++) if (keep[row]) rows.push(row)
  const n = rows.length
  if (n === 0)
    return fail({ _tag: "NoRows", message: "No row has a value for every variable of the design." })

  const x = new Float64Array(n * p)
  const y = outcomeColumn ? new Float64Array(n) : null
  for (let i = 0; i < n; i++) {
    const row = rows[i]!
    let offset = i * p
    if (hasIntercept) x[offset++] = 1
    for (const block of allBlocks) {
      const values = block.compute(row)
      for (let j = 0; j < values.length; j++) x[offset++] = values[j]!
    }
    if (y && outcomeColumn) y[i] = toNumber(outcomeColumn[row])
  }
  return succeed({
    ...toSparse(x, n, p),
    columns,
    n,
    p,
    x,
    y,
    rows: Int32Array.from(rows),
    dropped: rowCount - n,
    droppedLevels,
    hasIntercept,
  })
}

const toSparse = (x: Float64Array, n: number, p: number) => {
  let nonZero = 0
  for (let index = 0; index < x.length; index++) if (x[index] !== 0) nonZero++
  const rowStart = new Int32Array(n + 1)
  const columnIndex = new Int32Array(nonZero)
  const values = new Float64Array(nonZero)
  let cursor = 0
  for (let i = 0; i < n; i++) {
    rowStart[i] = cursor
    for (let j = 0; j < p; j++) {
      const value = x[i * p + j]!
      if (value !== 0) {
        columnIndex[cursor] = j
        values[cursor++] = value
      }
    }
  }
  rowStart[n] = cursor
  return { rowStart, columnIndex, values }
}

/** A design from a dense row-major matrix already built elsewhere (columns named by the caller). */
export const designFromMatrix = (
  x: Float64Array,
  n: number,
  columns: ReadonlyArray<string>,
  y: Float64Array | null = null,
): Design => {
  const p = columns.length
  return {
    ...toSparse(x, n, p),
    columns,
    n,
    p,
    x,
    y,
    rows: Int32Array.from({ length: n }, (_, index) => index),
    dropped: 0,
    droppedLevels: [],
    hasIntercept: columns[0] === "(Intercept)",
  }
}
