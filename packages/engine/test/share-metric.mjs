// A metric for the scoring-thread tests, in plain JavaScript so that a worker thread can import it as it is:
// |share answering "Yes" to `act`, synthetic − human| with one value per bootstrap resample (weights keyed by
// seed, resample and twin id). A study whose id is "fail-me" makes it fail, as a metric may.
import { MetricError } from "@standin/core"
import { Effect } from "effect"

const hash = (text) => {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}
const weight = (seed, r, id) => (hash(`${seed}|${r}|${id}`) % 3) / 1

export const metric = {
  descriptor: {
    kind: "metric",
    id: "share",
    version: "1.0.0",
    specVersion: "1.0",
    label: "Share acting",
    family: "divergence",
    description: "Absolute difference in the share who act.",
    headline: "gap",
    direction: "lower",
    measures: [{ id: "gap", label: "Gap", description: "Absolute difference.", direction: "lower" }],
    citations: [],
  },
  score: (input) =>
    input.study.id === "fail-me"
      ? Effect.fail(new MetricError({ metric: "share", message: "asked to fail" }))
      : Effect.sync(() => {
          const share = (pairs, r) => {
            let total = 0
            let yes = 0
            for (const pair of pairs) {
              const w = r === null ? 1 : weight(input.options.seed, r, pair.id)
              total += w
              if (pair.yes) yes += w
            }
            return total === 0 ? Number.NaN : yes / total
          }
          const human = input.human.map((h) => ({ id: h.id, yes: h.answers.act === "Yes" }))
          const synthetic = input.synthetic.map((s) => ({ id: s.twinId, yes: s.answers.act === "Yes" }))
          const at = (r) => Math.abs(share(synthetic, r) - share(human, r))
          return {
            metric: "share",
            version: "1.0.0",
            headline: { measure: "gap", value: at(null), ci: null },
            measures: [],
            headlineReplicates: Array.from({ length: input.options.resamples }, (_, r) => at(r)),
            details: { humans: input.human.length, twins: input.synthetic.length },
          }
        }),
}
