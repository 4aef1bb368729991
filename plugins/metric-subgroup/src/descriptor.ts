import type { MetricDescriptor } from "@standin/core/descriptor"

export const descriptor: MetricDescriptor = {
  kind: "metric",
  id: "subgroup",
  version: "0.4.0",
  // MetricSpecVersion of @standin/core.
  specVersion: "1.0",
  label: "Subgroup alignment",
  family: "subgroup",
  description:
    "The divergence metric within each level of each persona attribute the study lists as a subgroup (a respondent of a multi-select attribute such as race counts in every level they selected), pooled over arms. Every distance is bias-corrected on the squared scale (the plug-in JS divergence minus its delta-method sampling bias, TV² and W1² minus their expectation under no difference; clamped at 0): a plug-in distance grows as a cell shrinks (by about √((k − 1)/n)), which would make the smallest cell the \"worst\" even for a perfect model. A level's figure is the root mean square of its items' corrected JS distances; levels with fewer humans than the minimum cell size are shown, flagged \"small-cell\", and not ranked (a level of exactly the minimum size is ranked). Per attribute: the worst and best ranked level on the corrected figure, and their gap. Headline: the mean over attributes of the worst ranked level's figure — how well the model serves the group it serves worst. CIs (since 0.3.0): each level's corrected JS distances get the divergence metric's interval, by inverting the plug-in divergence's non-central chi-square noise model (the level figure: the Welch–Satterthwaite match of its items); TV and W1 as in the divergence metric (a binary item's by inverting its 1-df non-central chi-square, since 0.4.0; otherwise a Poisson bootstrap over twins keyed by twin id). The worst level is a maximum over levels, and a percentile interval of resampled maxima does not cover (for a perfect model it never reaches 0), so the ranking figures are built from each ranked level's bounds at three levels — marginal (1 − α), per attribute (1 − α/A) and simultaneous (Bonferroni, 1 − α/m; m ranked levels, A attributes): worst ∈ [max of simultaneous lowers, max of marginal uppers] (the upper bound only needs the truly worst level covered), best ∈ [min of marginal lowers, min of simultaneous uppers], gap ∈ [max(0, max lower − min upper), max upper − min lower] of the simultaneous bounds, headline ∈ [mean of the attributes' worst lowers, mean of the maxima of the per-attribute uppers]. Each covers with probability at least 1 − α; with every level at one true distance (the least favourable case) they are conservative (0.1.0 ranked plug-in distances).",
  headline: "worst-level",
  direction: "lower",
  measures: [
    {
      id: "js-distance",
      label: "Jensen–Shannon distance (level × item)",
      description:
        "JS distance (base 2) between human and synthetic answers of one item within one level, bias-corrected: √max(0, JSD − its sampling bias).",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "total-variation",
      label: "Total variation (level × item)",
      description: "Total variation distance within one level, bias-corrected: √max(0, TV² − E₀[TV²]).",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "wasserstein",
      label: "Wasserstein-1 / (k − 1) (level × item)",
      description:
        "Normalised earth mover's distance within one level, bias-corrected like total variation; ordered items only.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "level-js-distance",
      label: "Level JS distance (corrected RMS over items)",
      description:
        "Root mean square of the level's bias-corrected JS distances over items, √max(0, mean JSD − mean bias): the figure levels are ranked by.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "worst-level",
      label: "Worst level",
      description:
        "The highest corrected level JS distance among the ranked levels of an attribute; `level` names it.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "best-level",
      label: "Best level",
      description:
        "The lowest corrected level JS distance among the ranked levels of an attribute; `level` names it.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "level-gap",
      label: "Worst − best gap",
      description:
        "Worst minus best corrected level JS distance: how unevenly the model serves the levels of an attribute.",
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
