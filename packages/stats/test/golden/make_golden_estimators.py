#!/usr/bin/python3
"""Reference values for @standin/stats' probit, multinomial logit, ordered logit, HC covariances and causal
mediation, from statsmodels (and NumPy transcriptions where statsmodels has no equivalent, named below).

Run with the Debian interpreter (statsmodels 0.13, scipy 1.10, pandas 1.5, numpy 1.24):

    /usr/bin/python3 packages/stats/test/golden/make_golden_estimators.py

It writes estimators.json next to itself. Synthetic data sets are generated here with a fixed numpy seed and
written into the JSON so the TypeScript tests rebuild the same designs. The three staged studies are read from
$STANDIN_DATA_DIR (else ../shared/data beside the repository); only fitted values go into the JSON, never data.

Where statsmodels has no counterpart the values are NumPy transcriptions of the reference definitions:
- HC1-HC3 for GLMs: sandwich::vcovHC (R) - bread (X'WX)^-1 from the IRLS working weights, leverages from
  statsmodels' GLM hat matrix. (statsmodels' GLM/Probit/Logit accept cov_type HC1-HC3 but return HC0.)
- mediation: the quasi-Bayesian loop of mediation::mediate (R, v4.5), fed the same coefficient and residual
  draws that the TypeScript test feeds to mediationEffects.
"""

import json
import os
import sys

import numpy as np
import pandas as pd
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_golden import build_design, frame_json  # noqa: E402  (the same design conventions)

rng = np.random.default_rng(20261207)
PROBIT = sm.families.links.probit()
HC = ["HC0", "HC1", "HC2", "HC3"]


def floats(values):
    return [float(v) for v in np.asarray(values).ravel()]


def table(params, bse, names):
    return {name: {"estimate": float(params[i]), "se": float(bse[i])} for i, name in enumerate(names)}


def synthetic_frame(n):
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n) * 2 + 1
    group = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    flag = rng.choice(["yes", "no"], size=n)
    frame = pd.DataFrame({"x1": x1, "x2": x2, "group": group, "flag": flag})
    g = {"a": 0.0, "b": 0.5, "c": -0.7}
    eta = -0.2 + 0.7 * x1 - 0.3 * x2 + frame["group"].map(g) + 0.4 * (frame["flag"] == "yes")
    frame["eta"] = eta
    # heteroskedastic noise, so HC and classical SEs differ
    frame["ynum"] = eta + rng.normal(size=n) * (0.5 + np.abs(x1))
    frame["ybin"] = (rng.normal(size=n) < eta).astype(float)
    return frame


SPEC = {
    "variables": [
        {"id": "x1", "type": "numeric"},
        {"id": "x2", "type": "numeric"},
        {"id": "group", "type": "categorical", "levels": ["a", "b", "c"], "reference": "a"},
        {"id": "flag", "type": "indicator", "levels": ["yes"]},
    ],
    "interactions": [["x1", "flag"]],
}


def glm_sandwich(X, y, weights_working, scores, bread, hat, kind):
    """sandwich::vcovHC for a GLM: bread (X'WX)^-1, meat sum s_i^2 omega_i x_i x_i'."""
    n, k = X.shape
    omega = {"HC0": np.ones(n), "HC1": np.full(n, n / (n - k)), "HC2": 1 / (1 - hat), "HC3": 1 / (1 - hat) ** 2}[kind]
    meat = (X * (scores**2 * omega)[:, None]).T @ X
    return bread @ meat @ bread


