#!/usr/bin/python3
"""Reference fits of declared analyses (AnalysisSpec) for @standin/analysis, from statsmodels.

Run with the Debian interpreter (statsmodels 0.13, numpy 1.24, pandas 1.5):

    /usr/bin/python3 packages/analysis/test/golden/make_golden_analysis.py

It writes analysis.json next to itself: a seeded synthetic survey (respondents with an arm, persona attributes
gender and age, and answers: income 1-10, a vote choice, a 5-point agreement item, a yes/no item and a 0-100 score,
with some missing values), the analyses as AnalysisSpecs, and each analysis's statsmodels fit. The TypeScript test
fits the same specs on the same rows through fitAnalysis.

The design is built here from the spec as @standin/analysis builds it: the subset first (every condition must
hold), indicator / categorical (dummies named id[level], declared level order, reference left out) / numeric
codings, interactions as products of the two variables' columns named a:b, rows with a missing value dropped.

Where statsmodels' discrete models ignore the HC flavour (Probit, MNLogit, OrderedModel accept cov_type HC1 but
return HC0), HC1 is HC0 * n / (n - P) with P the number of estimated parameters (sandwich::vcovHC's HC1).
OrderedModel reports thresholds as theta_1 and log increments; they are mapped to theta_1 < theta_2 < ... and their
covariance by the delta method. Its SEs come from a finite-difference Hessian (good to about 1e-6).
"""

import json
import os

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.miscmodels.ordinal_model import OrderedModel

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261207)

ARMS = ["control", "treated"]
GENDERS = ["Female", "Male", "Other"]
AGES = ["18-34", "35-54", "55+"]
VOTES = ["Con", "Lab", "Lib"]
AGREE = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]


def survey(n):
    arm = rng.choice(ARMS, size=n)
    gender = rng.choice(GENDERS, size=n, p=[0.45, 0.4, 0.15])
    age = rng.choice(AGES, size=n, p=[0.35, 0.4, 0.25])
    income = rng.integers(1, 11, size=n).astype(float)
    treated = (arm == "treated").astype(float)
    male = (gender == "Male").astype(float)
    other = (gender == "Other").astype(float)
    old = (age == "55+").astype(float)
    # vote: softmax over Con (baseline), Lab, Lib
    eta_lab = 0.3 - 0.12 * income + 0.5 * treated - 0.4 * male + 0.6 * treated * male + 0.3 * other
    eta_lib = -0.4 + 0.05 * income + 0.3 * treated + 0.2 * male - 0.5 * old
    expo = np.exp(np.column_stack([np.zeros(n), eta_lab, eta_lib]))
    probabilities = expo / expo.sum(axis=1, keepdims=True)
    vote = np.array([VOTES[rng.choice(3, p=row)] for row in probabilities])
    # agreement: proportional-odds latent variable
    latent = 0.6 * treated - 0.1 * income + 0.4 * male - 0.3 * other + rng.logistic(size=n)
    agree = np.array(AGREE)[np.digitize(latent, [-1.6, -0.6, 0.2, 1.1])]
    # yes/no: probit latent variable
    share = np.where(-0.2 + 0.4 * treated + 0.05 * income - 0.3 * male + 0.2 * old + rng.normal(size=n) > 0, "Yes", "No")
    # a 0-100 score with heteroskedastic noise (so HC and classical SEs differ)
    score = np.clip(50 + 6 * treated - 1.5 * income + 4 * male - 3 * treated * male + rng.normal(size=n) * (4 + 3 * income), 0, 100)
    frame = pd.DataFrame(
        {"arm": arm, "gender": gender, "age": age, "income": income, "vote": vote, "agree": agree, "share": share, "score": score}
    )
    # missing answers: income for about 4%, agree for about 3%
    frame.loc[rng.uniform(size=n) < 0.04, "income"] = np.nan
    frame.loc[rng.uniform(size=n) < 0.03, "agree"] = None
    return frame


def source(kind, name=None):
    return {"_tag": "Arm"} if kind == "arm" else {"_tag": "Persona", "attribute": name} if kind == "persona" else {"_tag": "Item", "item": name}


def column_of(src):
    return "arm" if src["_tag"] == "Arm" else src.get("attribute") or src["item"]


