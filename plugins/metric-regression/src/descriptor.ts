import type { MetricDescriptor } from "@standin/core/descriptor"

export const descriptor: MetricDescriptor = {
  kind: "metric",
  id: "regression",
  version: "0.4.0",
  // MetricSpecVersion of @standin/core.
  specVersion: "1.0",
  label: "Regression recovery",
  family: "regression",
  description:
    "Each analysis the study declares is fitted on the human holdout and on the synthetic data (a synthetic row takes its twin's arm and persona and its own answers; every replicate is a row). Levels of categorical predictors that fewer than the minimum cell size of humans hold are left out of both fits (their rows dropped; listed in details.analyses[].excludedLevels): a level held by a handful of respondents separates the outcome and cannot be estimated. Each analysis is fitted as its family says (OLS, logit, probit, multinomial or ordered logit; on its declared subset; with its declared classical or HC standard errors). Coefficients other than intercepts and an ordinal analysis's thresholds, present in both fits, are compared (since 0.3.0); a multinomial analysis contributes each outcome level's equation (terms `level::column`, against the baseline level), so its signs, F1 and coefficient differences run over every level's coefficients. Each coefficient is classed +, − or null (p ≥ 0.05) in each fit; the human fit is the truth. TP: the human sign is non-null and the synthetic sign equals it. FN: the human sign is non-null and the synthetic sign differs (null or opposite). FP: the synthetic sign is non-null and differs from the human sign (the human is null, or opposite: an opposite sign is both an FP and an FN). TN: both null. Sign-recovery F1 = 2TP / (2TP + FP + FN); false-positive rate = #(human null, synthetic non-null) / #(human null). Coefficient differences are tested with z = Δ / √(se_h² + se_s²), raw and Holm-adjusted across the analysis's coefficients. If the human fit fails (separation, constant outcome, rank deficiency) the analysis's measures are unscored with the reason. If the synthetic fit fails while the human fit succeeds, nothing is dropped silently (since 0.2.0): the analysis's sign-recovery F1 is 0 (the model recovered none of the human fit's significant signs), flagged `synthetic-fit-failed` with the analysis and the reason, and it counts in the headline; details.failedFits lists every failed fit. The same rule applies on each bootstrap resample. Items declaring a design that protects respondents (randomised response, crosswise, list experiment) are prevalence analyses (since 0.4.0), named after the item: the prevalence is estimated on both sides with the design's published estimator (Warner 1965; forced response, Boruch 1971; crosswise, Yu, Tian & Tang 2008; list difference in means, Blair & Imai 2012) and compared as one coefficient (term `prevalence`): sign-recovery F1, CI overlap, the difference test and prevalence-difference; details.prevalences holds both estimates and, for forced response, how often twins told a forced answer gave it (compliance). Headline: sign-recovery F1, averaged over analyses (prevalences included). CIs: percentile bootstrap over twins (Poisson weights keyed by twin id; both fits refitted, warm-started, in every resample).",
  headline: "sign-f1",
  direction: "higher",
  measures: [
    {
      id: "sign-f1",
      label: "Sign-recovery F1",
      description:
        "F1 of recovering each coefficient's sign (+, −, null at α = 0.05) with the human fit as the truth.",
      direction: "higher",
      range: [0, 1],
    },
    {
      id: "false-positive-rate",
      label: "False-positive rate",
      description: "Share of coefficients null in the human fit that the synthetic fit calls significant.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "significant-difference-share",
      label: "Significantly different coefficients (Holm)",
      description:
        "Share of coefficients whose human–synthetic difference is significant at 0.05 after Holm's adjustment.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "significant-difference-share-raw",
      label: "Significantly different coefficients (raw)",
      description:
        "Share of coefficients whose human–synthetic difference is significant at 0.05, unadjusted.",
      direction: "lower",
      range: [0, 1],
    },
    {
      id: "ci-overlap-share",
      label: "CI overlap",
      description: "Share of coefficients whose human and synthetic 95% confidence intervals overlap.",
      direction: "higher",
      range: [0, 1],
    },
    {
      id: "treatment-effect-difference",
      label: "Treatment-effect recovery",
      description:
        "|synthetic − human| estimate of the treatment predictor's coefficient (each of its columns); `human` and `synthetic` hold the two estimates.",
      direction: "lower",
    },
    {
      id: "prevalence-difference",
      label: "Prevalence recovery",
      description:
        "|synthetic − human| prevalence of an item declaring a design that protects respondents, each estimated with the design's published estimator; `human` and `synthetic` hold the two estimates.",
      direction: "lower",
    },
    {
      id: "coefficient-difference",
      label: "Coefficient difference",
      description:
        "|synthetic − human| estimate of one coefficient; `human` and `synthetic` hold the estimates, details the SEs, CIs, p-values and the difference test.",
      direction: "lower",
    },
  ],
  citations: [
    {
      text: "Wang, Hunt, Tang & Joseph (2025). Can Finetuning LLMs on Small Human Samples Increase Heterogeneity, Alignment, and Belief-Action Coherence? arXiv:2511.21218.",
      url: "https://arxiv.org/abs/2511.21218",
    },
    {
      text: "Paternoster, R., Brame, R., Mazerolle, P. & Piquero, A. (1998). Using the correct statistical test for the equality of regression coefficients. Criminology 36(4), 859–866.",
      url: "https://doi.org/10.1111/j.1745-9125.1998.tb01268.x",
    },
    {
      text: "Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian Journal of Statistics 6(2), 65–70.",
    },
  ],
}