def binary_cases():
    out = []
    for name, n in [("small", 90), ("medium", 700)]:
        frame = synthetic_frame(n)
        X = build_design(frame, SPEC)
        names = list(X.columns)
        Xa = X.to_numpy()
        y = frame["ybin"].to_numpy()
        probit = sm.Probit(y, X).fit(method="newton", tol=1e-12, maxiter=200, disp=0)
        probit_hc0 = sm.Probit(y, X).fit(method="newton", tol=1e-12, maxiter=200, disp=0, cov_type="HC0")
        glm = sm.GLM(y, X, family=sm.families.Binomial(link=PROBIT)).fit(tol=1e-13, maxiter=200)
        assert np.allclose(glm.params, probit.params, atol=1e-8)
        eta = Xa @ probit.params
        mu, phi = stats.norm.cdf(eta), stats.norm.pdf(eta)
        working = phi**2 / (mu * (1 - mu))
        scores = (y - mu) * phi / (mu * (1 - mu))
        bread = np.linalg.inv((Xa * working[:, None]).T @ Xa)
        hat = glm.get_hat_matrix_diag(observed=False)
        assert np.allclose(hat, working * np.einsum("ij,jk,ik->i", Xa, bread, Xa))
        probit_expected_hc = {kind: floats(np.sqrt(np.diag(glm_sandwich(Xa, y, working, scores, bread, hat, kind))))
                              for kind in HC}
        logit = sm.Logit(y, X).fit(method="newton", tol=1e-12, maxiter=200, disp=0)
        logit_hc0 = sm.Logit(y, X).fit(method="newton", tol=1e-12, maxiter=200, disp=0, cov_type="HC0")
        lmu = logit.predict(X)
        lmu = np.asarray(lmu)
        lw = lmu * (1 - lmu)
        lbread = np.linalg.inv((Xa * lw[:, None]).T @ Xa)
        lhat = lw * np.einsum("ij,jk,ik->i", Xa, lbread, Xa)
        logit_hc = {kind: floats(np.sqrt(np.diag(glm_sandwich(Xa, y, lw, y - lmu, lbread, lhat, kind)))) for kind in HC}
        assert np.allclose(logit_hc["HC0"], logit_hc0.bse, atol=1e-10)
        ols = {kind: sm.OLS(frame["ynum"].to_numpy(), X).fit(cov_type=kind, use_t=True) for kind in HC}
        out.append(
            {
                "name": name,
                "spec": SPEC,
                "frame": frame_json(frame.drop(columns=["eta"])),
                "columns": names,
                "probit": {
                    "coefficients": table(probit.params, probit.bse, names),
                    "z": floats(probit.tvalues),
                    "p": floats(probit.pvalues),
                    "logLikelihood": float(probit.llf),
                    "nullLogLikelihood": float(probit.llnull),
                    "pseudoR2": float(probit.prsquared),
                    "expectedSe": floats(glm.bse),
                    "observedHC0Se": floats(probit_hc0.bse),
                    "expectedHcSe": probit_expected_hc,
                },
                "logit": {"hcSe": logit_hc},
                "ols": {
                    kind: {
                        "se": floats(fit.bse),
                        "p": floats(fit.pvalues),
                        "lower": floats(fit.conf_int()[:, 0] if isinstance(fit.conf_int(), np.ndarray) else fit.conf_int().iloc[:, 0]),
                        "upper": floats(fit.conf_int()[:, 1] if isinstance(fit.conf_int(), np.ndarray) else fit.conf_int().iloc[:, 1]),
                        "covariance": floats(fit.cov_params()),
                    }
                    for kind, fit in ols.items()
                },
            }
        )
    return out


def multinomial_result(fit, names, categories, reference):
    others = [c for c in categories if c != reference]
    params = np.asarray(fit.params)
    bse = np.asarray(fit.bse)
    return {
        "categories": categories,
        "reference": reference,
        "equations": {
            category: table(params[:, e], bse[:, e], names) for e, category in enumerate(others)
        },
        "covariance": floats(fit.cov_params()),
        "logLikelihood": float(fit.llf),
        "nullLogLikelihood": float(fit.llnull),
        "deviance": float(-2 * fit.llf),
        "pseudoR2": float(fit.prsquared),
    }


def fit_mnlogit(labels, X, categories, reference, cov_type="nonrobust"):
    # statsmodels' MNLogit takes codes 0..K-1 with 0 the reference; equations follow the codes.
    order = [reference] + [c for c in categories if c != reference]
    codes = np.array([order.index(v) for v in labels])
    return sm.MNLogit(codes, X).fit(method="newton", tol=1e-12, maxiter=200, disp=0, cov_type=cov_type)


