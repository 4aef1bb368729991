#!/usr/bin/python3
"""Reference coefficient distances for @standin/metric-regression, from statsmodels and scipy.

Run with the Debian interpreter (python3-statsmodels, python3-scipy, python3-pandas):

    /usr/bin/python3 plugins/metric-regression/test/golden/make_golden_distance.py

It writes distance.json next to itself: a seeded survey of human respondents (arm, gender, age; answers share
yes/no, vote Con/Lab/Lib, a 0-100 score), their synthetic twins (same arm and persona, answers drawn from shifted
models), three declared analyses (a logit with an interaction, an OLS with HC1 SEs, a multinomial logit), and per
analysis the statsmodels fits on both samples and the coefficient distance the metric defines:

    W = (b_s - b_h)' (V_s + V_h)^-1 (b_s - b_h) over the effect coefficients (intercepts left out),
    df = their number, s = (1/n_h + 1/n_s) / df, distance = sqrt(s * max(0, W - df)),
    p = chi2.sf(W, df), interval: the non-centralities at which W is the 97.5% and 2.5% quantile of
    ncx2(df, lambda) (scipy), times s, square-rooted;

and the headline (root mean square over analyses) with its Welch-Satterthwaite interval:
c = sum(s^2 df)/sum(s df), x = sum(s W)/c, df' = sum(s df)^2/sum(s^2 df), bounds sqrt(c/A * lambda') for A analyses.
"""

import json
import os

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import optimize, stats

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261208)

ARMS = ["control", "treated"]
GENDERS = ["Female", "Male", "Other"]
AGES = ["18-34", "35-54", "55+"]
VOTES = ["Con", "Lab", "Lib"]


def personas(n):
    return pd.DataFrame(
        {
            "arm": rng.choice(ARMS, size=n),
            "gender": rng.choice(GENDERS, size=n, p=[0.45, 0.4, 0.15]),
            "age": rng.choice(AGES, size=n, p=[0.35, 0.4, 0.25]),
        }
    )


def answers(frame, shift):
    """Answers of the frame's people; `shift` moves every effect (0: the human model)."""
    n = len(frame)
    treated = (frame["arm"] == "treated").astype(float).to_numpy()
    male = (frame["gender"] == "Male").astype(float).to_numpy()
    other = (frame["gender"] == "Other").astype(float).to_numpy()
    old = (frame["age"] == "55+").astype(float).to_numpy()
    middle = (frame["age"] == "35-54").astype(float).to_numpy()
    eta = -0.3 + (0.6 + shift) * treated - 0.4 * male + (0.5 - shift) * treated * male + 0.3 * other + 0.4 * old
    share = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-eta)), "Yes", "No")
    score = 50 + (6 + 10 * shift) * treated + 4 * male - 3 * old + 2 * middle + rng.normal(size=n) * (8 + 6 * treated)
    eta_lab = 0.2 + (0.5 + shift) * treated - 0.4 * male + 0.3 * other
    eta_lib = -0.4 + 0.3 * treated + (0.2 - shift) * male
    expo = np.exp(np.column_stack([np.zeros(n), eta_lab, eta_lib]))
    probabilities = expo / expo.sum(axis=1, keepdims=True)
    vote = np.array([VOTES[rng.choice(3, p=row)] for row in probabilities])
    return pd.DataFrame({"share": share, "score": score, "vote": vote}, index=frame.index)


def source(kind, name=None):
    return {"_tag": "Arm"} if kind == "arm" else {"_tag": "Persona", "attribute": name} if kind == "persona" else {"_tag": "Item", "item": name}


TREATED = {"id": "treated", "source": source("arm"), "coding": {"_tag": "Indicator", "levels": ["treated"]}}
GENDER = {"id": "gender", "source": source("persona", "gender"), "coding": {"_tag": "Categorical", "reference": "Female"}}
AGE = {"id": "age", "source": source("persona", "age"), "coding": {"_tag": "Categorical", "reference": "18-34"}}
SHARE = {"id": "share", "source": source("item", "share"), "coding": {"_tag": "Indicator", "levels": ["Yes"]}}
SCORE = {"id": "score", "source": source("item", "score"), "coding": {"_tag": "Numeric"}}
VOTE = {"id": "vote", "source": source("item", "vote"), "coding": {"_tag": "Categorical", "reference": "Con"}}


def spec(id, family, outcome, predictors, interactions=(), se=None):
    out = {"id": id, "label": id, "family": family, "outcome": outcome, "predictors": predictors, "interactions": [list(i) for i in interactions]}
    if se is not None:
        out["se"] = se
    return out


SPECS = [
    spec("share-logit", "binomial", SHARE, [TREATED, GENDER, AGE], [("treated", "gender")]),
    spec("score-ols-hc1", "gaussian", SCORE, [TREATED, GENDER, AGE], se="HC1"),
    spec("vote-multinomial", "multinomial", VOTE, [TREATED, GENDER]),
]

LEVELS = {"gender": GENDERS, "age": AGES}