TREATED = {"id": "treated", "source": source("arm"), "coding": {"_tag": "Indicator", "levels": ["treated"]}}
GENDER = {"id": "gender", "source": source("persona", "gender"), "coding": {"_tag": "Categorical", "reference": "Female"}}
AGE = {"id": "age", "source": source("persona", "age"), "coding": {"_tag": "Categorical", "reference": "18-34"}}
INCOME = {"id": "income", "source": source("item", "income"), "coding": {"_tag": "Numeric"}}
SHARE = {"id": "share", "source": source("item", "share"), "coding": {"_tag": "Indicator", "levels": ["Yes"]}}
VOTE = {"id": "vote", "source": source("item", "vote"), "coding": {"_tag": "Categorical", "reference": "Con"}}
AGREEMENT = {"id": "agree", "source": source("item", "agree"), "coding": {"_tag": "Categorical", "reference": AGREE[0]}}
SCORE = {"id": "score", "source": source("item", "score"), "coding": {"_tag": "Numeric"}}


def spec(id, family, outcome, predictors, interactions=(), subset=None, se=None):
    out = {"id": id, "label": id, "family": family, "outcome": outcome, "predictors": predictors, "interactions": [list(i) for i in interactions]}
    if subset is not None:
        out["subset"] = subset
    if se is not None:
        out["se"] = se
    return out


SPECS = [
    spec("probit-share", "probit", SHARE, [TREATED, GENDER, INCOME]),
    spec("probit-share-hc1", "probit", SHARE, [TREATED, GENDER, INCOME], se="HC1"),
    # a factor (the arm) interacted with a persona attribute, in every outcome level's equation
    spec("vote-multinomial", "multinomial", VOTE, [TREATED, GENDER, INCOME], [("treated", "gender")]),
    spec("vote-multinomial-hc1", "multinomial", VOTE, [TREATED, GENDER, INCOME], [("treated", "gender")], se="HC1"),
    spec("agree-ordinal", "ordinal", AGREEMENT, [TREATED, GENDER, INCOME], subset=[{"source": source("persona", "age"), "levels": ["18-34", "35-54"]}]),
    spec("agree-ordinal-hc0", "ordinal", AGREEMENT, [TREATED, GENDER, INCOME], se="HC0"),
    spec("score-ols-hc3", "gaussian", SCORE, [TREATED, GENDER, INCOME], [("treated", "gender")], subset=[{"source": source("item", "share"), "levels": ["Yes"]}], se="HC3"),
    spec("score-ols-hc2", "gaussian", SCORE, [TREATED, AGE, INCOME], se="HC2"),
    spec("share-logit-hc0", "binomial", SHARE, [TREATED, AGE], subset=[{"source": source("persona", "gender"), "levels": ["Female"]}, {"source": source("arm"), "levels": ["treated", "control"]}], se="HC0"),
]


def blocks_of(frame, variable):
    values = frame[column_of(variable["source"])]
    coding = variable["coding"]
    if coding["_tag"] == "Numeric":
        return {variable["id"]: values.astype(float)}
    if coding["_tag"] == "Indicator":
        return {variable["id"]: values.isin(coding["levels"]).astype(float).where(values.notna())}
    levels = {"gender": GENDERS, "age": AGES}[column_of(variable["source"])]
    return {f"{variable['id']}[{level}]": (values == level).astype(float).where(values.notna()) for level in levels if level != coding["reference"]}


def design(frame, s):
    kept = frame
    for condition in s.get("subset", []):
        kept = kept[kept[column_of(condition["source"])].isin(condition["levels"])]
    columns = {"(Intercept)": pd.Series(1.0, index=kept.index)}
    blocks = {}
    for variable in s["predictors"]:
        blocks[variable["id"]] = blocks_of(kept, variable)
        columns.update(blocks[variable["id"]])
    for a, b in s["interactions"]:
        for name_a, col_a in blocks[a].items():
            for name_b, col_b in blocks[b].items():
                columns[f"{name_a}:{name_b}"] = col_a * col_b
    X = pd.DataFrame(columns)
    y = kept[column_of(s["outcome"]["source"])]
    complete = X.notna().all(axis=1) & y.notna()
    return X[complete], y[complete]


def table(names, params, covariance):
    se = np.sqrt(np.diag(covariance))
    return {name: {"estimate": float(params[i]), "se": float(se[i])} for i, name in enumerate(names)}


