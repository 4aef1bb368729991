#!/usr/bin/python3
"""Reference values for @standin/stats, from scipy and statsmodels.

Run from anywhere with the Debian interpreter (statsmodels 0.13, scipy 1.10, pandas 1.5, numpy 1.24):

    /usr/bin/python3 packages/stats/test/golden/make_golden.py [path/to/survey-experiment-data.csv]

It writes golden.json next to itself. Every synthetic data set is generated here with a fixed numpy seed
and written into the JSON, so the TypeScript tests rebuild the same designs. The Berke model is fitted from
the study's CSV (default: $STANDIN_DATA_DIR, else ../shared/data beside the repository,
/berke-fingerprint-consent/survey-experiment-data.csv); only its
coefficients go into the JSON, never the data.
"""

import json
import os
import sys
import warnings

import numpy as np
import pandas as pd
import scipy
import statsmodels
import statsmodels.api as sm
from scipy import stats
from scipy.spatial.distance import jensenshannon
from statsmodels.stats.multitest import multipletests

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261127)


def floats(values):
    return [float(v) for v in values]


# ---------------------------------------------------------------- divergences


def divergence_cases():
    cases = []
    for k in [2, 3, 5, 5, 7, 11]:
        p = rng.dirichlet(np.ones(k))
        q = rng.dirichlet(np.ones(k) * 0.7)
        cases.append((p, q))
    # zeros on one side, disjoint supports, identical inputs, counts rather than probabilities
    cases.append((np.array([0.5, 0.5, 0.0, 0.0]), np.array([0.0, 0.25, 0.25, 0.5])))
    cases.append((np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])))
    cases.append((np.array([0.2, 0.3, 0.5]), np.array([0.2, 0.3, 0.5])))
    cases.append((np.array([12.0, 30.0, 7.0, 1.0, 0.0]), np.array([3.0, 10.0, 20.0, 9.0, 8.0])))
    out = []
    for p, q in cases:
        pn, qn = p / p.sum(), q / q.sum()
        k = len(p)
        support = np.arange(k, dtype=float)
        distance = float(jensenshannon(pn, qn, base=2))
        w1 = float(stats.wasserstein_distance(support, support, pn, qn))
        out.append(
            {
                "p": floats(p),
                "q": floats(q),
                "jsDistance": distance,
                "jsDivergence": distance**2,
                "totalVariation": float(0.5 * np.abs(pn - qn).sum()),
                "wasserstein1": w1,
                "wasserstein1Normalised": w1 / (k - 1),
                "entropyP": float(stats.entropy(pn, base=2)),
                "entropyQ": float(stats.entropy(qn, base=2)),
            }
        )
    return out


# ---------------------------------------------------------------- correlations


def correlation_cases():
    out = []
    for n, ties in [(30, False), (57, True), (200, True)]:
        x = rng.normal(size=n)
        y = 0.6 * x + rng.normal(size=n)
        if ties:
            x = np.round(x * 2) / 2
            y = np.round(y)
        out.append(
            {
                "x": floats(x),
                "y": floats(y),
                "pearson": float(stats.pearsonr(x, y)[0]),
                "spearman": float(stats.spearmanr(x, y)[0]),
            }
        )
    return out


def table_cases():
    out = []
    for table in [[[30, 12], [9, 41]], [[120, 80], [95, 105]], [[0, 14], [9, 21]], [[7, 3], [2, 0]]]:
        t = np.array(table, dtype=float)
        corrected = bool((t == 0).any())
        # Haldane–Anscombe: with a zero cell, 0.5 is added to every cell. (statsmodels' shift_zeros replaces
        # only the zero cells, in place, so it is given a shifted copy instead.)
        tab = sm.stats.Table2x2(t + 0.5 if corrected else t.copy(), shift_zeros=False)
        # phi from the raw table: the Pearson correlation of the two indicators
        a, b, c, d = t.ravel()
        x = np.concatenate([np.ones(int(a + b)), np.zeros(int(c + d))])
        y = np.concatenate([np.ones(int(a)), np.zeros(int(b)), np.ones(int(c)), np.zeros(int(d))])
        out.append(
            {
                "table": table,
                "phi": float(np.corrcoef(x, y)[0, 1]),
                "logOddsRatio": float(tab.log_oddsratio),
                "logOddsRatioSe": float(tab.log_oddsratio_se),
                "corrected": corrected,
            }
        )
    return out


def holm_cases():
    out = []
    for pvalues in [
        [0.01, 0.04, 0.03, 0.005, 0.2],
        list(rng.uniform(0, 0.1, size=12)),
        [0.5, 0.5, 0.001, 1.0],
    ]:
        adjusted = multipletests(pvalues, method="holm")[1]
        out.append({"p": floats(pvalues), "adjusted": floats(adjusted)})
    return out


