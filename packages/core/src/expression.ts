/**
 * The small expression language of derived variables and skip conditions:
 *
 *   mean(q1, q2, reverse(q3))     sum(...)  count(...)  min(...)  max(...)
 *   recode(party, {"Democrat": 1, "Republican": 0})     if(age >= 65, "older", "younger")
 *   (q1 + q2) / 2    age >= 65    gender == "Female" and not (ideology < 3)
 *
 * Names refer to items, persona attributes, factors, `arm` and other derived variables. A value is a
 * number, a text or missing; missing propagates (the mean of seven items is missing when one is), except
 * in `count`, which counts the values present. Comparisons and `and`/`or`/`not` give 1 or 0.
 */

export type Expression =
  | { readonly _tag: "Number"; readonly value: number; readonly at: number }
  | { readonly _tag: "Text"; readonly value: string; readonly at: number }
  | { readonly _tag: "Name"; readonly name: string; readonly at: number }
  | {
      readonly _tag: "Call"
      readonly name: string
      readonly args: ReadonlyArray<Expression>
      readonly at: number
    }
  | {
      readonly _tag: "Map"
      readonly entries: ReadonlyArray<readonly [string, Expression]>
      readonly at: number
    }
  | { readonly _tag: "Unary"; readonly op: "-" | "not"; readonly operand: Expression; readonly at: number }
  | {
      readonly _tag: "Binary"
      readonly op: BinaryOperator
      readonly left: Expression
      readonly right: Expression
      readonly at: number
    }

export type BinaryOperator = "+" | "-" | "*" | "/" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "and" | "or"

export const expressionFunctions = ["mean", "sum", "count", "min", "max", "reverse", "recode", "if"] as const

/** A parse error: what is wrong, at which 1-based character of the expression. */
export interface ExpressionError {
  readonly message: string
  readonly column: number
}

type Token =
  | { readonly kind: "number"; readonly value: number; readonly at: number }
  | { readonly kind: "text"; readonly value: string; readonly at: number }
  | { readonly kind: "name"; readonly value: string; readonly at: number }
  | { readonly kind: "symbol"; readonly value: string; readonly at: number }
  | { readonly kind: "end"; readonly at: number }