def multinomial_cases():
    out = []
    for name, n, categories, reference in [
        ("three", 300, ["Con", "Lab", "Lib"], "Con"),
        ("four-reference-last", 500, ["d", "a", "c", "b"], "b"),
    ]:
        frame = synthetic_frame(n)
        K = len(categories)
        slopes = rng.normal(scale=0.6, size=(K, 3))
        slopes[0] = 0
        linear = np.column_stack([frame["x1"], frame["x2"], frame["flag"] == "yes"]).astype(float)
        logits = linear @ slopes.T + rng.normal(scale=0.3, size=K)
        prob = np.exp(logits - logits.max(axis=1, keepdims=True))
        prob /= prob.sum(axis=1, keepdims=True)
        frame["choice"] = [categories[rng.choice(K, p=row)] for row in prob]
        spec = {"variables": SPEC["variables"], "interactions": []}
        X = build_design(frame, spec)
        fit = fit_mnlogit(frame["choice"], X, categories, reference)
        result = multinomial_result(fit, list(X.columns), categories, reference)
        result["hc0Covariance"] = floats(fit_mnlogit(frame["choice"], X, categories, reference, cov_type="HC0").cov_params())
        result["equations"] = dict(result["equations"])  # statsmodels equation order = level order without the reference
        out.append({"name": name, "spec": spec, "frame": frame_json(frame.drop(columns=["eta"])),
                    "columns": list(X.columns), **result})
    return out


def ordered_logit_covariances(X, codes, slopes, thresholds):
    """Classical and HC0 covariances of (slopes, thresholds) from the analytic score and Hessian of
    log(F(a) - F(b)), a = theta_y - x'beta, b = theta_{y-1} - x'beta, F logistic."""
    n, p = X.shape
    T = len(thresholds)
    eta = X @ slopes
    upper = np.where(codes < T, np.append(thresholds, np.inf)[codes] - eta, np.inf)
    lower = np.where(codes > 0, np.insert(thresholds, 0, -np.inf)[codes] - eta, -np.inf)
    Fa, Fb = stats.logistic.cdf(upper), stats.logistic.cdf(lower)
    fa, fb = Fa * (1 - Fa), Fb * (1 - Fb)
    P = Fa - Fb
    la, lb = fa / P, -fb / P
    laa = fa * (1 - 2 * Fa) / P - la**2
    lbb = -fb * (1 - 2 * Fb) / P - lb**2
    lab = -la * lb
    U = np.zeros((n, p + T))
    V = np.zeros((n, p + T))
    U[:, :p] = -X
    V[:, :p] = -X
    rows = np.arange(n)
    U[rows[codes < T], p + codes[codes < T]] = 1
    V[rows[codes > 0], p + codes[codes > 0] - 1] = 1
    hessian = (U * laa[:, None]).T @ U + (V * lbb[:, None]).T @ V + (U * lab[:, None]).T @ V + (V * lab[:, None]).T @ U
    covariance = np.linalg.inv(-hessian)
    scores = la[:, None] * U + lb[:, None] * V
    return covariance, covariance @ (scores.T @ scores) @ covariance


