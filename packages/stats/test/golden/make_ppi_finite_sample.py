#!/usr/bin/python3
"""Reference values for the finite-sample variant of @standin/stats' PPI means and arm differences, the variant
the engine uses by default: a NumPy transcription of its definition (independent of the TypeScript), with
Student t quantiles from scipy.stats.t and the textbook t interval from scipy.stats.t.interval.

Definition (see packages/stats/src/ppi.ts):
- λ for a set of labelled pairs (y, ŷ) and unlabelled ŷ_u: cov0(y, ŷ) / ((1 + m/N) · var1(ŷ pooled with ŷ_u)),
  clipped to [0, 1] (ppi_py's PPI++ λ for a mean);
- cross-fitting: unit i lies in fold i mod K, K = min(10, n); unit i's λᵢ is the λ of the other folds' pairs
  with every unlabelled ŷ; λ̄ = mean(λᵢ);
- θ̂ = λ̄·mean(ŷ_u) + mean(y − λᵢŷ), se² = λ̄²·var1(ŷ_u)/N + var1(y − λᵢŷ)/n, interval θ̂ ± t(n−1)·se;
  when the humans-alone se √(var1(y)/n) is no larger, PPI++ returns the humans-alone t interval (λ = 0);
- a fixed λ (PPI: λ = 1) is the same formula with λᵢ = λ;
- a difference between arms: estimates subtract, variances add, Welch–Satterthwaite degrees of freedom.

Run: python3 packages/stats/test/golden/make_ppi_finite_sample.py  (writes ppi-finite-sample.json here)
"""

import json
import os

import numpy as np
from scipy import stats

ALPHA = 0.05


def lam(y, yh, yu):
    m, N = len(y), len(yu)
    pooled = np.concatenate([yh, yu])
    den = (1 + m / N) * np.var(pooled, ddof=1)
    if not den > 0:
        return 0.0
    c = np.mean((y - y.mean()) * (yh - yh.mean()))
    return float(np.clip(c / den, 0, 1))


def ppi_mean(y, yh, yu, fixed=None):
    n, N = len(y), len(yu)
    if fixed is None:
        K = min(10, n)
        fold = np.arange(n) % K
        per_fold = [lam(y[fold != k], yh[fold != k], yu) for k in range(K)]
        lams = np.array([per_fold[f] for f in fold])
    else:
        lams = np.full(n, float(fixed))
    lbar = lams.mean()
    rect = y - lams * yh
    est = lbar * yu.mean() + rect.mean()
    se = np.sqrt(lbar**2 * np.var(yu, ddof=1) / N + np.var(rect, ddof=1) / n)
    if fixed is None:
        humans = np.sqrt(np.var(y, ddof=1) / n)
        if humans <= se:
            lbar, est, se = 0.0, y.mean(), humans
    q = stats.t.ppf(1 - ALPHA / 2, n - 1)
    return {"lambda": float(lbar), "estimate": float(est), "se": float(se), "df": n - 1,
            "lower": float(est - q * se), "upper": float(est + q * se)}


def difference(t, c):
    est = t["estimate"] - c["estimate"]
    v = t["se"] ** 2 + c["se"] ** 2
    df = v**2 / (t["se"] ** 4 / t["df"] + c["se"] ** 4 / c["df"])
    q = stats.t.ppf(1 - ALPHA / 2, df)
    se = np.sqrt(v)
    return {"estimate": float(est), "se": float(se), "df": float(df),
            "lower": float(est - q * se), "upper": float(est + q * se)}


def classical(y):
    n = len(y)
    lo, hi = stats.t.interval(1 - ALPHA, n - 1, loc=y.mean(), scale=stats.sem(y))
    return {"estimate": float(y.mean()), "se": float(stats.sem(y)), "lower": float(lo), "upper": float(hi)}


def arm(rng, n, N, p, kind):
    y = (rng.random(n) < p).astype(float)
    yu_true = (rng.random(N) < p).astype(float)

    def twin(v):
        if kind == "good":
            return np.where(rng.random(len(v)) < 0.8, v, (rng.random(len(v)) < p).astype(float))
        if kind == "useless":
            return (rng.random(len(v)) < 0.5).astype(float)
        # "score": a continuous prediction (a 1-7 scale read off a distribution)
        return np.clip(1 + 6 * v * 0.7 + rng.normal(1.5, 1.0, len(v)), 1, 7)

    return y if kind != "score" else 1 + 6 * y * 0.7 + rng.normal(1.5, 1.2, n), twin(y), twin(yu_true)


rng = np.random.default_rng(20231101)
cases = {}
for kind, n_t, n_c, N in [("good", 23, 27, 300), ("useless", 30, 20, 400), ("score", 12, 15, 200)]:
    yt, yht, yut = arm(rng, n_t, N, 0.45, kind)
    yc, yhc, yuc = arm(rng, n_c, N, 0.6, kind)
    tt, cc = ppi_mean(yt, yht, yut), ppi_mean(yc, yhc, yuc)
    t1, c1 = ppi_mean(yt, yht, yut, 1), ppi_mean(yc, yhc, yuc, 1)
    cases[kind] = {
        "treatment": {"y": yt.tolist(), "yhat": yht.tolist(), "yhatUnlabelled": yut.tolist()},
        "control": {"y": yc.tolist(), "yhat": yhc.tolist(), "yhatUnlabelled": yuc.tolist()},
        "mean/ppi++": cc,
        "mean/ppi": c1,
        "mean/classical": classical(yc),
        "difference/ppi++": difference(tt, cc),
        "difference/ppi": difference(t1, c1),
        "difference/classical": difference(
            {**classical(yt), "df": n_t - 1}, {**classical(yc), "df": n_c - 1}),
    }

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ppi-finite-sample.json")
with open(out, "w") as f:
    json.dump({"generator": "make_ppi_finite_sample.py", "numpy": np.__version__,
               "scipy": __import__("scipy").__version__, "alpha": ALPHA, "cases": cases}, f, indent=1)
print("wrote", out)
