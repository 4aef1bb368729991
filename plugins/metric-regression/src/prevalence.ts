import { estimatePrevalence, type ProtectedItem, protectedItems } from "@standin/analysis"
import type { MetricInput } from "@standin/core"
import type { Figure } from "@standin/metric-kit"
import type { Coefficient } from "@standin/stats"
import { compareCoefficients } from "./compare.js"
import type { analysisRows } from "./metric.js"

type Rows = ReturnType<typeof analysisRows>
type Side =
  | { readonly ok: true; readonly value: Coefficient }
  | { readonly ok: false; readonly error: string }

/**
 * The `prevalence` analyses (items declaring a design that protects respondents) compared like the declared ones:
 * the human estimate is the truth, the twins' the recovery, each through the design's published estimator. The
 * estimate is one coefficient (term `prevalence`), so it takes the same sign, CI-overlap and difference figures,
 * and its sign-recovery F1 joins the headline's average.
 */
export const prevalenceTargets = (input: MetricInput): ReadonlyArray<ProtectedItem> =>
  protectedItems(input.study)

const side = (
  input: MetricInput,
  target: ProtectedItem,
  rows: ReadonlyArray<Rows["human"][number]>,
  weights: ArrayLike<number>,
): Side => {
  const result = estimatePrevalence(input.study, target, rows, { weights, alpha: input.options.alpha })
  return result.ok ? { ok: true, value: result.value.coefficient } : { ok: false, error: result.error }
}

/** Both sides of one prevalence for a weighting of the twins (one weight per human, i.e. per twin). */
export const prevalencePair = (
  input: MetricInput,
  target: ProtectedItem,
  rows: Rows,
  weights: Float64Array,
): { readonly human: Side; readonly synthetic: Side } => {
  const syntheticWeights = Float64Array.from(rows.syntheticTwin, (twin) => weights[twin]!)
  return {
    human: side(input, target, rows.human, weights),
    synthetic: side(input, target, rows.synthetic, syntheticWeights),
  }
}

/** The figures of one prevalence analysis (named after its item) for one weighting of the twins. */
export const prevalenceFigures = (
  input: MetricInput,
  target: ProtectedItem,
  rows: Rows,
  weights: Float64Array,
): { figures: Array<Figure>; f1: number } => {
  const analysis = target.item.id
  const pair = prevalencePair(input, target, rows, weights)
  const n = rows.human.length
  if (!pair.human.ok || !pair.synthetic.ok) {
    const note = !pair.human.ok
      ? `the human prevalence cannot be estimated: ${pair.human.error}`
      : `the synthetic prevalence cannot be estimated: ${(pair.synthetic as { error: string }).error}`
    const figures: Array<Figure> = [
      "sign-f1",
      "ci-overlap-share",
      "significant-difference-share",
      "prevalence-difference",
    ].map((measure) => ({
      measure,
      qualifiers: measure === "prevalence-difference" ? { analysis, term: "prevalence" } : { analysis },
      value: Number.NaN,
      n,
      note,
    }))
    return { figures, f1: Number.NaN }
  }
  const comparison = compareCoefficients(
    { prevalence: pair.human.value },
    { prevalence: pair.synthetic.value },
  )
  const term = comparison.terms[0]!
  const f1Note = "neither estimate is significantly different from 0 at 0.05"
  return {
    f1: comparison.f1,
    figures: [
      {
        measure: "sign-f1",
        qualifiers: { analysis },
        value: comparison.f1,
        n,
        ...(Number.isFinite(comparison.f1) ? {} : { note: f1Note }),
      },
      { measure: "ci-overlap-share", qualifiers: { analysis }, value: comparison.overlapShare, n },
      {
        measure: "significant-difference-share",
        qualifiers: { analysis },
        value: comparison.significantShare,
        n,
      },
      {
        measure: "prevalence-difference",
        qualifiers: { analysis, term: "prevalence" },
        value: Math.abs(term.difference),
        n,
        human: term.human.estimate,
        synthetic: term.synthetic.estimate,
      },
    ],
  }
}

/**
 * Forced response only: how often twins obeyed a forced outcome (told "answer Yes", did they?). The humans' draws
 * are unobserved, the twins' are recorded, so this is the one place a twin's compliance with the randomiser shows.
 * Null for other designs (their answers depend on the unobserved truth too).
 */
export const forcedCompliance = (input: MetricInput, target: ProtectedItem) => {
  const { item, design } = target
  if (design._tag !== "ForcedResponse" || item.scale._tag !== "Binary") return null
  const [negative, positive] = item.scale.options
  const tally = (outcome: "yes" | "no", expected: string | undefined) => {
    let told = 0
    let complied = 0
    for (const respondent of input.synthetic) {
      if (respondent.failure !== undefined || respondent.invalidItems.includes(item.id)) continue
      if (respondent.randomisers?.[item.id]?.outcome !== outcome) continue
      const answer = respondent.answers[item.id]
      if (answer === null || answer === undefined) continue
      told++
      if (answer === expected) complied++
    }
    return { told, complied, share: told > 0 ? complied / told : null }
  }
  return { yes: tally("yes", positive), no: tally("no", negative) }
}

/** Each prevalence's full-sample estimates and difference test, for results.json's details. */
export const prevalenceDetails = (input: MetricInput, rows: Rows) =>
  prevalenceTargets(input).map((target) => {
    const pair = prevalencePair(input, target, rows, new Float64Array(input.human.length).fill(1))
    const shown = (result: Side) => (result.ok ? result.value : { error: result.error })
    const comparison =
      pair.human.ok && pair.synthetic.ok
        ? compareCoefficients({ prevalence: pair.human.value }, { prevalence: pair.synthetic.value })
            .terms[0]!
        : null
    return {
      analysis: target.item.id,
      kind: "prevalence" as const,
      label: target.item.label,
      design: target.design._tag,
      human: shown(pair.human),
      synthetic: shown(pair.synthetic),
      compliance: forcedCompliance(input, target),
      comparison:
        comparison === null
          ? null
          : {
              difference: comparison.difference,
              z: comparison.z,
              p: comparison.p,
              overlap: comparison.overlap,
              humanSign: comparison.humanSign,
              syntheticSign: comparison.syntheticSign,
            },
    }
  })
