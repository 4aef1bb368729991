import type { MetricDescriptor } from "@standin/core/descriptor"

export const descriptor: MetricDescriptor = {
  kind: "metric",
  id: "subgroup",
  version: "0.5.0",
  // MetricSpecVersion of @standin/core.
  specVersion: "1.0",
  label: "Subgroup alignment",
  family: "subgroup",
  description:
    "The divergence metric within each level of each persona attribute the study lists as a subgroup (a respondent of a multi-select attribute such as race counts in every level they selected), pooled over arms. Every distance is bias-corrected on the squared scale (the plug-in JS divergence minus its delta-method sampling bias, TV² and W1² minus their expectation under no difference; clamped at 0): a plug-in distance grows as a cell shrinks (by about √((k − 1)/n)), which would make the smallest cell look worst even for a perfect model. A level's figure is the root mean square of its items' corrected JS distances; levels with fewer humans than the minimum cell size are shown, flagged \"small-cell\", and not ranked (a level of exactly the minimum size is ranked). Headline (since 0.5.0): the root mean square over all ranked levels of all subgroup attributes of their corrected level JS distances, each level weighted equally whatever its size — √max(0, mean over levels of (mean over the level's items of JSD − bias)): how far the model is from the humans within the typical subgroup, a small group counting as much as a large one. The correction is averaged before the clamp at 0, so a perfect model's headline is centred near 0; it is the divergence headline's construction (Wang et al. 2025; Santurkar et al. 2023) applied within levels. Its interval inverts a model of the level-weighted mean divergence D̂: each level × item divergence is s·χ²_{k−1}(T/s) (s its sampling variance per direction, times Williams' correction); levels share people (ρ = n_LM/√(n_L n_M): levels of different attributes overlap), so the same item's divergences covary (2·df·s_L·s_M·ρ² from noise, 4·ρ·√(s_L s_M T_L T_M) from true differences pointing the same way); at a true headline D with every level at D, D̂ has mean Σw·s·df + D and variance Σww′·2·df·s·s′·ρ² + 4D·Σww′·√(ss′)·ρ, matched by a scaled chi-square (Patnaik 1949; at D = 0 the Welch–Satterthwaite null) and inverted at its 97.5% and 2.5% quantiles (pnpm bench, table d, every level at one true distance: 0.94–0.985 at true distances above 0, including 0 for a perfect model in 0.955–0.985; the aligned-differences bound makes it over-cover at n = 1,000 and a true 0.04). Secondary: per attribute the worst and best ranked level and their gap, and the mean over attributes of the worst (the headline from 0.1.0 to 0.4.0, dropped as headline because a maximum over levels is noisy and its interval cannot be nominal). Their intervals are built from each ranked level's bounds at three levels — marginal (1 − α), per attribute (1 − α/A) and simultaneous (Bonferroni, 1 − α/m; m ranked levels, A attributes): worst ∈ [max of simultaneous lowers, max of marginal uppers], best ∈ [min of marginal lowers, min of simultaneous uppers], gap ∈ [max(0, max lower − min upper), max upper − min lower] of the simultaneous bounds, mean of the worst ∈ [mean of the attributes' worst lowers, mean of the maxima of the per-attribute uppers]; each covers with probability at least 1 − α and is conservative (with every level at one true distance they cover every time). Each level's and item's corrected JS distance gets the divergence metric's interval by the same test inversion; TV and W1 as in the divergence metric (a binary item's by inverting its 1-df non-central chi-square; otherwise a Poisson bootstrap over twins keyed by twin id). Derived variables (since 0.5.0): each derived variable the study scores is one more item within every level, computed by its expression from the answers on each side.",
  headline: "level-rms",
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
      id: "level-rms",
      label: "Level RMS JS distance (headline)",
      description:
        "Root mean square over the ranked levels of all subgroup attributes of their corrected level JS distances, each level weighted equally whatever its size: √max(0, mean over levels of (mean over the level's items of JSD − bias)). How far the model is from the humans within the typical subgroup, small groups counting as much as large ones.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "worst-level",
      label: "Worst level",
      description:
        "The highest corrected level JS distance among the ranked levels of an attribute; `level` names it. Without an attribute: the mean over attributes of their worst level (the headline before 0.5.0).",
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
      text: "Patnaik, P. B. (1949). The non-central χ²- and F-distributions and their applications. Biometrika 36(1/2), 202–232.",
      url: "https://doi.org/10.2307/2332542",
    },
    {
      text: "Satterthwaite, F. E. (1946). An approximate distribution of estimates of variance components. Biometrics Bulletin 2(6), 110–114.",
      url: "https://doi.org/10.2307/3002019",
    },
    {
      text: "Hirano, K. & Porter, J. R. (2012). Impossibility results for nondifferentiable functionals. Econometrica 80(4), 1769–1790.",
      url: "https://doi.org/10.3982/ECTA8681",
    },
    {
      text: "Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE Transactions on Information Theory 37(1), 145–151.",
      url: "https://doi.org/10.1109/18.61115",
    },
  ],
}