const tokenize = (source: string): ReadonlyArray<Token> | ExpressionError => {
  const tokens: Array<Token> = []
  let i = 0
  while (i < source.length) {
    const char = source[i]!
    if (/\s/.test(char)) {
      i++
      continue
    }
    const rest = source.slice(i)
    const number = /^(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(rest)
    if (number !== null) {
      tokens.push({ kind: "number", value: Number(number[0]), at: i })
      i += number[0].length
      continue
    }
    const name = /^[A-Za-z_][\w]*/.exec(rest)
    if (name !== null) {
      tokens.push({ kind: "name", value: name[0], at: i })
      i += name[0].length
      continue
    }
    if (char === '"' || char === "'") {
      const end = source.indexOf(char, i + 1)
      if (end === -1) return { message: `the text opened with ${char} is never closed`, column: i + 1 }
      tokens.push({ kind: "text", value: source.slice(i + 1, end), at: i })
      i = end + 1
      continue
    }
    const symbol = ["==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "(", ")", ",", "{", "}", ":"].find(
      (candidate) => rest.startsWith(candidate),
    )
    if (symbol === undefined)
      return {
        message: `unexpected ${JSON.stringify(char)}${char === "=" ? ' (compare with "==")' : ""}`,
        column: i + 1,
      }
    tokens.push({ kind: "symbol", value: symbol, at: i })
    i += symbol.length
  }
  tokens.push({ kind: "end", at: source.length })
  return tokens
}

class Failure {
  constructor(readonly error: ExpressionError) {}
}

/** Parses an expression, or says where it goes wrong. */
export const parseExpression = (source: string): Expression | ExpressionError => {
  const tokens = tokenize(source)
  if (!Array.isArray(tokens)) return tokens as ExpressionError
  let position = 0
  const peek = (): Token => tokens[position]!
  const fail = (message: string, token: Token = peek()): never => {
    throw new Failure({ message, column: token.at + 1 })
  }
  const describe = (token: Token): string =>
    token.kind === "end"
      ? "the end"
      : token.kind === "text"
        ? JSON.stringify(token.value)
        : `"${token.value}"`
  const isSymbol = (value: string): boolean => {
    const token = peek()
    return token.kind === "symbol" && token.value === value
  }
  const isWord = (value: string): boolean => {
    const token = peek()
    return token.kind === "name" && token.value === value
  }
  const expect = (value: string): void => {
    if (!isSymbol(value)) fail(`expected "${value}", found ${describe(peek())}`)
    position++
  }
  const binary = (next: () => Expression, operators: ReadonlyArray<string>, words = false) => {
    let left = next()
    for (;;) {
      const token = peek()
      const matches = words
        ? token.kind === "name" && operators.includes(token.value)
        : token.kind === "symbol" && operators.includes(token.value)
      if (!matches) return left
      position++
      const right = next()
      left = {
        _tag: "Binary",
        op: (token as { value: string }).value as BinaryOperator,
        left,
        right,
        at: token.at,
      }
    }
  }
  const or = (): Expression => binary(and, ["or"], true)
  const and = (): Expression => binary(not, ["and"], true)
  const not = (): Expression => {
    if (isWord("not")) {
      const at = peek().at
      position++
      return { _tag: "Unary", op: "not", operand: not(), at }
    }
    return comparison()
  }
  const comparison = (): Expression => binary(additive, ["==", "!=", "<=", ">=", "<", ">"])
  const additive = (): Expression => binary(multiplicative, ["+", "-"])
  const multiplicative = (): Expression => binary(unary, ["*", "/"])
  const unary = (): Expression => {
    if (isSymbol("-")) {
      const at = peek().at
      position++
      return { _tag: "Unary", op: "-", operand: unary(), at }
    }
    return primary()
  }
  const primary = (): Expression => {
    const token = peek()
    switch (token.kind) {
      case "number":
        position++
        return { _tag: "Number", value: token.value, at: token.at }
      case "text":
        position++
        return { _tag: "Text", value: token.value, at: token.at }
      case "name": {
        position++
        if (["and", "or", "not"].includes(token.value))
          return fail(`"${token.value}" needs a value before it`, token)
        if (!isSymbol("(")) return { _tag: "Name", name: token.value, at: token.at }
        if (!(expressionFunctions as ReadonlyArray<string>).includes(token.value))
          return fail(`unknown function "${token.value}" (known: ${expressionFunctions.join(", ")})`, token)
        position++
        const args: Array<Expression> = []
        if (!isSymbol(")")) {
          args.push(isSymbol("{") ? map() : or())
          while (isSymbol(",")) {
            position++
            args.push(isSymbol("{") ? map() : or())
          }
        }
        expect(")")
        return { _tag: "Call", name: token.value, args, at: token.at }
      }
      case "symbol":
        if (token.value === "(") {
          position++
          const inner = or()
          expect(")")
          return inner
        }
        return fail(`unexpected ${describe(token)}`)
      case "end":
        return fail("the expression ends too early")
    }
  }
  const map = (): Expression => {
    const at = peek().at
    expect("{")
    const entries: Array<readonly [string, Expression]> = []
    while (!isSymbol("}")) {
      const key = peek()
      if (key.kind !== "text" && key.kind !== "number" && key.kind !== "name")
        fail(`expected a level (in quotes) as a key, found ${describe(key)}`)
      position++
      expect(":")
      entries.push([String((key as { value: string | number }).value), or()])
      if (!isSymbol(",")) break
      position++
    }
    expect("}")
    return { _tag: "Map", entries, at }
  }
  try {
    const expression = or()
    if (peek().kind !== "end") fail(`unexpected ${describe(peek())} after a complete expression`)
    return expression
  } catch (cause) {
    if (cause instanceof Failure) return cause.error
    throw cause
  }
}

export const isExpressionError = (value: Expression | ExpressionError): value is ExpressionError =>
  !("_tag" in value)

/** Every name an expression refers to (not function names). */
export const expressionNames = (expression: Expression): Array<{ name: string; at: number }> => {
  switch (expression._tag) {
    case "Name":
      return [{ name: expression.name, at: expression.at }]
    case "Call":
      return expression.args.flatMap(expressionNames)
    case "Map":
      return expression.entries.flatMap(([, value]) => expressionNames(value))
    case "Unary":
      return expressionNames(expression.operand)
    case "Binary":
      return [...expressionNames(expression.left), ...expressionNames(expression.right)]
    default:
      return []
  }
}