def ordered_cases():
    out = []
    for name, n, levels in [("four", 400, ["low", "mid", "high", "top"]), ("numeric-five", 800, [1, 2, 3, 4, 5])]:
        frame = synthetic_frame(n)
        latent = 0.8 * frame["x1"] - 0.4 * frame["x2"] + 0.5 * (frame["group"] == "b") + rng.logistic(size=n)
        cuts = np.quantile(latent, np.linspace(0, 1, len(levels) + 1)[1:-1]) + rng.normal(scale=0.1, size=len(levels) - 1)
        codes = np.digitize(latent, np.sort(cuts))
        frame["rating"] = [levels[c] for c in codes]
        spec = {"variables": SPEC["variables"], "interactions": [], "intercept": False}
        X = build_design(frame, spec).drop(columns=["(Intercept)"])
        model = OrderedModel(codes, X, distr="logit")
        fit = model.fit(method="newton", tol=1e-12, maxiter=500, disp=0)
        assert fit.mle_retvals["converged"]
        params = np.asarray(fit.params)
        p = X.shape[1]
        raw = params[p:]
        thresholds = np.concatenate([[raw[0]], raw[0] + np.cumsum(np.exp(raw[1:]))])
        # statsmodels' SEs come from a finite-difference Hessian (and, for HC0, finite-difference scores), good to
        # about 1e-6. The golden SEs use the analytic Hessian and scores at statsmodels' estimates, in the natural
        # threshold parameterisation; the script checks them against statsmodels' numerical ones.
        covariance, hc0 = ordered_logit_covariances(X.to_numpy(), codes, params[:p], thresholds)
        T = len(raw)
        jacobian = np.zeros((p + T, p + T))
        jacobian[:p, :p] = np.eye(p)
        for t in range(T):
            jacobian[p + t, p] = 1.0
            for u in range(1, t + 1):
                jacobian[p + t, p + u] = np.exp(raw[u])
        numerical = jacobian @ np.asarray(fit.cov_params()) @ jacobian.T
        assert np.allclose(np.sqrt(np.diag(covariance)), np.sqrt(np.diag(numerical)), atol=5e-6)
        robust = model.fit(method="newton", tol=1e-12, maxiter=500, disp=0, cov_type="HC0")
        numerical_hc0 = jacobian @ np.asarray(robust.cov_params()) @ jacobian.T
        assert np.allclose(np.sqrt(np.diag(hc0)), np.sqrt(np.diag(numerical_hc0)), atol=5e-6)
        labels = [str(level) for level in levels]
        counts = np.bincount(codes, minlength=len(levels))
        out.append(
            {
                "name": name,
                "spec": spec,
                "frame": frame_json(frame.drop(columns=["eta"])),
                "levels": labels,
                "columns": list(X.columns),
                "coefficients": table(params[:p], np.sqrt(np.diag(covariance))[:p], list(X.columns)),
                "thresholds": [{"name": f"{labels[t]}|{labels[t + 1]}", "estimate": float(thresholds[t]),
                                "se": float(np.sqrt(covariance[p + t, p + t]))} for t in range(T)],
                "hc0Se": floats(np.sqrt(np.diag(hc0))),
                "statsmodelsParams": floats(params),
                "statsmodelsSe": floats(fit.bse),
                "logLikelihood": float(fit.llf),
                "nullLogLikelihood": float(np.sum(counts * np.log(counts / n))),
            }
        )
    return out


# ---------------------------------------------------------------- mediation (mediation::mediate, quasi-Bayesian)


def mediate_from_draws(Xm1, Xm0, Xy, mediator_index, treat_index, model, alpha_draws, beta_draws, errors, level):
    """A transcription of mediate()'s simulation loop for a linear mediator and a GLM/linear outcome (no weights)."""
    inverse = {"probit": stats.norm.cdf, "logit": lambda e: 1 / (1 + np.exp(-e)), "ols": lambda e: e}[model]
    PredictM1 = alpha_draws @ Xm1.T + errors  # sims x n
    PredictM0 = alpha_draws @ Xm0.T + errors
    effects = []
    for tt in ([1, 1, 1, 0], [0, 0, 1, 0], [1, 0, 1, 1], [1, 0, 0, 0]):
        diff = np.empty_like(PredictM1)
        for j in range(alpha_draws.shape[0]):
            Mt = PredictM1[j] * tt[2] + PredictM0[j] * (1 - tt[2])
            Mc = PredictM1[j] * tt[3] + PredictM0[j] * (1 - tt[3])
            Xt = Xy.copy()
            Xc = Xy.copy()
            Xt[:, treat_index] = tt[0]
            Xc[:, treat_index] = tt[1]
            Xt[:, mediator_index] = Mt
            Xc[:, mediator_index] = Mc
            diff[j] = inverse(Xt @ beta_draws[j]) - inverse(Xc @ beta_draws[j])
        effects.append(diff.mean(axis=1))
    delta1, delta0, zeta1, zeta0 = effects
    tau = (zeta1 + delta0 + zeta0 + delta1) / 2
    nu0, nu1 = delta0 / tau, delta1 / tau
    low, high = (1 - level) / 2, (1 + level) / 2

    def summary(draws, estimate):
        p = 1.0 if estimate == 0 else min(1.0, 2 * min((draws > 0).sum(), (draws < 0).sum()) / len(draws))
        return {"estimate": float(estimate), "lower": float(np.quantile(draws, low)),
                "upper": float(np.quantile(draws, high)), "p": float(p)}

    d_avg, z_avg, n_avg = (delta0 + delta1) / 2, (zeta0 + zeta1) / 2, (nu0 + nu1) / 2
    return {
        "acmeControl": summary(delta0, delta0.mean()), "acmeTreated": summary(delta1, delta1.mean()),
        "adeControl": summary(zeta0, zeta0.mean()), "adeTreated": summary(zeta1, zeta1.mean()),
        "total": summary(tau, tau.mean()),
        "proportionControl": summary(nu0, np.median(nu0)), "proportionTreated": summary(nu1, np.median(nu1)),
        "acmeAverage": summary(d_avg, d_avg.mean()), "adeAverage": summary(z_avg, z_avg.mean()),
        "proportionAverage": summary(n_avg, (np.median(nu0) + np.median(nu1)) / 2),
    }


