import type { StudyDefinition } from "@standin/core"

interface Problem {
  readonly field: string
  readonly message: string
}

/** The figures a published mediation may state (as `@standin/analysis` reports them). */
const FIGURES = [
  "acmeControl",
  "acmeTreated",
  "acmeAverage",
  "adeControl",
  "adeTreated",
  "adeAverage",
  "total",
  "proportionControl",
  "proportionTreated",
  "proportionAverage",
]

/**
 * A study's causal mediation analyses, checked without data: both models are declared analyses of the right
 * families, the treatment is a predictor of both, the mediator (the mediator model's outcome) a numeric predictor
 * of the outcome model, the simulation count an integer ≥ 2; published mediations name declared ones and known figures.
 */
export const mediationProblems = (study: StudyDefinition): ReadonlyArray<Problem> => {
  const problems: Array<Problem> = []
  const push = (field: string, message: string) => problems.push({ field, message })
  const ids = new Set<string>()
  ;(study.mediations ?? []).forEach((mediation, index) => {
    const field = `mediations[${index}]`
    if (ids.has(mediation.id)) push(`${field}.id`, `duplicate mediation id "${mediation.id}"`)
    ids.add(mediation.id)
    const mediatorModel = study.analyses.find((a) => a.id === mediation.mediatorModel)
    const outcomeModel = study.analyses.find((a) => a.id === mediation.outcomeModel)
    if (mediatorModel === undefined)
      push(`${field}.mediatorModel`, `"${mediation.mediatorModel}" is not a declared analysis`)
    else if (mediatorModel.family !== "gaussian")
      push(
        `${field}.mediatorModel`,
        `the mediator model "${mediatorModel.id}" must be family gaussian (OLS), not ${mediatorModel.family}`,
      )
    else if (mediatorModel.outcome.coding._tag === "Categorical")
      push(
        `${field}.mediatorModel`,
        `the mediator "${mediatorModel.outcome.id}" must be numeric or an indicator`,
      )
    if (outcomeModel === undefined)
      push(`${field}.outcomeModel`, `"${mediation.outcomeModel}" is not a declared analysis`)
    else if (!["gaussian", "binomial", "probit"].includes(outcomeModel.family))
      push(
        `${field}.outcomeModel`,
        `the outcome model "${outcomeModel.id}" must be family gaussian, binomial or probit, not ${outcomeModel.family}`,
      )
    for (const [name, model] of [
      ["mediatorModel", mediatorModel],
      ["outcomeModel", outcomeModel],
    ] as const) {
      if (model === undefined) continue
      const treatment = model.predictors.find((p) => p.id === mediation.treatment)
      if (treatment === undefined)
        push(`${field}.treatment`, `"${mediation.treatment}" is not a predictor of the ${name} "${model.id}"`)
      else if (treatment.coding._tag === "Categorical")
        push(
          `${field}.treatment`,
          `"${mediation.treatment}" must be coded as an indicator or numeric in "${model.id}" (it takes the values control and treated)`,
        )
    }
    if (mediatorModel !== undefined && outcomeModel !== undefined) {
      const mediator = outcomeModel.predictors.find((p) => p.id === mediatorModel.outcome.id)
      if (mediator === undefined)
        push(
          `${field}.outcomeModel`,
          `the outcome model "${outcomeModel.id}" must hold the mediator "${mediatorModel.outcome.id}" (the mediator model's outcome) as a predictor`,
        )
      else if (mediator.coding._tag !== "Numeric")
        push(
          `${field}.outcomeModel`,
          `the mediator "${mediator.id}" must be coded numeric in "${outcomeModel.id}" (it is set to predicted values)`,
        )
    }
    if (mediation.sims !== undefined && !(Number.isInteger(mediation.sims) && mediation.sims >= 2))
      push(`${field}.sims`, `sims must be an integer ≥ 2 (got ${mediation.sims})`)
    if (mediation.seed !== undefined && !Number.isInteger(mediation.seed))
      push(`${field}.seed`, `seed must be an integer (got ${mediation.seed})`)
    if ((mediation.control ?? 0) === (mediation.treated ?? 1))
      push(`${field}.treated`, "the treated and control values must differ")
  })
  for (const [id, reference] of Object.entries(study.reference?.mediations ?? {})) {
    const field = `reference.mediations.${id}`
    if (!ids.has(id)) push(field, `"${id}" is not a declared mediation`)
    if (!(Number.isInteger(reference.sims) && reference.sims >= 1))
      push(
        `${field}.sims`,
        `sims (the published run's simulations) must be a positive integer (got ${reference.sims})`,
      )
    for (const figure of Object.keys(reference.estimates))
      if (!FIGURES.includes(figure))
        push(`${field}.estimates.${figure}`, `unknown figure "${figure}" (one of ${FIGURES.join(", ")})`)
  }
  return problems
}
