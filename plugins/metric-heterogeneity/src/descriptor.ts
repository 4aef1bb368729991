import type { MetricDescriptor } from "@standin/core/descriptor"

export const descriptor: MetricDescriptor = {
  kind: "metric",
  id: "heterogeneity",
  version: "0.3.0",
  // MetricSpecVersion of @standin/core.
  specVersion: "1.0",
  label: "Heterogeneity",
  family: "heterogeneity",
  description:
    'Whether synthetic respondents vary as much as humans do. Unique belief-answer patterns are counted at equal n (the larger side is subsampled, seeded, to the smaller side\'s size; both counts and their ratio are reported); per item the Shannon entropy of human and synthetic answers; per subgroup attribute and ordered item the pooled within-level variance; and the share of items where one option takes over 90% of answers (mode collapse). Every comparison is scored as a discrepancy that is 0 for a perfect match, with the two raw figures beside it. Headline: the mean entropy discrepancy |H(synthetic) − H(human)| / log2(k) over items. It is chosen over the pattern log-ratio because it stays finite and bounded in [0, 1] under total mode collapse (where a log ratio is infinite), puts items with different numbers of options on one scale, and does not saturate with n as pattern counts do when there are few belief items (two 5-point items allow only 25 patterns). A pattern count that reaches every pattern the belief items allow on both sides is flagged "saturated" with a note (the count then cannot tell the sides apart); one side alone reaching it gets a note. CIs: percentile bootstrap over twins (Poisson weights keyed by twin id). Derived variables (since 0.3.0): each derived variable the study scores is one more item (entropy, mode collapse, within-level variance for an index), computed by its expression from the answers on each side.',
  headline: "entropy-discrepancy",
  direction: "lower",
  measures: [
    {
      id: "pattern-discrepancy",
      label: "Unique belief-answer patterns (|log ratio|)",
      description:
        "|ln(U_synthetic / U_human)| where U counts the distinct combinations of belief-item answers at equal n; `human` and `synthetic` hold the two counts (their ratio is in details.patterns).",
      direction: "lower",
    },
    {
      id: "entropy-discrepancy",
      label: "Entropy discrepancy",
      description:
        "|H(synthetic) − H(human)| / log2(k) for one item, entropies in bits; `human` and `synthetic` hold the entropies (their ratio H(synthetic)/H(human) is in details.entropy).",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "variance-discrepancy",
      label: "Within-subgroup variance discrepancy",
      description:
        "|SD_synthetic − SD_human| / ((k − 1)/2), SDs from the pooled within-level variance of an ordered item's option index over the levels of a subgroup attribute; `human` and `synthetic` hold the variances (their ratio is in details.variance).",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "mode-collapse-share",
      label: "Mode collapse",
      description:
        "Share of items where one option takes more than 90% of the synthetic answers; `human` holds the same share for the human answers.",
      direction: "lower",
      range: [0, 1],
    },
  ],
  citations: [
    {
      text: "Wang, Hunt, Tang & Joseph (2025). Can Finetuning LLMs on Small Human Samples Increase Heterogeneity, Alignment, and Belief-Action Coherence? arXiv:2511.21218.",
      url: "https://arxiv.org/abs/2511.21218",
    },
    {
      text: "Shannon, C. E. (1948). A Mathematical Theory of Communication. Bell System Technical Journal 27(3), 379–423.",
      url: "https://doi.org/10.1002/j.1538-7305.1948.tb01338.x",
    },
  ],
}