def mediation_cases():
    out = []
    for name, n, sims, model in [("probit", 60, 40, "probit"), ("logit", 50, 30, "logit"), ("linear", 40, 25, "ols")]:
        age = rng.normal(40, 12, size=n).round()
        group = rng.choice(["a", "b", "c"], size=n)
        treat = rng.integers(0, 2, size=n).astype(float)
        m = 1 + 0.8 * treat + 0.02 * age + rng.normal(size=n)
        eta = -1 + 0.5 * m + 0.2 * treat - 0.01 * age
        y = (rng.normal(size=n) < eta).astype(float) if model != "ols" else eta + rng.normal(size=n)
        frame = pd.DataFrame({"treat": treat, "m": m, "age": age, "group": group, "y": y})
        mediator_spec = {"variables": [{"id": "treat", "type": "numeric"}, {"id": "age", "type": "numeric"},
                                       {"id": "group", "type": "categorical", "levels": ["a", "b", "c"], "reference": "a"}]}
        outcome_spec = {"variables": [{"id": "m", "type": "numeric"}, {"id": "treat", "type": "numeric"},
                                      {"id": "age", "type": "numeric"}]}
        Xm = build_design(frame, mediator_spec)
        Xy = build_design(frame, outcome_spec)
        Xm1, Xm0 = Xm.to_numpy().copy(), Xm.to_numpy().copy()
        Xm1[:, 1], Xm0[:, 1] = 1, 0
        med = sm.OLS(m, Xm).fit()
        if model == "probit":
            out_fit = sm.GLM(y, Xy, family=sm.families.Binomial(link=PROBIT)).fit(tol=1e-13)
        elif model == "logit":
            out_fit = sm.GLM(y, Xy, family=sm.families.Binomial()).fit(tol=1e-13)
        else:
            out_fit = sm.OLS(y, Xy).fit()
        alpha_draws = rng.multivariate_normal(med.params, med.cov_params(), size=sims)
        beta_draws = rng.multivariate_normal(out_fit.params, out_fit.cov_params(), size=sims)
        errors = rng.normal(scale=np.sqrt(med.scale), size=(sims, n))
        effects = mediate_from_draws(Xm1, Xm0, Xy.to_numpy(), 1, 2, model, alpha_draws, beta_draws, errors, 0.95)
        out.append({"name": name, "model": model, "frame": frame_json(frame), "mediatorSpec": mediator_spec,
                    "outcomeSpec": outcome_spec, "sims": sims, "mediatorDraws": floats(alpha_draws),
                    "outcomeDraws": floats(beta_draws), "errors": floats(errors), "effects": effects,
                    "mediatorCoefficients": floats(med.params), "outcomeCoefficients": floats(out_fit.params)})
    return out


# ---------------------------------------------------------------- the staged studies


