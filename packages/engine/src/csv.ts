import type { AnswerValue, StudyDefinition, SyntheticRespondent } from "@standin/core"

/** RFC 4180 quoting: a field with a comma, quote, CR or LF is quoted, quotes doubled. */
export const csvField = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value

export const csvLine = (fields: ReadonlyArray<string>): string => fields.map(csvField).join(",")

const cell = (value: AnswerValue | ReadonlyArray<string> | undefined): string =>
  value === null || value === undefined ? "" : Array.isArray(value) ? value.join(",") : String(value)

/**
 * One synthetic dataset as CSV: one row per twin and replicate, with the persona and arm it played, its
 * answers in the study's item order (empty when invalid), and the audit trail (validity, attempts, model
 * version, usage, failure, warnings, raw text). A run that reordered options adds `option_order` (the
 * order each twin saw, as JSON: item id → options); a multi-page instrument adds `turns` (each page's raw
 * reply and calls, as JSON). Deterministic: same run, same bytes.
 */
export const syntheticCsv = (
  study: StudyDefinition,
  synthetic: ReadonlyArray<SyntheticRespondent>,
): string => {
  const header = [
    "twin_id",
    "replicate",
    "arm",
    ...study.persona.map((attribute) => attribute.id),
    ...study.items.map((item) => item.id),
    "valid",
    "invalid_items",
    "attempts",
    "elicitation",
    "model_version",
    "input_tokens",
    "output_tokens",
    "failure_reason",
    "warnings",
    "raw",
  ]
  const withOrders = synthetic.some((respondent) => respondent.optionOrders !== undefined)
  const withTurns = synthetic.some((respondent) => respondent.turns !== undefined)
  // Designs that protect respondents: each twin's randomiser outcome per item (what it was told is in its prompt).
  const withRandomisers = synthetic.some((respondent) => respondent.randomisers !== undefined)
  if (withOrders) header.push("option_order")
  if (withRandomisers) header.push("randomisers")
  if (withTurns) header.push("turns")
  const lines = [csvLine(header)]
  for (const respondent of synthetic) {
    lines.push(
      csvLine([
        respondent.twinId,
        String(respondent.replicate),
        respondent.arm,
        ...study.persona.map((attribute) => cell(respondent.persona[attribute.id])),
        ...study.items.map((item) => cell(respondent.answers[item.id])),
        respondent.valid ? "true" : "false",
        respondent.invalidItems.join(" "),
        String(respondent.attempts),
        respondent.elicitation,
        respondent.modelVersion,
        String(respondent.usage.inputTokens),
        String(respondent.usage.outputTokens),
        respondent.failure?.reason ?? "",
        respondent.warnings.join(" | "),
        respondent.raw,
        ...(withOrders
          ? [respondent.optionOrders === undefined ? "" : JSON.stringify(respondent.optionOrders)]
          : []),
        ...(withRandomisers
          ? [
              respondent.randomisers === undefined
                ? ""
                : JSON.stringify(
                    Object.fromEntries(
                      Object.entries(respondent.randomisers).map(([item, draw]) => [item, draw.outcome]),
                    ),
                  ),
            ]
          : []),
        ...(withTurns ? [respondent.turns === undefined ? "" : JSON.stringify(respondent.turns)] : []),
      ]),
    )
  }
  return `${lines.join("\n")}\n`
}
