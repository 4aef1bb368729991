import type { MetricDescriptor } from "@standin/core/descriptor"

export const descriptor: MetricDescriptor = {
  kind: "metric",
  id: "coherence",
  version: "0.2.0",
  // MetricSpecVersion of @standin/core.
  specVersion: "1.0",
  label: "Belief–action coherence",
  family: "coherence",
  description:
    "For each belief–action pair the study declares (believers hold the belief; acting against it means choosing a contrary level of the action): the belief–action association — the phi coefficient of the believer and contrary-action indicators — and, as secondary measures, the belief–action gap P(contrary action | believer), the joint rate P(believer and contrary) and the log odds ratio (Woolf SE; 0.5 added to every cell only when a cell is 0, and then said so). Each is computed for humans and for synthetic respondents (every replicate counts, with its own belief and action answers); the measure is the absolute difference. Headline (since 0.2.0): the phi difference, bias-corrected — √max(0, mean over pairs of (φ_s − φ_h)² − Var(φ̂_s) − Var(φ̂_h)), the variances from the large-sample formula of Bishop, Fienberg & Holland (1975) — so a model that draws belief and action independently (φ ≈ 0) scores like the uniform floor, and one whose association matches the humans' scores near 0. The gap alone cannot tell a respondent who ignores the belief from a coherent one: it mostly follows the action's base rate (0.1.0 used it as the headline). CIs: percentile bootstrap over twins (Poisson weights keyed by twin id); the phi difference's interval is bias-corrected (on the squared scale each resample is corrected by its own variance; the lower bound is shifted down by the variance once more, the upper bound is the plain upper percentile — a one-dimensional difference; clamped at 0).",
  headline: "phi-difference",
  direction: "lower",
  measures: [
    {
      id: "gap-difference",
      label: "Belief–action gap difference",
      description:
        "|P_synthetic(contrary | believer) − P_human(contrary | believer)|; `human` and `synthetic` hold the two gaps.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "joint-difference",
      label: "Joint rate difference",
      description:
        "|P_synthetic(believer ∧ contrary) − P_human(believer ∧ contrary)|; `human` and `synthetic` hold the two rates.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "phi-difference",
      label: "Phi difference",
      description:
        "|phi_synthetic − phi_human|, phi the correlation of the believer and contrary-action indicators, bias-corrected: √max(0, Δφ² − Var(φ̂_s) − Var(φ̂_h)). The headline (no pair qualifier) is the root mean square over pairs.",
      direction: "lower",
      range: [0, 2],
    },
    {
      id: "log-odds-ratio-difference",
      label: "Log odds ratio difference",
      description:
        "|log OR_synthetic − log OR_human| of believer against contrary action; standard errors are in details.pairs.",
      direction: "lower",
    },
  ],
  citations: [
    {
      text: "Wang, Hunt, Tang & Joseph (2025). Can Finetuning LLMs on Small Human Samples Increase Heterogeneity, Alignment, and Belief-Action Coherence? arXiv:2511.21218.",
      url: "https://arxiv.org/abs/2511.21218",
    },
    {
      text: "Agresti, A. (2013). Categorical Data Analysis, 3rd edition. Wiley. (Odds ratios, the Woolf standard error, the phi coefficient.)",
    },
    {
      text: "Bishop, Y. M. M., Fienberg, S. E. & Holland, P. W. (1975). Discrete Multivariate Analysis: Theory and Practice, §11.3. MIT Press. (The large-sample variance of the phi coefficient.)",
    },
    {
      text: "Haldane, J. B. S. (1956). The estimation and significance of the logarithm of a ratio of frequencies. Annals of Human Genetics 20(4), 309–311.",
      url: "https://doi.org/10.1111/j.1469-1809.1955.tb01285.x",
    },
  ],
}
