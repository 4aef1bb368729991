import type { MetricDescriptor } from "@standin/core/descriptor"

export const descriptor: MetricDescriptor = {
  kind: "metric",
  id: "subgroup",
  version: "0.2.0",
  // MetricSpecVersion of @standin/core.
  specVersion: "1.0",
  label: "Subgroup alignment",
  family: "subgroup",
  description:
    "The divergence metric within each level of each persona attribute the study lists as a subgroup (a respondent of a multi-select attribute such as race counts in every level they selected), pooled over arms. A level's figure is the mean JS distance over items; levels with fewer humans than the minimum cell size are shown, flagged \"small-cell\", and not ranked. Per attribute: the worst and best ranked level and their gap. Headline: the mean over attributes of the worst ranked level's mean JS distance — how well the model serves the group it serves worst. CIs: percentile bootstrap over twins, with the ranked set fixed on the full sample.",
  headline: "worst-level",
  direction: "lower",
  measures: [
    {
      id: "js-distance",
      label: "Jensen–Shannon distance (level × item)",
      description: "JS distance (base 2) between human and synthetic answers of one item within one level.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "total-variation",
      label: "Total variation (level × item)",
      description: "Total variation distance within one level.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "wasserstein",
      label: "Wasserstein-1 / (k − 1) (level × item)",
      description: "Normalised earth mover's distance within one level; ordered items only.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "level-js-distance",
      label: "Level mean JS distance",
      description: "Mean JS distance over the items within one level: the figure levels are ranked by.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "worst-level",
      label: "Worst level",
      description:
        "The highest level mean JS distance among the ranked levels of an attribute; `level` names it.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "best-level",
      label: "Best level",
      description:
        "The lowest level mean JS distance among the ranked levels of an attribute; `level` names it.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "level-gap",
      label: "Worst − best gap",
      description:
        "Worst minus best level mean JS distance: how unevenly the model serves the levels of an attribute.",
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
      text: "Santurkar, S., Durmus, E., Ladhak, F., Lee, C., Liang, P. & Hashimoto, T. (2023). Whose Opinions Do Language Models Reflect? Proceedings of ICML 2023.",
      url: "https://arxiv.org/abs/2303.17548",
    },
    {
      text: "Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE Transactions on Information Theory 37(1), 145–151.",
      url: "https://doi.org/10.1109/18.61115",
    },
  ],
}
