/**
 * Browser-safe descriptors: plain data and types, no numerics, no Node APIs. The leaderboard imports
 * this entry point (`@standin/core/descriptor`) without pulling in any plugin's implementation.
 */

export type Direction = "lower" | "higher"

export type MetricFamily = "divergence" | "subgroup" | "heterogeneity" | "coherence" | "regression"

export interface Citation {
  readonly text: string
  readonly url?: string
}

export interface MeasureDescriptor {
  readonly id: string
  readonly label: string
  readonly description: string
  readonly direction: Direction
  /** Bounds of the measure where it has them, e.g. [0, 1] for the Jensen–Shannon distance. */
  readonly range?: readonly [number, number]
}

export interface MetricDescriptor {
  readonly kind: "metric"
  readonly id: string
  readonly version: string
  readonly specVersion: string
  readonly label: string
  readonly family: MetricFamily
  readonly description: string
  /** The measure whose aggregate is the metric's headline (the one that is normalised and ranked). */
  readonly headline: string
  readonly direction: Direction
  readonly measures: ReadonlyArray<MeasureDescriptor>
  readonly citations: ReadonlyArray<Citation>
}

/**
 * Normalised fidelity: (floor − model) / (floor − ceiling). 0 is the uniform floor, 1 is as good as
 * another sample of real people. The formula is the same for lower- and higher-is-better measures.
 * Null when floor and ceiling coincide (the measure cannot tell them apart).
 */
export const normalisedFidelity = (model: number, floor: number, ceiling: number): number | null => {
  const span = floor - ceiling
  if (!Number.isFinite(span) || Math.abs(span) < 1e-12 || !Number.isFinite(model)) return null
  return (floor - model) / span
}
