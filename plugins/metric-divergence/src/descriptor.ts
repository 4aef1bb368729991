import type { Citation, MetricDescriptor } from "@standin/core/descriptor"

/** The paper whose design standin implements. */
export const wangCitation: Citation = {
  text: "Wang, Hunt, Tang & Joseph (2025). Can Finetuning LLMs on Small Human Samples Increase Heterogeneity, Alignment, and Belief-Action Coherence? arXiv:2511.21218.",
  url: "https://arxiv.org/abs/2511.21218",
}

export const descriptor: MetricDescriptor = {
  kind: "metric",
  id: "divergence",
  version: "0.2.0",
  // MetricSpecVersion of @standin/core (a value import would pull the numerics into the browser bundle).
  specVersion: "1.0",
  label: "Distributional divergence",
  family: "divergence",
  description:
    "How far each item's synthetic answer distribution lies from the human one, pooled over arms and within each arm. Invalid or failed synthetic answers are left out per item; with logprobs elicitation the synthetic distribution is the mean of the elicited distributions. Headline: the mean pooled Jensen–Shannon distance over items (0 identical, 1 disjoint). CIs: percentile bootstrap over twins (a human with all its synthetic replicates).",
  headline: "js-distance",
  direction: "lower",
  measures: [
    {
      id: "js-distance",
      label: "Jensen–Shannon distance",
      description:
        "Square root of the base-2 Jensen–Shannon divergence between the human and synthetic answer distributions of an item.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "total-variation",
      label: "Total variation",
      description:
        "Half the L1 distance between the two distributions: the largest difference in the share of any set of options.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "wasserstein",
      label: "Wasserstein-1 / (k − 1)",
      description:
        "Earth mover's distance on the ordered scale (options one step apart) divided by k − 1; ordered items only.",
      direction: "lower",
      range: [0, 1],
    },
  ],
  citations: [
    wangCitation,
    {
      text: "Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE Transactions on Information Theory 37(1), 145–151.",
      url: "https://doi.org/10.1109/18.61115",
    },
    {
      text: "Endres, D. M. & Schindelin, J. E. (2003). A new metric for probability distributions. IEEE Transactions on Information Theory 49(7), 1858–1860.",
      url: "https://doi.org/10.1109/TIT.2003.813506",
    },
  ],
}