def anes(data_dir):
    path = os.path.join(data_dir, "anes1996-vote", "anes96.csv")
    frame = pd.read_csv(path, sep="\t")
    frame.columns = [c.strip("'") for c in frame.columns]
    # Faraway ch. 7: income bands -> midpoints in $1000s (band 24, "$105,000 and over", is taken as 115).
    midpoints = [1.5, 4, 6, 8, 9.5, 10.5, 11.5, 12.5, 13.5, 14.5, 16, 18.5, 21, 23.5, 27.5, 32.5, 37.5, 42.5, 47.5,
                 55, 67.5, 82.5, 97.5, 115]
    frame["nincome"] = frame["income"].astype(int).map(lambda band: midpoints[band - 1])
    frame["sPID"] = pd.cut(frame["PID"], [-0.5, 1.5, 4.5, 6.5], labels=["Democrat", "Independent", "Republican"]).astype(str)
    frame["educ"] = frame["educ"].astype(int).astype(str)
    categories = ["Democrat", "Independent", "Republican"]
    small_spec = {"variables": [{"id": "nincome", "type": "numeric"}]}
    full_spec = {"variables": [{"id": "age", "type": "numeric"},
                               {"id": "educ", "type": "categorical", "levels": [str(e) for e in range(1, 8)], "reference": "1"},
                               {"id": "nincome", "type": "numeric"}]}
    results = {}
    for key, spec in [("income", small_spec), ("full", full_spec)]:
        X = build_design(frame, spec)
        fit = fit_mnlogit(frame["sPID"], X, categories, "Democrat")
        results[key] = {"columns": list(X.columns), **multinomial_result(fit, list(X.columns), categories, "Democrat")}
    results["n"] = int(len(frame))
    return results


def beps(data_dir):
    frame = pd.read_csv(os.path.join(data_dir, "beps-uk-vote", "Rdatasets-BEPS.csv"))
    spec = {"variables": [{"id": "age", "type": "numeric"},
                          {"id": "gender", "type": "categorical", "levels": ["female", "male"], "reference": "female"},
                          {"id": "economic.cond.national", "type": "numeric"},
                          {"id": "economic.cond.household", "type": "numeric"},
                          {"id": "Blair", "type": "numeric"}, {"id": "Hague", "type": "numeric"},
                          {"id": "Kennedy", "type": "numeric"}, {"id": "Europe", "type": "numeric"},
                          {"id": "political.knowledge", "type": "numeric"}],
            "interactions": [["Europe", "political.knowledge"]]}
    X = build_design(frame, spec)
    categories = ["Conservative", "Labour", "Liberal Democrat"]
    fit = fit_mnlogit(frame["vote"], X, categories, "Conservative")
    return {"n": int(len(frame)), "columns": list(X.columns), **multinomial_result(fit, list(X.columns), categories, "Conservative")}


# R's own coding of the framing factors: levels "not asked", "refused", then the observed ones, so lm/glm alias the
# last observed level: the effective references are "bachelor's degree or higher" and "female".
FRAMING_EDUC = ["less than high school", "high school", "some college", "bachelor's degree or higher"]
FRAMING_MEDIATOR_SPEC = {"variables": [
    {"id": "treat", "type": "numeric"}, {"id": "age", "type": "numeric"},
    {"id": "educ", "type": "categorical", "levels": FRAMING_EDUC, "reference": "bachelor's degree or higher"},
    {"id": "gender", "type": "categorical", "levels": ["male", "female"], "reference": "female"},
    {"id": "income", "type": "numeric"}]}
FRAMING_OUTCOME_SPEC = {"variables": [{"id": "emo", "type": "numeric"}] + FRAMING_MEDIATOR_SPEC["variables"]}