def design(frame, s):
    columns = {"(Intercept)": pd.Series(1.0, index=frame.index)}
    blocks = {}
    for variable in s["predictors"]:
        if variable["id"] == "treated":
            block = {"treated": (frame["arm"] == "treated").astype(float)}
        else:
            reference = variable["coding"]["reference"]
            block = {f"{variable['id']}[{level}]": (frame[variable["id"]] == level).astype(float) for level in LEVELS[variable["id"]] if level != reference}
        blocks[variable["id"]] = block
        columns.update(block)
    for a, b in s["interactions"]:
        for name_a, col_a in blocks[a].items():
            for name_b, col_b in blocks[b].items():
                columns[f"{name_a}:{name_b}"] = col_a * col_b
    return pd.DataFrame(columns)


def fit(frame, s):
    """Effect terms, their estimates and covariance (intercepts left out), and n."""
    X = design(frame, s)
    names = list(X.columns)
    n, p = X.shape
    if s["family"] == "gaussian":
        result = sm.OLS(frame["score"].to_numpy(), X.to_numpy()).fit(cov_type=s["se"])
        terms, params, covariance = names, np.asarray(result.params), np.asarray(result.cov_params())
    elif s["family"] == "binomial":
        outcome = (frame["share"] == "Yes").astype(float).to_numpy()
        result = sm.Logit(outcome, X.to_numpy()).fit(method="newton", tol=1e-12, maxiter=200, disp=0)
        terms, params, covariance = names, np.asarray(result.params), np.asarray(result.cov_params())
    else:
        codes = frame["vote"].map({level: k for k, level in enumerate(VOTES)}).to_numpy()
        result = sm.MNLogit(codes, X.to_numpy()).fit(method="newton", tol=1e-12, maxiter=200, disp=0)
        params = np.asarray(result.params).T.ravel()  # equation-major, as the cov_params rows
        covariance = np.asarray(result.cov_params())
        terms = [f"{level}::{name}" for level in VOTES[1:] for name in names]
    keep = [i for i, term in enumerate(terms) if not term.endswith("(Intercept)")]
    return [terms[i] for i in keep], params[keep], covariance[np.ix_(keep, keep)], n


def noncentrality(x, df, probability):
    """The non-centrality at which x is the `probability` quantile of ncx2(df, lambda); 0 when below the null's."""
    if stats.chi2.cdf(x, df) <= probability:
        return 0.0
    upper = 10.0
    while stats.ncx2.cdf(x, df, upper) > probability:
        upper *= 2
    return optimize.brentq(lambda lam: stats.ncx2.cdf(x, df, lam) - probability, 1e-12, upper, xtol=1e-12)


def interval(x, df, scale):
    return [float(np.sqrt(scale * noncentrality(x, df, 0.975))), float(np.sqrt(scale * noncentrality(x, df, 0.025)))]


def rows_json(frame, columns):
    return [
        {"arm": record["arm"], "persona": {"gender": record["gender"], "age": record["age"]}, "answers": {key: record[key] for key in columns}}
        for record in frame.to_dict("records")
    ]


def main():
    people = personas(800)
    human = pd.concat([people, answers(people, 0.0)], axis=1)
    synthetic = pd.concat([people, answers(people, 0.35)], axis=1)
    analyses = []
    for s in SPECS:
        terms, b_h, v_h, n_h = fit(human, s)
        terms_s, b_s, v_s, n_s = fit(synthetic, s)
        assert terms == terms_s
        d = b_s - b_h
        wald = float(d @ np.linalg.solve(v_h + v_s, d))
        df = len(terms)
        scale = (1 / n_h + 1 / n_s) / df
        analyses.append(
            {
                "spec": s,
                "expected": {
                    "terms": terms,
                    "wald": wald,
                    "df": df,
                    "scale": scale,
                    "p": float(stats.chi2.sf(wald, df)),
                    "distance": float(np.sqrt(scale * max(0.0, wald - df))),
                    "interval": interval(wald, df, scale),
                },
            }
        )
    scales = np.array([a["expected"]["scale"] for a in analyses])
    dfs = np.array([a["expected"]["df"] for a in analyses])
    walds = np.array([a["expected"]["wald"] for a in analyses])
    c = np.sum(scales**2 * dfs) / np.sum(scales * dfs)
    x = np.sum(scales * walds) / c
    df_pooled = np.sum(scales * dfs) ** 2 / np.sum(scales**2 * dfs)
    headline = {
        "distance": float(np.sqrt(max(0.0, np.mean(scales * walds) - np.mean(scales * dfs)))),
        "interval": interval(x, df_pooled, c / len(analyses)),
    }
    golden = {
        "generator": "plugins/metric-regression/test/golden/make_golden_distance.py",
        "statsmodels": __import__("statsmodels").__version__,
        "scipy": __import__("scipy").__version__,
        "levels": {"arm": ARMS, "gender": GENDERS, "age": AGES, "vote": VOTES},
        "human": rows_json(human, ["share", "score", "vote"]),
        "synthetic": rows_json(synthetic, ["share", "score", "vote"]),
        "analyses": analyses,
        "headline": headline,
    }
    with open(os.path.join(HERE, "distance.json"), "w") as out:
        json.dump(golden, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
