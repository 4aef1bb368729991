import type { Citation, MetricDescriptor } from "@standin/core/descriptor"

/** The paper whose design standin implements. */
export const wangCitation: Citation = {
  text: "Wang, Hunt, Tang & Joseph (2025). Can Finetuning LLMs on Small Human Samples Increase Heterogeneity, Alignment, and Belief-Action Coherence? arXiv:2511.21218.",
  url: "https://arxiv.org/abs/2511.21218",
}

export const descriptor: MetricDescriptor = {
  kind: "metric",
  id: "divergence",
  version: "0.5.0",
  // MetricSpecVersion of @standin/core (a value import would pull the numerics into the browser bundle).
  specVersion: "1.0",
  label: "Distributional divergence",
  family: "divergence",
  description:
    "How far each item's synthetic answer distribution lies from the human one, pooled over arms and within each arm. Invalid or failed synthetic answers are left out per item; with logprobs elicitation the synthetic distribution is the mean of the elicited distributions. Every distance is bias-corrected (since 0.2.0): a plug-in distance between two samples is biased upward by about √((k − 1)/n) — two samples of the same people's process never score 0 — so each is corrected on the squared scale, the JS divergence minus its first-order (delta-method) sampling bias, TV² and (W1/(k−1))² minus their expectation when both sides come from one distribution, clamped at 0 and square-rooted. The synthetic side's sample size in these formulas is divided by its measured design effect (replicates of one twin, elicited distributions). Headline: the root mean square over items of the corrected pooled JS distances, √max(0, mean JSD − mean bias) (0 no detectable difference, 1 disjoint). CIs (since 0.3.0): the JS distances' intervals invert the plug-in divergence's noise model rather than resample it. Over its per-direction sampling variance s = (1/n_human + 1/n_synthetic_effective)/(8 ln 2), times Williams' small-sample correction, the plug-in divergence is (to second order) non-central chi-square with k − 1 degrees of freedom (k options seen; for equal sizes it is the G statistic of homogeneity) and non-centrality JSD/s; a mean over items is matched by one scaled non-central chi-square (Welch–Satterthwaite). The bounds are the non-centralities at which the observed value is the 97.5% and 2.5% quantile, times s, square-rooted: 0 when no difference is detectable. A bootstrap is too wide near 0, because its world has the plug-in's inflated non-centrality. TV and W1 intervals: for a binary item (since 0.4.0) both are |Δp|, and Δp²/E₀[Δp²] is non-central chi-square with 1 degree of freedom, inverted as for the JS distance (the bootstrap interval covered 1.00 at a true TV of 0.04 with n 200); for k > 2, a Poisson bootstrap over twins (weights keyed by twin id), each resample's plug-in corrected by its own bias, the lower percentile shifted down by the bias once more, the upper by its part orthogonal to the observed difference, clamped at 0. The headline's replicates (for the engine) are still the bootstrap's. Coverage is checked by simulation in `pnpm bench`. Derived variables (since 0.5.0): each derived variable the study scores (by default the outcome of an analysis that reads answers; `score: true/false` decides) is scored as one more item, computed by its expression from the human's answers and from the twin's — texts as categories, an index with finitely many values (a mean of Likert items) as an ordered scale over those values — and enters the headline's mean over items; a twin whose inputs are missing or invalid has it missing.",
  headline: "js-distance",
  direction: "lower",
  measures: [
    {
      id: "js-distance",
      label: "Jensen–Shannon distance",
      description:
        "Square root of the base-2 Jensen–Shannon divergence between the human and synthetic answer distributions of an item, bias-corrected: √max(0, JSD − its sampling bias).",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "total-variation",
      label: "Total variation",
      description:
        "Half the L1 distance between the two distributions (the largest difference in the share of any set of options), bias-corrected: √max(0, TV² − E₀[TV²]).",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "wasserstein",
      label: "Wasserstein-1 / (k − 1)",
      description:
        "Earth mover's distance on the ordered scale (options one step apart) divided by k − 1, bias-corrected like total variation; ordered items only.",
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
    {
      text: "Kent, J. T. & Hainsworth, T. J. (1995). Confidence intervals for the noncentral chi-squared distribution. Journal of Statistical Planning and Inference 46(2), 147–159.",
    },
    {
      text: "Williams, D. A. (1976). Improved likelihood ratio tests for complete contingency tables. Biometrika 63(1), 33–37.",
      url: "https://doi.org/10.1093/biomet/63.1.33",
    },
    {
      text: "Efron, B. & Tibshirani, R. J. (1993). An Introduction to the Bootstrap, ch. 10 (bias estimation and correction). Chapman & Hall.",
    },
    {
      text: "Hanley, J. A. & MacGibbon, B. (2006). Creating non-parametric bootstrap samples using Poisson frequencies. Computer Methods and Programs in Biomedicine 83(1), 57–62.",
      url: "https://doi.org/10.1016/j.cmpb.2006.04.006",
    },
  ],
}