def framing(data_dir):
    frame = pd.read_csv(os.path.join(data_dir, "brader2008-immigration-framing", "Rdatasets-framing.csv"))
    Xm = build_design(frame, FRAMING_MEDIATOR_SPEC)
    Xy = build_design(frame, FRAMING_OUTCOME_SPEC)
    med = sm.OLS(frame["emo"].to_numpy(float), Xm).fit()
    y = frame["cong_mesg"].to_numpy(float)
    probit = sm.Probit(y, Xy).fit(method="newton", tol=1e-12, maxiter=200, disp=0)
    glm = sm.GLM(y, Xy, family=sm.families.Binomial(link=PROBIT)).fit(tol=1e-13)
    Xa = Xy.to_numpy()
    eta = Xa @ glm.params
    mu, phi = stats.norm.cdf(eta), stats.norm.pdf(eta)
    working = phi**2 / (mu * (1 - mu))
    bread = np.linalg.inv((Xa * working[:, None]).T @ Xa)
    hc3 = glm_sandwich(Xa, y, working, (y - mu) * phi / (mu * (1 - mu)), bread, glm.get_hat_matrix_diag(observed=False), "HC3")
    med_hc3 = sm.OLS(frame["emo"].to_numpy(float), Xm).fit(cov_type="HC3")
    # The quasi-Bayesian simulation, 5,000 draws with numpy's generator: a reference within simulation error only.
    sims = 5000
    sim_rng = np.random.default_rng(2014)
    alpha_draws = sim_rng.multivariate_normal(med.params, med_hc3.cov_params(), size=sims)
    beta_draws = sim_rng.multivariate_normal(glm.params, hc3, size=sims)
    errors = sim_rng.normal(scale=np.sqrt(med.scale), size=(sims, len(frame)))
    Xm1, Xm0 = Xm.to_numpy().copy(), Xm.to_numpy().copy()
    Xm1[:, 1], Xm0[:, 1] = 1, 0
    effects = mediate_from_draws(Xm1, Xm0, Xa, 1, 2, "probit", alpha_draws, beta_draws, errors, 0.95)
    return {
        "n": int(len(frame)),
        "mediatorSpec": FRAMING_MEDIATOR_SPEC,
        "outcomeSpec": FRAMING_OUTCOME_SPEC,
        "mediator": {"columns": list(Xm.columns), "coefficients": table(med.params, med.bse, list(Xm.columns)),
                     "hc3Se": floats(med_hc3.bse), "sigma": float(np.sqrt(med.scale))},
        "outcome": {"columns": list(Xy.columns), "coefficients": table(probit.params, probit.bse, list(Xy.columns)),
                    "expectedSe": floats(glm.bse), "expectedHC3Se": floats(np.sqrt(np.diag(hc3))),
                    "logLikelihood": float(probit.llf)},
        "numpyMediation5000": effects,
    }


def normal_cases():
    from scipy import special
    x = np.array([-40.0, -38.5, -30.0, -20.0, -10.0, -8.3, -5.0, -2.0, -1.0, -0.3, 0.0, 0.4, 1.5, 3.0, 6.0, 9.0, 12.0])
    z = np.array([0.0, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 100.0])
    return {
        "x": floats(x),
        "cdf": floats(stats.norm.cdf(x)),
        "logCdf": floats(stats.norm.logcdf(x)),
        "hazardRatio": floats(np.exp(stats.norm.logpdf(x) - stats.norm.logcdf(x))),
        "twoSidedP": floats(2 * stats.norm.sf(np.abs(x))),
        "z": floats(z),
        "erfcx": floats(special.erfcx(z)),
    }


def main():
    data_dir = os.environ.get("STANDIN_DATA_DIR", os.path.join(HERE, "..", "..", "..", "..", "..", "shared", "data"))
    golden = {
        "generator": {
            "script": "packages/stats/test/golden/make_golden_estimators.py",
            "numpy": np.__version__, "scipy": scipy.__version__, "statsmodels": statsmodels.__version__,
            "pandas": pd.__version__,
        },
        "normal": normal_cases(),
        "binary": binary_cases(),
        "multinomial": multinomial_cases(),
        "ordered": ordered_cases(),
        "mediation": mediation_cases(),
        "anes": anes(data_dir),
        "beps": beps(data_dir),
        "framing": framing(data_dir),
    }
    with open(os.path.join(HERE, "estimators.json"), "w") as handle:
        json.dump(golden, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    main()
