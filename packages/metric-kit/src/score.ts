import { MetricError, type MetricInput, type MetricScore } from "@standin/core"
import { Effect } from "effect"

/**
 * A metric's `score`: with no human respondents it fails with an error that says so (there is nothing to
 * compare with); otherwise it runs `body`.
 */
export const scoreWithHumans =
  (metric: string, body: (input: MetricInput) => Effect.Effect<MetricScore, MetricError>) =>
  (input: MetricInput): Effect.Effect<MetricScore, MetricError> =>
    Effect.suspend(() =>
      input.human.length === 0
        ? Effect.fail(new MetricError({ metric, message: "There are no human respondents to compare with." }))
        : body(input),
    )
