import type { Item, StudyDefinition } from "@standin/core"

interface Problem {
  readonly field: string
  readonly message: string
}

const inUnitInterval = (value: number) => Number.isFinite(value) && value >= 0 && value <= 1

/**
 * Designs that protect respondents (item `protect`), checked without data: probabilities in [0, 1] that identify
 * the prevalence (forced response: pYes + pNo below 1; Warner and crosswise: p ≠ 0.5), the scale the estimator
 * reads (binary: its second option is "Yes"/"Same"; a list experiment counts, so numeric), list arms that exist,
 * and `told` texts that are not empty.
 */
export const protectProblems = (study: StudyDefinition): ReadonlyArray<Problem> => {
  const problems: Array<Problem> = []
  study.items.forEach((item, index) => {
    const design = item.protect
    if (design === undefined) return
    const field = `items[${index}].protect`
    const push = (at: string, message: string) => problems.push({ field: `${field}${at}`, message })
    const probability = (name: string, value: number) => {
      if (!inUnitInterval(value))
        push(
          `.${name}`,
          `${name} is a probability: it must be between 0 and 1 (got ${value}); write e.g. 0.25 or 1/6`,
        )
    }
    const binary = (what: string, positive: string) => {
      if (item.scale._tag !== "Binary")
        push(
          "",
          `a ${what} item is answered with two options: give "${item.id}" a binary scale (\`scale: { binary: [No, Yes] }\`) whose second option is the ${positive} answer`,
        )
    }
    const told = (texts: Readonly<Record<string, ReadonlyArray<string>>> | undefined) => {
      for (const [outcome, list] of Object.entries(texts ?? {})) {
        if (list.length === 0)
          push(`.told.${outcome}`, "list at least one text for this outcome, or leave `told` out")
        list.forEach((text, t) => {
          if (text.trim() === "")
            push(
              `.told.${outcome}[${t}]`,
              "an empty text tells the twin nothing: write what the respondent saw",
            )
        })
      }
    }
    switch (design._tag) {
      case "ForcedResponse":
        probability("pYes", design.pYes)
        probability("pNo", design.pNo)
        if (inUnitInterval(design.pYes) && inUnitInterval(design.pNo) && design.pYes + design.pNo >= 1)
          push(
            "",
            `pYes + pNo is ${Number((design.pYes + design.pNo).toFixed(6))}: nobody would answer truthfully, so the prevalence cannot be estimated; the two forced probabilities must sum to less than 1 (1/6 each for a die: 1 = Yes, 6 = No)`,
          )
        binary("forced-response", '"Yes" (forced-yes)')
        told(design.told)
        break
      case "Warner":
      case "Crosswise": {
        probability("p", design.p)
        if (design.p === 0.5)
          push(
            ".p",
            `p = 0.5 makes every answer pure chance (2p − 1 = 0): the prevalence cannot be estimated; use a probability away from 0.5 (e.g. ${design._tag === "Crosswise" ? "0.25: a birthday in January–March" : "0.7"})`,
          )
        if (design._tag === "Crosswise") {
          if (design.innocuous.trim() === "")
            push(
              ".innocuous",
              'state the innocuous statement (e.g. "My mother\'s birthday is in January, February or March")',
            )
          binary("crosswise", '"Same" (both true or both false)')
        } else binary("Warner", '"Yes" (the chosen statement applies)')
        told(design.told)
        break
      }
      case "List": {
        for (const key of ["control", "treatment"] as const) {
          const arm = design[key]
          if (!study.arms.some((candidate) => candidate.id === arm))
            push(
              `.${key}`,
              `"${arm}" is not an arm of this study (arms: ${study.arms.map((a) => a.id).join(", ")}); name the arm whose list ${key === "control" ? "leaves out" : "holds"} the sensitive statement`,
            )
        }
        if (design.control === design.treatment)
          push(".treatment", "the treatment and control lists must be different arms")
        if (design.items !== undefined && !(Number.isInteger(design.items) && design.items >= 1))
          push(
            ".items",
            `items is the number of control statements: a whole number of at least 1 (got ${design.items})`,
          )
        numericCount(item, design.items, push)
        break
      }
    }
  })
  for (const [id, published] of Object.entries(study.reference?.prevalences ?? {})) {
    const item = study.items.find((candidate) => candidate.id === id)
    if (item?.protect === undefined)
      problems.push({
        field: `reference.prevalences.${id}`,
        message: `"${id}" is not an item declaring a design that protects respondents (\`protect\`): published prevalences are keyed by such an item's id (${
          study.items
            .filter((candidate) => candidate.protect !== undefined)
            .map((candidate) => candidate.id)
            .join(", ") || "none declared"
        })`,
      })
    if (published.se !== undefined && !(published.se > 0))
      problems.push({ field: `reference.prevalences.${id}.se`, message: "a published SE must be positive" })
  }
  return problems
}

/** A list experiment's answer is a count: numeric, from 0, reaching the treatment list's length. */
const numericCount = (item: Item, items: number | undefined, push: (at: string, message: string) => void) => {
  const scale = item.scale
  if (scale._tag !== "Numeric") {
    push(
      "",
      `a list experiment's answer is how many statements apply: give "${item.id}" a numeric scale (\`scale: { numeric: { min: 0, max: ${items === undefined ? "J + 1" : items + 1}, integer: true } }\`)`,
    )
    return
  }
  if (items !== undefined && Number.isInteger(items) && scale.max < items + 1)
    push(
      "",
      `the treatment list has ${items + 1} statements but the scale stops at ${scale.max}: set the scale's max to ${items + 1}`,
    )
}
