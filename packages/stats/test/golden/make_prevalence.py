#!/usr/bin/python3
"""Golden values for @standin/stats' prevalence estimators (src/prevalence.ts), computed with NumPy straight from
the published formulas (no randomised-response library is used: the formulas are the reference).

    /usr/bin/python3 packages/stats/test/golden/make_prevalence.py

writes prevalence.json next to itself. The answers are drawn here with a fixed seed and written into the JSON.

- Warner (1965), eq. 5: pi = (lambda - (1 - p)) / (2p - 1); variance eq. 6, pi(1-pi)/n + p(1-p)/(n(2p-1)^2)
  = lambda(1-lambda)/(n(2p-1)^2), estimated unbiasedly by lambda_hat(1-lambda_hat)/((n-1)(2p-1)^2).
- Forced response (Boruch 1971; Blair, Imai & Zhou 2015, sec. 2.2): lambda = p1 + (1 - p0 - p1) pi, so
  pi = (lambda - p1) / (1 - p0 - p1), variance lambda_hat(1-lambda_hat)/((n-1)(1-p0-p1)^2).
- Crosswise (Yu, Tian & Tang 2008), eq. 2.1: pi = (lambda + p - 1) / (2p - 1); variance (unbiased estimate)
  lambda_hat(1-lambda_hat)/((n-1)(2p-1)^2).
- List experiment (Blair & Imai 2012), eq. 2: tau = mean(Y | T=1) - mean(Y | T=0); variance
  s1^2/n1 + s0^2/n0 (sample variances with ddof = 1).
The equation numbers were cited without the papers' PDFs at hand (offline); the formulas are the standard ones, and
the randomised-response SEs are cross-checked in packages/cli/test/elicitation-designs.e2e.test.ts against the SE of
an intercept-only OLS on the corrected variable, which they equal. Where a paper prints the plug-in variance with n
instead of n - 1, the SE here is larger by sqrt(n / (n - 1)).
Weighted cases treat the weights as frequency weights (n = their sum), as a bootstrap resample does.
Intervals: estimate -/+ z_{0.975} se; p: two-sided normal test of pi = 0.
"""

import json
import os

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261208)
Z = stats.norm.ppf(0.975)


def summary(estimate, se):
    z = estimate / se
    return {
        "estimate": estimate,
        "se": se,
        "statistic": z,
        "pValue": 2 * stats.norm.sf(abs(z)),
        "lower": estimate - Z * se,
        "upper": estimate + Z * se,
    }


def share(answers, weights):
    w = np.ones(len(answers)) if weights is None else np.asarray(weights, dtype=float)
    y = np.asarray(answers, dtype=float)
    n = w.sum()
    return (w * y).sum() / n, n


def randomised(answers, weights, intercept, slope):
    lam, n = share(answers, weights)
    se = np.sqrt(lam * (1 - lam) / (n - 1)) / abs(slope)
    return {**summary((lam - intercept) / slope, se), "observed": lam, "n": n}


def answers_for(n, truth, outcomes):
    """Answers of n respondents whose true prevalence is `truth`, given the design's answer rule."""
    out = []
    for _ in range(n):
        sensitive = rng.random() < truth
        out.append(int(outcomes(sensitive)))
    return out


cases = []
for weighted in (False, True):
    n = 240
    weights = rng.poisson(1.0, n).tolist() if weighted else None

    p = 0.7
    warner = answers_for(n, 0.3, lambda s: s if rng.random() < p else not s)
    cases.append({"design": "warner", "p": p, "answers": warner, "weights": weights,
                  **randomised(warner, weights, 1 - p, 2 * p - 1)})

    p1, p0 = 1 / 6, 1 / 6

    def forced(s):
        u = rng.random()
        return True if u < p1 else False if u < p1 + p0 else s

    answers = answers_for(n, 0.25, forced)
    cases.append({"design": "forced", "pYes": p1, "pNo": p0, "answers": answers, "weights": weights,
                  **randomised(answers, weights, p1, 1 - p1 - p0)})

    p = 0.25
    crosswise = answers_for(n, 0.2, lambda s: s == (rng.random() < p))
    cases.append({"design": "crosswise", "p": p, "answers": crosswise, "weights": weights,
                  **randomised(crosswise, weights, 1 - p, 2 * p - 1)})

    treatment = [int(rng.binomial(3, 0.5) + (rng.random() < 0.35)) for _ in range(130)]
    control = [int(rng.binomial(3, 0.5)) for _ in range(110)]
    tw = rng.poisson(1.0, 130).tolist() if weighted else None
    cw = rng.poisson(1.0, 110).tolist() if weighted else None

    def moments(values, w):
        w = np.ones(len(values)) if w is None else np.asarray(w, dtype=float)
        y = np.asarray(values, dtype=float)
        n = w.sum()
        mean = (w * y).sum() / n
        return mean, (w * (y - mean) ** 2).sum() / (n - 1), n

    m1, v1, n1 = moments(treatment, tw)
    m0, v0, n0 = moments(control, cw)
    cases.append({"design": "list", "treatment": treatment, "control": control,
                  "treatmentWeights": tw, "controlWeights": cw,
                  **summary(m1 - m0, np.sqrt(v1 / n1 + v0 / n0)), "observed": m1, "controlMean": m0,
                  "n": n1 + n0})

with open(os.path.join(HERE, "prevalence.json"), "w") as f:
    json.dump({"generator": "make_prevalence.py", "numpy": np.__version__, "cases": cases}, f, indent=1)
    f.write("\n")
