import type { MetricDescriptor } from "@standin/core/descriptor"

export const descriptor: MetricDescriptor = {
  kind: "metric",
  id: "regression",
  version: "0.5.0",
  // MetricSpecVersion of @standin/core.
  specVersion: "1.0",
  label: "Regression recovery",
  family: "regression",
  description:
    "Each analysis the study declares is fitted on the human holdout and on the synthetic data (a synthetic row takes its twin's arm and persona and its own answers; every replicate is a row). Levels of categorical predictors that fewer than the minimum cell size of humans hold are left out of both fits (their rows dropped; listed in details.analyses[].excludedLevels): a level held by a handful of respondents separates the outcome and cannot be estimated. Each analysis is fitted as its family says (OLS, logit, probit, multinomial or ordered logit; on its declared subset; with its declared classical or HC standard errors). Coefficients other than intercepts and an ordinal analysis's thresholds, present in both fits, are compared; a multinomial analysis contributes each outcome level's equation (terms `level::column`, against the baseline level). Headline (since 0.5.0): the coefficient distance, a continuous, bias-corrected distance between the two coefficient vectors built on the Wald test of equal coefficients in two independent samples (the multivariate form of Paternoster et al. 1998's z; Chow 1960; for logit and probit fits across groups, Allison 1999), in the spirit of the coefficient recovery of Argyle et al. 2023: per analysis, W = (b_s − b_h)′(V_s + V_h)⁻¹(b_s − b_h) over its df compared coefficients, with V the fits' (classical or robust) covariance matrices. Under equal true coefficients W is χ²_df, so W − df estimates the non-centrality λ = δ′(V_s + V_h)⁻¹δ without bias; the distance is √(s·max(0, W − df)) with s = (1/n_h + 1/n_s)/df, which puts it on a per-respondent scale free of the sample sizes: the root mean square, per coefficient, of the true difference in units of one respondent's standard deviation of that coefficient (√n × its standard error; √n_h × the distance reads in human standard errors). 0 means no difference beyond sampling noise. The headline is the root mean square over analyses, √max(0, mean_a s_a·(W_a − df_a)). Its interval (per analysis and headline) is exact-in-the-model test inversion: W is non-central χ²_df(λ) (several analyses: matched by Welch–Satterthwaite), and the bounds are the non-centralities at which the observed W is its 97.5% and 2.5% quantiles, times s, square-rooted; it reaches 0 exactly when the Wald test does not reject equal coefficients at 5% (two-sided in λ). Bootstrap replicates (Poisson weights keyed by twin id; both fits refitted, warm-started) subtract the bias twice, centring them on the corrected estimate, and carry the headline to fidelity. If the human fit fails (separation, constant outcome, rank deficiency) the analysis is unscored with the reason. If the synthetic fit fails while the human fit succeeds, nothing is dropped silently (since 0.2.0): the analysis counts as a model that recovered no effect — its coefficient distance is the human coefficients' own distance from 0 (W = b_h′V_h⁻¹b_h, s = 1/(n_h·df)) and its sign-recovery F1 is 0 — flagged `synthetic-fit-failed` with the analysis and the reason, and it counts in the headline; details.failedFits lists every failed fit and details.analyses[].distance the Wald statistic, df, p-value and scale. The same rule applies on each bootstrap resample. Items declaring a design that protects respondents (randomised response, crosswise, list experiment) are prevalence analyses (since 0.4.0), named after the item: the prevalence is estimated on both sides with the design's published estimator (Warner 1965; forced response, Boruch 1971; crosswise, Yu, Tian & Tang 2008; list difference in means, Blair & Imai 2012) and compared as one coefficient (term `prevalence`): its coefficient distance (df 1, s = 1/n_h + 1/n_s) joins the headline, and it takes sign-recovery F1, CI overlap, the difference test and prevalence-difference; details.prevalences holds both estimates and, for forced response, how often twins told a forced answer gave it (compliance); a prevalence that cannot be estimated on one side is unscored with the reason. Secondary measures: sign recovery (Wang et al. 2025), each coefficient classed +, − or null (p ≥ 0.05) in each fit with the human fit as the truth: TP, the human sign is non-null and the synthetic sign equals it; FN, the human sign is non-null and the synthetic sign differs; FP, the synthetic sign is non-null and differs from the human sign; TN, both null; F1 = 2TP / (2TP + FP + FN), per analysis and averaged over analyses (`sign-f1` without an analysis: the headline before 0.5.0, noisy between samples); false-positive rate = #(human null, synthetic non-null) / #(human null). Coefficient differences are tested with z = Δ / √(se_h² + se_s²), raw and Holm-adjusted across the analysis's coefficients. CIs of the secondary measures: percentile bootstrap over twins.",
  headline: "coefficient-distance",
  direction: "lower",
  measures: [
    {
      id: "coefficient-distance",
      label: "Coefficient distance",
      description:
        "Bias-corrected Wald distance between the synthetic and human coefficient vectors: √(s·max(0, W − df)), W = (b_s − b_h)′(V_s + V_h)⁻¹(b_s − b_h), s = (1/n_h + 1/n_s)/df; the root mean square per coefficient of the difference in units of one respondent's standard deviation of the coefficient. Per analysis, and over analyses (their root mean square, the headline). 0: no difference beyond sampling noise. Interval by inverting W's non-central chi-square.",
      direction: "lower",
    },
    {
      id: "sign-f1",
      label: "Sign-recovery F1",
      description:
        "F1 of recovering each coefficient's sign (+, −, null at α = 0.05) with the human fit as the truth, per analysis and averaged over analyses (secondary since 0.5.0).",
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
      text: "Chow, G. C. (1960). Tests of equality between sets of coefficients in two linear regressions. Econometrica 28(3), 591–605.",
      url: "https://doi.org/10.2307/1910133",
    },
    {
      text: "Allison, P. D. (1999). Comparing logit and probit coefficients across groups. Sociological Methods & Research 28(2), 186–208.",
      url: "https://doi.org/10.1177/0049124199028002003",
    },
    {
      text: "Argyle, L. P., Busby, E. C., Fulda, N., Gubler, J. R., Rytting, C. & Wingate, D. (2023). Out of one, many: Using language models to simulate human samples. Political Analysis 31(3), 337–351.",
      url: "https://doi.org/10.1017/pan.2023.2",
    },
    {
      text: "Kent, J. T. & Hainsworth, T. J. (1995). Confidence intervals for the noncentral chi-squared distribution. Journal of Statistical Planning and Inference 46(2), 147–159.",
      url: "https://doi.org/10.1016/0378-3758(94)00102-2",
    },
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
