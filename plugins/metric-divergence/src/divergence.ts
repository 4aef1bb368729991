import {
  type Figure,
  type Grouping,
  orNaN,
  type Panel,
  type Qualifiers,
  type Tally,
  tallyItems,
} from "@standin/metric-kit"
import { compareDistributions } from "@standin/stats"

export interface DivergenceValues {
  readonly jsDistance: number
  readonly totalVariation: number
  /** NaN for unordered items. */
  readonly wasserstein: number
  readonly humanN: number
  readonly syntheticN: number
  /** Why the comparison is unscored, if it is. */
  readonly unscored?: string
}

/** The three divergences between two weighted count vectors over k options. */
export const divergences = (
  human: Float64Array,
  synthetic: Float64Array,
  humanN: number,
  syntheticN: number,
  ordered: boolean,
): DivergenceValues => {
  const unscored =
    humanN <= 0 ? "no valid human answers" : syntheticN <= 0 ? "no valid synthetic answers" : undefined
  if (unscored) {
    return {
      jsDistance: Number.NaN,
      totalVariation: Number.NaN,
      wasserstein: Number.NaN,
      humanN,
      syntheticN,
      unscored,
    }
  }
  const figures = compareDistributions(human, synthetic, ordered)
  return {
    jsDistance: orNaN(figures?.jsDistance),
    totalVariation: orNaN(figures?.totalVariation),
    wasserstein: ordered ? orNaN(figures?.wasserstein) : Number.NaN,
    humanN,
    syntheticN,
  }
}

const tallyDivergences = (
  panel: Panel,
  item: number,
  counts: Tally,
  labels: number,
): Array<DivergenceValues> => {
  const { k } = counts
  const ordered = panel.items[item]!.ordered && k >= 2
  return Array.from({ length: labels }, (_, group) =>
    divergences(
      counts.human.subarray(group * k, (group + 1) * k),
      counts.synthetic.subarray(group * k, (group + 1) * k),
      counts.humanN[group]!,
      counts.syntheticN[group]!,
      ordered,
    ),
  )
}

/**
 * Divergences of several items within every group of a grouping (all twins, arms, or persona levels), from one
 * weighted pass over the twins: result[i][g] is item items[i] in group g.
 */
export const itemGroupDivergences = (
  panel: Panel,
  grouping: Grouping,
  items: ReadonlyArray<number>,
  weights: Float64Array,
): Array<Array<DivergenceValues>> =>
  tallyItems(panel, grouping, items, weights, true).map((counts, position) =>
    tallyDivergences(panel, items[position]!, counts, grouping.labels.length),
  )

/** Divergences of one item within every group of a grouping. */
export const groupDivergences = (
  panel: Panel,
  grouping: Grouping,
  item: number,
  weights: Float64Array,
): Array<DivergenceValues> => itemGroupDivergences(panel, grouping, [item], weights)[0]!

/** The figures of one comparison: JS distance, total variation and (ordered items) W1/(k−1). */
export const divergenceFigures = (
  values: DivergenceValues,
  qualifiers: Qualifiers,
  ordered: boolean,
  extra: { readonly flagged?: string; readonly note?: string } = {},
): Array<Figure> => {
  const base = {
    qualifiers,
    n: values.humanN,
    ...(values.unscored ? { note: values.unscored } : extra.note ? { note: extra.note } : {}),
    ...(extra.flagged ? { flagged: extra.flagged } : {}),
  }
  const figures: Array<Figure> = [
    { ...base, measure: "js-distance", value: values.jsDistance },
    { ...base, measure: "total-variation", value: values.totalVariation },
  ]
  if (ordered) figures.push({ ...base, measure: "wasserstein", value: values.wasserstein })
  return figures
}

export const unscorableNote = "numeric and multi-select items are not scored by distribution metrics"