# ---------------------------------------------------------------- regressions
#
# A design spec in the JSON mirrors @standin/stats' DesignSpec: variables coded as numeric, indicator or
# categorical (reference and level order), interactions as pairs of variable ids. The design matrix is built
# here by hand with the same column names, so the test checks the TypeScript design builder as well as the fit.


def build_design(frame, spec):
    columns = {"(Intercept)": np.ones(len(frame))}
    blocks = {}
    for variable in spec["variables"]:
        vid, column = variable["id"], variable.get("column", variable["id"])
        values = frame[column]
        if variable["type"] == "numeric":
            blocks[vid] = {vid: values.astype(float).to_numpy()}
        elif variable["type"] == "indicator":
            blocks[vid] = {vid: values.isin(variable["levels"]).astype(float).to_numpy()}
        else:
            blocks[vid] = {
                f"{vid}[{level}]": (values == level).astype(float).to_numpy()
                for level in variable["levels"]
                if level != variable["reference"]
            }
        columns.update(blocks[vid])
    for a, b in spec.get("interactions", []):
        for name_a, col_a in blocks[a].items():
            for name_b, col_b in blocks[b].items():
                columns[f"{name_a}:{name_b}"] = col_a * col_b
    return pd.DataFrame(columns)


def result_table(result, names, alpha=0.05):
    ci = np.asarray(result.conf_int(alpha=alpha))
    return {
        name: {
            "estimate": float(result.params[i]),
            "se": float(result.bse[i]),
            "statistic": float(result.tvalues[i]),
            "p": float(result.pvalues[i]),
            "lower": float(ci[i, 0]),
            "upper": float(ci[i, 1]),
        }
        for i, name in enumerate(names)
    }


def frame_json(frame):
    return {column: [v if isinstance(v, str) else float(v) for v in frame[column]] for column in frame.columns}


