#!/usr/bin/python3
"""Reference values for @standin/stats' non-central chi-square CDF and its non-centrality intervals (scipy).

    /usr/bin/python3 packages/stats/test/golden/make_noncentral.py

writes noncentral.json next to itself. The intervals invert scipy.stats.ncx2.cdf with brentq, as
noncentralityInterval does with bisection.
"""

import json
import os

import scipy
from scipy import optimize, stats

HERE = os.path.dirname(os.path.abspath(__file__))

cdf_cases = []
for df in [1, 1.7, 4, 5, 12.5, 40]:
    for lam in [0, 0.3, 2, 9, 55, 400, 2500]:
        mean = df + lam
        sd = (2 * df + 4 * lam) ** 0.5
        for z in [-2.5, -1, 0, 1.2, 3]:
            x = mean + z * sd
            if x <= 0:
                continue
            cdf_cases.append({"x": x, "df": df, "lambda": lam, "cdf": float(stats.ncx2.cdf(x, df, lam) if lam > 0 else stats.chi2.cdf(x, df))})


def cdf(x, df, lam):
    return stats.chi2.cdf(x, df) if lam == 0 else stats.ncx2.cdf(x, df, lam)


def solve(x, df, target):
    if cdf(x, df, 0) <= target:
        return 0.0
    high = max(1.0, x)
    while cdf(x, df, high) > target:
        high *= 2
    return float(optimize.brentq(lambda lam: cdf(x, df, lam) - target, 0, high, xtol=1e-12, rtol=1e-12))


interval_cases = []
for df in [1, 4, 5, 9.3]:
    for x in [0.05, 1.5, 4, 9, 20, 80, 700]:
        for alpha in [0.05, 0.002]:
            interval_cases.append(
                {"x": x, "df": df, "alpha": alpha, "lower": solve(x, df, 1 - alpha / 2), "upper": solve(x, df, alpha / 2)}
            )

with open(os.path.join(HERE, "noncentral.json"), "w") as out:
    json.dump({"scipy": scipy.__version__, "cdf": cdf_cases, "intervals": interval_cases}, out, indent=1)
    out.write("\n")