def fit(frame, s):
    X, y = design(frame, s)
    names = list(X.columns)
    n, p = X.shape
    se = s.get("se", "classical")
    out = {"n": int(n)}
    if s["family"] == "gaussian":
        result = sm.OLS(y.astype(float).to_numpy(), X.to_numpy()).fit(**({} if se == "classical" else {"cov_type": se}))
        out.update(coefficients=table(names, result.params, result.cov_params()), rSquared=float(result.rsquared))
    elif s["family"] in ("binomial", "probit"):
        Model = sm.Logit if s["family"] == "binomial" else sm.Probit
        outcome = y.isin(s["outcome"]["coding"]["levels"]).astype(float).to_numpy()
        kwargs = {} if se == "classical" else {"cov_type": "HC0"}
        result = Model(outcome, X.to_numpy()).fit(method="newton", tol=1e-12, maxiter=200, disp=0, **kwargs)
        covariance = np.asarray(result.cov_params()) * (n / (n - p) if se == "HC1" else 1)
        out.update(coefficients=table(names, result.params, covariance), logLikelihood=float(result.llf), pseudoR2=float(result.prsquared))
    elif s["family"] == "multinomial":
        reference = s["outcome"]["coding"]["reference"]
        categories = [reference] + [level for level in VOTES if level != reference]
        codes = y.map({level: k for k, level in enumerate(categories)}).to_numpy()
        kwargs = {} if se == "classical" else {"cov_type": "HC0"}
        result = sm.MNLogit(codes, X.to_numpy()).fit(method="newton", tol=1e-12, maxiter=200, disp=0, **kwargs)
        P = (len(categories) - 1) * p
        covariance = np.asarray(result.cov_params()) * (n / (n - P) if se == "HC1" else 1)
        params = np.asarray(result.params).T.ravel()  # equation-major, as the cov_params rows
        terms = [f"{level}::{name}" for level in categories[1:] for name in names]
        out.update(coefficients=table(terms, params, covariance), logLikelihood=float(result.llf), pseudoR2=float(result.prsquared))
    else:
        codes = y.map({level: k for k, level in enumerate(AGREE)}).to_numpy()
        slopes = X.drop(columns=["(Intercept)"])
        model = OrderedModel(codes, slopes, distr="logit")
        kwargs = {} if se == "classical" else {"cov_type": "HC0"}
        # Newton on statsmodels' finite-difference Hessian stalls short of tol 1e-12: polish a BFGS optimum instead.
        start = model.fit(method="bfgs", gtol=1e-10, maxiter=5000, disp=0).params
        result = model.fit(method="newton", tol=1e-8, maxiter=500, disp=0, start_params=np.asarray(start), **kwargs)
        assert result.mle_retvals["converged"]
        params = np.asarray(result.params)
        q = slopes.shape[1]
        raw = params[q:]
        T = len(raw)
        thresholds = np.concatenate([[raw[0]], raw[0] + np.cumsum(np.exp(raw[1:]))])
        jacobian = np.zeros((q + T, q + T))
        jacobian[:q, :q] = np.eye(q)
        for t in range(T):
            jacobian[q + t, q] = 1.0
            for u in range(1, t + 1):
                jacobian[q + t, q + u] = np.exp(raw[u])
        covariance = jacobian @ np.asarray(result.cov_params()) @ jacobian.T
        terms = list(slopes.columns) + [f"{AGREE[t]}|{AGREE[t + 1]}" for t in range(T)]
        out.update(coefficients=table(terms, np.concatenate([params[:q], thresholds]), covariance), logLikelihood=float(result.llf))
    return out


def rows_json(frame):
    rows = []
    for record in frame.to_dict("records"):
        answers = {key: record[key] for key in ["income", "vote", "agree", "share", "score"]}
        answers = {key: (None if isinstance(value, float) and np.isnan(value) else value) for key, value in answers.items()}
        rows.append({"arm": record["arm"], "persona": {"gender": record["gender"], "age": record["age"]}, "answers": answers})
    return rows


def main():
    frame = survey(900)
    golden = {
        "generator": "packages/analysis/test/golden/make_golden_analysis.py",
        "statsmodels": sm.__version__ if hasattr(sm, "__version__") else __import__("statsmodels").__version__,
        "levels": {"arm": ARMS, "gender": GENDERS, "age": AGES, "vote": VOTES, "agree": AGREE},
        "rows": rows_json(frame),
        "analyses": [{"spec": s, "expected": fit(frame, s)} for s in SPECS],
    }
    with open(os.path.join(HERE, "analysis.json"), "w") as out:
        json.dump(golden, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