def regression_frame(n, separation=None):
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n) * 2 + 1
    group = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    flag = rng.choice(["yes", "no"], size=n)
    frame = pd.DataFrame({"x1": x1, "x2": x2, "group": group, "flag": flag})
    g = {"a": 0.0, "b": 0.5, "c": -0.7}
    eta = -0.3 + 0.8 * x1 - 0.25 * x2 + frame["group"].map(g) + 0.4 * (frame["flag"] == "yes") + 0.3 * x1 * (
        frame["group"] == "b"
    )
    frame["ynum"] = eta + rng.normal(size=n) * 1.5
    frame["ybin"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    return frame


BASE_SPEC = {
    "variables": [
        {"id": "x1", "type": "numeric"},
        {"id": "x2", "type": "numeric"},
        {"id": "group", "type": "categorical", "levels": ["a", "b", "c"], "reference": "a"},
        {"id": "flag", "type": "indicator", "levels": ["yes"]},
    ],
    "interactions": [["x1", "group"]],
}

REFERENCE_SPEC = {
    "variables": [
        {"id": "x1", "type": "numeric"},
        {"id": "group", "type": "categorical", "levels": ["c", "a", "b"], "reference": "b"},
        {"id": "flag", "type": "categorical", "levels": ["no", "yes"], "reference": "yes"},
    ],
    "interactions": [["group", "flag"]],
}


def regression_cases():
    cases = []
    for name, n, spec in [("small", 80, BASE_SPEC), ("medium", 600, BASE_SPEC), ("reference", 400, REFERENCE_SPEC)]:
        frame = regression_frame(n)
        X = build_design(frame, spec)
        ols = sm.OLS(frame["ynum"].to_numpy(), X).fit()
        logit = sm.Logit(frame["ybin"].to_numpy(), X).fit(method="newton", tol=1e-12, maxiter=100, disp=0)
        cases.append(
            {
                "name": name,
                "spec": spec,
                "frame": frame_json(frame),
                "columns": list(X.columns),
                "ols": {
                    "outcome": "ynum",
                    "n": int(ols.nobs),
                    "coefficients": result_table(ols, X.columns),
                    "rSquared": float(ols.rsquared),
                    "adjustedRSquared": float(ols.rsquared_adj),
                    "logLikelihood": float(ols.llf),
                    "residualDf": float(ols.df_resid),
                },
                "logit": {
                    "outcome": "ybin",
                    "n": int(logit.nobs),
                    "coefficients": result_table(logit, X.columns),
                    "pseudoR2": float(logit.prsquared),
                    "logLikelihood": float(logit.llf),
                    "nullLogLikelihood": float(logit.llnull),
                },
            }
        )
    return cases


def separation_cases():
    out = []
    # complete separation: x1 alone decides the outcome
    frame = regression_frame(60)
    frame["ybin"] = (frame["x1"] > 0.1).astype(float)
    spec = {"variables": [{"id": "x1", "type": "numeric"}, {"id": "x2", "type": "numeric"}], "interactions": []}
    X = build_design(frame, spec)
    try:
        sm.Logit(frame["ybin"].to_numpy(), X).fit(method="newton", maxiter=100, disp=0)
        raised = None
    except Exception as error:  # statsmodels' PerfectSeparationError
        raised = type(error).__name__
    out.append({"name": "complete", "spec": spec, "frame": frame_json(frame), "statsmodels": raised,
                "kind": "complete", "columns": ["x1"]})
    # quasi-complete: every respondent in group c answered 1
    frame = regression_frame(150)
    frame.loc[frame["group"] == "c", "ybin"] = 1.0
    spec = {"variables": BASE_SPEC["variables"], "interactions": []}
    X = build_design(frame, spec)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fit = sm.Logit(frame["ybin"].to_numpy(), X).fit(method="newton", maxiter=100, disp=0)
            raised = None
            group_c = float(fit.params[list(X.columns).index("group[c]")])
        except Exception as error:
            raised = type(error).__name__
            group_c = None
    out.append({"name": "quasi-complete", "spec": spec, "frame": frame_json(frame), "statsmodels": raised,
                "statsmodelsWarnings": sorted({type(w.message).__name__ for w in caught}),
                "statsmodelsEstimate": group_c, "kind": "quasi-complete", "columns": ["group[c]"]})
    return out


def rank_deficient_cases():
    frame = regression_frame(120)
    frame["x3"] = frame["x1"] - 2 * frame["x2"]
    frame["copy"] = frame["flag"]
    spec = {
        "variables": [
            {"id": "x1", "type": "numeric"},
            {"id": "x2", "type": "numeric"},
            {"id": "x3", "type": "numeric"},
            {"id": "flag", "type": "indicator", "levels": ["yes"]},
            {"id": "copy", "type": "indicator", "levels": ["yes"]},
        ],
        "interactions": [],
    }
    X = build_design(frame, spec)
    rank = int(np.linalg.matrix_rank(X.to_numpy()))
    # which columns are linear combinations of the columns before them (QR in column order)
    dependent = []
    kept = []
    for j, name in enumerate(X.columns):
        trial = X.iloc[:, kept + [j]].to_numpy()
        if np.linalg.matrix_rank(trial) == len(kept) + 1:
            kept.append(j)
        else:
            dependent.append(name)
    return [{"name": "collinear", "spec": spec, "frame": frame_json(frame), "rank": rank,
             "columns": list(X.columns), "dependent": dependent}]


# ---------------------------------------------------------------- the Berke model

BERKE_RACE_REFERENCE = "White or Caucasian"


def berke_race(value):
    races = [r.strip() for r in value.split(",") if r.strip()]
    if len(races) != 1:
        return "Multi/Other"
    return "Multi/Other" if races[0] == "Other" else races[0]


def berke(path):
    data = pd.read_csv(path, dtype=str, keep_default_na=False)
    data = data.apply(lambda column: column.str.strip())
    agree = {"Somewhat agree", "Strongly agree"}
    frame = pd.DataFrame(
        {
            "share": (data["Q-share-browser-data"] == "Consent to share").astype(float),
            "showdata": (data["showdata"] == "true").astype(float),
            "gender": data["Q-demos-gender"],
            "age": data["Q-demos-age"],
            "income": data["Q-demos-income"],
            "race": data["Q-demos-race"].map(berke_race),
            "hispanic": data["Q-demos-hispanic"],
            "s1": data["Q-perceptions-1"].isin(agree).astype(float),
            "s2": data["Q-perceptions-2"].isin(agree).astype(float),
        }
    )
    spec = {
        "variables": [
            {"id": "showdata", "type": "numeric"},
            {"id": "gender", "type": "categorical", "levels": sorted(frame["gender"].unique()), "reference": "Male"},
            {"id": "age", "type": "categorical", "levels": sorted(frame["age"].unique()), "reference": "35 - 44 years"},
            {"id": "income", "type": "categorical", "levels": sorted(frame["income"].unique()),
             "reference": "$50,000 - $74,999"},
            {"id": "race", "type": "categorical", "levels": sorted(frame["race"].unique()),
             "reference": BERKE_RACE_REFERENCE},
            {"id": "hispanic", "type": "categorical", "levels": ["No", "Yes"], "reference": "No"},
            {"id": "s1", "type": "numeric"},
            {"id": "s2", "type": "numeric"},
        ],
        "interactions": [["s1", "s2"]],
    }
    X = build_design(frame, spec)
    fit = sm.Logit(frame["share"].to_numpy(), X).fit(method="newton", tol=1e-12, maxiter=100, disp=0)
    # cross-check against the formula interface the authors used
    formula = sm.formula.logit(
        "share ~ showdata + C(gender, Treatment('Male')) + C(age, Treatment('35 - 44 years'))"
        " + C(income, Treatment('$50,000 - $74,999')) + C(race, Treatment('White or Caucasian'))"
        " + C(hispanic, Treatment('No')) + s1 * s2",
        frame,
    ).fit(disp=0)
    assert abs(formula.prsquared - fit.prsquared) < 1e-9
    return {
        "n": int(fit.nobs),
        "columns": list(X.columns),
        "coefficients": {name: {"estimate": float(fit.params[i]), "se": float(fit.bse[i])}
                         for i, name in enumerate(X.columns)},
        "pseudoR2": float(fit.prsquared),
        "logLikelihood": float(fit.llf),
        "nullLogLikelihood": float(fit.llnull),
        "shareRate": {
            "false": float(frame.loc[frame["showdata"] == 0, "share"].mean()),
            "true": float(frame.loc[frame["showdata"] == 1, "share"].mean()),
        },
        "raceLevels": spec["variables"][4]["levels"],
    }


# ---------------------------------------------------------------- bootstrap intervals


def bootstrap_interval_cases():
    """numpy's quantile (linear, Hyndman-Fan 7), the percentile interval and scipy's BCa interval.

    A separate generator, so adding these cases leaves every other golden value unchanged. The bootstrap
    replicates are generated here and written out: the TypeScript tests feed the same replicates to their
    interval code. BCa follows scipy.stats.bootstrap(method="BCa"): scipy's own _bca_interval gives the
    adjusted levels (z0 from the share of replicates below the estimate, ties counted half; the acceleration
    from the jackknife), and np.percentile cuts the replicates there.
    """
    from scipy.stats._resampling import _bca_interval

    local = np.random.default_rng(20261207)
    quantiles = []
    for size in [1, 2, 7, 50]:
        values = np.sort(local.normal(size=size))
        qs = [0.0, 0.025, 0.05, 0.1234, 0.5, 0.9, 0.975, 1.0]
        quantiles.append({"sorted": floats(values), "q": qs, "quantile": floats(np.quantile(values, qs))})
    intervals = []
    for size, resamples, kind in [(40, 500, "exponential"), (25, 999, "lognormal"), (60, 400, "normal")]:
        if kind == "exponential":
            data = local.exponential(size=size)
        elif kind == "lognormal":
            data = local.lognormal(sigma=0.9, size=size)
        else:
            data = local.normal(size=size)
        replicates = np.array([local.choice(data, size=size, replace=True).mean() for _ in range(resamples)])
        estimate = float(data.mean())
        jackknife = np.array([np.delete(data, i).mean() for i in range(size)])
        case = {"data": floats(data), "replicates": floats(replicates), "estimate": estimate,
                "jackknife": floats(jackknife), "levels": []}
        for alpha in [0.05, 0.1]:
            percentile = np.percentile(replicates, [100 * alpha / 2, 100 * (1 - alpha / 2)])
            a1, a2, acceleration = _bca_interval(
                (data,), lambda x, axis=-1: np.mean(x, axis=axis), -1, alpha / 2, replicates[None, :], None
            )
            bca = np.percentile(replicates, [100 * float(np.squeeze(a1)), 100 * float(np.squeeze(a2))])
            case["levels"].append({
                "alpha": alpha,
                "percentile": floats(percentile),
                "bca": floats(bca),
                "acceleration": float(np.squeeze(acceleration)),
            })
        intervals.append(case)
    return {"quantiles": quantiles, "intervals": intervals}


def main():
    # STANDIN_DATA_DIR, else the shared/ folder beside the repository.
    data_dir = os.environ.get("STANDIN_DATA_DIR", os.path.join(HERE, "..", "..", "..", "..", "..", "shared", "data"))
    default_csv = os.path.join(data_dir, "berke-fingerprint-consent", "survey-experiment-data.csv")
    csv = sys.argv[1] if len(sys.argv) > 1 else default_csv
    golden = {
        "generator": {
            "script": "packages/stats/test/golden/make_golden.py",
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__,
            "pandas": pd.__version__,
        },
        "divergences": divergence_cases(),
        "correlations": correlation_cases(),
        "tables": table_cases(),
        "holm": holm_cases(),
        "regressions": regression_cases(),
        "separation": separation_cases(),
        "rankDeficient": rank_deficient_cases(),
        "berke": berke(csv),
        "bootstrapIntervals": bootstrap_interval_cases(),
    }
    with open(os.path.join(HERE, "golden.json"), "w") as handle:
        json.dump(golden, handle, indent=1)
        handle.write("\n")


if __name__ == "__main__":
    main()
